"""IQ Reseller (IQR) simulator, built from docs/platforms/iqreseller.md and seed 000.

Sign-in host and API host are separate base URLs in production; here one server answers both
(the paths differ):

- POST /api/IntegrationAPI/Session {"APIToken": key} -> {"Data": "<session token>"} [D].
- DELETE /api/IntegrationAPI/Session with `Authorization: Bearer <token>` ends the session [3P].
- Every /webapi.svc/ call needs `iqr-session-token: <token>`; an unknown, ended or expired
  session answers 401 (the public connector re-authenticates on a 401) [3P].
- GET /webapi.svc/SO/JSON/GetSOs?Page=&PageSize=&SortBy= -> a bare JSON array of SOs with the
  documented lowercase fields and SODetails [3P, confirmed by working code].
  Page=0&PageSize=0 returns everything (as the vendor docs claim).
- POST /webapi.svc/SO/UDFS/JSON {"sos": [{"soid", "userdefined1".."5", "lastupdatedby"}]}
  writes user-defined fields, keyed on soid [3P]; every write is kept in `udf_writes`.
- Seed variant [U]: POST /webapi.svc/Order/json/GetOrders {"Page", "PageSize", "SortBy"} and
  POST /webapi.svc/Order/json/UpdateOrder {"soid", "userdefined1".."5", "lastupdatedby"}.

Assumptions where the sources are silent, each an option:
- sign_in_refusal_status: the status of a refused key (401; 400 and 403 are the variants
  a client must also read as a refusal, the vendor page shows no error answer).
- session_lifetime (seconds; the public code assumes 60 minutes).
- first_page: number of the first page. 0 by default: the vendor page
  (iqwebapidocumentation.azurewebsites.net) documents only the session workflow, and the
  public connector found pages start at 0 (AgentsLogic/iqr-shipstation-connector commit
  4e4edb3 "Fix IQR API pagination: pages start at 0, not 1"); 1 is the other variant.
- below_first_page: what a Page below first_page answers: 'first' (the first page again),
  'empty' ([]) or 'error' (400).
- ignore_page: a broken listing that answers every Page with the first page (a client
  must not page through it forever).
- past_end: what a Page past the last one answers: 'empty' ([]) or 'not_found' (404
  "There is no SO for the given Page", the message the public connector matched).
- sort_modes: what each SortBy value means: 'soid' (oldest first, what the public connector
  saw for SortBy=0: "API only supports 0 (ascending/oldest first)", commit c4eebbc) or
  'saledate_desc' (newest sale date first; SortBy=1 was tried and reverted there).
- Line status: every SODetails line carries `status` and `shipdate` (IQR_ORDER_STRUCTURE.md
  shows "Invoiced" on lines); ship_line() marks a line shipped ('Shipped' [U], with a ship
  date) and the order 'Partial' (or 'Closed' once every line shipped [U]).
- Large pages: PageSize above slow_page_size (0 = everything counts as large) answers after
  slow_page_seconds ('slow') or with a 500 "The operation has timed out." ('fail'), as the
  public connector observed large pages timing out.
- variant: 'both' (default), 'sos' or 'orders': the disabled variant's routes answer 404.
- orders_envelope: whether the GetOrders variant wraps its array as {"Data": [...]}.
- Error bodies are {"Message": "..."}; the UDF/UpdateOrder endpoints answer {"Data": true}.
- Dates are US-format wall-clock strings without offset: "3/6/2020 12:00:00 AM".
"""
import copy
import secrets
import time
from datetime import datetime
from typing import ClassVar

from .base import Simulator, route

SESSION_PATH = '/api/IntegrationAPI/Session'
GET_SOS_PATH = '/webapi.svc/SO/JSON/GetSOs'
UDFS_PATH = '/webapi.svc/SO/UDFS/JSON'
GET_ORDERS_PATH = '/webapi.svc/Order/json/GetOrders'
UPDATE_ORDER_PATH = '/webapi.svc/Order/json/UpdateOrder'
UDF_NAMES = tuple(f'userdefined{number}' for number in range(1, 6))
SORT_MODES = ('soid', 'saledate_desc')
VARIANTS = ('both', 'sos', 'orders')
SLOW_PAGE_BEHAVIOURS = ('slow', 'fail')
BELOW_FIRST_PAGE = ('first', 'empty', 'error')
PAST_END = ('empty', 'not_found')
IQR_DATE_FORMAT = '%m/%d/%Y %I:%M:%S %p'


