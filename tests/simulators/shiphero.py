"""ShipHero public API simulator (GraphQL), built from the vendor documentation:

- auth (https://developer.shiphero.com/getting-started/): ``POST /auth/token``
  ``{"username", "password"}`` -> ``{access_token, expires_in: 2419200, refresh_token,
  scope, token_type: "Bearer"}``; ``POST /auth/refresh {"refresh_token"}`` -> a new access
  token (no new refresh token). Expired or unknown tokens: 401.
- ``POST /graphql`` executed with graphql-core on ShipHero's public schema
  (``addons/channel_shiphero/tests/data/shiphero_schema.graphql``, see its README), so a
  misspelt field fails here as it would at ShipHero (HTTP 200 with ``errors``,
  https://developer.shiphero.com/troubleshooting/error-glossary/).
- credits (https://developer.shiphero.com/getting-started/#throttling, help.shiphero.com
  article 275 "Throttling"): a bucket of ``credits_max`` (4004) refilled ``credits_rate``
  (60) per second of the simulator's ``clock``; a query's estimated cost (``first`` of
  every connection times what each node asks) must be in the bucket, else error code 30
  "There are not enough credits ... In N seconds you will have enough credits" with
  ``required_credits, remaining_credits, time_remaining``; the credits charged are those
  of the rows returned, named in ``complexity``; ``analyze: true`` only answers the
  estimate; ``user_quota`` tells what is left.
- cursor pagination (Relay ``data(first, after) { pageInfo { hasNextPage endCursor }
  edges { node } }``), ``orders(updated_from, fulfillment_status)``, ``order(id)``,
  ``shipments(date_from, order_id)``, ``order_history(order_id)``, ``products``,
  ``warehouse_products``, ``webhooks``, mutations ``purchase_order_create`` /
  ``purchase_order_update`` / ``webhook_create`` (``shared_signature_secret`` answered
  once) / ``webhook_delete``.
- webhook deliveries (https://developer.shiphero.com/webhooks): JSON POSTed to the
  registered URL with ``X-ShipHero-HMAC-SHA256`` = base64(HMAC-SHA256(secret, body)) and a
  unique ``X-Shiphero-Message-ID``; ``duplicates`` re-sends, ``lose`` drops one.

The clock is an option (``ManualClock`` in tests and the bench: nobody sleeps for credits).
Faults: the base's ``inject`` (429, 5xx, drop, malformed) and ``fail_operation(name, nth)``.
"""
import base64
import hashlib
import hmac
import itertools
import json
import math
import os
import secrets
import time
import uuid
from datetime import UTC, datetime
from typing import ClassVar

import requests
from graphql import OperationDefinitionNode, build_schema, execute, parse, validate

from .base import Simulator, route

SCHEMA_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), 'addons', 'channel_shiphero', 'tests', 'data',
    'shiphero_schema.graphql')
_SCHEMA = []


def shiphero_schema():
    if not _SCHEMA:
        with open(SCHEMA_PATH, encoding='utf-8') as handle:
            _SCHEMA.append(build_schema(handle.read()))
    return _SCHEMA[0]


def iso(epoch):
    return datetime.fromtimestamp(epoch, UTC).strftime('%Y-%m-%dT%H:%M:%S')


def parse_iso(value):
    if not value:
        return None
    moment = datetime.fromisoformat(str(value).replace('Z', '+00:00'))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def uuid_of(kind, legacy_id):
    """ShipHero's ids are base64 of "<Type>:<legacy id>" (the webhook examples:
    order_uuid "T3JkZXI6MjA0MTU5MDYy" = "Order:204159062")."""
    return base64.b64encode(f'{kind}:{legacy_id}'.encode()).decode()


