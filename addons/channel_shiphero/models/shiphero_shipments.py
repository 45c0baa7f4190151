"""Shipments in (webhook, shipments stream, reconciliation): kept per shipment on the
order and applied to its open transfer with channel_base's ``_channel_apply_shipments``
(partial shipments leave a backorder); the order is fulfilled when everything shipped."""

from datetime import datetime

from odoo import models

from odoo.addons.channel_base.exceptions import PermanentError
from odoo.addons.channel_base.shipment_events import APPLIED, Shipment

from .. import const


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _shiphero_import_shipments(self, shipments, source="import"):
        """``shipments``: mapping.shipment_of_* dicts. New ones are recorded and applied,
        each order's in one batch per round (a second shipment of the same order goes to
        the backorder of the first, the next round)."""
        orders = self._shiphero_orders_by_id(list({s["order_id"] for s in shipments}))
        known = {(record.order_id.id, record.external_id) for record in self.env[
            "shiphero.shipment"].search([("order_id", "in", [o.id for o in orders.values()])])}
        waiting = [s for s in shipments if s["order_id"] not in orders]
        self._shiphero_park_waiting_shipments(waiting)
        todo = [s for s in shipments if s["order_id"] in orders
                and (orders[s["order_id"]].id, s["id"]) not in known]
        skipped = len(shipments) - len(todo) - len(waiting)
        records = self.env["shiphero.shipment"]
        while todo:
            batch, later, seen = [], [], set()
            for shipment in todo:
                (later if shipment["order_id"] in seen else batch).append(shipment)
                seen.add(shipment["order_id"])
            records |= self._shiphero_apply_shipment_batch(batch, orders, source)
            todo = later
        for sale in {record.order_id for record in records}:
            sale._shiphero_after_shipment()
        self.env["channel.inbox.item"]._resolve(self, const.SHIPMENTS_STREAM, {
            record.external_id: record for record in records})
        return {"created": len(records), "skipped": skipped,
                "failed": len(records.filtered(lambda r: r.state == "refused")) + len(waiting)}

    # ------------------------------------------------------------------ waiting shipments
    # A shipment read before its order (the shipments page came first, or the order is
    # older than the backfill) is parked in the inbox, not dropped: it is applied as soon
    # as the order is imported, or by Retry.

    def _shiphero_park_waiting_shipments(self, shipments):
        Inbox = self.env["channel.inbox.item"]
        for shipment in shipments:
            Inbox._record_failure(
                self, const.SHIPMENTS_STREAM, shipment["id"], _shipment_payload(shipment),
                self.env._("ShipHero order %s is not in Odoo yet: this shipment is applied "
                           "once the order is imported (or press Retry).",
                           shipment["order_id"]))

    def _shiphero_import_orders(self, orders, source="import"):
        result = super()._shiphero_import_orders(orders, source=source)
        self._shiphero_apply_waiting_shipments()
        return result

    def _shiphero_apply_waiting_shipments(self):
        """Apply the parked shipments whose order is now in Odoo (few: one search)."""
        items = self.env["channel.inbox.item"].search([
            ("credential_id", "=", self.id), ("stream", "=", const.SHIPMENTS_STREAM),
            ("state", "=", "failed")])
        if not items:
            return
        shipments = [_shipment_of_payload(item._payload()) for item in items]
        orders = self._shiphero_orders_by_id(list({s["order_id"] for s in shipments}))
        ready = [shipment for shipment in shipments if shipment["order_id"] in orders]
        if ready:
            self._shiphero_import_shipments(ready, source="order imported")

    def _inbox_retryable_streams(self):
        streams = super()._inbox_retryable_streams()
        if self.platform != const.PLATFORM:
            return streams
        return (*streams, const.SHIPMENTS_STREAM)

    def _inbox_retry(self, item):
        if self.platform != const.PLATFORM or item.stream != const.SHIPMENTS_STREAM:
            return super()._inbox_retry(item)
        shipment = _shipment_of_payload(item._payload())
        if not self._shiphero_orders_by_id([shipment["order_id"]]):
            raise PermanentError(self.env._(
                "ShipHero order %s is still not in Odoo.", shipment["order_id"]))
        self._shiphero_import_shipments([shipment], source="inbox retry")
        return self.env["shiphero.shipment"].search(
            [("external_id", "=", shipment["id"]),
             ("order_id.channel_credential_id", "=", self.id)], limit=1)


    def _shiphero_apply_shipment_batch(self, batch, orders, source):
        pickings = self.env["stock.picking"]
        plans = []
        for shipment in batch:
            sale = orders[shipment["order_id"]]
            picking = sale.picking_ids.filtered(
                lambda p: p.picking_type_code == "outgoing"
                and p.state not in ("done", "cancel"))[:1]
            quantities = self._shiphero_quantities(sale, shipment["lines"])
            plans.append((shipment, sale, picking, quantities))
        shippable = [(s, sale, p, q) for s, sale, p, q in plans if p and q]
        outcomes = pickings._channel_apply_shipments([
            Shipment(picking, tuple(shipment["tracking"]), quantities=quantities,
                     ship_date=shipment["at"].date() if shipment["at"] else None,
                     source_credential=self, reference=shipment["id"])
            for shipment, _sale, picking, quantities in shippable])
        outcome_of = {id(plan[0]): outcome for plan, outcome in zip(shippable, outcomes,
                                                                      strict=True)}
        values = []
        for shipment, sale, picking, _quantities in plans:
            outcome = outcome_of.get(id(shipment))
            refused = outcome is not None and outcome.status not in (APPLIED, "already_applied")
            values.append({
                "order_id": sale.id, "external_id": shipment["id"],
                "tracking_numbers": ", ".join(shipment["tracking"]),
                "carrier": shipment["carrier"], "method": shipment["method"],
                "shipped_at": shipment["at"], "picking_id": picking.id or False,
                "line_summary": ", ".join(f"{sku} × {qty}" for sku, qty in
                                          sorted(shipment["lines"].items())),
                "state": "refused" if refused else "applied",
                "note": (outcome.reason if refused else False) or (
                    False if picking else self.env._("No open transfer (%s).", source)),
            })
        return self.env["shiphero.shipment"].create(values)

    def _shiphero_quantities(self, sale, lines):
        """{product: quantity} of a shipment's {sku: quantity} on the order's products."""
        by_sku = {line.product_id.default_code: line.product_id for line in sale.order_line}
        by_sku.update({binding.external_sku: binding.product_id for binding in self.env[
            "channel.product.binding"].search([("credential_id", "=", self.id),
                                               ("external_sku", "in", list(lines))])})
        return {by_sku[sku]: quantity for sku, quantity in lines.items()
                if sku in by_sku and quantity}


class SaleOrder(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    def _shiphero_after_shipment(self):
        """Fulfilled once every line shipped; the late clock stops at the last shipment."""
        self.ensure_one()
        shipped = {}
        for record in self.shiphero_shipment_ids:
            for part in (record.line_summary or "").split(", "):
                if " × " in part:
                    sku, quantity = part.rsplit(" × ", 1)
                    shipped[sku] = shipped.get(sku, 0) + int(quantity)
        ordered = {}
        for line in self.order_line:
            sku = line.product_id.default_code
            ordered[sku] = ordered.get(sku, 0) + line.product_uom_qty
        if ordered and all(shipped.get(sku, 0) >= quantity for sku, quantity in ordered.items()):
            self.shiphero_fulfillment_status = const.FULFILLED
            self.shiphero_shipped_at = max(
                (r.shipped_at for r in self.shiphero_shipment_ids if r.shipped_at), default=False)
        self._shiphero_update_late_state()


def _shipment_payload(shipment):
    """A mapped shipment as JSON-able data (its time as ISO text)."""
    return dict(shipment, at=shipment["at"].isoformat() if shipment.get("at") else None)


def _shipment_of_payload(payload):
    return dict(payload, at=datetime.fromisoformat(payload["at"]) if payload.get("at") else None)
