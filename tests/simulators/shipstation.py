"""ShipStation simulator, built from docs/platforms/shipstation.md (V1 API plus V2 webhooks).

V1 (HTTP Basic key:secret):
- 40 requests/min per key pair; every V1 answer carries X-Rate-Limit-Limit/-Remaining/-Reset
  (option header_style='lowercase_alt' spells them x-ratelimit-*); excess -> 429 Throttler body.
- POST /orders/createorder, POST /orders/createorders (<= 100): upsert by orderKey, whole
  resource, only open orders can be updated. GET /orders (orderNumber starts-with),
  GET /orders/<orderId>.
- GET /shipments with the documented filters; ship_order()/void_shipment() create the data.
- Webhooks: POST /webhooks/subscribe, GET /webhooks, DELETE /webhooks/<id>; deliver_ship_notify()
  posts the thin {resource_url, resource_type} payload; GET resource_url returns the batch.
- Timestamps in answers are Pacific wall-clock time without offset, .NET style:
  "2024-03-10T01:59:00.0000000". Naive filter values are read as Pacific time too.

V2 (header api-key): /v2/environment/webhooks CRUD; deliveries are signed RSA-SHA256 over
f"{timestamp}.{raw body}" with the public keys served as JWKS at GET /jwks.
deliver_fulfillment_shipped_v2(), deliver_track() (API_TRACK to 'track' subscribers,
TRACK_EVENT_V2 to 'track_event_v2' ones) and deliver_batch_processed_v2() post them.

Stores: an order created without advancedOptions.storeId lands in the account's first manual
store (option default_store_id), and its store cannot change afterwards ("Can only be specified
during order creation", AdvancedOptions in
https://www.shipstation.com/docs/api/orders/create-update-order/). GET /orders and GET /shipments
filter on storeId (https://www.shipstation.com/docs/api/shipments/list/). A SHIP_NOTIFY webhook
subscribed with a store_id is "only triggered for that specific store_id"
(https://www.shipstation.com/docs/api/webhooks/subscribe/). Whether a V1 shipment carries its
store is UNCONFIRMED (the docs' shipment sample has advancedOptions null): option
shipment_store_id='advanced_options' copies the order's advancedOptions (storeId included) onto
the shipment, 'absent' answers advancedOptions null, so only GET /orders/<orderId> tells.

Assumptions where the docs are silent (see the UNCONFIRMED marks in the platform notes):
error bodies are {"statusCode", "message"}; list filters on orderNumber are starts-with and
case-insensitive; pageSize above 500 is clamped; DELETE /webhooks/<id> answers 200 with no body;
a voided label puts a shipped order back to awaiting_shipment; the FULFILLMENT_SHIPPED_V2 `data`
is one shipment in snake_case.
"""
import base64
import json
import time
import uuid
from datetime import UTC, date, datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from werkzeug.wrappers import Response

from .base import FixedWindowRateLimiter, Simulator, int_arg, page_slice, route

PACIFIC = ZoneInfo('America/Los_Angeles')

ORDER_STATUSES = ('awaiting_payment', 'awaiting_shipment', 'pending_fulfillment', 'shipped',
                  'on_hold', 'cancelled', 'rejected_fulfillment')
OPEN_ORDER_STATUSES = ('awaiting_payment', 'awaiting_shipment', 'on_hold', 'pending_fulfillment')
MAX_ORDER_NUMBER_LENGTH = 50
MAX_ORDERS_PER_REQUEST = 100
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500

V1_WEBHOOK_EVENTS = ('ORDER_NOTIFY', 'ITEM_ORDER_NOTIFY', 'SHIP_NOTIFY', 'ITEM_SHIP_NOTIFY',
                     'FULFILLMENT_SHIPPED', 'FULFILLMENT_REJECTED')
V2_WEBHOOK_EVENTS = ('batch', 'carrier_connected', 'order_source_refresh_complete', 'rate',
                     'report_complete', 'sales_orders_imported', 'track', 'batch_processed_v2',
                     'fulfillment_rejected_v2', 'fulfillment_shipped_v2', 'label_created_v2',
                     'shipment_created_v2', 'track_event_v2')

THROTTLED_MESSAGE = 'ThrottlerException: Too Many Requests'
RATE_LIMIT_HEADER_NAMES = {
    'standard': ('X-Rate-Limit-Limit', 'X-Rate-Limit-Remaining', 'X-Rate-Limit-Reset'),
    'lowercase_alt': ('x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'),
}
SHIP_DATE_FORMATS = ('datetime', 'date')
SHIPMENT_STORE_ID_STYLES = ('advanced_options', 'absent')


# --------------------------------------------------------------------- time helpers

def format_pacific(moment):
    """Pacific wall-clock time without offset and with 7 fractional digits, as V1 answers."""
    local = moment.astimezone(PACIFIC)
    return local.strftime('%Y-%m-%dT%H:%M:%S.') + f'{local.microsecond:06d}0'


def format_utc_iso(moment):
    return moment.astimezone(UTC).isoformat(timespec='seconds').replace('+00:00', 'Z')


def parse_platform_datetime(value):
    """An aware datetime from an ISO-8601 string; a value without offset is Pacific time.

    In the autumn DST overlap a naive value is read as its first occurrence (PDT), which is
    exactly the ambiguity a client converting to UTC has to live with.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=PACIFIC) if moment.tzinfo is None else moment


def to_aware_moment(value):
    """Accept a date, naive (Pacific) or aware datetime and return an aware datetime."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=PACIFIC) if value.tzinfo is None else value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=PACIFIC)
    raise TypeError(f'expected a date or datetime, got {value!r}')


