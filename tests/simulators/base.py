"""Harness for stateful platform simulators.

A simulator is a small WSGI app served on a local port that behaves like a documented platform
API, including the unpleasant parts (rate limits, expired tokens, malformed answers, dropped
connections), so connector tests exercise the real HTTP stack instead of mocks.
"""
import contextlib
import json
import logging
import math
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import ClassVar

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, RequestRedirect, Rule
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

_logger = logging.getLogger(__name__)

FAULT_KINDS = ('rate_limit', 'server_error', 'slow', 'malformed', 'drop', 'unauthorized')

# Cut in the middle of a value, so every JSON parser rejects it.
MALFORMED_JSON_BODY = b'{"truncated": true, "items": [{"id": 1, "name": "Wid'


def route(method, rule):
    """Mark a simulator method as the handler of `method` requests matching the werkzeug `rule`.

    The handler is called as handler(request, **rule_arguments) and returns a werkzeug Response.
    """
    def mark(handler):
        handler.__dict__.setdefault('simulator_routes', []).append((method.upper(), rule))
        return handler
    return mark


class HeaderDict(dict):
    """A plain dict of headers whose lookups ignore case, like HTTP header names do."""

    def __init__(self, pairs=()):
        super().__init__(pairs)
        self._key_by_lower_name = {key.lower(): key for key in self}

    def _original_key(self, key):
        return self._key_by_lower_name.get(key.lower(), key) if isinstance(key, str) else key

    def __getitem__(self, key):
        return super().__getitem__(self._original_key(key))

    def __contains__(self, key):
        return super().__contains__(self._original_key(key))

    def get(self, key, default=None):
        return super().get(self._original_key(key), default)


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict
    headers: HeaderDict
    body: bytes
    json: object = None


@dataclass
class Fault:
    kind: str
    remaining: int
    path: str = None
    params: dict = field(default_factory=dict)

    def matches(self, path):
        return self.path is None or path.startswith(self.path)


@dataclass
class RateLimitDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int


class FixedWindowRateLimiter:
    """Counts requests per key in fixed windows that open with the key's first request.

    Not thread-safe on its own: simulators call it while holding their lock.
    """

    def __init__(self, limit, window_seconds, clock):
        self.limit = limit
        self.window_seconds = window_seconds
        self.clock = clock
        self._window_by_key = {}  # key -> [window_start, request_count]

    def hit(self, key):
        """Count one request for `key`; the decision says whether it is allowed."""
        window = self._current_window(key)
        if window[1] < self.limit:
            window[1] += 1
            return self._decision(window, allowed=True)
        return self._decision(window, allowed=False)

    def peek(self, key):
        """The state of `key`'s window without counting a request (for rate-limit headers)."""
        window = self._current_window(key)
        return self._decision(window, allowed=window[1] < self.limit)

    def _current_window(self, key):
        now = self.clock()
        window = self._window_by_key.get(key)
        if window is None or now >= window[0] + self.window_seconds:
            window = self._window_by_key[key] = [now, 0]
        return window

    def _decision(self, window, allowed):
        reset_seconds = max(0, math.ceil(window[0] + self.window_seconds - self.clock()))
        return RateLimitDecision(allowed, self.limit, self.limit - window[1], reset_seconds)


class _LoggingRequestHandler(WSGIRequestHandler):
    """Send werkzeug's per-request lines to our logger at DEBUG, so test output stays readable."""

    def log(self, type, message, *args):
        level = logging.DEBUG if type == 'info' else logging.WARNING
        _logger.log(level, '%s - %s', self.address_string(), message % args)