def estimate(document, variables):
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in document.definitions
                 if not isinstance(d, OperationDefinitionNode)}

    def cost(selection_set):
        total = 0
        for selection in (selection_set.selections if selection_set else ()):
            if selection.kind == 'fragment_spread':
                total += cost(fragments[selection.name.value].selection_set)
                continue
            inner = cost(selection.selection_set)
            first = None
            for argument in selection.arguments or ():
                if argument.name.value == 'first':
                    value = argument.value
                    first = int(variables.get(value.name.value) or 0) if \
                        value.kind == 'variable' else int(value.value)
            total += first * (1 + inner) if first is not None else inner
        return total
    return 1 + cost(operation.selection_set), operation


class ShipheroSimulator(Simulator):
    name = 'shiphero'
    default_port = 8076
    default_options: ClassVar[dict] = {
        'email': 'brand@example.com',
        'password': 'shiphero-password',
        'token_lifetime': 2419200,
        'clock': time.time,
        'credits_max': 4004,
        'credits_rate': 60,
        'user_quota_cost': 1,
        'account_id': 'QWNjb3VudDo2MzM0',
        'warehouse_id': 'V2FyZWhvdXNlOjExNzkw',
        'delivery_timeout': 10,
    }

    def init_state(self):
        self.tokens = {}  # access token -> expiry (clock seconds)
        self.refresh_tokens = set()
        self.issued_secrets = []
        self.credits = float(self.options['credits_max'])
        self.credits_at = self.options['clock']()
        self.throttled = 0  # code 30 answers
        self.charged = 0  # credits charged in all
        self.operations = []  # (operation name, variables, complexity) of executed queries
        self.orders = {}  # uuid -> order
        self.shipments = {}  # uuid -> shipment
        self.history = {}  # order uuid -> [entry]
        self.products = {}  # sku -> product
        self.purchase_orders = {}  # uuid -> PO
        self.webhooks = {}  # (name, shop_name) -> webhook
        self.deliveries = []  # (name, message id, status or 'lost')
        self.operation_faults = {}  # (operation name, nth) -> status
        self._ids = itertools.count(204159062)

    # ----------------------------------------------------------------- clock and credits

    def now(self):
        return self.options['clock']()

    def _refill(self):
        now = self.now()
        self.credits = min(float(self.options['credits_max']),
                           self.credits + (now - self.credits_at) * self.options['credits_rate'])
        self.credits_at = now

    def set_credits(self, credits):
        with self.lock:
            self._refill()
            self.credits = float(credits)

    def expire_tokens(self):
        with self.lock:
            self.tokens = dict.fromkeys(self.tokens, 0)

    def fail_operation(self, operation, nth, status=503):
        """The ``nth`` execution (1-based, counted from now) of ``operation`` answers ``status``."""
        with self.lock:
            done = sum(1 for name, _v, _c in self.operations if name == operation)
            self.operation_faults[operation, done + nth] = status

    def executed(self, operation):
        with self.lock:
            return [variables for name, variables, _c in self.operations if name == operation]

    # ----------------------------------------------------------------- seeding

    def add_product(self, sku, name=None, on_hand=100, available=None, allocated=0):
        with self.lock:
            legacy = next(self._ids)
            product = self.products[sku] = {
                'id': uuid_of('Product', legacy), 'legacy_id': legacy, 'sku': sku,
                'name': name or sku, 'barcode': None, 'account_id': self.options['account_id'],
                'created_at': self.now(), 'updated_at': self.now(),
                'warehouse_products': [{
                    'warehouse_id': self.options['warehouse_id'], 'warehouse_identifier': 'Main',
                    'sku': sku, 'on_hand': on_hand, 'allocated': allocated,
                    'available': on_hand - allocated if available is None else available}],
            }
            return product

    def add_order(self, lines=(('SKU-1', 1),), number=None, status='unfulfilled', email=None,
                  address=None, age_seconds=0, allocated=False):
        """An order with ``lines`` ((sku, quantity) pairs); returns it."""
        with self.lock:
            legacy = next(self._ids)
            at = self.now() - age_seconds
            number = number or f'MO{legacy}'
            order = {
                'id': uuid_of('Order', legacy), 'legacy_id': legacy, 'order_number': number,
                'partner_order_id': number, 'shop_name': 'public-api',
                'fulfillment_status': status, 'order_date': at, 'updated_at': at,
                'email': email or f'{number.lower()}@example.com', 'total_price': '30.00',
                'currency': 'USD', 'required_ship_date': None,
                'shipping_address': address if address is not None else {
                    'first_name': 'Ann', 'last_name': 'Buyer', 'company': None,
                    'address1': '1 Main St', 'address2': None, 'city': 'Austin', 'state': 'TX',
                    'state_code': 'TX', 'zip': '78701', 'country': 'US', 'country_code': 'US',
                    'email': email or f'{number.lower()}@example.com', 'phone': None},
                'allocations': [],
                'line_items': [{
                    'id': uuid_of('LineItem', next(self._ids)), 'sku': sku,
                    'partner_line_item_id': f'{number}-{index}', 'quantity': quantity,
                    'price': '10.00', 'product_name': sku, 'quantity_shipped': 0,
                    'quantity_allocated': 0, 'fulfillment_status': 'pending'}
                    for index, (sku, quantity) in enumerate(lines)],
            }
            self.orders[order['id']] = order
            self.history[order['id']] = [self._history_entry(order, 'Order created', at)]
            if allocated:
                self.allocate(order['id'], notify=False)
            return order

    def seed_orders(self, count, lines=(('SKU-1', 1), ('SKU-2', 1), ('SKU-3', 1)),
                    prefix='MO', **extra):
        return [self.add_order(lines, number=f'{prefix}{n:05d}', **extra)['id']
                for n in range(1, count + 1)]

    def _history_entry(self, order, information, at=None):
        legacy = next(self._ids)
        return {'id': uuid_of('OrderHistory', legacy), 'legacy_id': legacy,
                'order_id': order['id'], 'order_number': order['order_number'],
                'username': 'warehouse-bot', 'user_id': 'VXNlcjox', 'account_id':
                self.options['account_id'], 'information': information,
                'created_at': at or self.now()}

    def _touch(self, order, information):
        order['updated_at'] = self.now()
        self.history[order['id']].append(self._history_entry(order, information))

    # ----------------------------------------------------------------- events

    def allocate(self, order_id, notify=True):
        with self.lock:
            order = self.orders[order_id]
            reference = next(self._ids)
            order['allocations'] = [{'warehouse_id': self.options['warehouse_id'],
                                     'allocated_at': self.now(),
                                     'allocation_reference': str(reference)}]
            for line in order['line_items']:
                line['quantity_allocated'] = line['quantity'] - line['quantity_shipped']
            self._touch(order, 'Order allocated')
            payload = {
                'webhook_type': 'Order Allocated', 'allocation_reference': reference,
                'account_id': 6334, 'account_uuid': self.options['account_id'],
                'warehouse_id': 11790, 'warehouse_uuid': self.options['warehouse_id'],
                'allocated_at': iso(self.now()), 'order_number': order['order_number'],
                'order_id': order['legacy_id'], 'order_uuid': order['id'],
                'partner_order_id': order['partner_order_id'], 'ready_to_ship': 1,
                'line_items': [{'id': 1, 'item_uuid': line['id'], 'sku': line['sku'],
                                'partner_line_item_id': line['partner_line_item_id'],
                                'quantity': line['quantity'], 'is_kit_component': False,
                                'created_at': iso(self.now())}
                               for line in order['line_items']],
            }
        return self._notify('Order Allocated', payload) if notify else payload

    def deallocate(self, order_id, notify=True):
        with self.lock:
            order = self.orders[order_id]
            reference = (order['allocations'] or [{}])[0].get('allocation_reference')
            order['allocations'] = []
            for line in order['line_items']:
                line['quantity_allocated'] = 0
            self._touch(order, 'Order deallocated')
            payload = {
                'webhook_type': 'Order Deallocated', 'allocation_reference': reference,
                'account_id': 6334, 'account_uuid': self.options['account_id'],
                'order_id': order['legacy_id'], 'order_number': order['order_number'],
                'order_uuid': order['id'], 'partner_order_id': order['partner_order_id'],
                'deallocated_at': iso(self.now())}
        return self._notify('Order Deallocated', payload) if notify else payload

    def ship(self, order_id, lines=None, tracking=None, carrier='UPS', method='Ground',
             notify=True):
        """Ship ``lines`` ({sku: quantity}; default all that is left) in one shipment."""
        with self.lock:
            order = self.orders[order_id]
            legacy = next(self._ids)
            tracking = tracking or f'1Z{legacy}'
            left = {line['sku']: line['quantity'] - line['quantity_shipped']
                    for line in order['line_items']}
            lines = {sku: quantity for sku, quantity in (lines or left).items() if quantity}
            shipment = {
                'id': uuid_of('Shipment', legacy), 'legacy_id': legacy, 'order_id': order['id'],
                'warehouse_id': self.options['warehouse_id'], 'created_date': self.now(),
                'shipping_labels': [{'id': uuid_of('ShippingLabel', legacy),
                                     'tracking_number': tracking, 'carrier': carrier,
                                     'shipping_name': f'{carrier} {method}',
                                     'shipping_method': method}],
                'line_items': [],
            }
            for line in order['line_items']:
                quantity = lines.get(line['sku'], 0)
                if quantity:
                    line['quantity_shipped'] += quantity
                    line['quantity_allocated'] = max(line['quantity_allocated'] - quantity, 0)
                    shipment['line_items'].append({
                        'id': uuid_of('ShipmentLineItem', next(self._ids)),
                        'line_item_id': line['id'], 'quantity': quantity, 'line_item': line})
                line['fulfillment_status'] = (
                    'fulfilled' if line['quantity_shipped'] >= line['quantity'] else 'pending')
            self.shipments[shipment['id']] = shipment
            if all(line['quantity_shipped'] >= line['quantity'] for line in order['line_items']):
                order['fulfillment_status'] = 'fulfilled'
            self._touch(order, f'Shipment {tracking} created')
            payload = self._shipment_payload(order, shipment, carrier, method)
        return self._notify('Shipment Update', payload) if notify else payload

    def _shipment_payload(self, order, shipment, carrier, method):
        label = shipment['shipping_labels'][0]
        return {
            'test': '0', 'webhook_type': 'Shipment Update',
            'fulfillment': {
                'shipment_id': shipment['legacy_id'], 'shipment_uuid': shipment['id'],
                'warehouse': 'Main', 'warehouse_id': 11790,
                'warehouse_uuid': self.options['warehouse_id'],
                'partner_order_id': order['partner_order_id'], 'order_id': order['legacy_id'],
                'order_uuid': order['id'], 'order_number': order['order_number'],
                'tracking_number': label['tracking_number'],
                'shipping_carrier': 'legacy-carrier', 'shipping_method': 'legacy-method',
                'line_items': [{'id': item['line_item']['partner_line_item_id'],
                                'shiphero_id': item['line_item']['id'],
                                'quantity': item['quantity'], 'sku': item['line_item']['sku'],
                                'serial_numbers': [], 'package': 1}
                               for item in shipment['line_items']],
                'created_at': iso(shipment['created_date'])},
            'total_packages': 1,
            'packages': [{'name': 'Package 1', 'tracking_number': label['tracking_number'],
                          'carrier': carrier, 'shipping_method': method,
                          'shipping_label': {'tracking_number': label['tracking_number'],
                                             'carrier': carrier, 'shipping_method': method,
                                             'tracking_url': 'https://track.example/'
                                             + label['tracking_number']}}],
        }

    def cancel(self, order_id, notify=True):
        with self.lock:
            order = self.orders[order_id]
            order['fulfillment_status'] = 'canceled'
            self._touch(order, 'Order canceled')
            payload = {
                'order_number': order['order_number'],
                'partner_order_id': order['partner_order_id'], 'fulfillment-status': 'canceled',
                'order_id': order['legacy_id'], 'order_uuid': order['id'],
                'shop_name': order['shop_name'], 'shop_order_number': order['order_number'],
                'webhook_type': 'Order Canceled'}
        return self._notify('Order Canceled', payload) if notify else payload

    def receive_po(self, po_id, received, notify=True):
        """``received`` {sku: quantity received}; the PO Update delivery (whose documented
        example has no ``webhook_type``)."""
        with self.lock:
            po = self.purchase_orders[po_id]
            for line in po['line_items']:
                line['quantity_received'] = received.get(line['sku'], line['quantity_received'])
            done = all(line['quantity_received'] >= line['quantity'] for line in po['line_items'])
            po['fulfillment_status'] = 'closed' if done else 'pending'
            payload = {'test': '0', 'purchase_order': {
                'id': po['legacy_id'], 'po_number': po['po_number'], 'po_id': po['legacy_id'],
                'po_uuid': po['id'], 'fulfillment_status': po['fulfillment_status'],
                'line_items': [{'id': secrets.token_hex(6), 'quantity': line['quantity'],
                                'quantity_received': line['quantity_received'],
                                'sku': line['sku'], 'vendor_id': None, 'vendor_sku': ''}
                               for line in po['line_items']]}}
        return self._notify('PO Update', payload) if notify else payload

    # ----------------------------------------------------------------- webhook deliveries

    def sign(self, secret, body):
        return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()

    def _notify(self, name, payload, duplicates=0, lose=False):
        """Deliver ``payload`` to every webhook registered for ``name``; returns the
        payload (the deliveries' statuses are in ``self.deliveries``)."""
        with self.lock:
            targets = [hook for hook in self.webhooks.values() if hook['name'] == name]
        for hook in targets:
            self.post_delivery(hook, payload, duplicates=duplicates, lose=lose)
        return payload

    def post_delivery(self, hook, payload, duplicates=0, lose=False, body=None):
        body = body if body is not None else json.dumps(payload).encode()
        message_id = uuid.uuid4().hex
        if lose:
            self.deliveries.append((hook['name'], message_id, 'lost'))
            return None
        headers = {'Content-Type': 'application/json', 'User-Agent': 'ShipHero Request V1.0',
                   'X-ShipHero-HMAC-SHA256': self.sign(hook['shared_signature_secret'], body),
                   'X-Shiphero-Message-ID': message_id}
        response = None
        for _attempt in range(1 + duplicates):
            response = requests.post(hook['url'], data=body, headers=headers,
                                     timeout=self.options['delivery_timeout'])
            self.deliveries.append((hook['name'], message_id, response.status_code))
        return response

    def webhook(self, name):
        with self.lock:
            return next((hook for hook in self.webhooks.values() if hook['name'] == name), None)

    # ----------------------------------------------------------------- auth

    def authenticate(self, request):
        if request.path.startswith('/auth/'):
            return None
        scheme, _, token = request.headers.get('Authorization', '').partition(' ')
        if scheme.lower() != 'bearer' or self.tokens.get(token, 0) <= self.now():
            return self.json({'code': 401, 'message': 'Invalid or expired token'}, status=401)
        return None

    def _issue(self, refresh_token=None):
        token = secrets.token_urlsafe(24)
        self.tokens[token] = self.now() + self.options['token_lifetime']
        self.issued_secrets.append(token)
        answer = {'access_token': token, 'expires_in': self.options['token_lifetime'],
                  'scope': 'openid profile offline_access', 'token_type': 'Bearer'}
        if refresh_token:
            answer['refresh_token'] = refresh_token
        return answer

    @route('POST', '/auth/token')
    def auth_token(self, request):
        body = self.request_json(request) or {}
        if (body.get('username'), body.get('password')) != (self.options['email'],
                                                            self.options['password']):
            return self.json({'error': 'access_denied',
                              'error_description': 'Wrong email or password.'}, status=403)
        refresh = secrets.token_urlsafe(24)
        self.refresh_tokens.add(refresh)
        self.issued_secrets.append(refresh)
        return self.json(self._issue(refresh))

    @route('POST', '/auth/refresh')
    def auth_refresh(self, request):
        body = self.request_json(request) or {}
        if body.get('refresh_token') not in self.refresh_tokens:
            return self.json({'error': 'invalid_grant',
                              'error_description': 'Unknown refresh token.'}, status=403)
        return self.json(self._issue())

    def revoke_refresh_tokens(self):
        with self.lock:
            self.refresh_tokens = set()

    # ----------------------------------------------------------------- graphql

    @route('POST', '/graphql')
    def graphql(self, request):
        body = self.request_json(request) or {}
        try:
            document = parse(body.get('query') or '')
        except Exception as error:  # noqa: BLE001 - a syntax error, answered as GraphQL does
            return self.json({'errors': [{'message': str(error), 'code': 6}]})
        problems = validate(shiphero_schema(), document)
        if problems:
            return self.json({'errors': [{'message': p.message, 'code': 6} for p in problems]})
        variables = body.get('variables') or {}
        cost, operation = estimate(document, variables)
        name = operation.name.value if operation.name else ''
        fields = [(s.alias or s.name).value for s in operation.selection_set.selections]
        done = sum(1 for op, _v, _c in self.operations if op == name)
        status = self.operation_faults.pop((name, done + 1), None)
        if status:
            self.operations.append((name, variables, 0))
            return self.error(status, 'Simulated failure')
        self._refill()
        if self._analyze(operation, variables):
            return self.json({'data': {field: {'request_id': uuid.uuid4().hex,
                                               'complexity': cost} for field in fields}})
        if cost > self.credits:
            return self._throttle(fields, cost)
        return self._execute(document, variables, name, fields)

    def _analyze(self, operation, variables):
        for selection in operation.selection_set.selections:
            for argument in selection.arguments or ():
                if argument.name.value == 'analyze':
                    value = argument.value
                    return bool(variables.get(value.name.value) if value.kind == 'variable'
                                else value.value)
        return False

    def _throttle(self, fields, cost):
        self.throttled += 1
        remaining = int(self.credits)
        if cost > self.options['credits_max']:
            message = (f'The operation requires {cost} credits, above the maximum of '
                       f"{self.options['credits_max']}: it will never succeed.")
            wait = None
        else:
            wait = math.ceil((cost - self.credits) / self.options['credits_rate'])
            message = (f'There are not enough credits to perform the requested operation, '
                       f'which requires {cost} credits, but there are only {remaining} left. '
                       f'In {wait} seconds you will have enough credits to perform the '
                       f'operation')
        return self.json({'errors': [{
            'code': 30, 'message': message, 'operation': fields[0], 'field': fields[0],
            'request_id': uuid.uuid4().hex, 'required_credits': cost,
            'remaining_credits': remaining,
            'time_remaining': f'{wait} seconds' if wait is not None else None}],
            'data': dict.fromkeys(fields)})

    def _execute(self, document, variables, name, fields):
        context = {'rows': 0}
        result = execute(shiphero_schema(), document, root_value=_Root(self),
                         variable_values=variables, context_value=context)
        complexity = 1 + context['rows']
        self.credits -= complexity
        self.charged += complexity
        self.operations.append((name, variables, complexity))
        answer = {'data': result.data}
        for field in fields:
            if isinstance((result.data or {}).get(field), dict) and \
                    'complexity' in result.data[field]:
                result.data[field]['complexity'] = complexity
        if result.errors:
            answer['errors'] = [{'message': error.message, 'code': 9} for error in result.errors]
        return self.json(answer)

    # ----------------------------------------------------------------- views

    def connection(self, info, items, first=None, after=None, **_ignored):
        start = int(base64.b64decode(after).decode().split(':')[1]) + 1 if after else 0
        first = 100 if first is None else first
        chunk = items[start:start + first]
        info.context['rows'] += len(chunk)
        edges = [{'cursor': base64.b64encode(f'arrayconnection:{start + i}'.encode()).decode(),
                  'node': node} for i, node in enumerate(chunk)]
        return {'pageInfo': {'hasNextPage': start + first < len(items),
                             'hasPreviousPage': start > 0,
                             'startCursor': edges[0]['cursor'] if edges else None,
                             'endCursor': edges[-1]['cursor'] if edges else None},
                'edges': edges}

    def result(self, items):
        return {'request_id': uuid.uuid4().hex, 'complexity': 0,
                'data': lambda info, **args: self.connection(info, items, **args)}

    def order_view(self, order):
        view = dict(order, order_date=iso(order['order_date']))
        view['allocations'] = [dict(a, allocated_at=iso(a['allocated_at']), line_items=[])
                               for a in order['allocations']]
        lines = [dict(line) for line in order['line_items']]
        view['line_items'] = lambda info, **args: self.connection(info, lines, **args)
        view['shipments'] = [self.shipment_view(s) for s in self.shipments.values()
                             if s['order_id'] == order['id']]
        return view

    def shipment_view(self, shipment):
        view = dict(shipment, created_date=iso(shipment['created_date']))
        lines = [dict(item, line_item=dict(item['line_item'])) for item in shipment['line_items']]
        view['line_items'] = lambda info, **args: self.connection(info, lines, **args)
        return view


