import re
from urllib.parse import urlsplit

from odoo.addons.channel_base.exceptions import (
    AuthError,
    PermanentError,
    TransientError,
)
from odoo.addons.channel_base.http_client import ChannelClient

from . import const

ORDER_ID_PATTERN = re.compile(r"^[0-9A-Za-z-]{1,64}$")
# OAuth error codes of the Accounts service (authentication.md) that refuse the
# credentials themselves; unsupported_grant_type and the like are our own bug instead.
REFUSALS = ("invalid_grant", "invalid_client", "unauthorized_client")


def _oauth_error(message):
    """The OAuth error code in a refused token request's message, if any."""
    return next((code for code in REFUSALS if code in (message or "")), None)


class IqmetrixClient(ChannelClient):
    """Client of the iQmetrix Accounts (OAuth) and Dropship services.

    Access tokens come from ``iqmetrix.oauth.token``, which keeps the access and refresh
    tokens of a credential together and renews them under a lock; a 401 on a token we
    believed valid (revoked by a refresh elsewhere) discards it and retries once.
    """

    uses_access_token = True

    def __init__(self, credential):
        super().__init__(credential)
        self.accounts_url = self.credential._iqmetrix_accounts_base_url()
        self.supplier_path = f"/Suppliers({self.credential.iqmetrix_supplier_id or ''})"
        self._token_in_use = None

    # ------------------------------------------------------------------ tokens

    def _access_token(self):
        token = self.env["iqmetrix.oauth.token"]._access_token(self)
        self._token_in_use = token
        self.remember_secret(token)
        return token

    def remember_secret(self, value):
        if value and value not in self.secret_values:
            self.secret_values.append(value)

    def request(self, method, path, *, authenticate=True, **kwargs):
        self._token_in_use = None  # set by _access_token once a token is on the request
        try:
            return super().request(method, path, authenticate=authenticate, **kwargs)
        except AuthError:
            if not authenticate or not self._token_in_use:
                raise
            # Another worker's refresh revokes the token this one still holds: drop exactly
            # that token and try once more with a fresh one.
            self._discard_token_in_use()
            try:
                return super().request(method, path, authenticate=authenticate, **kwargs)
            except AuthError:
                # Refused with a brand-new token too: keep no token iQmetrix refuses.
                self._discard_token_in_use()
                raise

    def _discard_token_in_use(self):
        if self._token_in_use:
            self.env["iqmetrix.oauth.token"]._discard_access_token(
                self.credential.id, self._token_in_use)
        self._token_in_use = None

    def password_grant(self):
        credential = self.credential
        return self._token_request("password", {
            "grant_type": "password",
            "client_id": credential.iqmetrix_client_id or "",
            "client_secret": credential.iqmetrix_client_secret or "",
            "username": credential.iqmetrix_username or "",
            "password": credential.iqmetrix_password or "",
        })

    def refresh_grant(self, refresh_token):
        self.remember_secret(refresh_token)
        credential = self.credential
        return self._token_request("refresh_token", {
            "grant_type": "refresh_token",
            "client_id": credential.iqmetrix_client_id or "",
            "client_secret": credential.iqmetrix_client_secret or "",
            "refresh_token": refresh_token,
        })

    def _token_request(self, grant_type, form):
        try:
            answer = self.request_json(
                "POST", self.accounts_url + const.TOKEN_PATH, data=form,
                headers={"Accept": "application/json"}, authenticate=False,
            )
        except (AuthError, PermanentError) as error:
            if error.status == 401 or (
                    error.status == 400 and _oauth_error(error.message) in REFUSALS):
                # A definite refusal of these credentials: channel_base pauses the
                # account's scheduled syncs rather than trying them again every poll.
                raise AuthError(
                    f"iQmetrix refused the {grant_type} grant: {error.message}",
                    status=error.status,
                    # The password itself refused: a second grant would be refused too.
                    refresh_helps=grant_type != "password",
                ) from None
            raise
        if not isinstance(answer, dict) or not answer.get("access_token"):
            raise TransientError(f"iQmetrix {grant_type} grant answered without an access token")
        self.remember_secret(answer.get("access_token"))
        self.remember_secret(answer.get("refresh_token"))
        return answer

    # ------------------------------------------------------------------ feed

    def feed_url(self):
        return f"{self.base_url}{self.supplier_path}/Notifications"

    def fetch_feed_page(self, url=None):
        """Raw bytes of the current feed page, or of the page at ``url`` (a feed link)."""
        return self.fetch_feed_response(url).content

    def fetch_feed_response(self, url=None):
        """The answer for the current feed page, or for the page at ``url`` (a feed link)."""
        url = url or self.feed_url()
        self._check_same_origin(url)
        return self.request("GET", url, headers={"Accept": const.FEED_ACCEPT})

    def _check_same_origin(self, url):
        # A link from the feed must not send our bearer token to another host.
        if urlsplit(url)[:2] != urlsplit(self.base_url)[:2]:
            raise PermanentError(
                f"Feed link {self._masked(url)} leaves {self._masked(self.base_url)}; "
                "not followed."
            )

    # ------------------------------------------------------------------ status updates

    def update_status(self, endpoint, order_id, body):
        """PUT an OrderStatusUpdate or ItemStatusUpdate; 202 (or any 2xx) is success."""
        if endpoint not in (const.ORDER_STATUS_ENDPOINT, const.ITEM_STATUS_ENDPOINT):
            raise ValueError(f"Unknown status endpoint {endpoint}")
        if not ORDER_ID_PATTERN.match(order_id or ""):
            raise PermanentError(f"Not an iQmetrix order id: {order_id!r}")
        return self.request_json(
            "PUT", f"{self.supplier_path}/Orders({order_id})/{endpoint}", json=body,
            headers={"Accept": "application/json"},
        )