class Simulator:
    """Base class: routing, request recording, fault injection and a threaded HTTP server.

    Subclasses declare `name`, `default_options` and handlers decorated with @route. Handlers,
    authenticate(), check_rate_limit() and after_response() run while holding self.lock, so they
    may touch state freely; test code mutating state from another thread should hold it too.
    """

    name = 'base'
    #: Port of this simulator in the sandbox (python -m tests.simulators); 0 = not served.
    default_port = 0
    default_options: ClassVar[dict] = {}
    fault_messages: ClassVar[dict] = {
        'rate_limit': 'Too Many Requests',
        'server_error': 'Internal Server Error',
        'unauthorized': 'Unauthorized',
    }

    def __init__(self, **options):
        unknown = set(options) - set(self.default_options)
        if unknown:
            raise ValueError(f'{self.name} simulator: unknown options {sorted(unknown)}')
        self.options = {**self.default_options, **options}
        self.lock = threading.RLock()
        self.url = None
        self._server = None
        self._server_thread = None
        self._url_map = self._build_url_map()
        self.reset()

    def __repr__(self):
        return f'<{type(self).__name__} {self.url or "not started"}>'

    # ----------------------------------------------------------------- lifecycle

    def start(self, host='127.0.0.1', port=0, advertised_host=None):
        """Serve in a daemon thread; port 0 picks a free port.

        advertised_host is the host name put in self.url (and so in webhook resource URLs) when
        clients reach the simulator under another name, e.g. a docker service name.
        """
        self._server = make_server(
            host, port, self, threaded=True, request_handler=_LoggingRequestHandler)
        self.url = f'http://{advertised_host or host}:{self._server.server_port}'
        # A short poll interval keeps stop() fast; the default 0.5 s adds up over a test suite.
        self._server_thread = threading.Thread(
            target=self._server.serve_forever, kwargs={'poll_interval': 0.05},
            name=f'simulator-{self.name}', daemon=True)
        self._server_thread.start()
        return self

    def stop(self):
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._server_thread.join(timeout=5)
        self._server = self._server_thread = None

    def __enter__(self):
        return self.start() if self._server is None else self

    def __exit__(self, *exc_info):
        self.stop()

    def reset(self):
        """Forget recorded requests, pending faults and all platform state."""
        with self.lock:
            self.requests = []
            self.pending_faults = []
            self.init_state()

    def init_state(self):
        """Hook: (re)create the platform state. Called by __init__ and reset()."""

    # ----------------------------------------------------------------- faults

    def inject(self, kind, count=1, **params):
        """Make the next `count` requests (under params['path'] if given) fail with `kind`."""
        if kind not in FAULT_KINDS:
            raise ValueError(f'unknown fault kind {kind!r}, expected one of {FAULT_KINDS}')
        if kind == 'server_error' and not 500 <= params.get('status', 500) <= 599:
            raise ValueError('server_error status must be a 5xx code')
        fault = Fault(kind, count, params.pop('path', None), params)
        with self.lock:
            self.pending_faults.append(fault)
        return fault

    def _take_fault(self, path):
        with self.lock:
            for fault in self.pending_faults:
                if fault.matches(path):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self.pending_faults.remove(fault)
                    return fault
        return None

    def _fault_response(self, fault, request):
        """The answer for a fault, or None when the request should then be served normally."""
        params = fault.params
        if fault.kind == 'slow':
            time.sleep(params.get('seconds', 1.0))
            return None
        if fault.kind == 'drop':
            self._drop_connection(request)
        if fault.kind == 'malformed':
            return Response(params.get('body', MALFORMED_JSON_BODY), status=200,
                            content_type='application/json')
        if fault.kind == 'rate_limit':
            return self._rate_limit_fault_response(params)
        status = params.get('status', 500) if fault.kind == 'server_error' else 401
        return self._fault_body_response(fault.kind, status, params)

    def _rate_limit_fault_response(self, params):
        """A 429 carrying the wait in the forms platforms use (see format_reset):

        - retry_after: seconds, or an aware datetime sent as an HTTP date (RFC 9110
          section 10.2.3, https://www.rfc-editor.org/rfc/rfc9110#field.retry-after);
        - reset: seconds (ShipStation V1: "X-Rate-Limit-Reset ... seconds until the next
          window", shipstation.com/docs/api/requirements) or an aware datetime, in
          reset_format ('seconds', 'iso8601', 'http_date', 'epoch');
        - reset_seconds: the relative twin iQmetrix sends with its ISO 8601 reset
          (X-RateLimit-ResetSeconds, developers.iqmetrix.com/api/rate-limiting/);
        - header_prefix: 'X-Rate-Limit-' (default) or 'X-RateLimit-' (iQmetrix).
        """
        response = self._fault_body_response('rate_limit', 429, params)
        if 'retry_after' in params:
            retry_after = params['retry_after']
            response.headers['Retry-After'] = (
                format_reset(retry_after, 'http_date') if isinstance(retry_after, datetime)
                else str(retry_after))
        prefix = params.get('header_prefix', 'X-Rate-Limit-')
        if 'reset' in params or 'reset_seconds' in params:
            response.headers[prefix + 'Remaining'] = '0'
        if 'reset' in params:
            response.headers[prefix + 'Reset'] = format_reset(
                params['reset'], params.get('reset_format'))
        if 'reset_seconds' in params:
            response.headers[prefix + 'ResetSeconds'] = str(params['reset_seconds'])
        return response

    def _fault_body_response(self, kind, status, params):
        if 'body' not in params:
            return self.error(status, self.fault_messages[kind])
        body = params['body']
        if isinstance(body, (dict, list)):
            return self.json(body, status=status)
        return Response(body, status=status, content_type='application/json')

    def _drop_connection(self, request):
        # Shutting the socket down makes the client see the connection close without any
        # answer; raising ConnectionError makes werkzeug abandon the request silently.
        connection = request.environ.get('werkzeug.socket')
        if connection is not None:
            with contextlib.suppress(OSError):  # the client may already be gone
                connection.shutdown(socket.SHUT_RDWR)
        raise ConnectionError('simulator fault: connection dropped')

    # ----------------------------------------------------------------- dispatch

    def __call__(self, environ, start_response):
        request = Request(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request):
        self._record(request)
        fault = self._take_fault(request.path)
        if fault is not None:
            fault_response = self._fault_response(fault, request)
            if fault_response is not None:
                return fault_response
        with self.lock:
            response = self._route(request)
            self.after_response(request, response)
        return response

    def _record(self, request):
        body = request.get_data(cache=True)
        recorded = RecordedRequest(
            method=request.method,
            path=request.path,
            query=request.args.to_dict(),
            headers=HeaderDict(request.headers.items()),
            body=body,
            json=parse_json(body),
        )
        with self.lock:
            self.requests.append(recorded)

    def _route(self, request):
        adapter = self._url_map.bind_to_environ(request.environ)
        try:
            endpoint, arguments = adapter.match()
        except RequestRedirect as redirect:
            return redirect.get_response(request.environ)
        except MethodNotAllowed:
            return self.error(405, f'Method {request.method} not allowed on {request.path}')
        except NotFound:
            return self.error(404, f'No route for {request.method} {request.path}')
        denial = self.authenticate(request) or self.check_rate_limit(request)
        if denial is not None:
            return denial
        try:
            return getattr(self, endpoint)(request, **arguments)
        except Exception as error:  # a simulator bug must show up as a readable 500, not a hang
            _logger.exception('%s simulator: handler %s crashed', self.name, endpoint)
            return self.error(500, f'simulator handler {endpoint} crashed: {error!r}')

    def _build_url_map(self):
        rules = []
        for attribute_name in dir(type(self)):
            handler = getattr(type(self), attribute_name, None)
            for method, rule in getattr(handler, 'simulator_routes', ()):
                rules.append(Rule(rule, methods=[method], endpoint=attribute_name))
        return Map(rules)

    # ----------------------------------------------------------------- hooks

    def authenticate(self, request):
        """Hook: return a Response to refuse the request, None to accept it."""

    def check_rate_limit(self, request):
        """Hook, called after authenticate(): return a Response to throttle, None to accept."""

    def after_response(self, request, response):
        """Hook: adjust every routed response (not injected faults), e.g. add rate-limit headers."""

    # ----------------------------------------------------------------- helpers

    def json(self, obj, status=200, headers=None):
        return Response(json.dumps(obj), status=status, headers=headers,
                        content_type='application/json')

    def error(self, status, message):
        return self.json({'status': status, 'message': message}, status=status)

    def request_json(self, request):
        """The parsed JSON body of a request, or None when it is empty or not JSON."""
        return parse_json(request.get_data(cache=True))