class _Root:
    """Resolvers of Query and Mutation fields (graphql-core's default resolver calls a
    root attribute with ``(info, **arguments)``)."""

    def __init__(self, sim):
        self.sim = sim

    def user_quota(self, info):
        sim = self.sim
        info.context['rows'] += sim.options['user_quota_cost'] - 1
        return {'credits_remaining': int(sim.credits), 'max_available': sim.options['credits_max'],
                'increment_rate': sim.options['credits_rate']}

    def orders(self, info, updated_from=None, fulfillment_status=None, **_filters):
        since = parse_iso(updated_from)
        orders = sorted((o for o in self.sim.orders.values()
                         if (since is None or o['updated_at'] >= since)
                         and (not fulfillment_status
                              or o['fulfillment_status'] == fulfillment_status)),
                        key=lambda o: (o['updated_at'], o['legacy_id']))
        return self.sim.result([self.sim.order_view(o) for o in orders])

    def order(self, info, id, **_args):  # noqa: A002 - the schema's argument name
        order = self.sim.orders.get(id)
        return {'request_id': uuid.uuid4().hex, 'complexity': 0,
                'data': self.sim.order_view(order) if order else None}

    def shipments(self, info, date_from=None, order_id=None, **_filters):
        since = parse_iso(date_from)
        shipments = sorted((s for s in self.sim.shipments.values()
                            if (since is None or s['created_date'] >= since)
                            and (not order_id or s['order_id'] == order_id)),
                           key=lambda s: (s['created_date'], s['legacy_id']))
        return self.sim.result([self.sim.shipment_view(s) for s in shipments])

    def order_history(self, info, order_id=None, **_filters):
        entries = [dict(e, created_at=iso(e['created_at']))
                   for e in self.sim.history.get(order_id, [])]
        return self.sim.result(entries)

    def products(self, info, updated_from=None, sku=None, **_filters):
        since = parse_iso(updated_from)
        products = [dict(p, created_at=iso(p['created_at']), updated_at=iso(p['updated_at']))
                    for p in self.sim.products.values()
                    if (since is None or p['updated_at'] >= since) and (not sku or p['sku'] == sku)]
        return self.sim.result(products)

    def warehouse_products(self, info, sku=None, **_filters):
        rows = [row for p in self.sim.products.values() for row in p['warehouse_products']
                if not sku or p['sku'] == sku]
        return self.sim.result(rows)

    def webhooks(self, info, **_args):
        hooks = [{key: value for key, value in hook.items() if key != 'shared_signature_secret'}
                 for hook in self.sim.webhooks.values()]
        return self.sim.result(hooks)

    def webhook_create(self, info, data):
        sim = self.sim
        legacy = next(sim._ids)
        secret = secrets.token_urlsafe(24)
        sim.issued_secrets.append(secret)
        hook = {'id': uuid_of('Webhook', legacy), 'legacy_id': legacy,
                'account_id': sim.options['account_id'], 'shop_name': data.get('shop_name'),
                'name': data['name'], 'url': data['url'], 'source': 'API',
                'shared_signature_secret': secret}
        sim.webhooks[data['name'], data.get('shop_name')] = hook
        return {'request_id': uuid.uuid4().hex, 'complexity': 0, 'webhook': dict(hook)}

    def webhook_delete(self, info, data):
        self.sim.webhooks.pop((data['name'], data.get('shop_name')), None)
        return {'request_id': uuid.uuid4().hex, 'complexity': 0}

    def purchase_order_create(self, info, data):
        sim = self.sim
        legacy = next(sim._ids)
        po = {'id': uuid_of('PurchaseOrder', legacy), 'legacy_id': legacy,
              'po_number': data['po_number'], 'warehouse_id': data['warehouse_id'],
              'fulfillment_status': data.get('fulfillment_status') or 'pending',
              'po_note': data.get('po_note'), 'created_at': iso(sim.now()),
              'line_items': [{'sku': line['sku'], 'quantity': line['quantity'],
                              'quantity_received': 0, 'price': line['price']}
                             for line in data['line_items']]}
        sim.purchase_orders[po['id']] = po
        return {'request_id': uuid.uuid4().hex, 'complexity': 0, 'purchase_order': po}

    def purchase_order_update(self, info, data):
        po = self.sim.purchase_orders.get(data['po_id'])
        if po is None:
            raise ValueError(f"Purchase order {data['po_id']} not found")
        if 'po_note' in data:
            po['po_note'] = data['po_note']
        lines = {line['sku']: line for line in po['line_items']}
        for update in data.get('line_items') or []:
            line = lines.setdefault(update['sku'], {'sku': update['sku'], 'quantity': 0,
                                                    'quantity_received': 0, 'price': '0'})
            line.update({key: value for key, value in update.items() if value is not None})
        po['line_items'] = list(lines.values())
        return {'request_id': uuid.uuid4().hex, 'complexity': 0, 'purchase_order': po}


def seed_sandbox(simulator):
    """Sandbox demo data: the demo products, a week of orders (pending, allocated,
    shipped), one the demo account has never seen. Returns the order ids."""
    for sku, name in (('DEMO-TEE-S', 'Demo T-shirt S'), ('DEMO-TEE-M', 'Demo T-shirt M'),
                      ('DEMO-MUG', 'Demo mug')):
        simulator.add_product(sku, name, on_hand=120)
    ids = []
    for day in range(6):
        order = simulator.add_order((('DEMO-TEE-S', 1), ('DEMO-MUG', 2)),
                                    number=f'DEMO-{1001 + day}', age_seconds=day * 86400)
        ids.append(order['id'])
        if day % 2 == 0:
            simulator.allocate(order['id'], notify=False)
        if day % 3 == 0:
            simulator.ship(order['id'], notify=False)
    return ids
