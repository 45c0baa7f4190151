"""iQmetrix dropship simulator, built from docs/platforms/iqmetrix.md and seed 001.

The Accounts service (tokens) and the Dropship service are served by one server under /v1:

- POST /v1/oauth2/token, form encoded:
  - grant_type=password with client_id, client_secret, username, password;
  - grant_type=refresh_token with client_id, client_secret, refresh_token.
  Answers {"access_token", "expires_in", "refresh_token"}. A refresh issues a new access token
  and a new refresh token and revokes the old access token (and the used refresh token); its
  client credentials must match those of the original grant. Errors are 400
  {"error": "unsupported_grant_type" | "invalid_client" | "invalid_grant"}.
- GET /v1/Suppliers(<SupplierId>)/Notifications: the current page of the Atom feed, newest entry
  first, up to 50 entries; GET .../Notifications/Pages(<PageId>): an archive page of 50. Pages
  link to each other with rel="prev-archive" (older) and rel="next-archive" (newer, archives
  only); each page's rel="self" is Pages(<its id>), and the current page keeps its id when it
  fills up and becomes an archive (as in the doc's examples).
- PUT /v1/Suppliers(<SupplierId>)/Orders(<OrderId>)/OrderStatusUpdate and .../ItemStatusUpdate:
  JSON; answer 202 Accepted echoing the update; every update is recorded in `status_updates`
  and appended to the feed as an order-status-updated entry, as the platform does.
- Errors (supplier-orders.md): 400 "Cannot find supplier identifier in the uri", 400 "The
  request is invalid" (bad PageId or body), 401 "Invalid token", 404 "Not found"; bodies are
  {"Message": ...} (assumed: the doc gives the messages, not the body shape).

Test controls: add_order()/add_orders() create order-created entries, duplicate_entry() repeats
one (at-least-once delivery), serve_raw_feed() answers the next feed request(s) with a given
body (hostile or malformed XML), expire_access_tokens()/expire_refresh_tokens(); `throttled`
lists the 429s answered with their reset time, `requests` every request (token attempts
included, refused or not; `grants` only the grants issued).

Options for what the docs leave open (UNCONFIRMED):
- status_update_code: 202 (2016 doc) or 200 (2015 doc).
- accept_status_names: whether "Status": "Shipped" is accepted besides the integers.
- store_address_type: the shipping-address <type> of ship-to-store orders (the 2016 example
  has it nil, the seed's example says "Home" with ship-to-store true).
- requests_per_minute: a per-service request window answered with X-RateLimit-* headers.
  rate-limiting.md (iq-coryp/documentation-testing pages/api/rate-limiting.md, "HTTP
  Headers" and "Exceeding Rate Limit", developers.iqmetrix.com/api/rate-limiting/): every
  response carries X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset ("the time
  when the rate limit window will reset in UTC", e.g. 2015-04-16T17:46:00.0000000Z) and
  X-RateLimit-ResetSeconds ("the number of seconds until the rate limit resets"); over the
  limit: 429 Too Many Requests, text/plain "rate limit exceeded".
  rate_limit_reset_format: 'iso' (that documented form, the default) or 'seconds' (the
  form this simulator used to send: X-RateLimit-Reset in seconds, no ResetSeconds), for
  clients that must cope with both.
- shipping_customer_phone: whether shipping-customer carries a <phone>. The dropship guide
  says "the end customer's phone number is provided via the shipping-customer" while the
  OrderCreated table of supplier-orders.md lists no phone there (UNCONFIRMED); the
  shipping address's <phone> is the recipient's, i.e. the store's on a store delivery.
"""
import secrets
import time
import uuid
from datetime import UTC, datetime
from typing import ClassVar
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from werkzeug.wrappers import Response

from .base import FixedWindowRateLimiter, Simulator, route

