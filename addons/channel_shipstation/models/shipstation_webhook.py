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
    TRACK_RESOURCE_TYPES,
    V1_HOST_PATTERN,
    V1_SHIP_NOTIFY,
    V2_BATCH_PROCESSED,
    V2_BATCH_PROCESSED_TYPE,
    V2_FULFILLMENT_SHIPPED,
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
        if resource_type == V2_BATCH_PROCESSED_TYPE and mapping.batch_reference(payload):
            return f"v2:{resource_type}:{mapping.batch_reference(payload)}"
        if resource_type in TRACK_RESOURCE_TYPES and isinstance(data, dict):
            # Readable in the events list; a body hash tells two updates of one status apart.
            body_hash = super()._webhook_delivery_id(payload, raw_body, headers)[7:19]
            return (f"{resource_type}:{str(data.get('tracking_number'))[:60]}:"
                    f"{str(data.get('status_code'))[:4]}:{body_hash}")
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
        if resource_type in TRACK_RESOURCE_TYPES:
            return self._shipstation_process_tracking(payload)
        if resource_type == V2_BATCH_PROCESSED_TYPE:
            return self._shipstation_process_batch(payload)
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
            v2_ids = {}
            if credential.shipstation_v2_api_key:
                v2_ids = credential._shipstation_subscribe_v2(client, target_url)
        except ChannelError as error:
            raise UserError(self.env._(
                "ShipStation refused the webhook registration: %s", error.message)) from None
        track_event = credential._shipstation_v2_track_event()
        credential.write({
            "shipstation_v1_webhook_id": v1_id,
            "shipstation_v2_webhook_id": v2_ids.get(V2_FULFILLMENT_SHIPPED, False),
            "shipstation_track_webhook_id": v2_ids.get(track_event, False),
            "shipstation_batch_webhook_id": v2_ids.get(V2_BATCH_PROCESSED, False),
        })
        v2_text = "".join(f", {event} {hook_id}" for event, hook_id in v2_ids.items())
        message = self.env._("Webhooks registered: SHIP_NOTIFY %(v1)s%(v2)s.", v1=v1_id,
                             v2=v2_text)
        self.message_post(body=message)
        return self._notification(message)

    def _shipstation_v2_track_event(self):
        return None if self.shipstation_track_event in (False, "none") \
            else self.shipstation_track_event

    def _shipstation_v2_events(self):
        """The V2 events an account with a V2 key subscribes to, in this order."""
        return [event for event in (V2_FULFILLMENT_SHIPPED, self._shipstation_v2_track_event(),
                                    V2_BATCH_PROCESSED) if event]

    @staticmethod
    def _shipstation_keep_subscription(hooks, event, target_url, delete, subscribe):
        """The id of our one subscription to ``event`` at ``target_url``, subscribing when
        there is none. ``hooks``: [(id, event, url)] listed. Subscriptions of our route with
        another token (the secret was regenerated) or twins are deleted."""
        route = target_url.split("?", 1)[0]
        hook_id = None
        for existing_id, hook_event, url in hooks:
            if hook_event != event or (url or "").split("?", 1)[0] != route:
                continue
            if url == target_url and hook_id is None:
                hook_id = existing_id
            else:
                delete(existing_id)
        return str(subscribe() if hook_id is None else hook_id)

    def _shipstation_subscribe_v1(self, client, target_url):
        hooks = [(hook.get("WebHookID"), hook.get("HookType"), hook.get("Url"))
                 for hook in client.list_webhooks()]

        def subscribe():
            answer = client.subscribe_webhook(
                target_url, V1_SHIP_NOTIFY, store_id=mapping.int_or_none(
                    self.shipstation_store_id), friendly_name=f"Odoo {self.name}") or {}
            return answer.get("WebHookID") or answer.get("id")

        return self._shipstation_keep_subscription(hooks, V1_SHIP_NOTIFY, target_url,
                                                   client.delete_webhook, subscribe)

    def _shipstation_subscribe_v2(self, client, target_url):
        """{event: webhook id} of the V2 subscriptions (listed once for all events)."""
        hooks = [(hook.get("webhook_id"), hook.get("event"), hook.get("url"))
                 for hook in client.v2_list_webhooks()]
        store_id = mapping.int_or_none(self.shipstation_store_id)
        ids = {}
        for event in self._shipstation_v2_events():
            def subscribe(event=event):
                answer = client.v2_create_webhook(target_url, event, f"Odoo {self.name}",
                                                  store_id=store_id) or {}
                return answer.get("webhook_id")

            ids[event] = self._shipstation_keep_subscription(
                hooks, event, target_url, client.v2_delete_webhook, subscribe)
        return ids
