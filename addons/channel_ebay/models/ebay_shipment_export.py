"""Shipments out, when Odoo ships eBay orders (*Odoo Ships eBay Orders*): a done delivery
(or tracking added to one done without) becomes one ``ebay.push_shipment`` job; the job
posts createShippingFulfillment (carrier code from the carrier map, tracking, the line
items that shipped) once per transfer. Before posting it reads the order's fulfilments, so
a job recovered after a crash adopts the fulfilment eBay already holds."""

import uuid

from odoo import fields, models

from odoo.addons.channel_base.exceptions import PermanentError
from odoo.addons.channel_base.shipment_events import split_tracking_refs

from .. import const, mapping
from ..client import EbayClient
from ..orders_stream import iso_z

SENDING_EVENTS = ("done", "tracking_added")


def _shipped_by_product(picking):
    shipped = {}
    for move in picking.move_ids.filtered(lambda m: m.state == "done"):
        key = str(move.product_id.id)
        shipped[key] = shipped.get(key, 0) + move.quantity
    return shipped


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _on_pickings_done(self, pickings, backorders):
        if self.platform != const.PLATFORM:
            return super()._on_pickings_done(pickings, backorders)
        return self._ebay_queue_shipments("done", pickings, {})

    def _on_tracking_added(self, pickings, new_refs):
        if self.platform != const.PLATFORM:
            return super()._on_tracking_added(pickings, new_refs)
        return self._ebay_queue_shipments("tracking_added", pickings, new_refs)

    def _on_tracking_removed(self, pickings, old_refs):
        if self.platform != const.PLATFORM:
            return super()._on_tracking_removed(pickings, old_refs)
        return self._ebay_queue_shipments("tracking_removed", pickings, old_refs)

    def _on_backorders_cancelled(self, pickings):
        if self.platform != const.PLATFORM:
            return super()._on_backorders_cancelled(pickings)
        return self._ebay_queue_shipments("backorder_cancelled", pickings, {})

    def _on_pickings_cancelled(self, pickings):
        if self.platform != const.PLATFORM:
            return super()._on_pickings_cancelled(pickings)
        return self._ebay_queue_shipments("cancelled", pickings, {})

    def _ebay_queue_shipments(self, event, pickings, numbers):
        """One job per transfer of the hook call (one statement), only for accounts whose
        eBay orders Odoo ships; the job decides what eBay is told (it has no void or
        update of a fulfilment: removals and cancellations are recorded, not sent)."""
        if not self.ebay_fulfil_in_odoo:
            return self.env["sync.job"]
        dispatch = uuid.uuid4().hex
        return self.env["sync.job"]._enqueue_many([{
            "operation": const.OP_PUSH_SHIPMENT, "credential": self, "record": picking,
            "payload": {"event": event, "dispatch": dispatch,
                        "numbers": numbers.get(picking.id) or [],
                        "tracking": split_tracking_refs(picking.carrier_tracking_ref),
                        "shipped": _shipped_by_product(picking)},
        } for picking in pickings])

    def _ebay_push_shipment(self, job):
        picking = job._target()
        if job.payload.get("event") not in SENDING_EVENTS:
            return {"skipped": f"{job.payload.get('event')}: eBay has no fulfilment void"}
        if picking.ebay_fulfillment_id:
            return {"skipped": "already posted to eBay"}
        tracking = split_tracking_refs(picking.carrier_tracking_ref)
        if picking.state != "done" or not tracking:
            return {"skipped": "waiting for a tracking number"}
        order_id = picking.sale_id.channel_external_id
        client = EbayClient(self)
        known = self._ebay_fulfilment_with_tracking(client, order_id, tracking[0])
        if known:
            picking.ebay_fulfillment_id = known
            return {"skipped": f"eBay already holds fulfilment {known}"}
        response = client.request(
            "POST", f"{const.FULFILLMENT}/order/{order_id}/shipping_fulfillment",
            json=self._ebay_fulfilment_body(picking, tracking[0]),
            headers={"Content-Language": client.locale()})
        picking.ebay_fulfillment_id = (response.headers.get("Location") or "").rstrip(
            "/").rsplit("/", 1)[-1] or tracking[0]
        return {"sent": tracking[0], "fulfillment": picking.ebay_fulfillment_id}

    def _ebay_fulfilment_with_tracking(self, client, order_id, number):
        answer = client.call("GET", f"{const.FULFILLMENT}/order/{order_id}/shipping_fulfillment")
        for fulfilment in (answer or {}).get("fulfillments") or []:
            if fulfilment.get("shipmentTrackingNumber") == number:
                return fulfilment.get("fulfillmentId")
        return None

    def _ebay_fulfilment_body(self, picking, number):
        if not picking.carrier_id:
            raise PermanentError(self.env._(
                "Transfer %s has no carrier: eBay needs its shipping carrier code.",
                picking.display_name))
        codes = self.env["channel.carrier.map"]._platform_codes(self, picking.carrier_id)
        lines = {}
        for move in picking.move_ids.filtered(lambda m: m.state == "done" and m.quantity):
            key = move.sale_line_id.ebay_line_item_id
            if key:
                lines[key] = lines.get(key, 0) + move.quantity
        return mapping.shipping_fulfillment_body(
            list(lines.items()), codes.carrier_code, number,
            iso_z(fields.Datetime.context_timestamp(self, picking.date_done or
                                                    fields.Datetime.now())))