RESET_FORMATS = ('seconds', 'iso8601', 'http_date', 'epoch')


def format_reset(value, reset_format=None):
    """A rate-limit reset header value: ``value`` is seconds from now (a number) or the
    moment of the reset (an aware datetime); the default format follows the value.

    'iso8601' is iQmetrix's form, seven fractional digits and Z ("X-RateLimit-Reset:
    2015-04-16T17:46:00.0000000Z", developers.iqmetrix.com/api/rate-limiting/);
    'http_date' the IMF-fixdate of RFC 9110 section 5.6.7; 'epoch' Unix seconds.
    """
    reset_format = reset_format or ('iso8601' if isinstance(value, datetime) else 'seconds')
    if reset_format not in RESET_FORMATS:
        raise ValueError(f'unknown reset format {reset_format!r}, expected one of {RESET_FORMATS}')
    if reset_format == 'seconds':
        if isinstance(value, datetime):
            value = max(0, math.ceil((value - datetime.now(UTC)).total_seconds()))
        return str(value)
    moment = value if isinstance(value, datetime) else (
        datetime.now(UTC) + timedelta(seconds=value))
    moment = moment.astimezone(UTC)
    if reset_format == 'epoch':
        return str(int(moment.timestamp()))
    if reset_format == 'http_date':
        return format_datetime(moment, usegmt=True)
    return moment.strftime('%Y-%m-%dT%H:%M:%S.') + f'{moment.microsecond:06d}0Z'


def parse_json(body):
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def page_slice(items, page, page_size):
    """One page of a list and the page count, as most platform list endpoints paginate."""
    pages = math.ceil(len(items) / page_size)
    start = (page - 1) * page_size
    return items[start:start + page_size], pages


def int_arg(request, name, default, minimum=1, maximum=None):
    """An integer query argument, clamped to [minimum, maximum]; bad values get the default."""
    try:
        value = int(request.args.get(name, default))
    except ValueError:
        value = default
    value = max(minimum, value)
    return min(value, maximum) if maximum is not None else value


class ManualClock:
    """Epoch seconds that only move when a test says so; pass it as a simulator's
    ``clock`` option to expire tokens or roll rate windows without sleeping."""

    def __init__(self, start=1_700_000_000.0):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds
