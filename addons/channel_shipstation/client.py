"""The ShipStation client: V1 (Basic auth, 40 requests per minute) plus the few V2 calls
(api-key header) needed to register webhooks, and the JWKS fetch for V2 signatures."""

from odoo.addons.channel_base.http_client import ChannelClient

from .const import (
    JWKS_URL,
    RATE_LIMIT_PERIOD,
    RATE_LIMIT_REQUESTS,
    V2_BASE_URL,
)


class ShipStationClient(ChannelClient):
    # V1 allows 40 requests a minute per key pair; the shared window is realigned on the
    # X-Rate-Limit-* answers (both spellings), so no request is sent that would exceed it.
    rate_limit_kind = "window"
    rate_limit_capacity = RATE_LIMIT_REQUESTS
    rate_limit_period = float(RATE_LIMIT_PERIOD)
    # A /shipments page is 500 labels with their items: a B2B run of 40-line orders is
    # ~25 KiB a label, 12 MiB a page, over the shared 10 MiB default. 32 MiB keeps such a
    # page whole and still refuses a runaway answer.
    max_response_bytes = 32 * 1024 * 1024

    def __init__(self, credential):
        super().__init__(credential)
        credential = self.credential
        self.rate_limit_capacity = credential.shipstation_rate_limit or RATE_LIMIT_REQUESTS
        self.rate_limit_period = float(credential.shipstation_rate_period or RATE_LIMIT_PERIOD)
        self.v2_base_url = (credential.shipstation_v2_base_url or V2_BASE_URL).rstrip("/")

    def _basic_auth(self):
        return (self.credential.shipstation_api_key or "",
                self.credential.shipstation_api_secret or "")

    def _error_message(self, response):
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            # V1: {"Message": ..., "ExceptionMessage": ...} or {"statusCode", "message"};
            # V2: {"errors": [{"message": ...}]}.
            errors = body.get("errors")
            if isinstance(errors, list) and errors:
                return "; ".join(str(error.get("message") or error) for error in errors
                                 if isinstance(error, dict))[:1000]
            message = body.get("ExceptionMessage") or body.get("Message") or body.get("message")
            if message:
                return str(message)[:1000]
        return super()._error_message(response)

    # ------------------------------------------------------------------ V1 orders

    def create_orders(self, orders):
        """Create or update up to 100 orders; per-order results in ``results``."""
        return self.request_json("POST", "/orders/createorders", json=orders)

    def get_order(self, order_id):
        """One order (GET /orders/{orderId}): its advancedOptions.storeId names its store."""
        return self.request_json("GET", f"/orders/{int(order_id)}")

    def ping(self):
        return self.request_json("GET", "/orders", params={"pageSize": 1})

    # ------------------------------------------------------------------ V1 shipments

    def list_shipments(self, page=1, **filters):
        params = dict(filters, includeShipmentItems="true", page=page,
                      pageSize=self.credential._shipstation_page_size())
        return self.request_json("GET", "/shipments", params=params)

    def get_resource(self, url, page=1):
        """GET a webhook's resource_url (already checked to be our API host)."""
        params = {"page": page} if page > 1 else None
        return self.request_json("GET", url, params=params)

    # ------------------------------------------------------------------ V1 webhooks

    def list_webhooks(self):
        answer = self.request_json("GET", "/webhooks") or {}
        if isinstance(answer, dict):
            return answer.get("webhooks") or []
        return answer

    def subscribe_webhook(self, target_url, event, store_id=None, friendly_name=None):
        return self.request_json("POST", "/webhooks/subscribe", json={
            "target_url": target_url, "event": event, "store_id": store_id,
            "friendly_name": friendly_name,
        })

    def delete_webhook(self, webhook_id):
        return self.request("DELETE", f"/webhooks/{webhook_id}")

    # ------------------------------------------------------------------ V2

    def _v2_headers(self):
        return {"api-key": self.credential.shipstation_v2_api_key or ""}

    def v2_list_webhooks(self):
        return self.request_json("GET", self.v2_base_url + "/v2/environment/webhooks",
                                 headers=self._v2_headers(), authenticate=False,
                                 bucket="v2") or []

    def v2_create_webhook(self, url, event, name, store_id=None):
        body = {"name": name, "event": event, "url": url}
        if store_id:
            body["store_id"] = store_id
        return self.request_json("POST", self.v2_base_url + "/v2/environment/webhooks",
                                 json=body, headers=self._v2_headers(), authenticate=False,
                                 bucket="v2")

    def v2_delete_webhook(self, webhook_id):
        return self.request("DELETE", f"{self.v2_base_url}/v2/environment/webhooks/{webhook_id}",
                            headers=self._v2_headers(), authenticate=False, bucket="v2")

    def fetch_jwks(self):
        url = self.credential.shipstation_jwks_url or JWKS_URL
        return self.request_json("GET", url, authenticate=False, bucket="jwks")
