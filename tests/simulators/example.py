"""A tiny generic "orders" API to test an HTTP client and the job queue end to end.

- POST /oauth/token {"api_key"} -> {"access_token", "expires_in"}; other routes need
  `Authorization: Bearer <token>`; sim.expire_tokens() makes every issued token answer 401.
- GET /orders?page=N&page_size=M (page_size clamped to 100) -> {orders, page, pages, total}.
- GET /orders/<id>; POST /orders upserts by "reference" (201 created, 200 updated).
- Option rate_limit_per_minute: fixed-window limit; when enabled every answer carries
  X-Rate-Limit-Limit/-Remaining/-Reset and excess requests get 429. Option reset_format
  says how -Reset is written: 'seconds' (default), 'iso8601' (iQmetrix's form, seven
  fractional digits and Z, with X-Rate-Limit-ResetSeconds alongside as iQmetrix sends it:
  developers.iqmetrix.com/api/rate-limiting/), 'http_date' or 'epoch'.
- Webhooks: ExampleSimulator.webhook_delivery(event, signing_secret) builds what the platform
  posts: JSON body, signed (base64 HMAC-SHA256 of the raw body in X-Example-Hmac-Sha256) when
  a signing secret is given; sign_webhook(body, secret) signs any raw body.
- Injected 429s (sim.inject('rate_limit', ...)) carry Retry-After / reset headers in any of
  these forms: see Simulator._rate_limit_fault_response.
"""
import base64
import hashlib
import hmac
import json
import secrets
import time
from datetime import UTC, datetime
from typing import ClassVar

from werkzeug.wrappers import Response

from .base import (
    RESET_FORMATS,
    FixedWindowRateLimiter,
    Simulator,
    format_reset,
    int_arg,
    page_slice,
    route,
)

MAX_PAGE_SIZE = 100
WEBHOOK_SIGNATURE_HEADER = 'X-Example-Hmac-Sha256'


# ===================================================================================
# OAuth, sessions and oversized answers (channel_base token store and bounded answers)
#
# - POST /oauth2/token (form, RFC 6749 §4): grant_type=client_credentials (client_id,
#   client_secret), password (+ username, password) or refresh_token (refresh_token;
#   client_id). Password and refresh grants also answer a refresh token; a refresh
#   revokes the access token issued with the refresh token used and, with
#   rotate_refresh_tokens, rotates the refresh token (the used one is then refused).
#   Refusals answer HTTP 400 {"error": "invalid_grant"} (401 "invalid_client" for a
#   wrong client), as RFC 6749 §5.2 documents. sim.consent_refresh_token() hands out a
#   refresh token as a user's consent would; sim.revoke_refresh_tokens() refuses them all.
# - POST /session/login {"api_key"} -> {"Data": session token}, valid session_lifetime
#   seconds; routes accept `X-Session-Token: <token>` instead of a bearer token.
#   sim.end_sessions() ends every session.
# - GET /big?size=N&mode=length|chunked: N bytes of JSON-ish text, with Content-Length
#   (length) or streamed in chunks without it (chunked).
# ===================================================================================

TOKEN_ROUTES = ('/oauth/token', '/oauth2/token', '/session/login')


