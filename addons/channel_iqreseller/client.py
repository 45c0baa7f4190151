"""IQ Reseller client: session sign-in on its own host, calls on the API host."""

import logging

from odoo.addons.channel_base.exceptions import (
    AuthError,
    ChannelError,
    PermanentError,
    RateLimitedError,
    TransientError,
)
from odoo.addons.channel_base.http_client import ChannelClient
from odoo.addons.channel_base.token_strategies import SessionLogin
from odoo.addons.channel_base.tools import mask_values

from . import mapping
from .const import (
    DEFAULT_SIGNIN_URL,
    GET_ORDERS_PATH,
    GET_SOS_PATH,
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
    """Calls on a session of the shared token store (``SessionLogin``): signed in on
    first use, reused by every job while it is younger than the account's Session
    Lifetime, signed in again when IQR refuses it (a 401 discards exactly that session;
    the refused call is asked once more on a new one). The session token is masked
    before the sign-in answer is logged, so it never reaches the API log, an error or
    the chatter. :meth:`end_session` ends it at the end of an order import run."""

    # Order pages are small JSON lists (25 orders of a few KiB); 10 MiB is far above
    # any page size a person would set, so the default limit stays.

    def __init__(self, credential):
        super().__init__(credential)
        self.signin_url = (self.credential.iqr_signin_url or DEFAULT_SIGNIN_URL).rstrip("/")
        self.call_count = 0
        self.page_size_reductions = []

    # ------------------------------------------------------------------ session

    def _token_strategy(self):
        return SessionLogin(self.signin_url + SESSION_PATH,
                            lifetime=(self.credential.iqr_session_lifetime or 55) * 60,
                            answer_key="Data", header_name="iqr-session-token",
                            header_prefix="")

    def _session_login_payload(self):
        if not self.credential.iqr_api_key:
            raise AuthError("The IQR API Key of this account is not set.", refresh_helps=False)
        return {"APIToken": self.credential.iqr_api_key}

    def _access_token(self):
        try:
            return super()._access_token()
        except AuthError as error:
            if error.status in SIGN_IN_REFUSALS and not error.refresh_helps:
                raise AuthError(f"IQ Reseller refused the API key: {error.message}",
                                status=error.status, refresh_helps=False) from None
            raise

    def end_session(self):
        """End the stored session (if any) and forget it; a failure here is logged,
        never raised (the run's work is done)."""
        stored = self.env["channel.access.token"].sudo()._stored_secrets(self.credential.id)
        if not stored:
            return
        token = stored[0]  # a session has no refresh token: the stored session first
        self.remember_secret(token)
        self._discard_access_token(token)
        try:
            self._counted("DELETE", self.signin_url + SESSION_PATH, authenticate=False,
                          headers={"Authorization": f"Bearer {token}"}, parse=False)
        except ChannelError as error:
            _logger.info("IQ Reseller session of credential %s not ended: %s",
                         self.credential.id, error.message)

    def call(self, method, path, **kwargs):
        """An API call on the stored session, asked once more on a new session when IQR
        refuses it (expired, or ended elsewhere)."""
        try:
            return self._counted(method, path, **kwargs)
        except AuthError as error:
            if not error.refresh_helps:
                raise
            return self._counted(method, path, **kwargs)

    def _counted(self, method, path, parse=True, **kwargs):
        if parse:
            return self.request_json(method, path, **kwargs)
        return self.request(method, path, **kwargs)

    def request(self, method, path, **kwargs):
        self.call_count += 1  # the sign-in included: the stats of a page report them
        return super().request(method, path, **kwargs)

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

    def read_page(self, offset, page_size, first_page=0, sort_by=0):
        """``(orders, page_size)`` of the page starting at ``offset`` (a multiple of
        ``page_size``). A page that times out or fails with a server error is asked again
        with a smaller page size (IQR times out on large pages), keeping the position: the
        size returned divides ``offset`` and is the one to go on with."""
        while True:
            try:
                return self.fetch_orders_page(first_page + offset // page_size,
                                              page_size, sort_by), page_size
            except RateLimitedError:
                raise
            except TransientError as error:
                page_size = self._smaller_page_size(page_size, offset, error)

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
