"""Shopify GraphQL Admin API simulator, built from the vendor documentation
(``shared/docs/platforms/shopify.md``) and executed with graphql-core against the SDL
subset of ``shopify_schema.py`` (names as in the real Admin schema of the version).

- ``POST /admin/api/{YYYY-MM}/graphql.json`` with ``X-Shopify-Access-Token``
  (https://shopify.dev/docs/api/admin ; https://shopify.dev/docs/api/usage/authentication);
  a wrong token answers 401 ``{"errors": "[API] Invalid API key or access token
  (unrecognized login or wrong password)"}``.
- Cost-based throttling, a leaky bucket per shop
  (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits): requested cost
  computed before running (objects 1, connections 2 + first x node, mutations 10), a
  query above ``max_query_cost`` (1000) refused with ``MAX_COST_EXCEEDED``; a requested
  cost above what is available answers ``THROTTLED`` in ``errors[].extensions.code``
  with no ``data`` (HTTP status configurable: ``throttle_status`` 200 or 429, the docs
  do not say); every answer carries ``extensions.cost`` with ``requestedQueryCost``,
  ``actualQueryCost`` and ``throttleStatus`` (maximumAvailable, currentlyAvailable,
  restoreRate). The bucket restores ``restore_rate`` points a second on ``clock``.
- Connections page by opaque cursors, at most 250 per page (``pageInfo.hasNextPage``,
  ``endCursor``: https://shopify.dev/docs/api/usage/pagination-graphql);
  ``orders(query: "updated_at:>='...'", sortKey: UPDATED_AT)``.
- Mutations answer ``userErrors``: ``inventorySetQuantities`` compare-and-swap
  (``COMPARE_QUANTITY_STALE``), ``productSet`` upsert by ``identifier.handle`` with list
  fields replaced, ``metafieldsSet`` at most 25 (atomic), ``collectionCreate``,
  ``fulfillmentCreate`` on open fulfillment orders, ``webhookSubscriptionCreate``.
- Bulk operations (https://shopify.dev/docs/api/usage/bulk-operations/queries):
  ``bulkOperationRunQuery`` runs the query over every node (no ``first``) and writes
  JSONL where nested connection nodes are their own lines with ``__parentId``; the
  operation is RUNNING for ``bulk_polls`` reads of ``node(id)`` /
  ``currentBulkOperation``, then COMPLETED with ``url`` (served unauthenticated, like a
  signed storage URL).
- Webhooks (https://shopify.dev/docs/apps/build/webhooks/delivery-structure):
  ``webhook_delivery(topic, payload)`` builds a signed delivery (base64 HMAC-SHA256 of
  the raw body with the app secret in ``X-Shopify-Hmac-Sha256``, ``X-Shopify-Topic``,
  ``X-Shopify-Event-Id``, ``X-Shopify-Webhook-Id``, ``X-Shopify-Shop-Domain``,
  ``X-Shopify-Triggered-At``, ``X-Shopify-API-Version``); ``deliver(...)`` posts it to
  the subscriptions of the topic (``duplicate=True`` posts it twice: "subscribers might
  receive the same webhook more than once").

Faults: the base's ``inject`` (429, 5xx, malformed, drop, slow); ``throttle_next(n)``
answers THROTTLED n times; ``fail_page(page)`` fails the n-th page of ``orders``;
``stale_compare(n)`` makes the next n inventory compare checks fail (another writer).
"""
import base64
import copy
import hashlib
import hmac
import json
import re
import time
import uuid
from datetime import UTC, datetime
from typing import ClassVar

import requests
from graphql import (
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    build_schema,
    execute,
    parse,
    validate,
)
from werkzeug.wrappers import Response

from .base import Simulator, route
from .shopify_schema import sdl_for

GRAPHQL_RULE = '/admin/api/<version>/graphql.json'
UPDATED_SINCE = re.compile(r"updated_at:>=?'?([0-9T:\-\.Z+]+)'?")
INVALID_TOKEN = '[API] Invalid API key or access token (unrecognized login or wrong password)'
RATE_LIMITS_DOC = 'https://shopify.dev/api/usage/rate-limits'


def gid(kind, number):
    return f'gid://shopify/{kind}/{number}'


def _money(amount, currency='USD'):
    money = {'amount': f'{float(amount):.2f}', 'currencyCode': currency}
    return {'shopMoney': money, 'presentmentMoney': dict(money)}


