"""DSCO (Rithum) Platform API v3 simulator, built from the OpenAPI file
``shared/reference/openapi/dsco-v3.yaml`` ("Rithum | Dsco Platform API") and
``shared/docs/platforms/dsco.md``. Operation ids and paths of the spec:

- ``getAccessToken`` POST /oauth2/token: form ``grant_type=client_credentials``,
  ``client_id``, ``client_secret`` -> ``{access_token, token_type: "Bearer", expires_in}``;
  400 ``{"error": "invalid_request"}`` for another grant type, 401
  ``{"error": "invalid_client"}`` for wrong credentials. No refresh token. Every other
  route needs ``Authorization: bearer <token>``; an expired or unknown token answers 401.
- ``helloWorld`` GET /hello -> ``{"hello": "World!"}``.
- ``createStream`` POST /stream (``objectType``, ``query`` required) -> 201 the Stream with
  its ``id`` and ``partitions[{partitionId, position, maxPosition, status}]``.
- ``listStreams`` GET /stream?id= -> an array of Streams.
- ``getStreamEventsFromPosition`` GET /stream/{id}/{partitionId}/{position} ->
  ``{events: [{id, payload: Order, source: "stream", partitionId, streamVersion}],
  partitionId, ownerId}``: the events *after* ``position``, at most
  ``maxEvents.objectCount``. Option ``replay_overlap`` (at-least-once delivery, which
  the spec allows: the position only says what the client has read) re-sends that many
  events before ``position`` at the head of each answer. An unknown position is a 400.
- ``updateStreamPosition`` PUT /stream/{id}/{partitionId}/{position} -> ``{"status":
  "success"}``.
- ``acknowledgeOrders`` POST /order/acknowledge: an array of ``{id, type}`` (type
  ``DSCO_ORDER_ID|PO_NUMBER|SUPPLIER_ORDER_NUMBER``) -> 202 AsyncUpdateResponse
  ``{status: "pending", requestId, eventDate}``.
- ``singleShipment`` POST /order/singleShipment ``{dscoOrderId, shipments: [{trackingNumber,
  shipCarrier, shipDate, lineItems: [{quantity, sku|dscoItemId, lineNumber}]}]}`` -> 201
  ``{"status": "success", "success": true}``; refuses (400) an unknown order, an unknown
  carrier code, or more than a line has left to ship.
- ``cancelOrderItem`` POST /order/item/cancel ``{id, type, lineItems: [{sku,
  cancelledQuantity, cancelCode, cancelledReason}]}`` -> 200 SyncUpdateResponse.

Refusals (400) answer the spec's SyncUpdateResponse with ``status: "failure"`` and
``messages[{code, severity: "error", description}]``. Faults: ``sim.inject('rate_limit')``
(429) and ``sim.inject('server_error')`` (5xx) from the base; ``fail_page(page)`` fails
the n-th page of the order stream (page = position index // page size + 1).
"""
import json
import re
import secrets
import time
import uuid
from datetime import UTC, datetime
from typing import ClassVar

from werkzeug.wrappers import Response

from .base import Simulator, route

TOKEN_PATH = '/oauth2/token'
ID_TYPES = ('DSCO_ORDER_ID', 'PO_NUMBER', 'SUPPLIER_ORDER_NUMBER')
START_POSITION = '0'
SMALL_BATCH_MAX_BYTES = 5 * 1024 * 1024  # "up to five megabytes" (small batches)


def _now_iso():
    return datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


CATEGORY_PART = re.compile(r'^[^|]+$')


