"""The HTTP layer every platform client inherits.

One ``requests.Session`` per credential (and thread), a timeout on every call, the shared
rate limiter consulted before each request and realigned on each answer, every exchange
logged with secrets masked, and failures turned into the classified errors of
``exceptions`` that drive the job queue's retry policy.
"""

import logging
import threading
import time

import requests

from .exceptions import (
    AuthError,
    PermanentError,
    RateLimitedError,
    TransientError,
    WindowWaitError,
)
from .token_strategies import FetchTokenHook
from .tools import DEFAULT_MAX_WAIT, mask_url, mask_values, parse_wait_hint

_logger = logging.getLogger(__name__)
_local = threading.local()

#: Where platforms say how long to wait, most specific first: the refusal's own
#: Retry-After, then the window's relative reset (immune to clock skew), then its
#: absolute reset (seconds, HTTP date, ISO 8601 or epoch: see tools.parse_wait_hint).
WAIT_HINT_HEADERS = (
    "Retry-After",
    "X-RateLimit-ResetSeconds", "X-Rate-Limit-ResetSeconds",
    "X-RateLimit-Reset", "X-Rate-Limit-Reset",
)
RESET_HEADERS = WAIT_HINT_HEADERS[1:]
#: Redirects are refused (allow_redirects=False): a moved API is a failure to look at.
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
#: Answers are read in chunks of this size, so an oversized one is refused early.
READ_CHUNK_BYTES = 64 * 1024
#: What an API log entry keeps of a refused oversized answer.
OVERSIZED_PREFIX_BYTES = 2048