def format_iqr_date(moment):
    """'3/6/2020 12:00:00 AM': month, day and hour without leading zeros, as IQR answers."""
    hour = moment.hour % 12 or 12
    meridiem = 'AM' if moment.hour < 12 else 'PM'
    return (f'{moment.month}/{moment.day}/{moment.year} '
            f'{hour}:{moment.minute:02d}:{moment.second:02d} {meridiem}')


def parse_iqr_date(text):
    return datetime.strptime(text, IQR_DATE_FORMAT)


class IQResellerSimulator(Simulator):
    name = 'iqreseller'
    default_port = 8072
    default_options: ClassVar[dict] = {
        'api_key': 'iqr-api-key',
        'sign_in_refusal_status': 401,
        'session_lifetime': 3600,
        'clock': time.time,  # epoch seconds; tests pass a fake to expire sessions
        'first_page': 0,
        'below_first_page': 'first',
        'past_end': 'empty',
        'ignore_page': False,
        'sort_modes': {0: 'soid', 1: 'saledate_desc'},
        'slow_page_size': 100,
        'slow_page_behaviour': 'slow',
        'slow_page_seconds': 2.0,
        'variant': 'both',
        'orders_envelope': True,
    }

    def __init__(self, **options):
        super().__init__(**options)
        if self.options['variant'] not in VARIANTS:
            raise ValueError(f'variant must be one of {VARIANTS}')
        if self.options['slow_page_behaviour'] not in SLOW_PAGE_BEHAVIOURS:
            raise ValueError(f'slow_page_behaviour must be one of {SLOW_PAGE_BEHAVIOURS}')
        if set(self.options['sort_modes'].values()) - set(SORT_MODES):
            raise ValueError(f'sort_modes values must be in {SORT_MODES}')
        if self.options['first_page'] not in (0, 1):
            raise ValueError('first_page must be 0 or 1')
        if self.options['below_first_page'] not in BELOW_FIRST_PAGE:
            raise ValueError(f'below_first_page must be one of {BELOW_FIRST_PAGE}')
        if self.options['past_end'] not in PAST_END:
            raise ValueError(f'past_end must be one of {PAST_END}')

    def init_state(self):
        self.sos = {}  # soid -> SO as answered
        self.sessions = {}  # token -> {'expires': epoch, 'ended': bool}
        self.udf_writes = []  # every SO written through UDFS/UpdateOrder, as received
        self.failing_pages = {}  # Page -> [times left, status]: a page failing on its own
        self.sign_ins = 0
        self.sign_outs = 0
        self._next_soid = 1800
        self._next_so = 38000
        self._next_detail_id = 91000

    # ----------------------------------------------------------------- test controls

    def add_so(self, details=(), **fields):
        """Add a sales order with every documented field; `details` are SODetails overrides
        (at least `item`). saledate may be a datetime (IQR wall-clock) or a string.
        Returns the stored SO."""
        with self.lock:
            soid = fields.pop('soid', None) or self._take('soid')
            sale_date = fields.pop('saledate', None) or datetime(2020, 3, 6)
            if isinstance(sale_date, datetime):
                sale_date = format_iqr_date(sale_date)
            so = {
                'soid': soid, 'so': fields.pop('so', None) or self._take('so'),
                'status': 'Open', 'saledate': sale_date, 'invoiceddate': '',
                'clientid': 'ACMECORP', 'clientponumber': '', 'rep': 'AP', 'assignedby': 'MM',
                'shiptocompany': 'Acme Corp', 'shiptoname': 'Acme Corp',
                'shiptocontact': 'Jane Buyer', 'shiptocontactid': 4411,
                'shiptoaddress1': '123 Main St', 'shiptoaddress2': '', 'shiptoaddress3': '',
                'shiptocity': 'Austin', 'shiptostate': 'TX', 'shiptopostalcode': '78701',
                'shiptocountry': 'US', 'shiptoemail': 'orders@acme.example',
                'shiptophone': '(512) 555-0100', 'shiptofax': '',
                'shipfromcompany': 'Main Warehouse', 'shipfromaddress1': '1 Depot Rd',
                'shipfromcity': 'Dallas', 'shipfromstate': 'TX', 'shipfromclientid': 'DISCOUNTPC',
                'total': 0.0, 'totalsales': 0.0, 'totaltax': 0.0, 'freight': 0.0,
                'totallines': 0, 'lastupdatedby': '',
                **dict.fromkeys(UDF_NAMES, ''),
            }
            so.update(fields)
            so['SODetails'] = [self._detail(so, line, index)
                               for index, line in enumerate(details, start=1)]
            self._refresh_totals(so)
            self.sos[soid] = so
            return copy.deepcopy(so)

    def update_so(self, soid, details=None, **fields):
        """Change an SO as a user in IQR would; `details` replaces the lines."""
        with self.lock:
            so = self.sos[soid]
            if isinstance(fields.get('saledate'), datetime):
                fields['saledate'] = format_iqr_date(fields['saledate'])
            so.update(fields)
            if details is not None:
                so['SODetails'] = [self._detail(so, line, index)
                                   for index, line in enumerate(details, start=1)]
            self._refresh_totals(so)
            return copy.deepcopy(so)

    def ship_line(self, soid, line, shipdate=None, status='Shipped'):
        """Mark SODetails line number `line` shipped, as IQR would after a shipment made
        outside Odoo; the order becomes Partial, or Closed once every line shipped [U]."""
        with self.lock:
            so = self.sos[soid]
            detail = next(d for d in so['SODetails'] if d['line'] == line)
            shipped_on = shipdate or datetime(2020, 3, 6)
            detail.update(status=status, shipdate=format_iqr_date(shipped_on)
                          if isinstance(shipped_on, datetime) else shipped_on)
            everything = all(d['shipdate'] for d in so['SODetails'])
            so['status'] = 'Closed' if everything else 'Partial'
            return copy.deepcopy(so)

    def fail_page(self, page, times=1, status=503):
        """The next `times` requests of listing page `page` (any page size but 1, the
        page-numbering check) answer `status`."""
        with self.lock:
            self.failing_pages[page] = [times, status]

    def expire_sessions(self):
        with self.lock:
            for session in self.sessions.values():
                session['expires'] = 0

    def open_sessions(self):
        now = self.options['clock']()
        with self.lock:
            return [token for token, session in self.sessions.items()
                    if not session['ended'] and session['expires'] > now]

    # ----------------------------------------------------------------- hooks

    def authenticate(self, request):
        if request.path == SESSION_PATH:
            return None
        session = self.sessions.get(request.headers.get('iqr-session-token', ''))
        if session is None or session['ended']:
            return self.error(401, 'Invalid session token.')
        if session['expires'] <= self.options['clock']():
            return self.error(401, 'Session has expired.')
        return None

    def error(self, status, message):
        return self.json({'Message': message}, status=status)

    # ----------------------------------------------------------------- session

    @route('POST', SESSION_PATH)
    def sign_in(self, request):
        payload = self.request_json(request)
        if not isinstance(payload, dict) or 'APIToken' not in payload:
            return self.error(400, 'APIToken is required.')
        if payload['APIToken'] != self.options['api_key']:
            return self.error(self.options['sign_in_refusal_status'], 'Invalid API token.')
        token = secrets.token_hex(24)
        self.sessions[token] = {
            'expires': self.options['clock']() + self.options['session_lifetime'],
            'ended': False,
        }
        self.sign_ins += 1
        return self.json({'Data': token})

    @route('DELETE', SESSION_PATH)
    def sign_out(self, request):
        scheme, _, token = request.headers.get('Authorization', '').partition(' ')
        session = self.sessions.get(token) if scheme.lower() == 'bearer' else None
        if session is None or session['ended']:
            return self.error(401, 'Invalid session token.')
        session['ended'] = True
        self.sign_outs += 1
        return self.json({'Data': True})

    # ----------------------------------------------------------------- orders

    @route('GET', GET_SOS_PATH)
    def get_sos(self, request):
        if self.options['variant'] == 'orders':
            return self.error(404, 'Endpoint not found.')
        return self._orders_page(request.args.get('Page'), request.args.get('PageSize'),
                                 request.args.get('SortBy'), envelope=False)

    @route('POST', GET_ORDERS_PATH)
    def get_orders(self, request):
        if self.options['variant'] == 'sos':
            return self.error(404, 'Endpoint not found.')
        payload = self.request_json(request)
        if not isinstance(payload, dict):
            return self.error(400, 'A JSON query object is required.')
        return self._orders_page(payload.get('Page'), payload.get('PageSize'),
                                 payload.get('SortBy'), envelope=self.options['orders_envelope'])

    def _orders_page(self, page, page_size, sort_by, envelope):
        try:
            page = int(page if page not in (None, '') else self.options['first_page'])
            page_size = int(page_size if page_size not in (None, '') else 25)
            sort_by = int(sort_by if sort_by not in (None, '') else 0)
        except (TypeError, ValueError):
            return self.error(400, 'Page, PageSize and SortBy must be integers.')
        if page_size < 0 or sort_by not in self.options['sort_modes']:
            return self.error(400, 'Invalid PageSize or SortBy.')
        slow = self._large_page_response(page_size)
        if slow is not None:
            return slow
        failing = self.failing_pages.get(page) if page_size != 1 else None
        if failing and failing[0] > 0:
            failing[0] -= 1
            return self.error(failing[1], 'The operation has timed out.')
        orders = self._sorted(self.options['sort_modes'][sort_by])
        if page_size:  # PageSize=0 means everything
            first_page = self.options['first_page']
            if self.options['ignore_page']:
                page = first_page
            if page < first_page:
                if self.options['below_first_page'] == 'error':
                    return self.error(400, f'Page must be at least {first_page}.')
                page = first_page if self.options['below_first_page'] == 'first' else None
            start = (page - first_page) * page_size if page is not None else len(orders)
            if start >= len(orders) and self.options['past_end'] == 'not_found' \
                    and page is not None:
                return self.error(404, 'There is no SO for the given Page.')
            orders = orders[start:start + page_size]
        orders = copy.deepcopy(orders)
        return self.json({'Data': orders} if envelope else orders)

    def _large_page_response(self, page_size):
        limit = self.options['slow_page_size']
        if not limit or (page_size and page_size <= limit):
            return None
        if self.options['slow_page_behaviour'] == 'fail':
            return self.error(500, 'The operation has timed out.')
        # Sleep without the lock so other requests (and the test) are not blocked.
        self.lock.release()
        try:
            time.sleep(self.options['slow_page_seconds'])
        finally:
            self.lock.acquire()
        return None

    def _sorted(self, mode):
        orders = list(self.sos.values())
        if mode == 'saledate_desc':
            return sorted(orders, key=lambda so: (parse_iqr_date(so['saledate']), so['soid']),
                          reverse=True)
        return sorted(orders, key=lambda so: so['soid'])

    # ----------------------------------------------------------------- tracking write-back

    @route('POST', UDFS_PATH)
    def write_udfs(self, request):
        if self.options['variant'] == 'orders':
            return self.error(404, 'Endpoint not found.')
        payload = self.request_json(request)
        if not isinstance(payload, dict) or not isinstance(payload.get('sos'), list):
            return self.error(400, 'Body must be {"sos": [...]}.')
        return self._write_fields(payload['sos'])

    @route('POST', UPDATE_ORDER_PATH)
    def update_order(self, request):
        if self.options['variant'] == 'sos':
            return self.error(404, 'Endpoint not found.')
        payload = self.request_json(request)
        if not isinstance(payload, dict):
            return self.error(400, 'Body must be an order object.')
        return self._write_fields([payload])

    def _write_fields(self, entries):
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get('soid'), int):
                return self.error(400, 'Each SO needs a numeric soid.')
            if entry['soid'] not in self.sos:
                return self.error(400, f'SO with soid {entry["soid"]} not found.')
            unknown = set(entry) - {'soid', 'lastupdatedby', *UDF_NAMES}
            if unknown:
                return self.error(400, f'Fields not writable: {sorted(unknown)}.')
        for entry in entries:
            self.sos[entry['soid']].update(
                {key: value for key, value in entry.items() if key != 'soid'})
            self.udf_writes.append(copy.deepcopy(entry))
        return self.json({'Data': True})

    # ----------------------------------------------------------------- state helpers

    def _take(self, kind):
        attribute = f'_next_{kind}'
        value = getattr(self, attribute)
        setattr(self, attribute, value + 1)
        return value

    def _detail(self, so, line, index):
        self._next_detail_id += 1
        return {
            'sodetailid': self._next_detail_id, 'line': index, 'item': '', 'description': '',
            'extendeddescription': '', 'mfgr': '', 'condition': 'NEW', 'quantity': 1,
            'unitprice': 10.0, 'listprice': 10.0, 'serialnumber': '', 'status': so['status'],
            'shipdate': '', 'scheduledshipdate': '', 'invoiceddate': '', 'warehouse': 'EV1',
            'inventorywarehouse': 'EV1', 'inventorylocation': 'A-01',
            **line,
        }

    @staticmethod
    def _refresh_totals(so):
        sales = round(sum(line['quantity'] * line['unitprice'] for line in so['SODetails']), 2)
        so.update(totalsales=sales, total=round(sales + so['totaltax'] + so['freight'], 2),
                  totallines=len(so['SODetails']))
