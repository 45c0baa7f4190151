"""Shipments out, when Odoo ships eBay orders (*Odoo Ships eBay Orders*): a done delivery
(or tracking added to one done without) becomes one ``ebay.push_shipment`` job; the job
posts createShippingFulfillment (carrier code from the carrier map, tracking, the line
items that shipped) once per transfer. Before posting it reads the order's fulfilments, so
a job recovered after a crash adopts the fulfilment eBay already holds."""

from odoo import fields, models

from odoo.addons.channel_base.exceptions import PermanentError
from odoo.addons.channel_base.shipment_events import split_tracking_refs

from .. import const, mapping
from ..client import EbayClient
from ..orders_stream import iso_z


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _on_pickings_done(self, pickings, backorders):
        if self.platform != const.PLATFORM:
            return super()._on_pickings_done(pickings, backorders)
        return self._ebay_queue_shipments(pickings, "done")

    def _on_tracking_added(self, pickings, new_refs):
        if self.platform != const.PLATFORM:
            return super()._on_tracking_added(pickings, new_refs)
        return self._ebay_queue_shipments(pickings, "tracking_added")

    def _ebay_queue_shipments(self, pickings, event):
        """eBay has no fulfilment void or update: removals and cancellations tell it
        nothing, and only Odoo-shipped accounts post fulfilments at all."""
        if not self.ebay_fulfil_in_odoo:
            return self.env["sync.job"]
        pickings = pickings.filtered(lambda p: p.sale_id.channel_credential_id == self
                                     and not p.ebay_fulfillment_id)
        return self.env["sync.job"]._enqueue_many([{
            "operation": const.OP_PUSH_SHIPMENT, "credential": self, "record": picking,
            "payload": {"event": event,
                        "tracking": split_tracking_refs(picking.carrier_tracking_ref)},
            "dedup_key": f"ebay.shipment:{picking.id}",
        } for picking in pickings])

    def _ebay_push_shipment(self, job):
        picking = job._target()
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