class CatalogAndInventory:
    """Catalog and inventory batches (dsco-v3.yaml updateCatalogSmallBatch,
    updateCatalogLargeBatch, getCatalogChangeLog, updateInventorySmallBatch,
    getInventoryChangeLog). Batches are asynchronous: an accepted batch answers its
    requestId at once; its change log answers ``status: PROCESSING`` for
    ``log_processing_reads`` reads, then ``COMPLETED`` with one entry per object,
    ``success`` or ``failure`` with ``results[{code, severity, description}]``. A large
    batch answers a ``dataUrl`` (here on the simulator, on DSCO a storage URL) to PUT the
    JSON Lines to, with the same headers. Catalog refusals per SKU: missing sku/title/
    productStatus, a category path not of the form A||B||C, an image reference that is not
    HTTPS, a SKU in ``catalog_reject_skus``. Inventory refusals: a SKU not in the catalog
    ("Catalog item not found"), a warehouse code not in ``warehouse_codes``, a
    quantityAvailable that is not the sum of the warehouses."""

    # ----------------------------------------------------------------- catalog

    @route('POST', '/catalog/batch/small')
    def catalog_small_batch(self, request):  # updateCatalogSmallBatch
        return self._accept_batch(request, 'catalog')

    @route('POST', '/catalog/batch/large')
    def catalog_large_batch(self, request):  # updateCatalogLargeBatch
        request_id = uuid.uuid4().hex
        self.uploads[request_id] = 'catalog'
        return self.json({'status': 'success', 'requestId': request_id, 'eventDate': _now_iso(),
                          'dataUrl': f'{self.url}/upload/{request_id}'})

    @route('PUT', '/upload/<request_id>')
    def large_batch_upload(self, request, request_id):  # the dataUrl (not a spec path)
        kind = self.uploads.pop(request_id, None)
        if kind is None:
            return self.failure(404, 'NOT_FOUND', f'No upload expected for {request_id}')
        items = []
        for number, line in enumerate(request.get_data().decode().splitlines(), start=1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except ValueError:
                    items.append({'_malformed': f'line {number} is not JSON'})
        self.batch_requests[request_id] = {'kind': kind, 'items': items, 'reads': 0,
                                           'logs': None}
        return Response(status=200)

    @route('GET', '/catalog/log')
    def catalog_log(self, request):  # getCatalogChangeLog
        return self._change_log(request, 'catalog')

    # ----------------------------------------------------------------- inventory

    @route('POST', '/inventory/batch/small')
    def inventory_small_batch(self, request):  # updateInventorySmallBatch
        return self._accept_batch(request, 'inventory')

    @route('GET', '/inventory/log')
    def inventory_log(self, request):  # getInventoryChangeLog
        return self._change_log(request, 'inventory')

    # ----------------------------------------------------------------- the async part

    def _accept_batch(self, request, kind):
        if len(request.get_data()) > SMALL_BATCH_MAX_BYTES:
            return self.failure(413, 'TOO_LARGE', 'a small batch takes up to five megabytes')
        body = self.request_json(request)
        if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
            return self.failure(400, 'INVALID_REQUEST', 'a JSON array of objects is required')
        request_id = uuid.uuid4().hex
        self.batch_requests[request_id] = {'kind': kind, 'items': body, 'reads': 0, 'logs': None}
        return self.json({'status': 'pending', 'requestId': request_id, 'eventDate': _now_iso()},
                         status=202)

    def _change_log(self, request, kind):
        scroll = request.args.get('scrollId')
        if scroll:
            request_id, _, offset = scroll.partition(':')
            batch = self.batch_requests.get(request_id)
            if batch is None or batch['logs'] is None:
                return self.failure(404, 'NOT_FOUND', 'scrollId expired or unknown')
            return self._log_page(batch, request_id, int(offset or 0))
        request_id = request.args.get('requestId')
        batch = self.batch_requests.get(request_id)
        if batch is None or batch['kind'] != kind:
            return self.json({'status': 'COMPLETED', 'logs': []})
        batch['reads'] += 1
        if batch['reads'] <= self.options['log_processing_reads']:
            return self.json({'status': 'PROCESSING', 'logs': []})
        if batch['logs'] is None:
            batch['logs'] = [self._process(kind, item, request_id) for item in batch['items']]
        return self._log_page(batch, request_id, 0)

    def _log_page(self, batch, request_id, offset):
        size = self.options['log_page_size']
        logs = batch['logs'][offset:offset + size]
        answer = {'status': 'COMPLETED', 'logs': logs}
        if logs:  # an empty page ends the scroll (spec)
            answer['scrollId'] = f'{request_id}:{offset + size}'
        return self.json(answer)

    def _process(self, kind, item, request_id):
        problems = (self._catalog_problems(item) if kind == 'catalog'
                    else self._inventory_problems(item))
        if not problems:
            (self.catalog if kind == 'catalog' else self.inventory)[item['sku']] = item
        entry = {'payload': {'message': item} if kind == 'catalog' else item,
                 'dateProcessed': _now_iso(), 'status': 'failure' if problems else 'success',
                 'requestMethod': 'api', 'requestId': request_id,
                 'results': [{'code': code, 'severity': 'error', 'description': text}
                             for code, text in problems]
                 or [{'code': 'SUCCESS', 'severity': 'info', 'description': 'processed'}]}
        if kind == 'inventory' and not isinstance(item.get('sku'), str):
            entry['payload'] = {'sku': str(item.get('sku')), 'warehouses': []}
        return entry

    def _catalog_problems(self, item):
        if item.get('_malformed'):
            return [('INVALID_REQUEST', item['_malformed'])]
        missing = [key for key in ('sku', 'title', 'productStatus') if not item.get(key)]
        if missing:
            return [('MISSING_REQUIRED', f"Missing required field: {', '.join(missing)}")]
        problems = []
        for path in (item.get('categories') or {}).get('default') or []:
            if not all(CATEGORY_PART.match(part) for part in path.split('||')):
                problems.append(('INVALID_CATEGORY', f'Invalid category path: {path}'))
        for image in item.get('images') or []:
            if not str(image.get('reference', '')).startswith('https://'):
                problems.append(('INVALID_IMAGE', 'Image URL not accessible: '
                                 f"{image.get('reference')}"))
        if item['sku'] in self.options['catalog_reject_skus']:
            problems.append(('DUPLICATE_SKU', f"Duplicate supplierSku: {item['sku']}"))
        return problems

    def _inventory_problems(self, item):
        if item.get('sku') not in self.catalog:
            return [('NOT_FOUND', f"Catalog item not found: {item.get('sku')}")]
        warehouses = item.get('warehouses') or []
        known = self.options['warehouse_codes']
        bad = [w.get('code') for w in warehouses
               if known is not None and w.get('code') not in known]
        if bad:
            return [('INVALID_WAREHOUSE', f"Invalid warehouse code: {', '.join(map(str, bad))}")]
        if not warehouses or item.get('quantityAvailable') != sum(
                w.get('quantity') or 0 for w in warehouses):
            return [('INVALID_QUANTITY', 'quantityAvailable must be the sum of the warehouses')]
        return []



class DscoSimulator(CatalogAndInventory, Simulator):
    name = 'dsco'
    default_port = 8077
    default_options: ClassVar[dict] = {
        'client_id': 'dsco-client',
        'client_secret': 'dsco-secret',
        'token_lifetime': 3600,
        'clock': time.time,
        'replay_overlap': 0,  # events re-sent before the asked position (at-least-once)
        'default_object_count': 1000,
        'carrier_codes': ('USPS', 'UPS', 'FedEx', 'DHL', 'OnTrac', 'LaserShip'),
        # change logs answer PROCESSING this many times per request before COMPLETED
        'log_processing_reads': 1,
        'log_page_size': 1000,  # change log entries per page (then a scrollId)
        'catalog_reject_skus': (),  # SKUs the catalog refuses ("Duplicate supplierSku")
        'warehouse_codes': None,  # the DSCO warehouse codes of the account (None: any)
        'forbidden_paths': (),  # paths this client has no permission for (403)
    }

    def init_state(self):
        self.token_expiry = {}
        self.issued_secrets = []
        self.streams = {}
        self.events = {}  # (stream id, partition) -> [event, ...]
        self.orders = {}  # dscoOrderId -> Order
        self.acknowledged = []  # ids acknowledged, in order
        self.shipments = []  # singleShipment bodies (and batch objects) accepted
        self.refused_shipments = []  # (batch object, reason)
        self.cancellations = []  # cancelOrderItem bodies accepted
        self.page_faults = {}  # page number -> [status, ...]
        self.exchanges = []  # (RecordedRequest, status, body, content type) of routed calls
        self.catalog = {}  # sku -> ItemCatalog accepted
        self.inventory = {}  # sku -> ItemInventory accepted
        self.batch_requests = {}  # requestId -> {kind, items, reads, logs}
        self.uploads = {}  # requestId of a large batch -> kind, until its PUT arrives
        self.order_scrolls = {}  # getOrders scroll key -> (orders, page size)
        self._sequence = 0

    # ----------------------------------------------------------------- test controls

    def add_order(self, order, emit=True):
        """Seed an Order (``dscoOrderId`` given or generated): one event per order stream
        (``emit=False``: an event lost on the way, for the reconciliation)."""
        with self.lock:
            order = dict(order)
            order.setdefault('dscoOrderId', str(len(self.orders) + 1000001))
            self.orders[order['dscoOrderId']] = order
            for stream in self.streams.values() if emit else ():
                self._append_event(stream, order)
            return order

    def drop_stream(self, stream_id):
        """DSCO no longer has the stream (deleted on the portal, expired)."""
        with self.lock:
            self.streams.pop(stream_id, None)
            for key in [key for key in self.events if key[0] == stream_id]:
                del self.events[key]

    def seed_orders(self, count, sku, prefix='PO'):
        return [self.add_order(sample_order(f'{prefix}-{number:05d}', sku))['dscoOrderId']
                for number in range(1, count + 1)]

    def expire_tokens(self):
        with self.lock:
            self.token_expiry = dict.fromkeys(self.token_expiry, 0)

    def fail_page(self, page, status=500, times=1):
        with self.lock:
            self.page_faults.setdefault(page, []).extend([status] * times)

    def event_reads(self):
        """(position asked, number of events answered) of every event read, in order."""
        with self.lock:
            return [request.path.rsplit('/', 1)[1] for request in self.requests
                    if request.method == 'GET' and request.path.count('/') == 4
                    and request.path.startswith('/stream/')]

    def page_of(self, stream_id, partition, position):
        """Page number of a read from ``position`` (for the paged-import kit)."""
        stream = self.streams[stream_id]
        index = self._position_index(stream_id, partition, position)
        return index // stream['maxEvents']['objectCount'] + 1

    def partition_position(self, stream_id, partition=0):
        with self.lock:
            return self.streams[stream_id]['partitions'][partition]['position']

    # ----------------------------------------------------------------- hooks

    def authenticate(self, request):
        if request.path == TOKEN_PATH:
            return None
        scheme, _, token = request.headers.get('Authorization', '').partition(' ')
        if scheme.lower() != 'bearer' or not token:
            return self.json({'message': 'missing bearer token'}, status=401)
        if self.token_expiry.get(token, 0) <= self.options['clock']():
            return self.json({'message': 'invalid or expired access token'}, status=401)
        if request.path in self.options['forbidden_paths']:
            return self.failure(403, 'FORBIDDEN', f'This client may not call {request.path}')
        return None

    def failure(self, status, code, description):
        """The spec's SyncUpdateResponse with status failure (a refused update)."""
        return self.json({'status': 'failure', 'requestId': uuid.uuid4().hex,
                          'eventDate': _now_iso(),
                          'messages': [{'code': code, 'severity': 'error',
                                        'description': description}]}, status=status)

    # ----------------------------------------------------------------- OAuth2

    @route('POST', TOKEN_PATH)
    def get_access_token(self, request):  # getAccessToken
        form = request.form
        if form.get('grant_type') != 'client_credentials':
            return self.json({'error': 'invalid_request',
                              'error_description': 'grant_type must be client_credentials'},
                             status=400)
        if (form.get('client_id'), form.get('client_secret')) != (
                self.options['client_id'], self.options['client_secret']):
            return self.json({'error': 'invalid_client',
                              'error_description': 'unknown client or wrong secret'}, status=401)
        token = secrets.token_hex(16)
        self.issued_secrets.append(token)
        lifetime = self.options['token_lifetime']
        self.token_expiry[token] = self.options['clock']() + lifetime
        return self.json({'access_token': token, 'token_type': 'Bearer', 'expires_in': lifetime})

    @route('GET', '/hello')
    def hello_world(self, request):  # helloWorld
        return self.json({'hello': 'World!'})

    # ----------------------------------------------------------------- streams

    @route('POST', '/stream')
    def create_stream(self, request):  # createStream
        body = self.request_json(request)
        if not isinstance(body, dict) or not body.get('objectType') or 'query' not in body:
            return self.failure(400, 'INVALID_REQUEST', 'objectType and query are required')
        count = min(int((body.get('maxEvents') or {}).get('objectCount')
                        or self.options['default_object_count']), 10000)
        stream = {
            'id': uuid.uuid4().hex[:12], 'objectType': body['objectType'],
            'description': body.get('description', ''), 'query': body['query'],
            'numPartitions': max(1, min(int(body.get('numPartitions') or 1), 20)),
            'maxEvents': {'objectCount': count}, 'streamVersion': 1,
        }
        stream['partitions'] = [
            {'partitionId': number, 'position': START_POSITION, 'maxPosition': START_POSITION,
             'status': 'active'} for number in range(stream['numPartitions'])]
        self.streams[stream['id']] = stream
        for number in range(stream['numPartitions']):
            self.events[stream['id'], number] = []
        if body['objectType'] == 'order':
            for order in self.orders.values():
                self._append_event(stream, order)
        return self.json(stream, status=201)

    @route('GET', '/stream')
    def list_streams(self, request):  # listStreams
        wanted = request.args.get('id')
        return self.json([stream for stream in self.streams.values()
                          if not wanted or stream['id'] == wanted])

    @route('GET', '/stream/<stream_id>/<int:partition>/<path:position>')
    def get_stream_events(self, request, stream_id, partition, position):
        # getStreamEventsFromPosition
        events = self.events.get((stream_id, partition))
        if events is None:
            return self.failure(404, 'NOT_FOUND', f'Stream not found: {stream_id}/{partition}')
        index = self._position_index(stream_id, partition, position)
        if index is None:
            return self.failure(400, 'INVALID_POSITION', f'Invalid stream position: {position}')
        count = self.streams[stream_id]['maxEvents']['objectCount']
        start = max(0, index - self.options['replay_overlap'])
        return self.json({'events': events[start:start + count], 'partitionId': partition,
                          'ownerId': 'simulator'})

    @route('PUT', '/stream/<stream_id>/<int:partition>/<path:position>')
    def update_stream_position(self, request, stream_id, partition, position):
        # updateStreamPosition
        if (stream_id, partition) not in self.events:
            return self.failure(404, 'NOT_FOUND', f'Stream not found: {stream_id}/{partition}')
        if self._position_index(stream_id, partition, position) is None:
            return self.failure(400, 'INVALID_POSITION', f'Invalid stream position: {position}')
        self.streams[stream_id]['partitions'][partition].update(
            position=position, lastUpdate=_now_iso())
        return self.json({'status': 'success'})

    def dispatch(self, request):
        if request.method == 'GET' and request.path.startswith('/stream/'):
            parts = request.path.split('/')
            with self.lock:
                page = self._page_of_path(parts)
                faults = self.page_faults.get(page) if page else None
                status = faults.pop(0) if faults else None
            if status:
                self._record(request)
                return self.failure(status, 'SERVER_ERROR', f'page fault injected ({status})')
        response = super().dispatch(request)
        with self.lock:
            if self.requests and not self._fault_answered(response):
                self.exchanges.append((self.requests[-1], response.status_code,
                                       response.get_data(), response.mimetype))
        return response

    def _fault_answered(self, response):
        return response.status_code in (429, 500, 502, 503, 504)

    def _page_of_path(self, parts):
        if len(parts) != 5 or parts[2] not in self.streams or not parts[3].isdigit():
            return None
        if self._position_index(parts[2], int(parts[3]), parts[4]) is None:
            return None
        return self.page_of(parts[2], int(parts[3]), parts[4])

    def _position_index(self, stream_id, partition, position):
        """How many events of the partition are at or before ``position`` (None: unknown)."""
        if position == START_POSITION:
            return 0
        for index, event in enumerate(self.events.get((stream_id, partition), ())):
            if event['id'] == position:
                return index + 1
        return None

    def _append_event(self, stream, order, reason='create'):
        # eventReasons is one OrderEventTypes string (create, update_order_info, ...)
        if stream['objectType'] != 'order':
            return
        partition = int(order['dscoOrderId']) % stream['numPartitions']
        self._sequence += 1
        event_id = f'{self._sequence:012d}'
        self.events[stream['id'], partition].append({
            'id': event_id, 'payload': order, 'source': 'stream',
            'eventReasons': reason, 'partitionId': partition, 'streamVersion': 1})
        stream['partitions'][partition]['maxPosition'] = event_id

    # ----------------------------------------------------------------- orders

    @route('GET', '/order/')
    def get_order_by_id(self, request):  # getOrderById
        key, value = request.args.get('orderKey'), request.args.get('value')
        if key not in ('dscoOrderId', 'poNumber', 'supplierOrderNumber') or not value:
            return self.failure(400, 'INVALID_REQUEST', 'orderKey and value are required')
        found = [order for order in self.orders.values() if str(order.get(key)) == value]
        if not found:
            return self.failure(404, 'NOT_FOUND', f'Order not found: {key}={value}')
        return self.json(self._with_status(found[0]))

    @route('GET', '/order/page')
    def get_orders(self, request):  # getOrders
        """Paged by scrollId (an empty page ends it); ``status`` filters on the order's
        status (created / shipment_pending / shipped / cancelled, from its lines)."""
        scroll = request.args.get('scrollId')
        if scroll:
            snapshot = self.order_scrolls.get(scroll.split(':')[0])
            if snapshot is None:
                return self.failure(404, 'NOT_FOUND', 'scrollId expired or unknown')
            return self._orders_page(scroll.split(':')[0], snapshot, int(scroll.split(':')[1]))
        if not (request.args.get('ordersCreatedSince') or request.args.get('ordersUpdatedSince')) \
                or not request.args.get('until'):
            return self.failure(400, 'INVALID_REQUEST',
                                'ordersCreatedSince or ordersUpdatedSince, and until, are required')
        statuses = request.args.getlist('status')
        orders = [self._with_status(order) for order in self.orders.values()]
        orders = [order for order in orders if not statuses or order['dscoStatus'] in statuses]
        key = uuid.uuid4().hex
        self.order_scrolls[key] = (orders, int(float(request.args.get('ordersPerPage') or 1000)))
        return self._orders_page(key, self.order_scrolls[key], 0)

    def _orders_page(self, key, snapshot, offset):
        orders, size = snapshot
        page = orders[offset:offset + size]
        answer = {'orders': page}
        if page:
            answer['scrollId'] = f'{key}:{offset + size}'
        return self.json(answer)

    @staticmethod
    def _with_status(order):
        lines = order.get('lineItems') or []
        shipped = sum(line.get('shippedQuantity', 0) for line in lines)
        done = all(line.get('shippedQuantity', 0) + line.get('cancelledQuantity', 0)
                   >= line.get('quantity', 0) for line in lines)
        status = ('shipped' if shipped else 'cancelled') if done and lines else (
            'shipment_pending' if shipped else 'created')
        return dict(order, dscoStatus=status)

    @route('POST', '/order/acknowledge')
    def acknowledge_orders(self, request):  # acknowledgeOrders
        body = self.request_json(request)
        if not isinstance(body, list) or not all(
                isinstance(item, dict) and item.get('id') and item.get('type') in ID_TYPES
                for item in body):
            return self.failure(400, 'INVALID_REQUEST', 'an array of {id, type} is required')
        self.acknowledged.extend(str(item['id']) for item in body)
        for item in body:
            order = self.orders.get(str(item['id']))
            if order is not None:
                order['dscoLifecycle'] = 'acknowledged'
        return self.json({'status': 'pending', 'requestId': uuid.uuid4().hex,
                          'eventDate': _now_iso()}, status=202)

    @route('POST', '/order/singleShipment')
    def single_shipment(self, request):  # singleShipment
        body = self.request_json(request)
        if not isinstance(body, dict) or not body.get('shipments'):
            return self.failure(400, 'INVALID_REQUEST', 'shipments are required')
        order = self.orders.get(str(body.get('dscoOrderId')))
        if order is None:
            return self.failure(400, 'ORDER_NOT_FOUND',
                                f"Order not found: {body.get('dscoOrderId')}")
        for shipment in body['shipments']:
            problem = self._shipment_problem(order, shipment)
            if problem:
                return self.failure(400, 'INVALID_SHIPMENT', problem)
        for shipment in body['shipments']:
            self._ship_lines(order, shipment)
        self.shipments.append(body)
        return self.json({'status': 'success', 'success': True}, status=201)

    @route('POST', '/order/shipment/batch/small')
    def shipment_small_batch(self, request):  # createShipmentSmallBatch
        """Async: accepted at once (202); each valid object is applied, the refused ones
        are kept in ``refused_shipments`` (DSCO reports them in the order change log)."""
        body = self.request_json(request)
        if not isinstance(body, list) or not all(
                isinstance(item, dict) and item.get('shipments') for item in body):
            return self.failure(400, 'INVALID_REQUEST', 'an array of {dscoOrderId, shipments}')
        for item in body:
            order = self.orders.get(str(item.get('dscoOrderId')))
            problem = 'Order not found' if order is None else next(filter(None, (
                self._shipment_problem(order, shipment) for shipment in item['shipments'])), None)
            if problem:
                self.refused_shipments.append((item, problem))
                continue
            for shipment in item['shipments']:
                self._ship_lines(order, shipment)
            self.shipments.append(item)
        return self.json({'status': 'pending', 'requestId': uuid.uuid4().hex,
                          'eventDate': _now_iso()}, status=202)

    def _shipment_problem(self, order, shipment):
        if not shipment.get('trackingNumber') or not shipment.get('lineItems'):
            return 'trackingNumber and lineItems are required'
        if shipment.get('shipCarrier') not in self.options['carrier_codes']:
            return f"Invalid carrier code: {shipment.get('shipCarrier')}"
        for item in shipment['lineItems']:
            line = self._order_line(order, item)
            if line is None:
                return f'Unknown line item: {item}'
            left = line['quantity'] - line.get('shippedQuantity', 0) \
                - line.get('cancelledQuantity', 0)
            if item.get('quantity', 0) > left:
                return f"Line {line.get('lineNumber')}: {item['quantity']} shipped, {left} left"
        return None

    def _ship_lines(self, order, shipment):
        for item in shipment['lineItems']:
            line = self._order_line(order, item)
            line['shippedQuantity'] = line.get('shippedQuantity', 0) + item['quantity']
        order.setdefault('packages', []).append({
            key: shipment.get(key) for key in ('trackingNumber', 'shipDate', 'shipCarrier')})

    @staticmethod
    def _order_line(order, item):
        for line in order.get('lineItems', ()):
            if item.get('lineNumber') is not None and line.get('lineNumber') != item['lineNumber']:
                continue
            if item.get('sku') in (None, line.get('sku')):
                return line
        return None

    @route('POST', '/order/item/cancel')
    def cancel_order_item(self, request):  # cancelOrderItem
        body = self.request_json(request)
        if not isinstance(body, dict) or body.get('type') not in ID_TYPES \
                or not body.get('lineItems'):
            return self.failure(400, 'INVALID_REQUEST', 'id, type and lineItems are required')
        order = self.orders.get(str(body.get('id')))
        if order is None:
            return self.failure(400, 'ORDER_NOT_FOUND', f"Order not found: {body.get('id')}")
        for item in body['lineItems']:
            line = self._order_line(order, item)
            if line is None or not item.get('cancelCode'):
                return self.failure(400, 'INVALID_REQUEST', f'Cannot cancel {item}')
            line['cancelledQuantity'] = line.get('cancelledQuantity', 0) \
                + item.get('cancelledQuantity', 0)
        self.cancellations.append(body)
        return self.json({'status': 'success', 'requestId': uuid.uuid4().hex,
                          'eventDate': _now_iso()})


def sample_order(po_number, sku, quantity=1, **extra):
    """A Poshmark order as DSCO delivers it (spec ``Order``: poNumber, lineItems, shipping)."""
    return {
        'poNumber': po_number, 'channel': 'Poshmark', 'orderType': 'Dropship',
        'dscoLifecycle': 'created', 'currencyCode': 'USD',
        'retailerCreateDate': '2026-11-30T15:04:05Z',
        'shipping': {'name': 'Pat Buyer', 'address': ['12 Closet Lane', 'Apt 3'],
                     'city': 'Austin', 'region': 'TX', 'postal': '78701', 'country': 'US',
                     'email': f'{po_number.lower()}@buyers.example', 'phone': '+15125550123'},
        'lineItems': [{'lineNumber': 1, 'sku': sku, 'quantity': quantity,
                       'dscoItemId': f'item-{sku}', 'consumerPrice': 25.0, 'title': sku}],
        **extra,
    }


# ----------------------------------------------------------------- sandbox demo data

#: The SKUs of channel_dsco's demo products (addons/channel_dsco/demo).
DEMO_PRODUCTS = {  # SKU -> (title, consumer price)
    'POSH-DEMO-JACKET': ('Denim jacket', 48.0),
    'POSH-DEMO-BOOTS': ('Leather ankle boots', 85.0),
    'POSH-DEMO-BAG': ('Canvas tote bag', 22.0),
}
DEMO_BUYERS = (
    ('Riley Closet', '88 Market St', 'San Francisco', 'CA', '94103'),
    ('Sam Thrift', '5 Harbor Rd', 'Seattle', 'WA', '98101'),
    ('Alex Vintage', '410 Elm Ave', 'Denver', 'CO', '80202'),
)


def _demo_order(number, lines, buyer=0):
    name, street, city, region, postal = DEMO_BUYERS[buyer % len(DEMO_BUYERS)]
    order = sample_order(f'POSH-DEMO-{number:04d}', 'POSH-DEMO-JACKET')
    order['dscoOrderId'] = str(9000000 + number)  # stable from one sandbox start to the next
    order['shipping'] = dict(order['shipping'], name=name, address=[street], city=city,
                             region=region, postal=postal,
                             email=f'buyer{number}@poshmark.example')
    order['lineItems'] = [{'lineNumber': index, 'sku': sku, 'quantity': quantity,
                           'dscoItemId': f'item-{sku}', 'title': DEMO_PRODUCTS[sku][0],
                           'consumerPrice': DEMO_PRODUCTS[sku][1]}
                          for index, (sku, quantity) in enumerate(lines, start=1)]
    return order


def seed_demo(simulator):
    """Four Poshmark orders of the demo products for the demo account's order stream
    (the stream, created by the first read, holds every order the simulator has)."""
    return [simulator.add_order(order) for order in (
        _demo_order(1, [('POSH-DEMO-JACKET', 1)]),
        _demo_order(2, [('POSH-DEMO-BOOTS', 1), ('POSH-DEMO-BAG', 2)], buyer=1),
        _demo_order(3, [('POSH-DEMO-BAG', 1)], buyer=2),
        _demo_order(4, [('POSH-DEMO-JACKET', 1), ('POSH-DEMO-BOOTS', 1)]),
    )]


def add_demo_order(simulator, number):
    """The sandbox's trickle: one more Poshmark order."""
    skus = list(DEMO_PRODUCTS)
    return simulator.add_order(_demo_order(100 + number, [(skus[number % len(skus)], 1)],
                                           buyer=number))