def hmac_base64(secret, body):
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class ShopifySimulator(Simulator):
    name = 'shopify'
    default_port = 8074
    default_options: ClassVar[dict] = {
        'shop_domain': 'sandbox-shop.myshopify.com',
        'shop_name': 'Sandbox Shop',
        'access_token': 'shpat_sandbox_token',
        'app_secret': 'shopify-sandbox-app-secret',
        'bucket_max': 1000.0,
        'restore_rate': 50.0,
        'max_query_cost': 1000,
        'throttle_status': 200,  # HTTP status of a THROTTLED answer (200 or 429: unsure)
        'bulk_polls': 1,  # reads of a running bulk operation before it completes
        'stamp_step': 1,  # seconds between two updatedAt stamps
        'clock': time.time,
    }

    def init_state(self):
        self.schemas = {}
        self.orders = {}  # gid -> order (GraphQL shape)
        self.products = {}  # handle -> product
        self.inventory = {}  # (inventory item gid, location gid) -> available
        self.locations = {gid('Location', 1): 'Main warehouse'}
        self.collections = {}  # handle -> collection
        self.metafields = {}  # (owner, namespace, key) -> metafield
        self.subscriptions = {}  # gid -> {topic, callbackUrl}
        self.bulk_operations = {}  # gid -> operation
        self.bulk_results = {}  # file name -> bytes
        self.fulfillments = []  # fulfillmentCreate inputs accepted
        self.inventory_calls = []  # inventorySetQuantities inputs, in order
        self.deliveries = []  # (topic, status) of webhook posts
        self.costs = []  # (requested, actual, throttled) per GraphQL call
        self.order_reads = []  # (page, first) of each orders read
        self.page_faults = {}
        self.throttles = 0
        self.stale_compares = 0
        self.available = float(self.options['bucket_max'])
        self.bucket_at = self.options['clock']()
        self._sequence = 0
        self._last_stamp = 0.0

    # ----------------------------------------------------------------- test controls

    def _next_id(self):
        self._sequence += 1
        return self._sequence

    def _stamp(self):
        """An updatedAt after every earlier one (whole seconds, as Shopify shows them)."""
        self._last_stamp = max(self._last_stamp + self.options['stamp_step'],
                               float(int(self.options['clock']())))
        return datetime.fromtimestamp(self._last_stamp, UTC).strftime('%Y-%m-%dT%H:%M:%SZ')

    def add_order(self, sku='SHOP-SKU', quantity=1, price=20.0, email='jane@example.com',
                  address=None, lines=None, number=None, **extra):
        """Seed an order (GraphQL shape) with one fulfillment order; returns it."""
        with self.lock:
            number = number or 5000000 + self._next_id()
            stamp = self._stamp()
            lines = lines or [(sku, quantity, price)]
            line_items = [{
                'id': gid('LineItem', number * 100 + index), 'sku': line_sku,
                'name': f'Item {line_sku}', 'quantity': line_quantity,
                'currentQuantity': line_quantity, 'originalUnitPriceSet': _money(line_price),
                'taxLines': [{'title': 'State tax', 'rate': 0.0625,
                              'priceSet': _money(line_price * line_quantity * 0.0625)}],
            } for index, (line_sku, line_quantity, line_price) in enumerate(lines, 1)]
            order = {
                'id': gid('Order', number), 'name': f'#{1000 + self._sequence}',
                'createdAt': stamp, 'updatedAt': stamp, 'cancelledAt': None,
                'cancelReason': None, 'email': email, 'phone': None,
                'displayFinancialStatus': 'PAID', 'displayFulfillmentStatus': 'UNFULFILLED',
                'currencyCode': 'USD',
                'totalPriceSet': _money(sum(q * p for _s, q, p in lines) + 5),
                'totalTaxSet': _money(sum(q * p for _s, q, p in lines) * 0.0625),
                'totalRefundedSet': _money(0),
                'customer': {'id': gid('Customer', number), 'email': email,
                             'firstName': 'Jane', 'lastName': 'Doe', 'phone': None},
                'shippingAddress': address if address is not None else {
                    'id': gid('MailingAddress', number), 'name': 'Jane Doe',
                    'firstName': 'Jane', 'lastName': 'Doe', 'company': None,
                    'address1': '1 Market St', 'address2': 'Suite 5', 'city': 'Austin',
                    'zip': '78701', 'provinceCode': 'TX', 'countryCodeV2': 'US',
                    'phone': '+15125550100'},
                'fulfillments': [],
                'lineItems': line_items,
                'shippingLines': [{'id': gid('ShippingLine', number), 'title': 'Standard',
                                   'code': 'STANDARD', 'originalPriceSet': _money(5)}],
                'fulfillmentOrders': [{
                    'id': gid('FulfillmentOrder', number), 'status': 'OPEN',
                    'lineItems': [{'id': gid('FulfillmentOrderLineItem', number * 100 + i),
                                   'remainingQuantity': line['quantity'],
                                   'totalQuantity': line['quantity'], 'lineItem': line}
                                  for i, line in enumerate(line_items, 1)]}],
            }
            order.update(extra)
            self.orders[order['id']] = order
            return order

    def seed_orders(self, count, sku='SHOP-SKU'):
        return [self.add_order(sku=sku)['id'] for _ in range(count)]

    def update_order(self, order_gid, **changes):
        with self.lock:
            order = self.orders[order_gid]
            order.update(changes)
            order['updatedAt'] = self._stamp()
            return copy.deepcopy(order)

    def cancel_order(self, order_gid, reason='CUSTOMER'):
        return self.update_order(order_gid, cancelledAt=self._stamp(), cancelReason=reason,
                                 displayFinancialStatus='REFUNDED')

    def refund_order(self, order_gid, amount):
        return self.update_order(order_gid, totalRefundedSet=_money(amount),
                                 displayFinancialStatus='PARTIALLY_REFUNDED')

    def fulfil_order(self, order_gid, tracking='1Z999', company='UPS'):
        """The merchant (or ShipStation) fulfilled the order on Shopify."""
        with self.lock:
            order = self.orders[order_gid]
            order['fulfillments'].append({
                'id': gid('Fulfillment', self._next_id()), 'status': 'SUCCESS',
                'createdAt': self._stamp(),
                'trackingInfo': [{'number': tracking, 'company': company, 'url': None}]})
            for fulfillment_order in order['fulfillmentOrders']:
                fulfillment_order['status'] = 'CLOSED'
                for line in fulfillment_order['lineItems']:
                    line['remainingQuantity'] = 0
            return self.update_order(order_gid, displayFulfillmentStatus='FULFILLED')

    def throttle_next(self, count=1):
        with self.lock:
            self.throttles += count

    def stale_compare(self, count=1):
        with self.lock:
            self.stale_compares += count

    def fail_page(self, page, status=500, times=1):
        with self.lock:
            self.page_faults.setdefault(page, []).extend([status] * times)

    def set_available(self, points):
        with self.lock:
            self.available = float(points)
            self.bucket_at = self.options['clock']()

    def points_used(self):
        return sum(actual or 0 for _requested, actual, _throttled in self.costs)

    # ----------------------------------------------------------------- webhooks

    def webhook_delivery(self, topic, payload, event_id=None, webhook_id=None, secret=None,
                         triggered_at=None):
        """(raw body, headers) of a signed delivery."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {
            'Content-Type': 'application/json',
            'X-Shopify-Topic': topic,
            'X-Shopify-Hmac-Sha256': hmac_base64(secret or self.options['app_secret'], body),
            'X-Shopify-Shop-Domain': self.options['shop_domain'],
            'X-Shopify-API-Version': '2025-01',
            'X-Shopify-Webhook-Id': webhook_id or str(uuid.uuid4()),
            'X-Shopify-Event-Id': event_id or str(uuid.uuid4()),
            'X-Shopify-Triggered-At': triggered_at or datetime.now(UTC).isoformat(),
        }
        return body, headers

    def deliver(self, topic, payload, url=None, duplicate=False, **options):
        """Post a signed delivery to ``url`` or to every subscription of ``topic``."""
        body, headers = self.webhook_delivery(topic, payload, **options)
        enum = topic.upper().replace('/', '_')
        urls = [url] if url else [s['callbackUrl'] for s in self.subscriptions.values()
                                  if s['topic'] == enum]
        statuses = []
        for target in urls:
            for _copy in range(2 if duplicate else 1):
                status = requests.post(target, data=body, headers=headers, timeout=10).status_code
                self.deliveries.append((topic, status))
                statuses.append(status)
        return statuses

    @staticmethod
    def order_webhook_payload(order):
        """The REST-shaped body of orders/* webhooks (id as a number)."""
        number = int(order['id'].rsplit('/', 1)[1])
        return {'id': number, 'admin_graphql_api_id': order['id'], 'name': order['name'],
                'updated_at': order['updatedAt'], 'cancelled_at': order['cancelledAt']}

    # ----------------------------------------------------------------- HTTP

    def authenticate(self, request):
        if request.path.startswith('/bulk-results/'):
            return None
        if request.headers.get('X-Shopify-Access-Token') != self.options['access_token']:
            return self.json({'errors': INVALID_TOKEN}, status=401)
        return None

    @route('GET', '/bulk-results/<name>')
    def bulk_result(self, request, name):
        if name not in self.bulk_results:
            return self.error(404, 'expired or unknown result')
        return Response(self.bulk_results[name], content_type='application/jsonl')

    @route('POST', GRAPHQL_RULE)
    def graphql(self, request, version):
        body = self.request_json(request)
        if not isinstance(body, dict) or not isinstance(body.get('query'), str):
            return self.json({'errors': [{'message': 'Bad Request: query missing'}]}, 400)
        try:
            document = parse(body['query'])
        except GraphQLError as error:
            return self.json({'errors': [{'message': error.message,
                                          'extensions': {'code': 'PARSE_ERROR'}}]})
        schema = self._schema(version)
        errors = validate(schema, document)
        if errors:
            return self.json({'errors': [{'message': e.message} for e in errors]})
        variables = body.get('variables') or {}
        requested = requested_cost(document, variables)
        refusal = self._cost_refusal(requested)
        if refusal is not None:
            return refusal
        self._version = version
        self._fault_status = None
        result = execute(schema, document, root_value=self._root(document),
                         variable_values=variables)
        if self._fault_status:
            return self.json({'errors': 'Internal Server Error'}, status=self._fault_status)
        return self._answer(result, document, requested)

    def _schema(self, version):
        if version not in self.schemas:
            self.schemas[version] = build_schema(sdl_for(version))
        return self.schemas[version]

    def _refill(self):
        now = self.options['clock']()
        self.available = min(float(self.options['bucket_max']),
                             self.available + (now - self.bucket_at) * self.options['restore_rate'])
        self.bucket_at = now

    def _throttle_status(self):
        return {'maximumAvailable': float(self.options['bucket_max']),
                'currentlyAvailable': int(self.available),
                'restoreRate': float(self.options['restore_rate'])}

    def _cost_refusal(self, requested):
        self._refill()
        if requested > self.options['max_query_cost']:
            self.costs.append((requested, None, False))
            return self.json({'errors': [{
                'message': f'Query cost is {requested}, which exceeds the single query max '
                           f'cost limit ({self.options["max_query_cost"]}).',
                'extensions': {'code': 'MAX_COST_EXCEEDED', 'cost': requested,
                               'maxCost': self.options['max_query_cost']}}]})
        if self.throttles or requested > self.available:
            self.throttles = max(self.throttles - 1, 0)
            self.costs.append((requested, None, True))
            return self.json({
                'errors': [{'message': 'Throttled', 'extensions': {
                    'code': 'THROTTLED', 'documentation': RATE_LIMITS_DOC}}],
                'extensions': {'cost': {'requestedQueryCost': requested,
                                        'actualQueryCost': None,
                                        'throttleStatus': self._throttle_status()}},
            }, status=self.options['throttle_status'])
        return None

    def _answer(self, result, document, requested):
        data = result.data
        actual = actual_cost(document, data) if data else requested
        self.available = max(self.available - actual, 0.0)
        self.costs.append((requested, actual, False))
        answer = {'data': data, 'extensions': {'cost': {
            'requestedQueryCost': requested, 'actualQueryCost': actual,
            'throttleStatus': self._throttle_status()}}}
        if result.errors:
            answer['errors'] = [{'message': e.message, 'path': e.path} for e in result.errors]
        return self.json(answer)

    # ----------------------------------------------------------------- resolvers

    def _root(self, document):
        operation = next(d for d in document.definitions
                         if isinstance(d, OperationDefinitionNode))
        if operation.operation == OperationType.MUTATION:
            return {
                'bulkOperationRunQuery': self._bulk_run,
                'inventorySetQuantities': self._inventory_set,
                'productSet': self._product_set,
                'metafieldsSet': self._metafields_set,
                'collectionCreate': self._collection_create,
                'fulfillmentCreate': self._fulfillment_create,
                'webhookSubscriptionCreate': self._webhook_create,
            }
        return {
            'shop': lambda info: {'name': self.options['shop_name'],
                                  'myshopifyDomain': self.options['shop_domain'],
                                  'currencyCode': 'USD'},
            'orders': self._orders,
            'order': lambda info, id: self._order_view(self.orders.get(id)),
            'node': lambda info, id: self._node(id),
            'nodes': lambda info, ids: [self._node(i) for i in ids],
            'currentBulkOperation': lambda info, type='QUERY': self._bulk_view(
                next(reversed(self.bulk_operations.values()), None)),
            'webhookSubscriptions': lambda info, **args: connection(
                [self._subscription_view(key, s) for key, s in self.subscriptions.items()],
                args),
            'collectionByHandle': lambda info, handle: self.collections.get(handle),
            'locations': lambda info, **args: connection(
                [{'id': k, 'name': v} for k, v in self.locations.items()], args),
        }

    def _orders(self, info, **args):
        orders = sorted(self.orders.values(), key=lambda o: (o['updatedAt'], o['id']))
        match = UPDATED_SINCE.search(args.get('query') or '')
        if match:
            since = match.group(1)
            orders = [o for o in orders if o['updatedAt'] >= since]
        result = connection([self._order_view(o) for o in orders], args, _bulk(info))
        page = result['_start'] // max(args.get('first') or 1, 1) + 1
        self.order_reads.append((page, args.get('first')))
        statuses = self.page_faults.get(page)
        if statuses:
            self._fault_status = statuses.pop(0)  # the handler answers it as HTTP
        return result

    def _order_view(self, order):
        if order is None:
            return None
        view = dict(order, __typename='Order')
        view['lineItems'] = lambda info, **a: connection(order['lineItems'], a, _bulk(info))
        view['shippingLines'] = lambda info, **a: connection(
            order['shippingLines'], a, _bulk(info))
        view['fulfillmentOrders'] = lambda info, **a: connection(
            [dict(fo, lineItems=lambda info, _fo=fo, **b: connection(_fo['lineItems'], b))
             for fo in order['fulfillmentOrders']], a)
        view['fulfillments'] = lambda info, first=None: order['fulfillments'][:first]
        return view

    def _node(self, node_id):
        kind = node_id.split('/')[3] if node_id.count('/') >= 4 else ''
        if kind == 'Order':
            return self._order_view(self.orders.get(node_id))
        if kind == 'BulkOperation':
            return self._bulk_view(self.bulk_operations.get(node_id), poll=True)
        if kind == 'InventoryItem':
            return {'__typename': 'InventoryItem', 'id': node_id, 'sku': None, 'tracked': True,
                    'inventoryLevel': lambda info, locationId: {
                        'id': f'{node_id}?location={locationId}', 'location': {
                            'id': locationId, 'name': self.locations.get(locationId, '')},
                        'quantities': lambda info, names: [
                            {'name': name, 'quantity': self.inventory.get(
                                (node_id, locationId), 0)} for name in names]}}
        return None

    # ----------------------------------------------------------------- mutations

    def _inventory_set(self, info, input):
        self.inventory_calls.append(copy.deepcopy(input))
        if input['name'] not in ('available', 'on_hand'):
            return {'userErrors': [{'code': 'INVALID_NAME', 'field': ['input', 'name'],
                                    'message': 'The quantity name must be available or on_hand.'}]}
        errors = []
        for index, quantity in enumerate(input['quantities']):
            key = (quantity['inventoryItemId'], quantity['locationId'])
            errors += self._compare_errors(index, quantity, input, key)
        if errors:  # the whole call is refused
            return {'inventoryAdjustmentGroup': None, 'userErrors': errors}
        changes = []
        for quantity in input['quantities']:
            key = (quantity['inventoryItemId'], quantity['locationId'])
            delta = quantity['quantity'] - self.inventory.get(key, 0)
            self.inventory[key] = quantity['quantity']
            changes.append({'name': input['name'], 'delta': delta,
                            'quantityAfterChange': quantity['quantity']})
        return {'inventoryAdjustmentGroup': {
            'id': gid('InventoryAdjustmentGroup', self._next_id()), 'createdAt': self._stamp(),
            'reason': input['reason'], 'referenceDocumentUri': input.get('referenceDocumentUri'),
            'changes': lambda info, **a: changes}, 'userErrors': []}

    def _compare_errors(self, index, quantity, input, key):
        if quantity['quantity'] < 0:
            return [{'code': 'INVALID_QUANTITY_NEGATIVE', 'message': 'Negative quantity.',
                     'field': ['input', 'quantities', str(index), 'quantity']}]
        field = 'changeFromQuantity' if 'changeFromQuantity' in quantity else 'compareQuantity'
        if field == 'compareQuantity' and input.get('ignoreCompareQuantity'):
            return []
        if field == 'changeFromQuantity' and quantity[field] is None:
            return []  # an explicit null opts out of the check
        if field not in quantity:
            return [{'code': 'COMPARE_QUANTITY_REQUIRED',
                     'message': 'A compare quantity is required.',
                     'field': ['input', 'quantities', str(index), field]}]
        if self.stale_compares:
            self.stale_compares -= 1
            self.inventory[key] = self.inventory.get(key, 0) + 1  # another writer's sale
        if quantity[field] != self.inventory.get(key, 0):
            return [{'code': 'COMPARE_QUANTITY_STALE',
                     'message': f'The {field} argument no longer matches the persisted '
                                'quantity.',
                     'field': ['input', 'quantities', str(index), field]}]
        return []

    def _product_set(self, info, input, synchronous=True, identifier=None):
        handle = (identifier or {}).get('handle') or input.get('handle')
        if not input.get('title') and handle not in self.products:
            return {'product': None, 'userErrors': [{
                'code': 'INVALID_INPUT', 'field': ['input', 'title'],
                'message': 'Title can\'t be blank'}]}
        skus = [v.get('sku') for v in input.get('variants') or []]
        if len(set(skus)) != len(skus):
            return {'product': None, 'userErrors': [{
                'code': 'INVALID_VARIANT', 'field': ['input', 'variants'],
                'message': 'Variants must have unique SKUs'}]}
        product = self.products.get(handle) or {'id': gid('Product', self._next_id()),
                                                'handle': handle, 'variants': []}
        old_by_sku = {v['sku']: v for v in product['variants']}
        product.update(title=input.get('title') or product.get('title'),
                       status=input.get('status') or 'ACTIVE', input=copy.deepcopy(input))
        # List fields are replaced: variants not given are deleted.
        product['variants'] = [old_by_sku.get(v.get('sku')) or {
            'id': gid('ProductVariant', self._next_id()), 'sku': v.get('sku'),
            'inventoryItem': {'id': gid('InventoryItem', self._next_id()), 'tracked': True}}
            for v in input.get('variants') or []]
        for variant, given in zip(product['variants'], input.get('variants') or [], strict=True):
            variant.update(price=given.get('price') or '0.00', barcode=given.get('barcode'))
            for location in self.locations:
                self.inventory.setdefault((variant['inventoryItem']['id'], location), 0)
        self.products[handle] = product
        return {'product': self._product_view(product), 'userErrors': []}

    @staticmethod
    def _product_view(product):
        return dict(product, variants=lambda info, **a: connection(
            [dict(v, inventoryItem=dict(v['inventoryItem'], sku=v['sku'],
                                        inventoryLevel=lambda info, locationId: None))
             for v in product['variants']], a))

    def _metafields_set(self, info, metafields):
        if len(metafields) > 25:
            return {'metafields': None, 'userErrors': [{
                'code': 'INVALID', 'field': ['metafields'], 'elementIndex': None,
                'message': 'Exceeded the maximum metafields input limit of 25.'}]}
        saved = []
        for metafield in metafields:
            key = (metafield['ownerId'], metafield.get('namespace') or 'app', metafield['key'])
            self.metafields[key] = dict(metafield, id=gid('Metafield', self._next_id()))
            saved.append({'id': self.metafields[key]['id'], 'key': key[2], 'namespace': key[1],
                          'value': metafield['value'], 'type': metafield.get('type') or ''})
        return {'metafields': saved, 'userErrors': []}

    def _collection_create(self, info, input):
        if not input.get('title'):
            return {'collection': None, 'userErrors': [
                {'field': ['input', 'title'], 'message': 'Title can\'t be blank'}]}
        handle = input.get('handle') or input['title'].lower().replace(' ', '-')
        collection = {'id': gid('Collection', self._next_id()), 'handle': handle,
                      'title': input['title']}
        self.collections[handle] = collection
        return {'collection': collection, 'userErrors': []}

    def _fulfillment_create(self, info, fulfillment, message=None):
        by_id = {fo['id']: (order, fo) for order in self.orders.values()
                 for fo in order['fulfillmentOrders']}
        for group in fulfillment['lineItemsByFulfillmentOrder']:
            found = by_id.get(group['fulfillmentOrderId'])
            if not found or found[1]['status'] not in ('OPEN', 'IN_PROGRESS'):
                return {'fulfillment': None, 'userErrors': [{
                    'field': ['fulfillment'], 'message': 'Fulfillment order is not open.'}]}
        for group in fulfillment['lineItemsByFulfillmentOrder']:
            order, fulfillment_order = by_id[group['fulfillmentOrderId']]
            lines = {line['id']: line for line in fulfillment_order['lineItems']}
            for item in group.get('fulfillmentOrderLineItems') or []:
                lines[item['id']]['remainingQuantity'] -= item['quantity']
            if all(line['remainingQuantity'] <= 0 for line in lines.values()):
                fulfillment_order['status'] = 'CLOSED'
        self.fulfillments.append(copy.deepcopy(fulfillment))
        created = {'id': gid('Fulfillment', self._next_id()), 'status': 'SUCCESS',
                   'createdAt': self._stamp(), 'trackingInfo': []}
        return {'fulfillment': created, 'userErrors': []}

    def _webhook_create(self, info, topic, webhookSubscription):
        url = webhookSubscription.get('callbackUrl')
        if not url or not url.startswith(('http://', 'https://')):
            return {'webhookSubscription': None, 'userErrors': [{
                'field': ['webhookSubscription', 'callbackUrl'],
                'message': 'Address is invalid'}]}
        if any(s['topic'] == topic and s['callbackUrl'] == url
               for s in self.subscriptions.values()):
            return {'webhookSubscription': None, 'userErrors': [{
                'field': ['webhookSubscription', 'callbackUrl'],
                'message': 'Address for this topic has already been taken'}]}
        key = gid('WebhookSubscription', self._next_id())
        self.subscriptions[key] = {'topic': topic, 'callbackUrl': url}
        return {'webhookSubscription': self._subscription_view(key, self.subscriptions[key]),
                'userErrors': []}

    @staticmethod
    def _subscription_view(key, subscription):
        return {'id': key, 'topic': subscription['topic'], 'format': 'JSON',
                'endpoint': {'__typename': 'WebhookHttpEndpoint',
                             'callbackUrl': subscription['callbackUrl']}}

    # ----------------------------------------------------------------- bulk operations

    def _bulk_run(self, info, query, groupObjects=True):
        running = [op for op in self.bulk_operations.values() if op['status'] == 'RUNNING']
        if running:
            return {'bulkOperation': None, 'userErrors': [{
                'code': 'OPERATION_IN_PROGRESS', 'field': ['query'],
                'message': f'A bulk query operation for this app and shop is already in '
                           f'progress: {running[0]["id"]}.'}]}
        try:
            document = parse(query)
        except GraphQLError as error:
            return {'bulkOperation': None, 'userErrors': [
                {'code': 'INVALID', 'field': ['query'], 'message': error.message}]}
        result = execute(self._schema(getattr(self, '_version', '2025-01')), document,
                         root_value=self._root(document), context_value='bulk')
        if result.errors:
            return {'bulkOperation': None, 'userErrors': [
                {'code': 'INVALID', 'field': ['query'], 'message': result.errors[0].message}]}
        lines = jsonl_lines(result.data)
        key = gid('BulkOperation', self._next_id())
        name = f'{key.rsplit("/", 1)[1]}.jsonl'
        self.bulk_results[name] = ''.join(json.dumps(line) + '\n' for line in lines).encode()
        self.bulk_operations[key] = {
            'id': key, 'status': 'RUNNING', 'query': query, 'type': 'QUERY',
            'createdAt': self._stamp(), 'completedAt': None, 'errorCode': None,
            'objectCount': str(len(lines)),
            'rootObjectCount': str(sum('__parentId' not in line for line in lines)),
            'fileSize': None, 'url': None, 'partialDataUrl': None,
            '_file': name, '_polls_left': self.options['bulk_polls']}
        return {'bulkOperation': self._bulk_view(self.bulk_operations[key]), 'userErrors': []}

    def _bulk_view(self, operation, poll=False):
        if operation is None:
            return None
        if poll and operation['status'] == 'RUNNING':
            operation['_polls_left'] -= 1
            if operation['_polls_left'] < 0:
                self.finish_bulk(operation['id'])
        return dict({k: v for k, v in operation.items() if not k.startswith('_')},
                    __typename='BulkOperation')

    def finish_bulk(self, operation_id, status='COMPLETED'):
        with self.lock:
            operation = self.bulk_operations[operation_id]
            operation.update(status=status, completedAt=self._stamp())
            if status == 'COMPLETED' and operation['objectCount'] != '0':
                operation['url'] = f'{self.url}/bulk-results/{operation["_file"]}'
                operation['fileSize'] = str(len(self.bulk_results[operation['_file']]))
            elif status == 'FAILED':
                operation['errorCode'] = 'INTERNAL_SERVER_ERROR'
            return operation


# ----------------------------------------------------------------- connections


def _bulk(info):
    return info.context == 'bulk'


def _cursor(index):
    return base64.b64encode(json.dumps({'last_index': index}).encode()).decode()


def _cursor_index(cursor):
    try:
        return int(json.loads(base64.b64decode(cursor))['last_index'])
    except (ValueError, KeyError, TypeError):
        raise GraphQLError('Invalid cursor.') from None


def connection(items, args, bulk=False):
    """A connection page of ``items`` (first/after; at most 250 a page, all in bulk)."""
    first = args.get('first')
    if first is None and not bulk and args.get('last') is None:
        raise GraphQLError('you must provide one of first or last')
    if first is not None and first > 250:
        raise GraphQLError('The maximum page size is 250.')
    start = _cursor_index(args['after']) + 1 if args.get('after') else 0
    end = len(items) if first is None else start + first
    page = items[start:end]
    edges = [{'cursor': _cursor(start + i), 'node': node} for i, node in enumerate(page)]
    return {'_start': start, 'edges': edges, 'nodes': page, 'pageInfo': {
        'hasNextPage': end < len(items), 'hasPreviousPage': start > 0,
        'startCursor': edges[0]['cursor'] if edges else None,
        'endCursor': edges[-1]['cursor'] if edges else None}}


def jsonl_lines(data):
    """Flatten a bulk query result into JSONL objects: each node of a nested connection
    on its own line with ``__parentId`` (the id of the node that holds it)."""
    lines = []

    def walk(node, parent_id):
        flat = {}
        for key, value in node.items():
            if isinstance(value, dict) and 'edges' in value:
                continue
            flat[key] = value
        if parent_id:
            flat['__parentId'] = parent_id
        lines.append(flat)
        for value in node.values():
            if isinstance(value, dict) and 'edges' in value:
                for edge in value['edges']:
                    walk(edge['node'], node.get('id'))

    for root in data.values():
        for edge in (root or {}).get('edges') or []:
            walk(edge['node'], None)
    return lines


# ----------------------------------------------------------------- cost


def requested_cost(document, variables):
    """Shopify's requested cost: objects 1, connections 2 + page size x node, mutations 10."""
    total = 0
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if definition.operation == OperationType.MUTATION:
            total += 10 * len(definition.selection_set.selections)
        else:
            total += _cost(definition.selection_set, variables, None)
    return total


def actual_cost(document, data):
    """The cost of what was returned (pages as long as they really were)."""
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    if operation.operation == OperationType.MUTATION:
        return 10 * len(operation.selection_set.selections)
    return _cost(operation.selection_set, {}, data)


def _first(field, variables):
    for argument in field.arguments or ():
        if argument.name.value in ('first', 'last'):
            value = argument.value
            if isinstance(value, VariableNode):
                return int(variables.get(value.name.value) or 0)
            return int(value.value)
    return None


def _cost(selection_set, variables, data):
    if selection_set is None:
        return 0
    cost = 0
    for selection in selection_set.selections:
        if not isinstance(selection, FieldNode):
            cost += _cost(selection.selection_set, variables, data)
            continue
        if selection.selection_set is None or selection.name.value in ('pageInfo', '__typename'):
            continue
        key = selection.alias.value if selection.alias else selection.name.value
        value = (data or {}).get(key) if isinstance(data, dict) else None
        size = _first(selection, variables)
        if size is None:
            cost += 1 + _cost(selection.selection_set, variables, value if data else None)
            continue
        if isinstance(value, list):  # a plain list with a size argument
            nodes = value
        else:
            nodes = [edge.get('node') for edge in (value or {}).get('edges') or []] \
                if data is not None else [None]
        per_node = [_node_cost(selection, variables, node) for node in nodes]
        cost += 2 + (sum(per_node) if data is not None else size * per_node[0])
    return cost


def _node_cost(connection_field, variables, node):
    cost = 0
    for selection in connection_field.selection_set.selections:
        if isinstance(selection, FieldNode) and selection.name.value in ('edges', 'nodes'):
            inner = selection.selection_set
            if selection.name.value == 'edges':
                found = [s for s in inner.selections
                         if isinstance(s, FieldNode) and s.name.value == 'node']
                inner = found[0].selection_set if found else None
            cost += 1 + _cost(inner, variables, node)
    if not cost:  # a plain list: the field's own selection is the node
        cost = 1 + _cost(connection_field.selection_set, variables, node)
    return cost


# ----------------------------------------------------------------- sandbox seed


#: The SKUs of channel_shopify's demo products (addons/channel_shopify/demo).
DEMO_SKUS = ('DEMO-SHOP-MUG', 'DEMO-SHOP-TEE')


def seed_sandbox(simulator):
    """Demo data of the sandbox: three orders of the demo products, one cancelled, one
    fulfilled on Shopify (so the for-visibility delivery is validated by the import).
    Returns the orders' ids."""
    mug, tee = DEMO_SKUS
    first = simulator.add_order(sku=mug, quantity=2, price=12.0)
    second = simulator.add_order(lines=[(mug, 1, 12.0), (tee, 2, 18.0)],
                                 email='sam@example.com')
    cancelled = simulator.add_order(sku=tee, quantity=1, price=18.0)
    simulator.cancel_order(cancelled['id'])
    simulator.fulfil_order(first['id'], tracking='1ZSANDBOX0001')
    return [first['id'], second['id'], cancelled['id']]