class OrderRejectedError(Exception):
    """One order of a create/update request failed; the message is what ShipStation shows."""

    def __init__(self, message, order_id=0):
        super().__init__(message)
        self.order_id = order_id


class ShipStationSimulator(Simulator):
    name = 'shipstation'
    default_port = 8071
    default_options: ClassVar[dict] = {
        'api_key': 'ShipStation',
        'api_secret': 'Rocks',
        'requests_per_minute': 40,
        'window_seconds': 60,
        'header_style': 'standard',  # or 'lowercase_alt': x-ratelimit-* spelling
        'clock': time.time,  # epoch seconds: drives rate windows and every timestamp
        'v2_api_key': 'shipstation-v2-key',
        'ship_date_format': 'datetime',  # or 'date' ("2014-10-03", as in older V1 samples)
        'sign_v1_webhooks': False,  # UNCONFIRMED whether V1 deliveries carry the V2 signature
        'default_store_id': 100001,  # the account's first manual store
        'shipment_store_id': 'advanced_options',  # or 'absent' (UNCONFIRMED, see above)
        'webhook_timeout': 10,
    }
    fault_messages: ClassVar[dict] = {**Simulator.fault_messages, 'rate_limit': THROTTLED_MESSAGE}

    def __init__(self, **options):
        super().__init__(**options)
        if self.options['header_style'] not in RATE_LIMIT_HEADER_NAMES:
            raise ValueError(f"header_style must be one of {sorted(RATE_LIMIT_HEADER_NAMES)}")
        if self.options['ship_date_format'] not in SHIP_DATE_FORMATS:
            raise ValueError(f'ship_date_format must be one of {SHIP_DATE_FORMATS}')
        if self.options['shipment_store_id'] not in SHIPMENT_STORE_ID_STYLES:
            raise ValueError(f'shipment_store_id must be one of {SHIPMENT_STORE_ID_STYLES}')
        # Keys are the simulator's identity, not state: they survive reset() so cached JWKS
        # in a client stay valid.
        self.signing_keys = {}  # key id -> RSA private key
        self.current_key_id = None
        self.user_id = str(uuid.uuid4())
        self.rotate_key()

    def init_state(self):
        self.orders = {}  # orderKey -> order resource as answered
        self.shipments = {}  # shipmentId -> shipment resource (with shipmentItems)
        self.webhooks = {}  # WebHookID -> V1 webhook
        self.v2_webhooks = {}  # webhook_id -> V2 webhook
        self.batches = {}  # batchId -> [shipmentId]
        self.last_batch_id = None
        self.rejected_skus = set()
        self.rejected_order_numbers = set()
        self.throttled_count = 0
        self.rate_limiter = FixedWindowRateLimiter(
            self.options['requests_per_minute'], self.options['window_seconds'],
            self.options['clock'])
        # Real moments behind the Pacific strings: the autumn overlap makes strings ambiguous.
        self._shipment_moments = {}  # shipmentId -> {'create', 'ship', 'void'}
        self._notified_shipment_ids = set()
        self.shipment_page_faults = {}  # page -> answers left to fail (GET /shipments)
        self._last_ids = {'order': 1_000_000, 'order_item': 9_000_000, 'shipment': 5_000_000,
                          'webhook': 700, 'v2_webhook': 40, 'batch': 80_000}

    def now(self):
        return datetime.fromtimestamp(self.options['clock'](), UTC)

    def _next_id(self, kind):
        self._last_ids[kind] += 1
        return self._last_ids[kind]

    # ----------------------------------------------------------------- test controls

    def reject_sku(self, sku):
        """Orders containing this SKU fail with a readable per-order error."""
        with self.lock:
            self.rejected_skus.add(sku)

    def reject_order_number(self, order_number):
        with self.lock:
            self.rejected_order_numbers.add(order_number)

    def add_order(self, order):
        """Seed an order through the same upsert rules as the API; returns the stored order."""
        with self.lock:
            return self._upsert_order(order)

    def ship_order(self, order_key, tracking_number=None, carrier_code='ups',
                   service_code='ups_ground', items=None, ship_date=None, packages=1,
                   create_date=None, shipment_cost=0.0):
        """Create a label per package; the order becomes shipped once every item is shipped.

        items: [(sku, quantity)] or None for everything not shipped yet. tracking_number: a
        string (extra packages get "-2", "-3"... suffixes), a list with one per package, or
        None to generate. create_date/ship_date: aware datetimes (naive = Pacific) or dates.
        Returns the new shipments.
        """
        with self.lock:
            order = self.orders[order_key]
            created_at = to_aware_moment(create_date) if create_date else self.now()
            shipped_at = to_aware_moment(ship_date) if ship_date else created_at
            lines = self._lines_to_ship(order, items)
            tracking_numbers = self._package_tracking_numbers(tracking_number, packages)
            shipments = []
            for package_index, package_tracking_number in enumerate(tracking_numbers):
                shipments.append(self._create_shipment(
                    order, lines[package_index::packages], package_tracking_number,
                    carrier_code, service_code, created_at, shipped_at, shipment_cost))
            self._refresh_order_status(order)
            return shipments

    def fail_shipments_page(self, page, times=1, status=503):
        """The next ``times`` fetches of GET /shipments ``page`` answer ``status``."""
        with self.lock:
            self.shipment_page_faults[page] = (self.shipment_page_faults.get(page, (0,))[0]
                                               + times, status)

    def shipments_page_fetches(self, **filters):
        """Page numbers of every GET /shipments received (with these query values)."""
        return [int(request.query.get('page', 1)) for request in self.requests
                if request.method == 'GET' and request.path == '/shipments'
                and all(request.query.get(name) == value for name, value in filters.items())]

    def void_shipment(self, shipment_id, void_date=None):
        with self.lock:
            shipment = self.shipments[shipment_id]
            voided_at = to_aware_moment(void_date) if void_date else self.now()
            shipment['voided'] = True
            shipment['voidDate'] = format_pacific(voided_at)
            self._shipment_moments[shipment_id]['void'] = voided_at
            self._refresh_order_status(self.orders[shipment['orderKey']])
            return shipment

    # ----------------------------------------------------------------- hooks

    def authenticate(self, request):
        if request.path == '/jwks':
            return None
        if request.path.startswith('/v2/'):
            if request.headers.get('api-key') != self.options['v2_api_key']:
                return self.v2_error(401, 'unauthorized', 'The API key is invalid.')
            return None
        if self._v1_credentials_key(request) is None:
            return self.error(401, 'Unauthorized')
        return None

    def _is_v1_path(self, path):
        return path != '/jwks' and not path.startswith('/v2/')

    def _v1_credentials_key(self, request):
        """The valid V1 (key, secret) pair the rate limit counts against, else None."""
        credentials = request.authorization
        if (credentials is None or credentials.type != 'basic'
                or credentials.username != self.options['api_key']
                or credentials.password != self.options['api_secret']):
            return None
        return credentials.username, credentials.password

    def check_rate_limit(self, request):
        if not self._is_v1_path(request.path):
            return None
        decision = self.rate_limiter.hit(self._v1_credentials_key(request))
        request.environ['simulator.rate_limit'] = decision
        if decision.allowed:
            return None
        self.throttled_count += 1
        return self.error(429, THROTTLED_MESSAGE)

    def after_response(self, request, response):
        decision = request.environ.get('simulator.rate_limit')
        if decision is None:
            # Unrouted (404) V1 requests are not counted but still carry the headers.
            key = self._v1_credentials_key(request)
            if key is None or not self._is_v1_path(request.path):
                return
            decision = self.rate_limiter.peek(key)
        limit_name, remaining_name, reset_name = RATE_LIMIT_HEADER_NAMES[
            self.options['header_style']]
        response.headers[limit_name] = str(decision.limit)
        response.headers[remaining_name] = str(decision.remaining)
        response.headers[reset_name] = str(decision.reset_seconds)

    def error(self, status, message):
        return self.json({'statusCode': status, 'message': message}, status=status)

    def v2_error(self, status, error_code, message):
        return self.json({
            'request_id': str(uuid.uuid4()),
            'errors': [{'error_source': 'shipstation', 'error_type': 'validation'
                        if status == 400 else 'security', 'error_code': error_code,
                        'message': message}],
        }, status=status)

    # ----------------------------------------------------------------- V1 orders

    @route('POST', '/orders/createorder')
    def create_order(self, request):
        try:
            order = self._upsert_order(self.request_json(request))
        except OrderRejectedError as rejection:
            return self.error(400, str(rejection))
        return self.json(order)

    @route('POST', '/orders/createorders')
    def create_orders(self, request):
        payload = self.request_json(request)
        if not isinstance(payload, list):
            return self.error(400, 'The request body must be a JSON array of orders.')
        if len(payload) > MAX_ORDERS_PER_REQUEST:
            return self.error(400, f'A maximum of {MAX_ORDERS_PER_REQUEST} orders can be '
                                   f'created or updated per request; got {len(payload)}.')
        results = [self._create_order_result(order_payload) for order_payload in payload]
        has_errors = any(not result['success'] for result in results)
        return self.json({'hasErrors': has_errors, 'results': results})

    @route('GET', '/orders')
    def list_orders(self, request):
        number_prefix = request.args.get('orderNumber', '').casefold()
        status = request.args.get('orderStatus')
        store_id = request.args.get('storeId')
        matching = [order for order in sorted(self.orders.values(), key=lambda o: o['orderId'])
                    if order['orderNumber'].casefold().startswith(number_prefix)
                    and (not status or order['orderStatus'] == status)
                    and (not store_id or str(self.store_of(order)) == store_id)]
        return self.json(self._page_answer('orders', matching, request))

    @route('GET', '/orders/<int:order_id>')
    def get_order(self, request, order_id):
        for order in self.orders.values():
            if order['orderId'] == order_id:
                return self.json(order)
        return self.error(404, f'Order {order_id} not found.')

    def _create_order_result(self, order_payload):
        payload = order_payload if isinstance(order_payload, dict) else {}
        try:
            order = self._upsert_order(order_payload)
        except OrderRejectedError as rejection:
            return {'orderId': rejection.order_id, 'orderNumber': payload.get('orderNumber'),
                    'orderKey': payload.get('orderKey'), 'success': False,
                    'errorMessage': str(rejection)}
        return {'orderId': order['orderId'], 'orderNumber': order['orderNumber'],
                'orderKey': order['orderKey'], 'success': True, 'errorMessage': None}

    def _upsert_order(self, payload):
        """Create or replace (never merge) one order; raises OrderRejectedError with the reason."""
        if not isinstance(payload, dict):
            raise OrderRejectedError('Each order must be a JSON object.')
        order_key = payload.get('orderKey') or uuid.uuid4().hex
        existing = self.orders.get(order_key)
        if existing is not None and existing['orderStatus'] not in OPEN_ORDER_STATUSES:
            raise OrderRejectedError(
                f"Order {existing['orderNumber']} (orderKey {order_key}) is "
                f"{existing['orderStatus']} and can no longer be updated; only open orders "
                f"({', '.join(OPEN_ORDER_STATUSES)}) can be updated.", existing['orderId'])
        errors = self._order_errors(payload)
        if errors:
            raise OrderRejectedError('; '.join(errors), existing['orderId'] if existing else 0)
        order = self._build_order(payload, order_key, existing)
        self.orders[order_key] = order
        return order

    def _order_errors(self, payload):
        errors = []
        order_number = payload.get('orderNumber')
        if not isinstance(order_number, str) or not order_number.strip():
            errors.append('orderNumber is required.')
        elif len(order_number) > MAX_ORDER_NUMBER_LENGTH:
            errors.append(f'orderNumber must be at most {MAX_ORDER_NUMBER_LENGTH} characters.')
        elif order_number in self.rejected_order_numbers:
            errors.append(f'Order {order_number} was rejected by ShipStation.')
        if parse_platform_datetime(payload.get('orderDate')) is None:
            errors.append('orderDate is required and must be an ISO-8601 date.')
        if payload.get('orderStatus') not in ORDER_STATUSES:
            errors.append(f"orderStatus must be one of {', '.join(ORDER_STATUSES)}.")
        for address_field in ('billTo', 'shipTo'):
            errors.extend(self._address_errors(address_field, payload.get(address_field)))
        errors.extend(self._item_errors(payload.get('items')))
        return errors

    def _address_errors(self, address_field, address):
        if not isinstance(address, dict):
            return [f'{address_field} is required.']
        country = address.get('country')
        if country is not None and not (isinstance(country, str) and len(country) == 2):
            return [f'{address_field}.country must be a two-letter country code.']
        return []

    def _item_errors(self, items):
        if items is None:
            return []
        if not isinstance(items, list):
            return ['items must be an array.']
        errors = []
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                errors.append(f'items[{index}] must be an object.')
                continue
            if not item.get('name'):
                errors.append(f'items[{index}].name is required.')
            quantity = item.get('quantity', 1)
            if not isinstance(quantity, int) or quantity < 0:
                errors.append(f'items[{index}].quantity must be a whole number.')
            if item.get('sku') in self.rejected_skus:
                errors.append(f"Item SKU '{item['sku']}' is not valid: no such product.")
        return errors

    def _build_order(self, payload, order_key, existing):
        now = format_pacific(self.now())
        order = dict(payload)  # no partial updates: the payload is the whole new resource
        order['orderId'] = existing['orderId'] if existing else self._next_id('order')
        order['orderKey'] = order_key
        order['orderDate'] = format_pacific(parse_platform_datetime(payload['orderDate']))
        order['createDate'] = existing['createDate'] if existing else now
        order['modifyDate'] = now
        order['userId'] = self.user_id
        order['items'] = self._build_items(payload.get('items') or [], existing)
        order['advancedOptions'] = self._build_advanced_options(payload, existing)
        return order

    def _build_advanced_options(self, payload, existing):
        options = dict(payload.get('advancedOptions') or {})
        if existing is not None:
            options['storeId'] = self.store_of(existing)  # only settable at creation
        elif options.get('storeId') in (None, ''):
            options['storeId'] = self.options['default_store_id']
        return options

    @staticmethod
    def store_of(order):
        return (order.get('advancedOptions') or {}).get('storeId')

    def _build_items(self, items, existing):
        # Keep orderItemId stable for lines the client identifies by lineItemKey.
        known_item_ids = {}
        for item in (existing or {}).get('items', []):
            if item.get('lineItemKey'):
                known_item_ids[item['lineItemKey']] = item['orderItemId']
        built = []
        for item in items:
            item_id = known_item_ids.get(item.get('lineItemKey')) or self._next_id('order_item')
            built.append({**item, 'quantity': item.get('quantity', 1), 'orderItemId': item_id})
        return built

    # ----------------------------------------------------------------- V1 shipments

    @route('GET', '/shipments')
    def list_shipments(self, request):
        page = int_arg(request, 'page', 1)
        with self.lock:
            left, status = self.shipment_page_faults.get(page, (0, 503))
            if left:
                self.shipment_page_faults[page] = (left - 1, status)
        if left:
            return self.error(status, f'page {page} is unavailable')
        try:
            matching = [shipment for shipment in self.shipments.values()
                        if self._shipment_matches(shipment, request.args)]
        except ValueError as error:
            return self.error(400, str(error))
        matching = self._sort_shipments(matching, request.args)
        answer = self._page_answer('shipments', matching, request)
        include_items = request.args.get('includeShipmentItems', '').lower() == 'true'
        answer['shipments'] = [{**shipment, 'shipmentItems': shipment['shipmentItems']
                                if include_items else None} for shipment in answer['shipments']]
        return self.json(answer)

    def _shipment_matches(self, shipment, args):
        if 'batchId' in args and shipment['shipmentId'] not in self.batches.get(
                _int_or_none(args['batchId']), ()):
            return False
        exact_filters = {'orderId': 'orderId', 'trackingNumber': 'trackingNumber',
                         'carrierCode': 'carrierCode', 'serviceCode': 'serviceCode'}
        for arg_name, field_name in exact_filters.items():
            if arg_name in args and str(shipment[field_name]) != args[arg_name]:
                return False
        number_prefix = args.get('orderNumber', '').casefold()
        if not shipment['orderNumber'].casefold().startswith(number_prefix):
            return False
        if 'storeId' in args and str(self.shipment_store(shipment)) != args['storeId']:
            return False
        moments = self._shipment_moments[shipment['shipmentId']]
        return all(self._within_range(moments[kind], args, prefix)
                   for kind, prefix in (('create', 'createDate'), ('ship', 'shipDate'),
                                        ('void', 'voidDate')))

    def _within_range(self, moment, args, prefix):
        start = self._date_filter(args, f'{prefix}Start')
        end = self._date_filter(args, f'{prefix}End')
        if start is None and end is None:
            return True
        if moment is None:
            return False
        return (start is None or moment >= start) and (end is None or moment <= end)

    def _date_filter(self, args, name):
        if name not in args:
            return None
        moment = parse_platform_datetime(args[name])
        if moment is None:
            raise ValueError(f'{name} is not a valid date: {args[name]!r}')
        return moment

    def _sort_shipments(self, shipments, args):
        moment_kind = {'shipdate': 'ship', 'createdate': 'create'}.get(
            args.get('sortBy', '').lower())
        if moment_kind is None:
            ordered = sorted(shipments, key=lambda shipment: shipment['shipmentId'])
        else:
            ordered = sorted(shipments, key=lambda shipment: (
                self._shipment_moments[shipment['shipmentId']][moment_kind],
                shipment['shipmentId']))
        if args.get('sortDir', '').upper() == 'DESC':
            ordered.reverse()
        return ordered

    def shipment_store(self, shipment):
        """The store of a shipment's order, whether or not the shipment shows it."""
        return self.store_of(self.orders[shipment['orderKey']])

    def _lines_to_ship(self, order, items):
        """[(order item, quantity)] to put in the new shipment(s)."""
        remaining = self._unshipped_quantities(order)
        if items is None:
            return [(item, remaining[item['orderItemId']]) for item in order['items']
                    if remaining[item['orderItemId']] > 0]
        lines = []
        for sku, quantity in items:
            item = next((item for item in order['items'] if item.get('sku') == sku
                         and remaining[item['orderItemId']] >= quantity), None)
            if item is None:
                raise ValueError(f"order {order['orderNumber']} has no unshipped {quantity} x "
                                 f'{sku}')
            remaining[item['orderItemId']] -= quantity
            lines.append((item, quantity))
        return lines

    def _unshipped_quantities(self, order):
        remaining = {item['orderItemId']: item['quantity'] for item in order['items']}
        for shipment in self._live_shipments(order['orderKey']):
            for shipment_item in shipment['shipmentItems']:
                if shipment_item['orderItemId'] in remaining:  # lines may have been replaced
                    remaining[shipment_item['orderItemId']] -= shipment_item['quantity']
        return remaining

    def _live_shipments(self, order_key):
        return [shipment for shipment in self.shipments.values()
                if shipment['orderKey'] == order_key and not shipment['voided']]

    def _refresh_order_status(self, order):
        fully_shipped = (bool(self._live_shipments(order['orderKey']))
                         and not any(self._unshipped_quantities(order).values()))
        if fully_shipped and order['orderStatus'] in OPEN_ORDER_STATUSES:
            order['orderStatus'] = 'shipped'
        elif not fully_shipped and order['orderStatus'] == 'shipped':
            order['orderStatus'] = 'awaiting_shipment'  # a voided label reopens the order
        else:
            return
        order['modifyDate'] = format_pacific(self.now())

    def _package_tracking_numbers(self, tracking_number, packages):
        if isinstance(tracking_number, (list, tuple)):
            if len(tracking_number) != packages:
                raise ValueError('give one tracking number per package')
            return list(tracking_number)
        if tracking_number is None:
            return ['1Z' + uuid.uuid4().hex[:16].upper() for _package in range(packages)]
        return [tracking_number] + [f'{tracking_number}-{number}'
                                    for number in range(2, packages + 1)]

    def _create_shipment(self, order, lines, tracking_number, carrier_code, service_code,
                         created_at, shipped_at, shipment_cost):
        shipment_id = self._next_id('shipment')
        shipment = {
            'shipmentId': shipment_id,
            'orderId': order['orderId'],
            'orderKey': order['orderKey'],
            'userId': self.user_id,
            'customerEmail': order.get('customerEmail'),
            'orderNumber': order['orderNumber'],
            'createDate': format_pacific(created_at),
            'shipDate': self._format_ship_date(shipped_at),
            'shipmentCost': shipment_cost,
            'insuranceCost': 0.0,
            'trackingNumber': tracking_number,
            'isReturnLabel': False,
            'batchNumber': None,
            'carrierCode': carrier_code,
            'serviceCode': service_code,
            'packageCode': 'package',
            'confirmation': 'none',
            'warehouseId': None,
            'voided': False,
            'voidDate': None,
            'marketplaceNotified': False,
            'notifyErrorMessage': None,
            'shipTo': order.get('shipTo'),
            'weight': order.get('weight'),
            'dimensions': order.get('dimensions'),
            'insuranceOptions': None,
            'advancedOptions': (dict(order['advancedOptions'])
                                if self.options['shipment_store_id'] == 'advanced_options'
                                else None),
            'shipmentItems': [self._shipment_item(item, quantity, created_at)
                              for item, quantity in lines],
            'labelData': None,
            'formData': None,
        }
        self.shipments[shipment_id] = shipment
        self._shipment_moments[shipment_id] = {'create': created_at, 'ship': shipped_at,
                                               'void': None}
        return shipment

    def _format_ship_date(self, shipped_at):
        if self.options['ship_date_format'] == 'date':
            return shipped_at.astimezone(PACIFIC).date().isoformat()
        return format_pacific(shipped_at)

    def _shipment_item(self, item, quantity, created_at):
        fields = ('orderItemId', 'lineItemKey', 'sku', 'name', 'imageUrl', 'weight',
                  'unitPrice', 'taxAmount', 'shippingAmount', 'warehouseLocation', 'options',
                  'productId', 'fulfillmentSku', 'adjustment', 'upc')
        shipment_item = {field_name: item.get(field_name) for field_name in fields}
        shipment_item['quantity'] = quantity
        shipment_item['createDate'] = shipment_item['modifyDate'] = format_pacific(created_at)
        return shipment_item

    def _page_answer(self, list_name, items, request):
        page = int_arg(request, 'page', 1)
        page_size = int_arg(request, 'pageSize', DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE)
        page_items, pages = page_slice(items, page, page_size)
        return {list_name: page_items, 'total': len(items), 'page': page, 'pages': pages}

    # ----------------------------------------------------------------- V1 webhooks

    @route('POST', '/webhooks/subscribe')
    def subscribe_webhook(self, request):
        payload = self.request_json(request)
        if not isinstance(payload, dict) or not payload.get('target_url'):
            return self.error(400, 'target_url is required.')
        if payload.get('event') not in V1_WEBHOOK_EVENTS:
            return self.error(400, f"event must be one of {', '.join(V1_WEBHOOK_EVENTS)}.")
        webhook_id = self._next_id('webhook')
        webhook = {
            'IsLabelAPIHook': False, 'WebHookID': webhook_id, 'SellerID': 1,
            'StoreID': payload.get('store_id'), 'HookType': payload['event'],
            'MessageFormat': 'Json', 'Url': payload['target_url'],
            'Name': payload.get('friendly_name'), 'BulkCopyBatchID': None,
            'BulkCopyRecordID': None, 'Active': True, 'WebhookLogs': [], 'Seller': None,
            'Store': None,
        }
        self.webhooks[webhook_id] = webhook
        return self.json({'id': webhook_id, 'WebHookID': webhook_id,
                          'HookType': webhook['HookType'], 'Url': webhook['Url'],
                          'Name': webhook['Name']})

    @route('GET', '/webhooks')
    def list_webhooks(self, request):
        return self.json({'webhooks': list(self.webhooks.values())})

    @route('DELETE', '/webhooks/<int:webhook_id>')
    def unsubscribe_webhook(self, request, webhook_id):
        if self.webhooks.pop(webhook_id, None) is None:
            return self.error(404, f'Webhook {webhook_id} not found.')
        return Response(status=200)

    def ship_notify_payload(self, batch_id):
        return {
            'resource_url': f'{self.url}/shipments?batchId={batch_id}&includeShipmentItems=true',
            'resource_type': 'SHIP_NOTIFY',
        }

    def deliver_ship_notify(self, batch_shipment_ids=None):
        """Batch shipments (default: those not notified yet) and POST SHIP_NOTIFY to subscribers.

        A webhook subscribed with a store_id only hears of that store's shipments ("If passed
        in, the webhooks will only be triggered for this store_id",
        https://www.shipstation.com/docs/api/webhooks/subscribe/): each distinct store filter
        gets its own batch, and a subscriber with nothing of its store is not called.
        Returns [(status_code or None, response text)] per subscriber called.
        """
        with self.lock:
            if batch_shipment_ids is None:
                batch_shipment_ids = [shipment_id for shipment_id in self.shipments
                                      if shipment_id not in self._notified_shipment_ids]
                if not batch_shipment_ids:
                    return []
            self._notified_shipment_ids.update(batch_shipment_ids)
            deliveries, batch_by_store = [], {}
            for webhook in self.webhooks.values():
                if webhook['HookType'] != 'SHIP_NOTIFY' or not webhook['Active']:
                    continue
                store_id = webhook['StoreID']
                if store_id not in batch_by_store:
                    batch_by_store[store_id] = self._new_batch(batch_shipment_ids, store_id)
                if batch_by_store[store_id] is not None:
                    body = json.dumps(self.ship_notify_payload(batch_by_store[store_id]))
                    deliveries.append((webhook['Url'], body.encode()))
        answers = []
        for target_url, body in deliveries:
            headers = {'Content-Type': 'application/json'}
            if self.options['sign_v1_webhooks']:
                headers.update(self.sign_v2(body))
            # Posted without holding the lock: the receiver may call back GET resource_url.
            answers.append(self._post_webhook(target_url, body, headers))
        return answers

    def ship_notify_body(self, shipment_ids, store_id=None):
        """The raw SHIP_NOTIFY body of a new batch of ``shipment_ids``, not posted (for a
        test that posts it itself)."""
        with self.lock:
            batch_id = self._new_batch(list(shipment_ids), store_id)
            return json.dumps(self.ship_notify_payload(batch_id)).encode()

    def redeliver_last_ship_notify(self):
        """POST the last SHIP_NOTIFY batch again to every SHIP_NOTIFY subscriber (the
        platform retries a delivery it thinks failed). Returns the answers as
        deliver_ship_notify does; [] when nothing was delivered yet."""
        with self.lock:
            if self.last_batch_id is None:
                return []
            body = json.dumps(self.ship_notify_payload(self.last_batch_id)).encode()
            targets = [webhook['Url'] for webhook in self.webhooks.values()
                       if webhook['HookType'] == 'SHIP_NOTIFY' and webhook['Active']]
        headers = {'Content-Type': 'application/json'}
        if self.options['sign_v1_webhooks']:
            headers.update(self.sign_v2(body))
        return [self._post_webhook(target_url, body, headers) for target_url in targets]

    def _new_batch(self, shipment_ids, store_id):
        """A batch of those shipments in ``store_id`` (all when None); None when empty."""
        members = [shipment_id for shipment_id in shipment_ids
                   if store_id in (None, '') or str(self.shipment_store(
                       self.shipments[shipment_id])) == str(store_id)]
        if not members:
            return None
        batch_id = self._next_id('batch')
        self.batches[batch_id] = members
        self.last_batch_id = batch_id
        return batch_id

    def _post_webhook(self, target_url, body, headers):
        try:
            answer = requests.post(target_url, data=body, headers=headers,
                                   timeout=self.options['webhook_timeout'])
        except requests.RequestException as error:
            return None, repr(error)
        return answer.status_code, answer.text

    # ----------------------------------------------------------------- V2 webhooks + signing

    def rotate_key(self):
        """Add a new signing key (older ones stay in the JWKS) and sign with it from now on."""
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        with self.lock:
            key_id = f'sim-key-{len(self.signing_keys) + 1}'
            self.signing_keys[key_id] = private_key
            self.current_key_id = key_id
        return key_id

    def jwks(self):
        keys = []
        for key_id, private_key in self.signing_keys.items():
            numbers = private_key.public_key().public_numbers()
            keys.append({'kty': 'RSA', 'kid': key_id, 'use': 'sig', 'alg': 'RS256',
                         'n': _base64url_uint(numbers.n), 'e': _base64url_uint(numbers.e)})
        return {'keys': keys}

    def sign_v2(self, body, timestamp=None, kid=None):
        """Signature headers of a V2 delivery of the raw `body`.

        timestamp: ISO-8601 UTC string or datetime (default now); kid: key id (default current).
        """
        if isinstance(body, str):
            body = body.encode()
        if timestamp is None:
            timestamp = self.now()
        if isinstance(timestamp, datetime):
            timestamp = format_utc_iso(timestamp)
        key_id = kid or self.current_key_id
        signature = self.signing_keys[key_id].sign(
            timestamp.encode() + b'.' + body, padding.PKCS1v15(), hashes.SHA256())
        return {
            'x-shipengine-rsa-sha256-key-id': key_id,
            'x-shipengine-rsa-sha256-signature': base64.b64encode(signature).decode(),
            'x-shipengine-timestamp': timestamp,
        }

    @route('GET', '/jwks')
    def get_jwks(self, request):
        return self.json(self.jwks())

    @route('POST', '/v2/environment/webhooks')
    def create_v2_webhook(self, request):
        payload = self.request_json(request)
        if not isinstance(payload, dict) or not payload.get('url'):
            return self.v2_error(400, 'field_value_required', 'url is required.')
        if payload.get('event') not in V2_WEBHOOK_EVENTS:
            return self.v2_error(400, 'invalid_field_value',
                                 f"event must be one of {', '.join(V2_WEBHOOK_EVENTS)}.")
        webhook_id = str(self._next_id('v2_webhook'))
        webhook = {'webhook_id': webhook_id, 'url': payload['url'], 'event': payload['event'],
                   'headers': payload.get('headers') or [], 'name': payload.get('name'),
                   'store_id': payload.get('store_id')}
        self.v2_webhooks[webhook_id] = webhook
        return self.json(webhook, status=201)

    @route('GET', '/v2/environment/webhooks')
    def list_v2_webhooks(self, request):
        return self.json(list(self.v2_webhooks.values()))

    @route('GET', '/v2/environment/webhooks/<webhook_id>')
    def get_v2_webhook(self, request, webhook_id):
        if webhook_id not in self.v2_webhooks:
            return self.v2_error(404, 'not_found', f'Webhook {webhook_id} not found.')
        return self.json(self.v2_webhooks[webhook_id])

    @route('PUT', '/v2/environment/webhooks/<webhook_id>')
    def update_v2_webhook(self, request, webhook_id):
        if webhook_id not in self.v2_webhooks:
            return self.v2_error(404, 'not_found', f'Webhook {webhook_id} not found.')
        payload = self.request_json(request) or {}
        webhook = self.v2_webhooks[webhook_id]
        for field_name in ('url', 'headers', 'name', 'store_id'):
            if field_name in payload:
                webhook[field_name] = payload[field_name]
        return Response(status=204)

    @route('DELETE', '/v2/environment/webhooks/<webhook_id>')
    def delete_v2_webhook(self, request, webhook_id):
        if self.v2_webhooks.pop(webhook_id, None) is None:
            return self.v2_error(404, 'not_found', f'Webhook {webhook_id} not found.')
        return Response(status=204)

    def fulfillment_shipped_v2_payloads(self, order_key):
        """One FULFILLMENT_SHIPPED_V2 body per live shipment of the order."""
        with self.lock:
            order = self.orders[order_key]
            return [{
                'resource_url': f"{self.url}/shipments?orderId={order['orderId']}"
                                '&includeShipmentItems=true',
                'resource_type': 'FULFILLMENT_SHIPPED_V2',
                'data': self._fulfillment_data(shipment),
            } for shipment in self._live_shipments(order_key)]

    def deliver_fulfillment_shipped_v2(self, order_key):
        """POST signed FULFILLMENT_SHIPPED_V2 events to the V2 subscribers.

        Returns [(status_code or None, response text)] per (shipment, subscriber).
        """
        answers = []
        for payload in self.fulfillment_shipped_v2_payloads(order_key):
            answers += self._deliver_v2('fulfillment_shipped_v2', payload)
        return answers

    # ----------------------------------------------------------------- V2 tracking + batches

    TRACK_STATUS_DESCRIPTIONS: ClassVar[dict] = {
        'UN': 'Unknown', 'AC': 'Accepted', 'IT': 'In Transit', 'DE': 'Delivered',
        'EX': 'Exception', 'AT': 'Delivery Attempt', 'NY': 'Not Yet In System'}

    def track_payload(self, tracking_number, status_code='IT', event='track',
                      description=None, occurred_at=None, city='OCEANSIDE', state='CA',
                      exception_description=None):
        """A tracking event body for a label's tracking number.

        event='track' is ShipEngine's tracking webhook (resource_type API_TRACK, resource_url
        .../v1/tracking?carrier_code=&tracking_number=,
        https://www.shipengine.com/docs/reference/webhooks-schemas/); 'track_event_v2' is
        ShipStation V2's TRACK_EVENT_V2 (resource_url .../v2/labels/se-<id>/track,
        https://docs.shipstation.com/apis/docs/guides/webhooks-schemas). Both carry
        data{tracking_number, status_code (UN AC IT DE EX AT NY), status_description,
        carrier_status_code, ship_date, estimated_delivery_date, actual_delivery_date,
        exception_description, events[] most recent first}.
        """
        with self.lock:
            shipment = next((row for row in self.shipments.values()
                             if row['trackingNumber'] == tracking_number), None)
        carrier_code = shipment['carrierCode'] if shipment else 'ups'
        moment = occurred_at or self.now()
        status_description = self.TRACK_STATUS_DESCRIPTIONS.get(status_code, 'Unknown')
        data = {
            'tracking_number': tracking_number, 'status_code': status_code,
            'status_description': status_description, 'carrier_code': carrier_code,
            'carrier_status_code': status_code[:1], 'carrier_status_description':
                description or status_description,
            'ship_date': format_utc_iso(moment), 'estimated_delivery_date': None,
            'actual_delivery_date': format_utc_iso(moment) if status_code == 'DE' else None,
            'exception_description': exception_description if status_code == 'EX' else None,
            'events': [{'occurred_at': format_utc_iso(moment),
                        'carrier_occurred_at': moment.astimezone(PACIFIC).strftime(
                            '%Y-%m-%dT%H:%M:%S'),
                        'description': description or status_description,
                        'city_locality': city, 'state_province': state, 'postal_code': '',
                        'country_code': 'US', 'company_name': '', 'signer': '',
                        'event_code': status_code}],
        }
        if event == 'track_event_v2':
            label_id = f"se-{shipment['shipmentId'] if shipment else 0}"
            return {'resource_url': f'{self.url}/v2/labels/{label_id}/track',
                    'resource_type': 'TRACK_EVENT_V2', 'data': data}
        return {'resource_url': f'{self.url}/v1/tracking?carrier_code={carrier_code}'
                                f'&tracking_number={tracking_number}',
                'resource_type': 'API_TRACK', 'data': dict(data, label_url=None)}

    def deliver_track(self, tracking_number, status_code='IT', **options):
        """POST a signed tracking event to the subscribers of 'track' and 'track_event_v2'
        (each gets its own shape). Returns [(status_code or None, text)] per subscriber."""
        answers = []
        for event in ('track', 'track_event_v2'):
            payload = self.track_payload(tracking_number, status_code, event=event, **options)
            answers += self._deliver_v2(event, payload)
        return answers

    def batch_processed_payload(self, batch_id=None):
        """BATCH_PROCESSED_V2 names the batch only (resource_url, no data), per
        https://docs.shipstation.com/apis/docs/guides/webhooks-schemas."""
        with self.lock:
            batch_id = batch_id or f"se-{self._next_id('batch')}"
        return {'resource_url': f'{self.url}/v2/batches/{batch_id}',
                'resource_type': 'BATCH_PROCESSED_V2'}

    def deliver_batch_processed_v2(self, batch_id=None):
        return self._deliver_v2('batch_processed_v2', self.batch_processed_payload(batch_id))

    def _deliver_v2(self, event, payload):
        """POST ``payload`` signed to every V2 subscriber of ``event``."""
        with self.lock:
            webhooks = [dict(webhook) for webhook in self.v2_webhooks.values()
                        if webhook['event'] == event]
        body = json.dumps(payload).encode()
        answers = []
        for webhook in webhooks:
            headers = {header['key']: header['value'] for header in webhook['headers']}
            headers['Content-Type'] = 'application/json'
            headers.update(self.sign_v2(body))
            answers.append(self._post_webhook(webhook['url'], body, headers))
        return answers

    def _fulfillment_data(self, shipment):
        moments = self._shipment_moments[shipment['shipmentId']]
        return {
            'shipment_id': shipment['shipmentId'],
            'order_id': shipment['orderId'],
            'order_key': shipment['orderKey'],
            'order_number': shipment['orderNumber'],
            'tracking_number': shipment['trackingNumber'],
            'carrier_code': shipment['carrierCode'],
            'service_code': shipment['serviceCode'],
            'ship_date': format_utc_iso(moments['ship']),
            'created_at': format_utc_iso(moments['create']),
            'items': [{'order_item_id': item['orderItemId'],
                       'line_item_key': item['lineItemKey'], 'sku': item['sku'],
                       'name': item['name'], 'quantity': item['quantity']}
                      for item in shipment['shipmentItems']],
        }


def _base64url_uint(number):
    raw = number.to_bytes((number.bit_length() + 7) // 8, 'big')
    return base64.urlsafe_b64encode(raw).rstrip(b'=').decode()


def _int_or_none(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        return None