class OAuthSessionEndpoints:
    """Token, session and oversized-answer routes, mixed into ExampleSimulator."""

    def init_token_state(self):
        self.refresh_tokens = {}  # refresh token -> {'expires', 'access_token'}
        self.sessions = {}  # session token -> expiry epoch
        self.grants = []  # grant types asked, in order
        self.issued_secrets = []  # every token and session handed out

    def consent_refresh_token(self):
        """A refresh token as a user's consent would hand it to the application."""
        with self.lock:
            return self._new_refresh_token(None)

    def revoke_refresh_tokens(self):
        with self.lock:
            self.refresh_tokens.clear()

    def end_sessions(self):
        with self.lock:
            self.sessions.clear()

    def check_session(self, token):
        if self.sessions.get(token, 0) <= self.options['clock']():
            return self.error(401, 'invalid or expired session')
        return None

    def _oauth_error(self, error, status=400):
        return self.json({'error': error, 'error_description': f'{error} (simulator)'},
                         status=status)

    def _new_refresh_token(self, access_token):
        refresh = secrets.token_hex(20)
        self.issued_secrets.append(refresh)
        self.refresh_tokens[refresh] = {
            'expires': self.options['clock']() + self.options['refresh_lifetime'],
            'access_token': access_token,
        }
        return refresh

    def _issue_access_token(self):
        token = secrets.token_hex(16)
        self.issued_secrets.append(token)
        self.token_expiry[token] = self.options['clock']() + self.options['token_lifetime']
        return token

    @route('POST', '/oauth2/token')
    def oauth_token(self, request):
        if self.options['token_delay']:
            time.sleep(self.options['token_delay'])  # holding the lock: grants are serial
        form = request.form
        grant_type = form.get('grant_type')
        self.grants.append(grant_type)
        if grant_type == 'client_credentials':
            return self._client_credentials_grant(form)
        if grant_type == 'password':
            return self._password_grant(form)
        if grant_type == 'refresh_token':
            return self._refresh_grant(form)
        return self._oauth_error('unsupported_grant_type')

    def _client_credentials_grant(self, form):
        if (form.get('client_id'), form.get('client_secret')) != (
                self.options['client_id'], self.options['client_secret']):
            return self._oauth_error('invalid_client', status=401)
        return self._token_answer(self._issue_access_token(), refresh=False)

    def _password_grant(self, form):
        if form.get('client_id') != self.options['client_id']:
            return self._oauth_error('invalid_client', status=401)
        if (form.get('username'), form.get('password')) != (
                self.options['username'], self.options['password']):
            return self._oauth_error('invalid_grant')
        return self._token_answer(self._issue_access_token())

    def _refresh_grant(self, form):
        used = form.get('refresh_token')
        entry = self.refresh_tokens.get(used)
        if entry is None or entry['expires'] <= self.options['clock']():
            return self._oauth_error('invalid_grant')
        # The access token issued with this refresh token is revoked by the refresh.
        self.token_expiry.pop(entry['access_token'], None)
        access = self._issue_access_token()
        if self.options['rotate_refresh_tokens']:
            del self.refresh_tokens[used]
            return self._token_answer(access)
        entry['access_token'] = access
        return self._token_answer(access, refresh=False)

    def _token_answer(self, access, refresh=True):
        answer = {'access_token': access, 'token_type': 'Bearer',
                  'expires_in': self.options['token_lifetime'], 'scope': 'orders'}
        if refresh:
            answer['refresh_token'] = self._new_refresh_token(access)
            answer['refresh_token_expires_in'] = self.options['refresh_lifetime']
        return self.json(answer)

    @route('POST', '/session/login')
    def session_login(self, request):
        payload = self.request_json(request) or {}
        if payload.get('api_key') != self.options['api_key']:
            return self.error(401, 'invalid api_key')
        token = secrets.token_hex(16)
        self.issued_secrets.append(token)
        self.sessions[token] = self.options['clock']() + self.options['session_lifetime']
        return self.json({'Data': token})

    @route('GET', '/big')
    def big_answer(self, request):
        size = int_arg(request, 'size', 1024, maximum=1 << 30)
        chunk = b'x' * 65536

        def body():
            left = size
            while left > 0:
                yield chunk[:left]
                left -= len(chunk)

        if request.args.get('mode') == 'chunked':
            return Response(body(), status=200, content_type='application/json')
        return Response(body(), status=200, content_type='application/json',
                        headers={'Content-Length': str(size)})
# ============================================================ end of token section


