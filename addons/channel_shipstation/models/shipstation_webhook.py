"""ShipStation webhooks: authenticating, parsing and processing events; registering the
webhooks."""

import logging
import re
from urllib.parse import urlsplit

from odoo import models
from odoo.exceptions import UserError

from odoo.addons.channel_base.exceptions import ChannelError, PermanentError

from .. import mapping, signature
from ..client import ShipStationClient
from ..const import (
    JWKS_URL,
    PLATFORM,
    V1_SHIP_NOTIFY,
    V2_FULFILLMENT_SHIPPED,
    V1_HOST_PATTERN,
    V2_FULFILLMENT_SHIPPED_TYPE,
)

_logger = logging.getLogger(__name__)


class ShipStationWebhook(models.Model):
    # One file per flow on the credential is the layout every platform follows.
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _webhook_authenticate(self, raw_body, headers, query):
        """The URL token is required on every delivery, V2 included: ShipEngine signs every
        customer's deliveries with the same keys, so a valid signature only proves that
        ShipStation sent it, not that it is about this account. A signature, when present,
        must verify too."""
        if self.platform != PLATFORM:
            return super()._webhook_authenticate(raw_body, headers, query)
        if not super()._webhook_authenticate(raw_body, headers, query):
            _logger.warning("ShipStation delivery for credential %s refused: token missing or "
                            "wrong", self.id)
            return False
        if not signature.has_v2_signature(headers):
            return True
        try:
            signature.verify(raw_body, headers, self.shipstation_jwks_url or JWKS_URL,
                             ShipStationClient(self).fetch_jwks)
        except signature.SignatureError as error:
            _logger.warning("ShipStation V2 delivery for credential %s refused: %s",
                            self.id, error)
            return False
        except ChannelError as error:
            _logger.warning("ShipStation V2 delivery for credential %s refused: signing keys "
                            "unavailable (%s)", self.id, error)
            return False
        return True

    def _followed_url_host_patterns(self):
        """An account on ShipStation production may be sent to any numbered ssapiN host."""
        if self.platform != PLATFORM or not re.match(
                V1_HOST_PATTERN, urlsplit(self._get_api_base_url()).hostname or ""):
            return super()._followed_url_host_patterns()
        return (V1_HOST_PATTERN,)

    def _webhook_delivery_id(self, payload, raw_body, headers):
        if self.platform != PLATFORM or not isinstance(payload, dict):
            return super()._webhook_delivery_id(payload, raw_body, headers)
        resource_type = payload.get("resource_type")
        data = payload.get("data")
        if resource_type == V1_SHIP_NOTIFY and payload.get("resource_url"):
            # A redelivery of the same batch carries the same resource_url.
            return "v1:" + str(payload["resource_url"])[:400]
        if isinstance(data, dict) and data.get("shipment_id"):
            return f"v2:{resource_type}:{data['shipment_id']}"
        return super()._webhook_delivery_id(payload, raw_body, headers)

    def _process_webhook_event(self, event):
        if self.platform != PLATFORM:
            return super()._process_webhook_event(event)
        payload = event._payload()
        if not isinstance(payload, dict):
            raise PermanentError(self.env._("ShipStation event body is not a JSON object."))
        resource_type = payload.get("resource_type")
        if resource_type == V1_SHIP_NOTIFY:
            return self._shipstation_process_ship_notify(payload)
        if resource_type == V2_FULFILLMENT_SHIPPED_TYPE:
            return self._shipstation_process_fulfillment_shipped(payload)
        return {"ignored": resource_type}

    def _shipstation_process_ship_notify(self, payload):
        # V1 is unsigned: following any URL with our Basic credentials would hand them to
        # whoever posted it (FollowedUrlRefused, a PermanentError, when it is not ours).
        resource_url = self._check_followed_url(str(payload.get("resource_url") or ""))
        url = mapping.with_query(resource_url, includeShipmentItems="true")
        client = ShipStationClient(self)
        raws, page = [], 1
        while True:
            answer = client.get_resource(mapping.with_query(url, page=page) if page > 1
                                         else url) or {}
            raws += answer.get("shipments") or []
            if page >= (answer.get("pages") or 1):
                break
            page += 1
        return self._shipstation_apply_shipments(self._shipstation_parse_v1(raws))

    def _shipstation_process_fulfillment_shipped(self, payload):
        """A V2 fulfilment event is only a signal: the shipments are read from this
        account's own V1 API (by the order number it names, else by the regular poll),
        never taken from the posted body."""
        order_number = mapping.v2_event_order_number(payload)
        if not order_number:
            self._shipstation_queue_polls()
            return {"poll_queued": True}
        filters = {"orderNumber": order_number}
        if self.shipstation_store_id:
            filters["storeId"] = self.shipstation_store_id
        # orderNumber filters may be "starts with" searches: keep the exact matches.
        raws = [raw for raw in self._shipstation_list_all(ShipStationClient(self), filters)
                if str(raw.get("orderNumber") or "") == order_number]
        outcomes = self._shipstation_apply_shipments(
            self._shipstation_parse_v1(raws, listed_store=filters.get("storeId")))
        if not raws:
            # V1 may not list a fresh label yet: the regular poll will catch it.
            self._shipstation_queue_polls()
        return dict(outcomes, order_number=order_number, listed=len(raws))

    def action_shipstation_register_webhooks(self):
        self.ensure_one()
        self.check_access("write")
        credential = self.sudo()
        target_url = credential.webhook_url
        client = ShipStationClient(credential)
        try:
            v1_id = credential._shipstation_subscribe_v1(client, target_url)
            v2_id = False
            if credential.shipstation_v2_api_key:
                v2_id = credential._shipstation_subscribe_v2(client, target_url)
        except ChannelError as error:
            raise UserError(self.env._(
                "ShipStation refused the webhook registration: %s", error.message)) from None
        credential.write({"shipstation_v1_webhook_id": v1_id, "shipstation_v2_webhook_id": v2_id})
        v2_text = self.env._(", fulfillment_shipped_v2 %s", v2_id) if v2_id else ""
        message = self.env._("Webhooks registered: SHIP_NOTIFY %(v1)s%(v2)s.", v1=v1_id,
                             v2=v2_text)
        self.message_post(body=message)
        return self._notification(message)

    def _shipstation_subscribe_v1(self, client, target_url):
        route = target_url.split("?", 1)[0]
        hook_id = None
        for hook in client.list_webhooks():
            url = hook.get("Url") or ""
            if hook.get("HookType") != V1_SHIP_NOTIFY or url.split("?", 1)[0] != route:
                continue
            if url == target_url and hook_id is None:
                hook_id = hook.get("WebHookID")
            else:
                # Our route with an old token (secret regenerated) or a twin: remove it.
                client.request("DELETE", f"/webhooks/{hook.get('WebHookID')}")
        if hook_id is None:
            answer = client.subscribe_webhook(
                target_url, V1_SHIP_NOTIFY, store_id=mapping.int_or_none(
                    self.shipstation_store_id), friendly_name=f"Odoo {self.name}")
            hook_id = (answer or {}).get("WebHookID") or (answer or {}).get("id")
        return str(hook_id)

    def _shipstation_subscribe_v2(self, client, target_url):
        route = target_url.split("?", 1)[0]
        hook_id = None
        for hook in client.v2_list_webhooks():
            url = hook.get("url") or ""
            if hook.get("event") != V2_FULFILLMENT_SHIPPED or url.split("?", 1)[0] != route:
                continue
            if url == target_url and hook_id is None:
                hook_id = hook.get("webhook_id")
            else:
                client.request("DELETE", client.v2_base_url + "/v2/environment/webhooks/"
                               + str(hook.get("webhook_id")), headers=client._v2_headers(),
                               authenticate=False, bucket="v2")
        if hook_id is None:
            answer = client.v2_create_webhook(
                target_url, V2_FULFILLMENT_SHIPPED, f"Odoo {self.name}",
                store_id=mapping.int_or_none(self.shipstation_store_id))
            hook_id = (answer or {}).get("webhook_id")
        return str(hook_id)