ATOM_CONTENT_TYPE = 'application/atom+xml; charset=utf-8'
STATUS_NAMES = ('PendingSupplier', 'Ordered', 'Shipped', 'BackOrdered', 'Error', 'NotAvailable',
                'PartiallyShipped', 'Cancelled', 'Other')
ORDER_CREATED_TITLE = 'Dropship Order Created'
STATUS_UPDATED_TITLE = 'Dropship Order Status Updated'

ADDRESS_FIELDS = ('address-id', 'attention-to', 'country', 'country-code', 'locality', 'notes',
                  'phone', 'post-office-box-number', 'postal-code', 'region', 'region-code',
                  'street-address-1', 'street-address-2', 'type')
CUSTOMER_FIELDS = ('alternate-name', 'customer-id', 'family-name', 'middle-name', 'notes',
                   'primary-name', 'title', 'type')
CUSTOMER_FIELDS_WITH_PHONE = (*CUSTOMER_FIELDS[:5], 'phone', *CUSTOMER_FIELDS[5:])
SELLER_FIELDS = ('company-id', 'location-id', 'po-reference', 'printable-id')
ORDER_ITEM_FIELDS = ('catalog-id', 'description', 'quantity', 'selling-price', 'sku')
ITEM_INFORMATION_FIELDS = ('catalog-id', 'info', 'message', 'quantity', 'shipping-provider',
                           'sku', 'status', 'tracking-info')

DEFAULT_STORE_ADDRESS = {
    'attention-to': 'Bob Eh', 'country': 'Canada', 'country-code': 'CA', 'locality': 'Moose Jaw',
    'phone': '306-555-0100', 'postal-code': 'S6J1N2', 'region': 'Saskatchewan',
    'region-code': 'SK', 'street-address-1': '1 Main Street North',
}
DEFAULT_CUSTOMER_PHONE = '306-555-0142'  # the end customer's own (shipping_customer_phone)
DEFAULT_HOME_ADDRESS = {
    'attention-to': 'Bob Eh', 'country': 'Canada', 'country-code': 'CA', 'locality': 'Moose Jaw',
    'phone': '306-555-0199', 'postal-code': 'S6H0A1', 'region': 'Saskatchewan',
    'region-code': 'SK', 'street-address-1': '742 Evergreen Terrace',
}


def format_timestamp(epoch):
    return datetime.fromtimestamp(epoch, UTC).strftime('%Y-%m-%dT%H:%M:%SZ')


