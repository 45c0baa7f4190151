from odoo import api, fields, models

from .. import mapping
from ..const import DELIVERY_STATUSES

STATUS_LABELS = dict(DELIVERY_STATUSES)
SHIPMENT_STATES = [
    ("applied", "Applied"),
    ("voided", "Voided"),
    ("error", "Needs Attention"),
]


class ShipStationShipment(models.Model):
    """One ShipStation label applied to a transfer: the record of what was applied, so a
    redelivered or re-polled shipment changes nothing, and the source of the tracking
    numbers other modules read (``stock.picking._shipstation_tracking_numbers``)."""

    _name = "shipstation.shipment"
    _description = "ShipStation Shipment"
    _order = "id desc"
    _rec_name = "tracking_number"

    credential_id = fields.Many2one(
        "integration.credential", "Account", required=True, ondelete="cascade", index=True,
        readonly=True)
    company_id = fields.Many2one(related="credential_id.company_id", store=True)
    picking_id = fields.Many2one("stock.picking", ondelete="cascade", index=True, readonly=True)
    shipment_ref = fields.Char("Shipment ID", required=True, readonly=True)
    order_ref = fields.Char("ShipStation Order ID", readonly=True)
    order_key = fields.Char(readonly=True, index=True)
    order_number = fields.Char(readonly=True)
    tracking_number = fields.Char(readonly=True)
    carrier_code = fields.Char(readonly=True)
    service_code = fields.Char(readonly=True)
    ship_date = fields.Date(readonly=True, help="ShipStation's ship date (a Pacific day).")
    shipped_at = fields.Datetime("Label Created", readonly=True)
    shipment_cost = fields.Float(readonly=True)
    covers_goods = fields.Boolean(
        readonly=True, help="The label listed items (or all of them); an extra package of a "
        "multi-package shipment carries only a tracking number.")
    item_summary = fields.Char(readonly=True)
    state = fields.Selection(SHIPMENT_STATES, required=True, default="applied", readonly=True)
    voided_at = fields.Datetime(readonly=True)
    note = fields.Text(readonly=True)
    delivery_status = fields.Selection(DELIVERY_STATUSES, readonly=True)
    delivery_status_at = fields.Datetime(
        "Delivery Status Since", readonly=True,
        help="When the carrier event behind the delivery status happened.")
    delivery_status_note = fields.Char("Delivery Status Detail", readonly=True)

    _sql_constraints = [
        ("shipment_uniq", "unique(credential_id, shipment_ref)",
         "A ShipStation shipment is applied once per account."),
    ]

    # ------------------------------------------------------------------ apply

    @api.model
    def _shipstation_apply(self, credential, shipments):
        """Record the ``mapping.Shipment`` s of ``[(Shipment, raw or None)]`` and apply the
        new labels to their transfers, all validated in one batch. Returns ({shipment id:
        outcome}, [(Shipment, raw, refusal)] of unmatched ones); outcomes: applied, voided,
        unchanged, unmatched. Idempotent: a known shipment id only ever moves to voided."""
        outcomes, fresh = self._shipstation_sort_known(credential, shipments)
        matched, unmatched = self.env["stock.picking"]._shipstation_match_shipments(
            credential, fresh)
        outcomes.update(dict.fromkeys((info.shipment_id for info, _raw, _refusal in unmatched),
                                      "unmatched"))
        labels = {}
        for picking, infos in matched.items():
            outcomes.update(self._shipstation_record_voided_early(credential, picking, infos))
            live = [info for info in infos if not info.voided]
            if live:
                labels[picking] = live
        if labels:
            rows = self.create([self._values_from(credential, picking, info)
                                for picking, infos in labels.items() for info in infos])
            self.env["stock.picking"]._shipstation_take_labels(credential, labels, rows)
            outcomes.update(dict.fromkeys(rows.mapped("shipment_ref"), "applied"))
        return outcomes, unmatched

    @api.model
    def _shipstation_sort_known(self, credential, shipments):
        """({shipment id: outcome} of shipments already recorded (a void applied to them),
        [(Shipment, raw)] never seen), reading the known ones in one query."""
        known = {row.shipment_ref: row for row in self.search([
            ("credential_id", "=", credential.id),
            ("shipment_ref", "in", [info.shipment_id for info, _raw in shipments])])}
        outcomes, fresh = {}, {}
        for info, raw in shipments:
            row = known.get(info.shipment_id)
            if row is None:
                fresh[info.shipment_id] = (info, raw)  # listed twice: the latest state wins
            elif info.voided and row.state != "voided":
                row._shipstation_void(info)
                outcomes[info.shipment_id] = "voided"
            else:
                outcomes[info.shipment_id] = "unchanged"
        return outcomes, list(fresh.values())

    @api.model
    def _shipstation_record_voided_early(self, credential, picking, infos):
        """Labels voided before we ever saw them: nothing to apply, but keep the trace."""
        voided = [info for info in infos if info.voided]
        for info in voided:
            self.create(self._values_from(credential, picking, info))
            picking.message_post(body=self.env._(
                "ShipStation label %(tracking)s was voided before it reached Odoo; ignored.",
                tracking=info.tracking_number or info.shipment_id))
        return dict.fromkeys((info.shipment_id for info in voided), "voided")

    @api.model
    def _values_from(self, credential, picking, info):
        items = info.items
        if items is None:
            summary = self.env._("all remaining items")
        else:
            summary = ", ".join(f"{item.quantity:g} x {item.sku or item.line_item_key}"
                                for item in items)
        return {
            "credential_id": credential.id,
            "picking_id": picking.id,
            "shipment_ref": info.shipment_id,
            "order_ref": info.order_id,
            "order_key": info.order_key,
            "order_number": info.order_number,
            "tracking_number": info.tracking_number,
            "carrier_code": info.carrier_code,
            "service_code": info.service_code,
            "ship_date": info.ship_date,
            "shipped_at": info.shipped_at,
            "shipment_cost": info.cost,
            "covers_goods": items is None or bool(items),
            "item_summary": (summary or "")[:250],
            "state": "voided" if info.voided else "applied",
            "voided_at": info.voided_at if info.voided else False,
        }

    def _shipstation_void(self, info):
        self.ensure_one()
        self.write({"state": "voided", "voided_at": info.voided_at or fields.Datetime.now()})
        self.picking_id._shipstation_apply_void(self)

    def _shipstation_set_delivery_status(self, update):
        self.ensure_one()
        self.write({
            "delivery_status": update.status,
            "delivery_status_at": update.occurred_at or fields.Datetime.now(),
            "delivery_status_note": update.description,
        })
        picking = self.picking_id
        live = picking.shipstation_shipment_ids.filtered(lambda row: row.state != "voided")
        picking.write({
            "shipstation_delivery_status": mapping.combined_delivery_status(
                live.mapped("delivery_status")),
            "shipstation_delivery_updated_at": self.delivery_status_at,
        })
        detail = " — ".join(part for part in (update.description, update.place) if part)
        picking.message_post(body=self.env._(
            "Delivery status of %(tracking)s (ShipStation): %(status)s%(detail)s.",
            tracking=update.tracking_number, status=STATUS_LABELS[update.status],
            detail=f" ({detail})" if detail else ""))
