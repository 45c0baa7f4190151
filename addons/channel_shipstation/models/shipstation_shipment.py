from odoo import api, fields, models

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
        "integration.credential", required=True, ondelete="cascade", index=True, readonly=True
    )
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

    _sql_constraints = [
        ("shipment_uniq", "unique(credential_id, shipment_ref)",
         "A ShipStation shipment is applied once per account."),
    ]

    # ------------------------------------------------------------------ apply

    @api.model
    def _shipstation_apply(self, credential, infos):
        """Record the ``mapping.Shipment`` s of one order (the packages of a label run come
        together) and put their tracking on the transfer. Returns ({shipment id: outcome},
        ``LabelPlan`` to validate or None, why an order-number match was refused or None);
        outcomes: applied, voided, unchanged, unmatched. Idempotent: a known shipment id
        only ever moves to voided."""
        outcomes, fresh = {}, []
        for info in infos:
            known = self.search([("credential_id", "=", credential.id),
                                 ("shipment_ref", "=", info.shipment_id)], limit=1)
            if not known:
                fresh.append(info)
            elif info.voided and known.state != "voided":
                known._shipstation_void(info)
                outcomes[info.shipment_id] = "voided"
            else:
                outcomes[info.shipment_id] = "unchanged"
        if not fresh:
            return outcomes, None, None
        picking, refusal = self.env["stock.picking"]._shipstation_find_for_shipment(
            credential, fresh[0])
        if not picking:
            outcomes.update(dict.fromkeys((info.shipment_id for info in fresh), "unmatched"))
            return outcomes, None, refusal
        for info in fresh:
            if info.voided:
                # Voided before we ever saw it: nothing to apply, but keep the trace.
                self.create(self._values_from(credential, picking, info))
                picking.message_post(body=self.env._(
                    "ShipStation label %(tracking)s was voided before it reached Odoo; "
                    "ignored.", tracking=info.tracking_number or info.shipment_id))
                outcomes[info.shipment_id] = "voided"
        live = [info for info in fresh if not info.voided]
        if not live:
            return outcomes, None, None
        shipments = self.create([self._values_from(credential, picking, info) for info in live])
        outcomes.update(dict.fromkeys((info.shipment_id for info in live), "applied"))
        return outcomes, picking._shipstation_take_labels(shipments, live), None

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