class ExampleSimulator(OAuthSessionEndpoints, Simulator):
    name = 'example'
    default_port = 8070
    default_options: ClassVar[dict] = {
        'api_key': 'example-key',
        'token_lifetime': 3600,
        'rate_limit_per_minute': None,
        'window_seconds': 60,
        'reset_format': 'seconds',
        'clock': time.time,  # epoch seconds; tests pass a fake to move time without sleeping
        # --- token store section (see "OAuth, sessions and oversized answers" below)
        'client_id': 'example-client',
        'client_secret': 'example-secret',
        'username': 'example-user',
        'password': 'example-password',
        'refresh_lifetime': 86400,
        'rotate_refresh_tokens': True,
        'session_lifetime': 600,
        'token_delay': 0.0,  # seconds the token endpoint takes (concurrency tests)
    }

    def init_state(self):
        self.page_faults = {}  # paged imports: page number -> [fault, ...], taken in order
        self.orders = {}  # reference -> order
        self.token_expiry = {}  # access token -> epoch seconds
        self._next_order_id = 1
        self.rate_limiter = None
        self.init_token_state()
        if self.options['reset_format'] not in RESET_FORMATS:
            raise ValueError(f"example simulator: reset_format must be one of {RESET_FORMATS}")
        if self.options['rate_limit_per_minute']:
            self.rate_limiter = FixedWindowRateLimiter(
                self.options['rate_limit_per_minute'], self.options['window_seconds'],
                self.options['clock'])

    # ----------------------------------------------------------------- test controls

    def add_order(self, order):
        """Seed an order (upsert by reference) and return the stored copy."""
        with self.lock:
            stored, _created = self._upsert_order(dict(order))
            return stored

    def expire_tokens(self):
        with self.lock:
            self.token_expiry = dict.fromkeys(self.token_expiry, 0)

    # ----------------------------------------------------------------- webhooks

    @staticmethod
    def sign_webhook(body, signing_secret):
        """The signature header of a delivery of the raw ``body``."""
        digest = hmac.new(signing_secret.encode(), body, hashlib.sha256).digest()
        return {WEBHOOK_SIGNATURE_HEADER: base64.b64encode(digest).decode()}

    @staticmethod
    def webhook_delivery(event, signing_secret=None):
        """(raw body, headers) of a delivery of ``event``, signed when a secret is given."""
        body = json.dumps(event).encode()
        headers = {'Content-Type': 'application/json'}
        if signing_secret:
            headers.update(ExampleSimulator.sign_webhook(body, signing_secret))
        return body, headers

    # ----------------------------------------------------------------- hooks

    def authenticate(self, request):
        if request.path in TOKEN_ROUTES:
            return None
        if request.headers.get('X-Session-Token'):
            return self.check_session(request.headers['X-Session-Token'])
        scheme, _, token = request.headers.get('Authorization', '').partition(' ')
        if scheme.lower() != 'bearer' or not token:
            return self.error(401, 'missing bearer token')
        if self.token_expiry.get(token, 0) <= self.options['clock']():
            return self.error(401, 'invalid or expired token')
        return None

    def check_rate_limit(self, request):
        if self.rate_limiter is None:
            return None
        decision = self.rate_limiter.hit('all')
        request.environ['simulator.rate_limit'] = decision
        return None if decision.allowed else self.error(429, 'rate limit exceeded')

    def after_response(self, request, response):
        if self.rate_limiter is None:
            return
        # Refused (401) and unrouted (404) requests are not counted but still get the headers.
        decision = (request.environ.get('simulator.rate_limit')
                    or self.rate_limiter.peek('all'))
        response.headers['X-Rate-Limit-Limit'] = str(decision.limit)
        response.headers['X-Rate-Limit-Remaining'] = str(decision.remaining)
        reset_format = self.options['reset_format']
        response.headers['X-Rate-Limit-Reset'] = format_reset(decision.reset_seconds,
                                                              reset_format)
        if reset_format != 'seconds':
            response.headers['X-Rate-Limit-ResetSeconds'] = str(decision.reset_seconds)

    # ----------------------------------------------------------------- routes

    @route('POST', '/oauth/token')
    def issue_token(self, request):
        payload = self.request_json(request) or {}
        if payload.get('api_key') != self.options['api_key']:
            return self.error(401, 'invalid api_key')
        token = secrets.token_hex(16)
        lifetime = self.options['token_lifetime']
        self.token_expiry[token] = self.options['clock']() + lifetime
        return self.json({'access_token': token, 'token_type': 'Bearer', 'expires_in': lifetime})

    @route('GET', '/orders')
    def list_orders(self, request):
        page = int_arg(request, 'page', 1)
        page_size = int_arg(request, 'page_size', 50, maximum=MAX_PAGE_SIZE)
        all_orders = sorted(self.orders.values(), key=lambda order: order['id'])
        orders, pages = page_slice(all_orders, page, page_size)
        return self.json({'orders': orders, 'page': page, 'pages': pages,
                          'total': len(all_orders)})

    @route('GET', '/orders/<int:order_id>')
    def get_order(self, request, order_id):
        for order in self.orders.values():
            if order['id'] == order_id:
                return self.json(order)
        return self.error(404, f'order {order_id} not found')

    @route('POST', '/orders')
    def upsert_order(self, request):
        payload = self.request_json(request)
        if not isinstance(payload, dict) or not payload.get('reference'):
            return self.error(400, 'a JSON object with a "reference" is required')
        order, created = self._upsert_order(payload)
        return self.json(order, status=201 if created else 200)

    # ----------------------------------------------------------------- state

    def _upsert_order(self, payload):
        now = datetime.now(UTC).isoformat()
        reference = payload.get('reference') or f'ORD-{self._next_order_id}'
        existing = self.orders.get(reference)
        if existing is not None:
            order = {**payload, 'id': existing['id'], 'reference': reference,
                     'created_at': existing['created_at'], 'updated_at': now}
        else:
            order = {**payload, 'id': self._next_order_id, 'reference': reference,
                     'created_at': now, 'updated_at': now}
            self._next_order_id += 1
        self.orders[reference] = order
        return order, existing is None

    # ----------------------------------------------------------------- paged imports
    # Controls for channel_base's resumable paged import (docs/paged_import.md). GET
    # /orders pages like ShipStation V1's list endpoints (page numbers from 1, the answer
    # says how many `pages` and the `total`). Faults are per page number and taken in
    # order, before the request is served (and outside the lock: a hung page does not
    # hold up the others).

    def seed_orders(self, count, sku, prefix='PAGED'):
        """Add ``count`` orders of one line of ``sku``, in id order; return their ids."""
        return [self.add_order({'reference': f'{prefix}-{number:05d}',
                                'lines': [{'sku': sku, 'qty': 1}],
                                'customer': {'name': f'Buyer {number % 5}', 'country': 'US'}})['id']
                for number in range(1, count + 1)]

    def fail_page(self, page, status=500, times=1):
        """The next ``times`` fetches of ``page`` answer ``status``."""
        with self.lock:
            self.page_faults.setdefault(page, []).extend([('fail', status)] * times)

    def hang_page(self, page, seconds):
        """The next fetch of ``page`` waits ``seconds`` before it is answered."""
        with self.lock:
            self.page_faults.setdefault(page, []).append(('hang', seconds))

    def page_fetches(self):
        """The page numbers of every GET /orders received, in order."""
        with self.lock:
            return [int(request.query.get('page', 1)) for request in self.requests
                    if request.method == 'GET' and request.path == '/orders']

    def dispatch(self, request):
        if request.method == 'GET' and request.path == '/orders':
            with self.lock:
                faults = self.page_faults.get(int_arg(request, 'page', 1))
                fault = faults.pop(0) if faults else None
            if fault and fault[0] == 'hang':
                self._record(request)  # recorded on arrival: the caller may die meanwhile
                time.sleep(fault[1])
                with self.lock:
                    return self._route(request)
            if fault:
                self._record(request)
                return self.error(fault[1], f'page fault injected ({fault[1]})')
        return super().dispatch(request)
