"""IQ Reseller client: session sign-in on its own host, calls on the API host."""

import logging
import time
from contextlib import contextmanager

from odoo.addons.channel_base.exceptions import (
    AuthError,
    ChannelError,
    PermanentError,
    RateLimitedError,
    TransientError,
)
from odoo.addons.channel_base.http_client import ChannelClient
from odoo.addons.channel_base.tools import mask_values

from . import mapping
from .const import (
    DEFAULT_SIGNIN_URL,
    GET_ORDERS_PATH,
    GET_SOS_PATH,
    MAX_PAGES,
    MIN_PAGE_SIZE,
    SESSION_PATH,
    SO_UDFS_PATH,
    UPDATE_ORDER_PATH,
)

_logger = logging.getLogger(__name__)

# Sign-in answers that refuse the key itself: the only input is the key.
SIGN_IN_REFUSALS = (400, 401, 403)
# What IQR answers (HTTP 404) for a page past the end, as the public connector saw it.
NO_SO_FOR_PAGE = "no so for the given page"


class IQResellerClient(ChannelClient):
    """One session per sync run: sign in on first use (again when the session is older
    than its configured lifetime, and once more after a 401), end it with
    :meth:`end_session`. The session token is added to the masked secrets before the
    sign-in answer is logged, so it never reaches the API log, an error or the chatter."""

    def __init__(self, credential):
        super().__init__(credential)
        self.signin_url = (self.credential.iqr_signin_url or DEFAULT_SIGNIN_URL).rstrip("/")
        self.session_lifetime = (self.credential.iqr_session_lifetime or 55) * 60
        self.session_token = None
        self.session_started = 0.0
        self.call_count = 0
        self.page_size_reductions = []

    # ------------------------------------------------------------------ session

    @contextmanager
    def session_scope(self):
        try:
            yield self
        finally:
            self.end_session()

    def sign_in(self):
        """Open a session. Any refusal of the key (401, or 400/403: the only input is the
        key) is an AuthError, so the queue pauses the account instead of retrying it."""
        if not self.credential.iqr_api_key:
            raise AuthError("The IQR API Key of this account is not set.", refresh_helps=False)
        try:
            answer = self._counted("POST", self.signin_url + SESSION_PATH,
                                   json={"APIToken": self.credential.iqr_api_key},
                                   authenticate=False)
        except (AuthError, PermanentError) as error:
            if error.status in SIGN_IN_REFUSALS:
                raise AuthError(f"IQ Reseller refused the API key: {error.message}",
                                status=error.status, refresh_helps=False) from None
            raise
        token = answer.get("Data") if isinstance(answer, dict) else None
        if not token or not isinstance(token, str):
            raise AuthError("IQ Reseller sign-in answered without a session token.")
        self.session_token = token
        self.session_started = time.monotonic()

    def end_session(self):
        """End the session; a failure here is logged, never raised (the run's work is done)."""
        token, self.session_token = self.session_token, None
        if not token:
            return
        try:
            self._counted("DELETE", self.signin_url + SESSION_PATH, authenticate=False,
                          headers={"Authorization": f"Bearer {token}"}, parse=False)
        except ChannelError as error:
            _logger.info("IQ Reseller session of credential %s not ended: %s",
                         self.credential.id, error.message)

    def call(self, method, path, **kwargs):
        """An API call on a live session, re-authenticating once on a 401."""
        if not self.session_token or self._session_expired():
            self.sign_in()
        try:
            return self._counted(method, path, **kwargs)
        except AuthError:
            self.session_token = None  # refused: expired or ended elsewhere
            self.sign_in()
            return self._counted(method, path, **kwargs)

    def _session_expired(self):
        return time.monotonic() - self.session_started >= self.session_lifetime

    def _auth_headers(self):
        return {"iqr-session-token": self.session_token} if self.session_token else {}

    def _counted(self, method, path, parse=True, **kwargs):
        self.call_count += 1
        if parse:
            return self.request_json(method, path, **kwargs)
        return self.request(method, path, **kwargs)

    # ------------------------------------------------------------------ hooks

    def _secrets_in_response(self, response):
        # The sign-in answer carries the new token: mask it before the answer is logged.
        if response.request.method != "POST" or not response.request.url.endswith(SESSION_PATH):
            return []
        try:
            token = response.json().get("Data")
        except (ValueError, AttributeError):
            return []
        return [token] if isinstance(token, str) else []

    def _error_message(self, response):
        return mask_values(super()._error_message(response), self.secret_values)

    # ------------------------------------------------------------------ orders

    def fetch_orders_page(self, page, page_size, sort_by=0):
        """One page of orders; [] past the end of the listing (IQR may answer that with
        a 404 "There is no SO for the given Page" instead of an empty list)."""
        try:
            if self.credential.iqr_order_endpoint == "get_sos":
                answer = self.call("GET", GET_SOS_PATH, params={
                    "Page": page, "PageSize": page_size, "SortBy": sort_by})
            else:
                answer = self.call("POST", GET_ORDERS_PATH, json={
                    "Page": page, "PageSize": page_size, "SortBy": sort_by})
        except PermanentError as error:
            if error.status == 404 and NO_SO_FOR_PAGE in error.message.lower():
                return []
            raise
        orders = mapping.orders_from_answer(answer)
        if orders is None:
            raise TransientError(
                f"IQ Reseller answered page {page} with {type(answer).__name__}, "
                "not a list of orders."
            )
        return orders

    def detect_first_page(self, page_size, sort_by=0):
        """How IQR numbers its pages, from pages 0 and 1 (IQR does not document it):
        ``(first page number or None when the listing is empty, {page: orders read})``.
        0 and 1 answering the same first order, or only 1 answering orders, means the
        first page is 1 (page 0 then repeats it, or is refused); otherwise it is 0."""
        try:
            page_zero = self.fetch_orders_page(0, page_size, sort_by)
        except PermanentError:  # an API numbering from 1 may refuse page 0
            page_zero = []
        page_one = self.fetch_orders_page(1, page_size, sort_by)
        read = {0: page_zero, 1: page_one}
        if page_zero:
            same = page_one and mapping.order_id(page_one[0]) == mapping.order_id(page_zero[0])
            return (1 if same else 0), read
        return (1 if page_one else None), read

    def iter_order_pages(self, page_size, first_page=0, sort_by=0, start_offset=0):
        """Yield ``(offset, orders)`` from ``start_offset`` (a multiple of ``page_size``)
        until a page comes back short. A page that times out or fails with a server
        error is asked again with a smaller page size (IQR times out on large pages),
        keeping the position: the size always divides the orders already read."""
        offset = start_offset
        previous_first = None
        for _page in range(MAX_PAGES):
            try:
                orders = self.fetch_orders_page(first_page + offset // page_size,
                                                page_size, sort_by)
            except RateLimitedError:
                raise
            except TransientError as error:
                page_size = self._smaller_page_size(page_size, offset, error)
                continue
            first = mapping.order_id(orders[0]) if orders else None
            if first is not None and first == previous_first:
                raise PermanentError(
                    f"IQ Reseller returned the same page twice (soid {first}): check the "
                    "first page number and page size settings."
                )
            previous_first = first
            yield offset, orders
            if len(orders) < page_size:
                return
            offset += len(orders)
        raise PermanentError(f"IQ Reseller listing did not end after {MAX_PAGES} pages.")

    def _smaller_page_size(self, page_size, offset, error):
        """About half the size, dividing ``offset`` so the next page starts where the
        failed one did."""
        if page_size <= MIN_PAGE_SIZE:
            raise error
        smaller = page_size // 2
        while offset % smaller:
            smaller -= 1
        _logger.info("IQ Reseller credential %s: page size %s failed (%s), retrying with %s",
                     self.credential.id, page_size, error.message, smaller)
        self.page_size_reductions.append((page_size, smaller))
        return smaller

    # ------------------------------------------------------------------ tracking

    def write_tracking(self, entry):
        """Write one SO's user-defined fields (the tracking entry, keyed on soid)."""
        if self.credential.iqr_tracking_endpoint == "so_udfs":
            answer = self.call("POST", SO_UDFS_PATH, json={"sos": [entry]})
        else:
            answer = self.call("POST", UPDATE_ORDER_PATH, json=entry)
        if isinstance(answer, dict) and answer.get("Data") is False:
            raise PermanentError(
                f"IQ Reseller refused the tracking update of soid {entry['soid']}: "
                f"{answer.get('Message') or 'no reason given'}"
            )
        return answer
