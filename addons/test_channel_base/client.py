from odoo.addons.channel_base.http_client import ChannelClient


class ExampleClient(ChannelClient):
    """Client of the example simulator: bearer tokens from /oauth/token, an optional
    request window read from X-Rate-Limit-* headers."""

    uses_access_token = True
    rate_limit_kind = "window"
    rate_limit_period = 60.0

    def __init__(self, credential):
        super().__init__(credential)
        self.rate_limit_capacity = credential.sudo().example_rate_limit
        if not self.rate_limit_capacity:
            self.rate_limit_kind = None

    def _fetch_access_token(self):
        answer = self.request_json(
            "POST", "/oauth/token", json={"api_key": self.credential.example_api_key},
            authenticate=False,
        )
        return answer["access_token"], answer.get("expires_in")

    def upsert_order(self, order):
        return self.request_json("POST", "/orders", json=order)

    def fetch_orders_page(self, page, page_size=100):
        return self.request_json("GET", "/orders", params={"page": page, "page_size": page_size})
