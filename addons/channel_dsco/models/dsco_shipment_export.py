"""Shipments out: channel_base's shipment events on the deliveries of DSCO orders become
``dsco.push_shipment`` jobs (one per transfer and event, queued in one statement); the
job sends a singleShipment with the tracking number, DSCO's carrier code (carrier map),
the ship date and the quantities that shipped."""

import uuid

from odoo import models

from odoo.addons.channel_base.exceptions import PermanentError
from odoo.addons.channel_base.shipment_events import split_tracking_refs

from .. import const, mapping
from ..client import DscoClient

SENDING_EVENTS = ("done", "tracking_added")


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ event hooks

    def _on_pickings_done(self, pickings, backorders):
        if self.platform != const.PLATFORM:
            return super()._on_pickings_done(pickings, backorders)
        return self._dsco_queue_shipment_jobs("done", pickings, {})

    def _on_tracking_added(self, pickings, new_refs):
        if self.platform != const.PLATFORM:
            return super()._on_tracking_added(pickings, new_refs)
        return self._dsco_queue_shipment_jobs("tracking_added", pickings, new_refs)

    def _on_tracking_removed(self, pickings, old_refs):
        if self.platform != const.PLATFORM:
            return super()._on_tracking_removed(pickings, old_refs)
        return self._dsco_queue_shipment_jobs("tracking_removed", pickings, old_refs)

    def _on_backorders_cancelled(self, pickings):
        if self.platform != const.PLATFORM:
            return super()._on_backorders_cancelled(pickings)
        return self._dsco_queue_shipment_jobs("backorder_cancelled", pickings, {})

    def _on_pickings_cancelled(self, pickings):
        if self.platform != const.PLATFORM:
            return super()._on_pickings_cancelled(pickings)
        return self._dsco_queue_shipment_jobs("cancelled", pickings, {})

    def _dsco_queue_shipment_jobs(self, event, pickings, numbers):
        """One job per transfer of this hook call, in one statement; the payload says what
        happened (the tracking, the numbers of a tracking event, what shipped)."""
        dispatch = uuid.uuid4().hex
        together = pickings.ids if event in SENDING_EVENTS and len(pickings) > 1 else []
        return self.env["sync.job"]._enqueue_many([{
            "operation": const.OP_PUSH_SHIPMENT, "credential": self, "record": picking,
            "payload": {"event": event, "dispatch": dispatch, "together": together,
                        "numbers": numbers.get(picking.id) or [],
                        "tracking": split_tracking_refs(picking.carrier_tracking_ref),
                        "shipped": _shipped_by_product(picking)},
        } for picking in pickings])

    # ------------------------------------------------------------------ the push

    def _dsco_push_shipment(self, job):
        picking = job._target()
        event = job.payload.get("event")
        if event not in SENDING_EVENTS:
            return {"skipped": f"{event}: DSCO is not told (no shipment void or update API "
                               "is used by this connector)"}
        if picking.dsco_shipment_sent:
            return {"skipped": "already reported to DSCO"}
        tracking = split_tracking_refs(picking.carrier_tracking_ref)
        if picking.state != "done" or not tracking:
            return {"skipped": "waiting for a tracking number"}
        body = self._dsco_shipment_body(picking, tracking[0])
        others = self._dsco_batch_companions(picking, job.payload.get("together") or [])
        if others:
            together = picking.browse([picking.id, *(other.id for other in others)])
            return self._dsco_push_shipment_batch(together, [body, *others.values()])
        DscoClient(self).call("POST", const.SINGLE_SHIPMENT_PATH, json=body)
        picking.dsco_shipment_sent = True
        return {"sent": tracking[0]}

    def _dsco_batch_companions(self, picking, together):
        """{picking: singleShipment body} of the other transfers done in the same hook
        call that can be reported now; one that cannot is left to its own job (which
        records why)."""
        companions = {}
        Picking = self.env["stock.picking"]
        for other in Picking.browse([pid for pid in together if pid != picking.id]).exists():
            tracking = split_tracking_refs(other.carrier_tracking_ref)
            if other.dsco_shipment_sent or other.state != "done" or not tracking \
                    or other.sale_id.channel_credential_id != self:
                continue
            try:
                companions[other] = self._dsco_shipment_body(other, tracking[0])
            except PermanentError:
                continue
        return companions

    def _dsco_push_shipment_batch(self, pickings, bodies):
        """Several transfers done together: one createShipmentSmallBatch call (up to
        5 MB; one ShipmentsForUpdate per order, its shipments together)."""
        by_order = {}
        for body in bodies:
            by_order.setdefault(body["dscoOrderId"], []).extend(body["shipments"])
        items = [{"dscoOrderId": order, "shipments": shipments}
                 for order, shipments in by_order.items()]
        answer = DscoClient(self).call("POST", const.SHIPMENT_BATCH_PATH, json=items)
        pickings.dsco_shipment_sent = True
        return {"sent_in_batch": len(pickings), "orders": len(items),
                "requestId": (answer or {}).get("requestId")}

    def _dsco_shipment_body(self, picking, tracking_number):
        order = picking.sale_id
        if not order.channel_external_id:
            raise PermanentError(self.env._(
                "Transfer %s has no DSCO order to report to.", picking.display_name))
        if not picking.carrier_id:
            raise PermanentError(self.env._(
                "Transfer %s has no carrier: DSCO needs its carrier code.", picking.display_name))
        codes = self.env["channel.carrier.map"]._platform_codes(self, picking.carrier_id)
        return mapping.shipment_body(
            order.channel_external_id, tracking_number, codes.carrier_code,
            _iso_utc(picking.date_done), _shipped_lines(picking),
            service_code=codes.service_code or None)


def _shipped_by_product(picking):
    shipped = {}
    for move in picking.move_ids.filtered(lambda m: m.state == "done"):
        shipped[str(move.product_id.id)] = shipped.get(str(move.product_id.id), 0) + move.quantity
    return shipped


def _shipped_lines(picking):
    """[(DSCO sku, line number, quantity)] of the done moves: only what shipped."""
    lines = {}
    for move in picking.move_ids.filtered(lambda m: m.state == "done" and m.quantity):
        line = move.sale_line_id
        key = (line.dsco_sku or move.product_id.default_code, line.dsco_line_number)
        lines[key] = lines.get(key, 0) + move.product_uom._compute_quantity(
            move.quantity, line.product_uom or move.product_uom)
    return [(sku, number, int(quantity)) for (sku, number), quantity in lines.items()]


def _iso_utc(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None
