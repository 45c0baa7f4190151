import re

from odoo.addons.channel_base.exceptions import PermanentError
from odoo.addons.channel_base.http_client import ChannelClient
from odoo.addons.channel_base.token_strategies import PasswordGrant

from . import const
from .feed import MAX_FEED_BYTES

ORDER_ID_PATTERN = re.compile(r"^[0-9A-Za-z-]{1,64}$")


class IqmetrixClient(ChannelClient):
    """Client of the iQmetrix Accounts (OAuth) and Dropship services.

    Tokens are channel_base's store (``channel.access.token``) with the password grant,
    renewed by the refresh grant while the refresh token lasts. A feed page over
    ``max_response_bytes`` is refused before it is downloaded whole.
    """

    max_response_bytes = MAX_FEED_BYTES

    def __init__(self, credential):
        super().__init__(credential)
        self.accounts_url = self.credential._iqmetrix_accounts_base_url()
        self.supplier_path = f"/Suppliers({self.credential.iqmetrix_supplier_id or ''})"

    # ------------------------------------------------------------------ tokens

    def _token_strategy(self):
        # The token URL depends on the environment (or the configured accounts URL).
        return PasswordGrant(
            self.accounts_url + const.TOKEN_PATH,
            refresh_lifetime=const.REFRESH_TOKEN_LIFETIME_SECONDS
            - const.REFRESH_TOKEN_MARGIN_SECONDS)

    def _token_grant_fields(self, grant_type):
        credential = self.credential.sudo()
        fields = {"client_id": credential.iqmetrix_client_id or "",
                  "client_secret": credential.iqmetrix_client_secret or ""}
        if grant_type == "password":
            fields.update(username=credential.iqmetrix_username or "",
                          password=credential.iqmetrix_password or "")
        return fields

    def _token_request_headers(self, grant_type):
        return {"Accept": "application/json"}

    # ------------------------------------------------------------------ feed

    def feed_url(self):
        return f"{self.base_url}{self.supplier_path}/Notifications"

    def fetch_feed_page(self, url=None):
        """Raw bytes of the current feed page, or of the page at ``url`` (a feed link)."""
        return self.fetch_feed_response(url).content

    def fetch_feed_response(self, url=None):
        """The answer for the current feed page, or for the page at ``url`` (a feed link,
        refused unless it stays on the Dropship API: it would carry our bearer token)."""
        url = self.credential._check_followed_url(url or self.feed_url())
        return self.request("GET", url, headers={"Accept": const.FEED_ACCEPT})

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