class ChannelClient:
    """Base client. A platform subclass sets its limits and overrides the small hooks
    (``_auth_headers``, ``_fetch_access_token``, ``_error_message``); callers use
    :meth:`request` / :meth:`request_json` only."""

    #: ``"window"`` (N requests per period), ``"bucket"`` (cost credits) or None.
    rate_limit_kind = None
    rate_limit_capacity = 0
    rate_limit_period = 60.0
    #: Wait inline for the allowance up to this many seconds, else hand the job back to
    #: the queue, postponed to the moment the window allows it (no attempt used), so a
    #: worker never sleeps through a rate window while other accounts' jobs wait.
    max_inline_wait = 3.0
    #: Whether requests carry an access token from the token store (obtained through
    #: :meth:`_token_strategy`; without one, through the older :meth:`_fetch_access_token`).
    uses_access_token = False
    #: How tokens are obtained (a ``token_strategies.TokenStrategy``); setting one implies
    #: ``uses_access_token``.
    token_strategy = None
    #: Largest answer read, in bytes; a larger one is refused before it is read whole.
    max_response_bytes = 10 * 1024 * 1024
    user_agent = "odoo-channel-connectors/18.0"

    def __init__(self, credential):
        # Secret fields of this view read through ``credential._secret()``: a client's
        # ``self.credential.<secret>`` is the server's value where the server gives one.
        self.credential = credential.sudo()._with_server_secrets()
        self.env = self.credential.env
        self.base_url = self.credential._get_api_base_url()
        self.read_timeout = self.credential.request_timeout or 30
        self.secret_values = self.credential._secret_values()

    # ------------------------------------------------------------------ session

    @property
    def session(self):
        sessions = getattr(_local, "sessions", None)
        if sessions is None:
            sessions = _local.sessions = {}
        key = (self.env.cr.dbname, self.credential.id)
        if key not in sessions:
            session = requests.Session()
            session.headers["User-Agent"] = self.user_agent
            sessions[key] = session
        return sessions[key]

    # ------------------------------------------------------------------ the one call point

    def request(self, method, path, *, params=None, json=None, data=None, headers=None,
                cost=1.0, bucket="default", authenticate=True, timeout=None,
                answer_secrets=()):
        """Send one request; ``answer_secrets`` names JSON keys of the answer holding
        secrets (a token endpoint's ``access_token``), masked before it is logged."""
        url = path if path.startswith(("http://", "https://")) else self.base_url + path
        self._wait_for_allowance(bucket, cost)
        send_headers, used_token = self._request_headers(headers, authenticate)
        started = time.monotonic()
        try:
            response = self.session.request(
                method, url, params=params, json=json, data=data, headers=send_headers,
                auth=self._basic_auth() if authenticate else None,
                timeout=timeout or self.read_timeout,
                allow_redirects=False, stream=True,
            )
            self._read_bounded(response, started)
        except (requests.Timeout, requests.ConnectionError) as error:
            if type(error).__name__ == "BlockedRequest":
                # Odoo's test harness refusing a non-local call: a test forgot its
                # simulator. Surface it instead of retrying it as a network error.
                raise
            self._log_failure(method, url, params, send_headers, json or data, started,
                              "timeout" if isinstance(error, requests.Timeout)
                              else type(error).__name__)
            raise self._unreachable_error(error, url, timeout) from None
        self._remember_answer_secrets(response, answer_secrets)
        self._log_response(response, started)
        self._observe_rate_limit(response, bucket)
        if used_token and response.status_code == 401:
            # Only the token this request carried: another worker's fresh one survives.
            self._discard_access_token(used_token)
        self._raise_for_status(response)
        return response

    def _request_headers(self, headers, authenticate):
        """The headers to send, and the stored access token they carry (or None)."""
        send_headers = dict(self._auth_headers() if authenticate else {}, **(headers or {}))
        used_token = self._access_token() if authenticate and self._token_strategy() else None
        for name, value in (self._token_strategy().auth_headers(used_token).items()
                            if used_token else ()):
            send_headers.setdefault(name, value)
        return send_headers, used_token

    def _unreachable_error(self, error, url, timeout):
        """A timeout or connection failure as the TransientError the queue retries."""
        if isinstance(error, requests.Timeout):
            return TransientError(
                f"No answer from {mask_url(url, self.secret_values)} within "
                f"{timeout or self.read_timeout} s")
        return TransientError(
            f"Could not reach {mask_url(url, self.secret_values)} ({type(error).__name__})")

    def request_json(self, method, path, **kwargs):
        response = self.request(method, path, **kwargs)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            message = (
                f"Unreadable JSON answer from {mask_url(response.url, self.secret_values)} "
                f"(HTTP {response.status_code}, {len(response.content)} bytes)"
            )
            self._record_failed_answer(response, message)
            raise TransientError(message, status=response.status_code) from None

    # ------------------------------------------------------------------ hooks

    def _auth_headers(self):
        return {}

    def _basic_auth(self):
        return None

    def _fetch_access_token(self):
        """Return ``(token, expires_in_seconds)``; platforms with tokens override."""
        raise NotImplementedError

    def _error_message(self, response):
        try:
            body = response.json()
        except ValueError:
            return (response.text or "")[:500] or response.reason
        if isinstance(body, dict):
            for key in ("message", "Message", "error_description", "error", "errors"):
                if body.get(key):
                    return str(body[key])[:1000]
        return str(body)[:500]

    def _wait_hint(self, response):
        """Seconds the platform asks us to wait (Retry-After, or a window reset), capped
        at ``channel_base.rate_limit_max_wait``; None when it gives no usable hint."""
        return self._first_wait(response.headers, WAIT_HINT_HEADERS)

    def _first_wait(self, headers, names, past_wait=None):
        options = {"max_wait": self._max_wait()}
        if past_wait is not None:
            options["past_wait"] = past_wait
        for name in names:
            wait = parse_wait_hint(headers.get(name), **options)
            if wait is not None:
                return wait
        return None

    def _max_wait(self):
        if not hasattr(self, "_max_wait_seconds"):
            self._max_wait_seconds = max_wait_hint(self.env)
        return self._max_wait_seconds

    # ------------------------------------------------------------------ errors

    def _raise_for_status(self, response):
        status = response.status_code
        if not _is_failure_status(status):
            return
        # Platforms sometimes echo what they refused (a key, a token): mask the message too.
        message = mask_values(
            f"HTTP {status} from {self._masked(response.url)}: {self._error_message(response)}",
            self.secret_values,
        )
        if status == 429:
            raise RateLimitedError(message, wait=self._wait_hint(response), status=status)
        code = _body_error_code(response)
        if status == 401:
            raise AuthError(message, status=status, error_code=code)
        if status >= 500 or status == 408:
            raise TransientError(message, wait=self._wait_hint(response), status=status)
        raise PermanentError(message, status=status, error_code=code)

    def _masked(self, url):
        return mask_url(url, self.secret_values)

    # ------------------------------------------------------------------ rate limiting

    def _wait_for_allowance(self, bucket, cost):
        if not self.rate_limit_kind:
            return
        wait = self.env["channel.rate.limit"]._acquire(
            self.credential.id, bucket, self.rate_limit_kind, self.rate_limit_capacity,
            self.rate_limit_period, cost=cost, max_wait=self.max_inline_wait,
        )
        if wait:
            raise WindowWaitError(
                f"Rate limit of {self.credential.display_name} reached; next slot in "
                f"{wait:.0f} s", wait=wait,
            )

    def _observe_rate_limit(self, response, bucket):
        if self.rate_limit_kind != "window":
            return
        headers = response.headers
        remaining = headers.get("X-Rate-Limit-Remaining") or headers.get("X-RateLimit-Remaining")
        # A window that already reset has no time left, not a retry delay.
        resets_in = self._first_wait(headers, RESET_HEADERS, past_wait=0.0)
        limit = headers.get("X-Rate-Limit-Limit") or headers.get("X-RateLimit-Limit")
        blocked = self._wait_hint(response) if response.status_code == 429 else None
        if remaining is None and resets_in is None and blocked is None:
            return
        self.env["channel.rate.limit"]._observe(
            self.credential.id, bucket,
            remaining=_number(remaining), resets_in=resets_in,
            capacity=_number(limit), blocked_for=blocked,
        )

    # ------------------------------------------------------------------ tokens

    def _token_strategy(self):
        """The strategy requests authenticate with, or None (no tokens)."""
        if self.token_strategy is not None:
            return self.token_strategy
        return FetchTokenHook() if self.uses_access_token else None

    def _access_token(self):
        """A valid access token from the token store (obtained when missing or expired)."""
        store = self.env["channel.access.token"].sudo()
        token = store._access_token(self, self._token_strategy())
        self.remember_secret(token)
        return token

    def _discard_access_token(self, token):
        """The platform refused ``token``: forget it unless it was already replaced."""
        self.env["channel.access.token"].sudo()._discard_access_token(self.credential.id, token)

    def remember_secret(self, value):
        """Mask ``value`` (a token obtained at run time) in every log from now on."""
        if value and value not in self.secret_values:
            self.secret_values.append(value)

    def _token_grant_fields(self, grant_type):
        """Form fields an OAuth grant adds (client id and secret, user name, password);
        clients using an OAuth ``token_strategy`` override."""
        raise NotImplementedError

    def _token_request_headers(self, grant_type):
        """Headers of an OAuth token request (e.g. HTTP Basic client authentication)."""
        return {}

    def _session_login_payload(self):
        """JSON body of a ``SessionLogin`` sign-in; clients using one override."""
        raise NotImplementedError

    # ------------------------------------------------------------------ bounded answers

    def _read_bounded(self, response, started):
        """Read the streamed answer into ``response.content``, refusing one larger than
        :attr:`max_response_bytes` before it is read whole: at once when Content-Length
        announces it, else as soon as the chunks read pass the limit."""
        limit = self.max_response_bytes
        announced = response.headers.get("Content-Length", "")
        if announced.isdigit() and int(announced) > limit:
            self._refuse_oversized(response, started, b"", f"{int(announced)} bytes announced")
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(READ_CHUNK_BYTES):
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    self._refuse_oversized(response, started, chunks[0],
                                           f"over {size} bytes read")
        except requests.RequestException as error:
            response.close()
            raise requests.ConnectionError(str(error)) from error
        response._content = b"".join(chunks)  # what response.content / .json() read

    def _refuse_oversized(self, response, started, prefix, size_seen):
        response.close()
        request = response.request
        message = (f"Answer from {self._masked(response.url)} refused: larger than the "
                   f"{self.max_response_bytes} bytes limit ({size_seen}).")
        self.env["channel.api.log"]._write_entry(
            self.credential, self.secret_values, request.method, request.url,
            dict(request.headers), request.body, status_code=response.status_code,
            response_headers=dict(response.headers),
            response_body=prefix[:OVERSIZED_PREFIX_BYTES],
            duration_ms=(time.monotonic() - started) * 1000, error=message, full=True,
        )
        raise PermanentError(message, status=response.status_code)

    def _remember_answer_secrets(self, response, keys):
        if not keys:
            return
        try:
            answer = response.json()
        except ValueError:
            return
        if isinstance(answer, dict):
            for key in keys:
                if isinstance(answer.get(key), str):
                    self.remember_secret(answer[key])

    # ------------------------------------------------------------------ logging

    def _secrets_in_response(self, response):
        """Secrets an answer carries (a session token in a sign-in body): masked before the
        answer is logged. Platforms whose sign-in returns a token override this."""
        return []

    def _log_response(self, response, started):
        for secret in self._secrets_in_response(response):
            self.remember_secret(secret)
        request = response.request
        # Bodies hold customers' personal data: keep them when the exchange failed (someone
        # will investigate) or while a person debugs the account, not for every call.
        full = self.credential.debug_logging or _is_failure_status(response.status_code)
        response.channel_log_id = self.env["channel.api.log"]._write_entry(
            self.credential, self.secret_values, request.method, request.url,
            dict(request.headers), request.body, status_code=response.status_code,
            response_headers=dict(response.headers), response_body=response.content,
            duration_ms=(time.monotonic() - started) * 1000, full=full,
        )

    def _log_failure(self, method, url, params, headers, body, started, error):
        prepared = requests.Request(method, url, params=params).prepare()
        self.env["channel.api.log"]._write_entry(
            self.credential, self.secret_values, method, prepared.url, headers,
            body if isinstance(body, str | bytes) or body is None else str(body),
            duration_ms=(time.monotonic() - started) * 1000, error=error, full=True,
        )

    def _record_failed_answer(self, response, error):
        """A successful-looking answer we could not use (unreadable JSON, a refused XML
        document): mark its log entry failed and keep its bodies. Platform clients call
        this where they refuse an answer after :meth:`request` returned it."""
        request = response.request
        self.env["channel.api.log"]._keep_failed_exchange(
            getattr(response, "channel_log_id", None), self.secret_values,
            dict(request.headers), request.body, dict(response.headers), response.content,
            error,
        )


def _body_error_code(response):
    """The ``error`` code of a JSON error body (``{"error": "invalid_grant"}``), else None."""
    try:
        body = response.json()
    except ValueError:
        return None
    code = body.get("error") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None


def _is_failure_status(status):
    return status >= 400 or status in REDIRECT_STATUSES


def max_wait_hint(env):
    """The longest wait a platform hint may impose (``channel_base.rate_limit_max_wait``,
    seconds, default one hour)."""
    value = env["ir.config_parameter"].sudo().get_param(
        "channel_base.rate_limit_max_wait", DEFAULT_MAX_WAIT)
    try:
        return max(float(value), 1.0)
    except (TypeError, ValueError):
        return DEFAULT_MAX_WAIT


def _number(value):
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