def format_reset_timestamp(epoch):
    """X-RateLimit-Reset as rate-limiting.md shows it: UTC with seven fraction digits,
    e.g. 2015-04-16T17:46:00.0000000Z."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime('%Y-%m-%dT%H:%M:%S') + f'.{moment.microsecond:06d}0Z'


class IqmetrixSimulator(Simulator):
    name = 'iqmetrix'
    default_port = 8073
    default_options: ClassVar[dict] = {
        'supplier_id': 60455,
        'client_id': 'iqm-client',
        'client_secret': 'iqm-client-secret',
        'username': 'supplier-api-user',
        'password': 'supplier-api-password',
        'access_token_lifetime': 43199,  # 12 h, as the token endpoint answers
        'refresh_token_lifetime': 7 * 86400,
        'page_size': 50,
        'status_update_code': 202,  # UNCONFIRMED: the 2015 doc showed 200
        'accept_status_names': False,  # UNCONFIRMED whether "Shipped" is still accepted
        'store_address_type': None,  # UNCONFIRMED: <type> of a store address (nil in the doc)
        'echo_status_entries': True,  # status updates appear in the feed as the doc shows
        'requests_per_minute': None,
        'window_seconds': 60,
        'rate_limit_reset_format': 'iso',  # documented; 'seconds': the older simulator form
        'shipping_customer_phone': False,  # UNCONFIRMED: guide says yes, field table says no
        'clock': time.time,  # epoch seconds: token expiry and entry timestamps
    }

    def init_state(self):
        self.entries = []  # oldest first: {'entry_id', 'title', 'updated', 'kind', 'payload'}
        self.page_ids = []  # page index (0 = oldest) -> GUID, grown as pages are needed
        self.orders = {}  # order-id -> order-created payload
        self.order_states = {}  # order-id -> {'status', 'tracking', 'provider', 'items': {sku}}
        self.status_updates = []  # {'order_id', 'endpoint', 'body'} in arrival order
        self.access_tokens = {}  # token -> {'expires', 'client_id', 'revoked'}
        self.refresh_tokens = {}  # token -> {'expires', 'client_id', 'access', 'revoked'}
        self.grants = []  # grant types issued, in order
        self.raw_feed_bodies = []  # bodies to answer the next feed requests with
        self.throttled = []  # 429s answered: {'path', 'reset_at' (epoch seconds)}
        self.rate_limiter = None
        if self.options['requests_per_minute']:
            self.rate_limiter = FixedWindowRateLimiter(
                self.options['requests_per_minute'], self.options['window_seconds'],
                self.options['clock'])

    # ----------------------------------------------------------------- test controls

    def add_order(self, items=None, ship_to_store=False, address=None, customer=None,
                  seller=None, shipping_method='123', order_id=None, updated=None,
                  address_type='default', duplicates=0):
        """Append an order-created entry and return its order-id.

        items: [{'sku', 'quantity', 'selling-price', 'description', 'catalog-id'}] (dashed keys
        as in the feed; missing ones get defaults). address/customer/seller override fields of
        the defaults. updated: epoch seconds (default: the clock). duplicates: how many extra
        entries repeat the same order (at-least-once delivery).
        """
        with self.lock:
            order_id = order_id or str(uuid.uuid4())
            payload = {
                'items': [self._order_item(item) for item in (items or [{'sku': 'SKU-1'}])],
                'order-id': order_id,
                'seller': {'company-id': '33772', 'location-id': '33773',
                           'po-reference': f'PO-{order_id[:8]}',
                           'printable-id': str(90000000 + len(self.orders)), **(seller or {})},
                'ship-to-store': 'true' if ship_to_store else 'false',
                'shipping-address': self._shipping_address(ship_to_store, address, address_type),
                'shipping-customer': {
                    'customer-id': str(uuid.uuid4()), 'family-name': 'Eh', 'primary-name': 'Bob',
                    'phone': DEFAULT_CUSTOMER_PHONE, 'type': 'Person', **(customer or {})},
                'shipping-method': shipping_method,
                'supplier-id': str(self.options['supplier_id']),
            }
            self.orders[order_id] = payload
            self.order_states[order_id] = {
                'status': 0, 'tracking': None, 'provider': None,
                'items': {item['sku']: {'status': 0, 'tracking': None}
                          for item in payload['items']}}
            for _copy in range(1 + duplicates):
                self._append_entry(ORDER_CREATED_TITLE, 'order-created', payload, updated)
            return order_id

    def add_orders(self, count, items=None, **fields):
        """Append `count` orders (each with the same items) and return their order-ids."""
        return [self.add_order(items=items, **fields) for _index in range(count)]

    def duplicate_entry(self, order_id, same_entry_id=False):
        """Deliver an order's order-created entry once more, as the newest entry."""
        with self.lock:
            original = next(entry for entry in self.entries
                            if entry['kind'] == 'order-created'
                            and entry['payload']['order-id'] == order_id)
            duplicate = dict(original, updated=self.options['clock']())
            if not same_entry_id:
                duplicate['entry_id'] = f'urn:uuid:{uuid.uuid4()}'
            self.entries.append(duplicate)

    def serve_raw_feed(self, body, count=1):
        """Answer the next `count` feed requests (current or archive page) with `body`."""
        if isinstance(body, str):
            body = body.encode()
        with self.lock:
            self.raw_feed_bodies.extend([body] * count)

    def expire_access_tokens(self):
        with self.lock:
            for token in self.access_tokens.values():
                token['expires'] = 0

    def expire_refresh_tokens(self):
        with self.lock:
            for token in self.refresh_tokens.values():
                token['expires'] = 0

    def updates_for(self, order_id):
        with self.lock:
            return [update for update in self.status_updates if update['order_id'] == order_id]

    def page_count(self):
        with self.lock:
            return self._current_page_index() + 1

    # ----------------------------------------------------------------- hooks

    def authenticate(self, request):
        if request.path.endswith('/oauth2/token'):
            return None
        scheme, _sep, token = request.headers.get('Authorization', '').partition(' ')
        state = self.access_tokens.get(token) if scheme.lower() == 'bearer' else None
        if not state or state['revoked'] or state['expires'] <= self.options['clock']():
            return self.message(401, 'Invalid token')
        return None

    def check_rate_limit(self, request):
        if self.rate_limiter is None:
            return None
        # "All rate limits are applied per service" (rate-limiting.md).
        service = 'accounts' if request.path.endswith('/oauth2/token') else 'dropship'
        decision = self.rate_limiter.hit(service)
        request.environ['simulator.rate_limit'] = decision
        if decision.allowed:
            return None
        self.throttled.append({'path': request.path, 'reset_at': self._reset_at(decision)})
        # The doc's example answer: text/plain "rate limit exceeded".
        return Response('rate limit exceeded', status=429, content_type='text/plain')

    def after_response(self, request, response):
        decision = request.environ.get('simulator.rate_limit')
        if decision is None:
            return
        response.headers.update(self.rate_limit_headers(decision))

    def rate_limit_headers(self, decision):
        """The X-RateLimit-* headers of a response, in the configured form."""
        headers = {'X-RateLimit-Limit': str(decision.limit),
                   'X-RateLimit-Remaining': str(decision.remaining)}
        if self.options['rate_limit_reset_format'] == 'seconds':
            headers['X-RateLimit-Reset'] = str(decision.reset_seconds)
        else:
            headers['X-RateLimit-Reset'] = format_reset_timestamp(self._reset_at(decision))
            headers['X-RateLimit-ResetSeconds'] = str(decision.reset_seconds)
        return headers

    def _reset_at(self, decision):
        return self.options['clock']() + decision.reset_seconds

    def message(self, status, message):
        return self.json({'Message': message}, status=status)

    # ----------------------------------------------------------------- tokens

    @route('POST', '/v1/oauth2/token')
    def issue_token(self, request):
        form = {key: values[0] for key, values in
                parse_qs(request.get_data(as_text=True), keep_blank_values=True).items()}
        grant_type = form.get('grant_type')
        if grant_type not in ('password', 'refresh_token'):
            return self.json({'error': 'unsupported_grant_type'}, status=400)
        if (form.get('client_id') != self.options['client_id']
                or form.get('client_secret') != self.options['client_secret']):
            return self.json({'error': 'invalid_client'}, status=400)
        now = self.options['clock']()
        if grant_type == 'password':
            if (form.get('username') != self.options['username']
                    or form.get('password') != self.options['password']):
                return self.json({'error': 'invalid_grant'}, status=400)
        else:
            used = self.refresh_tokens.get(form.get('refresh_token') or '')
            if (not used or used['revoked'] or used['expires'] <= now
                    or used['client_id'] != form['client_id']):
                return self.json({'error': 'invalid_grant'}, status=400)
            used['revoked'] = True
            self.access_tokens[used['access']]['revoked'] = True
        self.grants.append(grant_type)
        return self.json(self._issue_tokens(form['client_id'], now))

    def _issue_tokens(self, client_id, now):
        access, refresh = secrets.token_urlsafe(48), secrets.token_urlsafe(48)
        lifetime = self.options['access_token_lifetime']
        self.access_tokens[access] = {'expires': now + lifetime, 'client_id': client_id,
                                      'revoked': False}
        self.refresh_tokens[refresh] = {
            'expires': now + self.options['refresh_token_lifetime'], 'client_id': client_id,
            'access': access, 'revoked': False}
        return {'access_token': access, 'expires_in': lifetime, 'refresh_token': refresh}

    # ----------------------------------------------------------------- feed

    @route('GET', '/v1/Suppliers(<supplier_id>)/Notifications')
    def current_page(self, request, supplier_id):
        denial = self._check_supplier(supplier_id) or self._check_accept(request)
        if denial:
            return denial
        return self._raw_feed() or self._feed_page(request, self._current_page_index())

    @route('GET', '/v1/Suppliers(<supplier_id>)/Notifications/Pages(<page_id>)')
    def archive_page(self, request, supplier_id, page_id):
        denial = self._check_supplier(supplier_id) or self._check_accept(request)
        if denial:
            return denial
        self._ensure_page_ids()
        if page_id not in self.page_ids:
            return self.message(400, 'The request is invalid')
        return self._raw_feed() or self._feed_page(request, self.page_ids.index(page_id))

    def _check_supplier(self, supplier_id):
        if supplier_id != str(self.options['supplier_id']):
            return self.message(400, 'Cannot find supplier identifier in the uri')
        return None

    def _check_accept(self, request):
        accept = request.headers.get('Accept', '*/*')
        if not any(kind in accept for kind in ('atom+xml', 'application/xml', '*/*')):
            return self.message(406, 'The feed is only available as application/atom+xml')
        return None

    def _raw_feed(self):
        if not self.raw_feed_bodies:
            return None
        return Response(self.raw_feed_bodies.pop(0), status=200, content_type=ATOM_CONTENT_TYPE)

    def _current_page_index(self):
        # A page fills up to page_size entries; the next entry opens a new current page.
        return max(0, (len(self.entries) - 1) // self.options['page_size'])

    def _ensure_page_ids(self):
        while len(self.page_ids) <= self._current_page_index():
            self.page_ids.append(str(uuid.uuid4()))

    def _feed_page(self, request, index):
        self._ensure_page_ids()
        size = self.options['page_size']
        current = self._current_page_index()
        entries = self.entries[index * size:(index + 1) * size]
        base = f"{request.host_url.rstrip('/')}/v1/Suppliers({self.options['supplier_id']})"
        pages = f'{base}/Notifications/Pages'
        links = [('current', f'{base}/Notifications'),
                 ('self', f'{pages}({self.page_ids[index]})')]
        if index < current:
            links.append(('next-archive', f'{pages}({self.page_ids[index + 1]})'))
        if index > 0:
            links.append(('prev-archive', f'{pages}({self.page_ids[index - 1]})'))
        updated = entries[-1]['updated'] if entries else self.options['clock']()
        parts = [
            '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">',
            '<title type="text">Dropship Order Event Feed</title>',
            f'<id>urn:uuid:{self.page_ids[index]}</id>',
            f'<updated>{format_timestamp(updated)}</updated>',
            '<author><name>iQmetrix</name></author>',
        ]
        parts += [f'<link rel="{rel}" href="{escape(href)}" />' for rel, href in links]
        parts += [self._entry_xml(entry) for entry in reversed(entries)]  # newest first
        parts.append('</feed>')
        return Response('\n'.join(parts).encode(), status=200, content_type=ATOM_CONTENT_TYPE)

    def _entry_xml(self, entry):
        stamp = format_timestamp(entry['updated'])
        if entry['kind'] == 'order-created' and self.options['shipping_customer_phone']:
            body = order_created_xml(entry['payload'], CUSTOMER_FIELDS_WITH_PHONE)
        else:
            body = ORDER_XML[entry['kind']](entry['payload'])
        return (f'<entry><id>{escape(entry["entry_id"])}</id>'
                f'<title type="text">{entry["title"]}</title>'
                f'<published>{stamp}</published><updated>{stamp}</updated>'
                f'<content type="application/xml">{body}</content></entry>')

    def _append_entry(self, title, kind, payload, updated=None):
        self.entries.append({
            'entry_id': f'urn:uuid:{uuid.uuid4()}', 'title': title, 'kind': kind,
            'payload': payload,
            'updated': updated if updated is not None else self.options['clock'](),
        })

    # ----------------------------------------------------------------- status updates

    @route('PUT', '/v1/Suppliers(<supplier_id>)/Orders(<order_id>)/OrderStatusUpdate')
    def order_status_update(self, request, supplier_id, order_id):
        denial, body = self._check_update(request, supplier_id, order_id)
        if denial:
            return denial
        status = self._status_code(body.get('Status', 0))
        if status is None:
            return self.message(400, 'The request is invalid: unknown Status')
        state = self.order_states[order_id]
        state.update(status=status, tracking=body.get('TrackingInfo'),
                     provider=body.get('ShippingProvider'))
        for item_state in state['items'].values():
            item_state.update(status=status, tracking=body.get('TrackingInfo'))
        self._record_update(order_id, 'OrderStatusUpdate', body, [
            {'sku': item['sku'], 'catalog-id': item.get('catalog-id'),
             'quantity': item.get('quantity'), 'status': STATUS_NAMES[status],
             'tracking-info': body.get('TrackingInfo'),
             'shipping-provider': body.get('ShippingProvider'), 'message': body.get('Message'),
             'info': body.get('Info')}
            for item in self.orders[order_id]['items']])
        answer = {'Id': order_id, 'Status': body.get('Status', 0),
                  'TrackingInfo': body.get('TrackingInfo'),
                  'ShippingProvider': body.get('ShippingProvider'), 'Info': body.get('Info'),
                  'Message': body.get('Message')}
        return self.json(answer, status=self.options['status_update_code'])

    @route('PUT', '/v1/Suppliers(<supplier_id>)/Orders(<order_id>)/ItemStatusUpdate')
    def item_status_update(self, request, supplier_id, order_id):
        denial, body = self._check_update(request, supplier_id, order_id)
        if denial:
            return denial
        items = body.get('ItemInformation')
        if not isinstance(items, list) or not items:
            return self.message(400, 'The request is invalid: ItemInformation is required')
        known = {item['sku']: item for item in self.orders[order_id]['items']}
        for item in items:
            if not isinstance(item, dict) or not item.get('Sku'):
                return self.message(400, 'The request is invalid: Sku is required')
            if item['Sku'] not in known:
                return self.message(400, f"The request is invalid: Sku {item['Sku']} is not "
                                         f"on order {order_id}")
            if self._status_code(item.get('Status', 0)) is None:
                return self.message(400, 'The request is invalid: unknown Status')
        echoed, feed_items = [], []
        for item in items:
            status = self._status_code(item.get('Status', 0))
            self.order_states[order_id]['items'][item['Sku']].update(
                status=status, tracking=item.get('TrackingInfo'))
            ordered = known[item['Sku']]
            echoed.append({
                'Sku': item['Sku'], 'CatalogId': item.get('CatalogId') or ordered['catalog-id'],
                'Quantity': item.get('Quantity') or int(ordered['quantity']),
                'Status': item.get('Status', 0), 'TrackingInfo': item.get('TrackingInfo'),
                'ShippingProvider': item.get('ShippingProvider'), 'Info': item.get('Info'),
                'Message': item.get('Message')})
            feed_items.append({
                'sku': item['Sku'], 'catalog-id': ordered['catalog-id'],
                'quantity': str(item.get('Quantity') or ordered['quantity']),
                'status': STATUS_NAMES[status], 'tracking-info': item.get('TrackingInfo'),
                'shipping-provider': item.get('ShippingProvider'),
                'message': item.get('Message'), 'info': item.get('Info')})
        self._record_update(order_id, 'ItemStatusUpdate', body, feed_items)
        return self.json({'Id': order_id, 'ItemInformation': echoed},
                         status=self.options['status_update_code'])

    def _check_update(self, request, supplier_id, order_id):
        denial = self._check_supplier(supplier_id)
        if denial:
            return denial, None
        if order_id not in self.orders:
            return self.message(404, 'Not found'), None
        body = self.request_json(request)
        if not isinstance(body, dict) or body.get('Id') != order_id:
            return self.message(400, 'The request is invalid: Id must be the order id'), None
        return None, body

    def _status_code(self, value):
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value if 0 <= value < len(STATUS_NAMES) else None
        if self.options['accept_status_names'] and value in STATUS_NAMES:
            return STATUS_NAMES.index(value)
        return None

    def _record_update(self, order_id, endpoint, body, feed_items):
        self.status_updates.append({'order_id': order_id, 'endpoint': endpoint, 'body': body})
        if self.options['echo_status_entries']:
            self._append_entry(STATUS_UPDATED_TITLE, 'order-status-updated', {
                'company-id': self.orders[order_id]['seller']['company-id'],
                'items': feed_items, 'order-id': order_id,
                'supplier-id': str(self.options['supplier_id'])})

    # ----------------------------------------------------------------- payload helpers

    def _order_item(self, item):
        return {'catalog-id': item.get('catalog-id') or str(uuid.uuid4()),
                'description': item.get('description') or f"Item {item['sku']}",
                'quantity': str(item.get('quantity', 1)),
                'selling-price': str(item.get('selling-price', '100')),
                'sku': item['sku']}

    def _shipping_address(self, ship_to_store, overrides, address_type):
        address = dict(DEFAULT_STORE_ADDRESS if ship_to_store else DEFAULT_HOME_ADDRESS)
        address['address-id'] = str(uuid.uuid4())
        if address_type == 'default':
            address_type = self.options['store_address_type'] if ship_to_store else 'Home'
        address['type'] = address_type
        address.update(overrides or {})
        return address


# --------------------------------------------------------------------- XML rendering

def _element(name, value):
    if value is None:
        return f'<{name} i:nil="true" />'
    return f'<{name}>{escape(str(value))}</{name}>'


def _record(name, fields, values):
    return f'<{name}>' + ''.join(_element(field, values.get(field)) for field in fields) + \
        f'</{name}>'


def order_created_xml(payload, customer_fields=CUSTOMER_FIELDS):
    items = ''.join(_record('order-item', ORDER_ITEM_FIELDS, item) for item in payload['items'])
    return (
        '<order-created xmlns:i="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns="urn:iQmetrix:dropship">'
        f'<items>{items}</items>'
        + _element('order-id', payload['order-id'])
        + _record('seller', SELLER_FIELDS, payload['seller'])
        + _element('ship-to-store', payload['ship-to-store'])
        + _record('shipping-address', ADDRESS_FIELDS, payload['shipping-address'])
        + _record('shipping-customer', customer_fields, payload['shipping-customer'])
        + _element('shipping-method', payload['shipping-method'])
        + _element('supplier-id', payload['supplier-id'])
        + '</order-created>'
    )


def order_status_updated_xml(payload):
    items = ''.join(_record('item-information', ITEM_INFORMATION_FIELDS, item)
                    for item in payload['items'])
    return (
        '<order-status-updated xmlns:i="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns="urn:iQmetrix:dropship">'
        + _element('company-id', payload['company-id'])
        + f'<items>{items}</items>'
        + _element('order-id', payload['order-id'])
        + _element('supplier-id', payload['supplier-id'])
        + '</order-status-updated>'
    )


ORDER_XML = {'order-created': order_created_xml, 'order-status-updated': order_status_updated_xml}
