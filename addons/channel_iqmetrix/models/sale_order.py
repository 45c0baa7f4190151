import json

from odoo import fields, models

from .. import const, mapping
from ..client import IqmetrixClient

SHORT_MOVE_STATES = ("draft", "waiting", "confirmed", "partially_available")


class SaleOrder(models.Model):
    _inherit = "sale.order"

    iqmetrix_company_id = fields.Char("Seller Company", readonly=True, copy=False)
    iqmetrix_location_id = fields.Char("Seller Location", readonly=True, copy=False)
    iqmetrix_po_reference = fields.Char("Seller PO Reference", readonly=True, copy=False)
    iqmetrix_printable_id = fields.Char("Printable ID", readonly=True, copy=False)
    iqmetrix_ship_to_store = fields.Boolean("Ship to Store", readonly=True, copy=False)
    iqmetrix_address_type = fields.Char("Address Type", readonly=True, copy=False)
    iqmetrix_delivery_kind = fields.Selection(
        [(mapping.STORE, "Store"), (mapping.CUSTOMER, "Customer")], "Delivered To",
        readonly=True, copy=False)
    iqmetrix_customer_id = fields.Char("iQmetrix Customer ID", readonly=True, copy=False)
    iqmetrix_customer_name = fields.Char("Shipping Customer", readonly=True, copy=False)
    iqmetrix_customer_phone = fields.Char(
        "Shipping Customer Phone", readonly=True, copy=False, help="E.164 when it parses.")
    iqmetrix_shipping_method = fields.Char("Shipping Method Code", readonly=True, copy=False)
    iqmetrix_unknown_skus = fields.Char("Unknown SKUs", readonly=True, copy=False)
    iqmetrix_import_warnings = fields.Text("Import Warnings", readonly=True, copy=False)
    iqmetrix_tracking_numbers = fields.Char(
        "Tracking Numbers Sent", readonly=True, copy=False,
        help="Every tracking number iQmetrix has for this order; each update resends all.")
    iqmetrix_status_sent = fields.Selection(
        const.STATUS_SELECTION, "Last Status Sent", readonly=True, copy=False)
    iqmetrix_status_sent_at = fields.Datetime("Status Sent At", readonly=True, copy=False)
    iqmetrix_last_update = fields.Text("Last Update Sent", readonly=True, copy=False)
    iqmetrix_platform_status = fields.Char(
        "Status in iQmetrix", readonly=True, copy=False,
        help="Item statuses of the latest order-status-updated entry read from the feed.")

    def _is_iqmetrix(self):
        return self.channel_credential_id.platform == const.PLATFORM

    # ------------------------------------------------------------------ triggers

    def _action_cancel(self):
        result = super()._action_cancel()
        self.filtered(lambda order: order._is_iqmetrix())._iqmetrix_enqueue_status_push()
        return result

    def action_iqmetrix_push_status(self):
        orders = self.filtered(lambda order: order._is_iqmetrix())
        orders._iqmetrix_enqueue_status_push(priority=20)
        return self.env["integration.credential"]._notification(
            self.env._("%s status update(s) queued for iQmetrix.", len(orders)))

    def _iqmetrix_enqueue_status_push(self, priority=10):
        if not self:
            return self.env["sync.job"]
        return self.env["sync.job"]._enqueue_many([{
            "operation": const.JOB_PUSH_STATUS,
            "credential": order.channel_credential_id,
            "record": order,
            "priority": priority,
            "dedup_key": f"{const.JOB_PUSH_STATUS}:{order.id}",
        } for order in self])

    def _iqmetrix_has_status_to_report(self):
        self.ensure_one()
        return mapping.decide_status_update(self._iqmetrix_order_state()) is not None

    # ------------------------------------------------------------------ status out

    def _iqmetrix_push_status(self):
        """Send the update the order's state calls for (job iqmetrix.push_status)."""
        self.ensure_one()
        # Serialise pushes of one order: two workers computing the tracking list at once
        # would each send a list missing the other's number. Busy: the job retries.
        self.env.cr.execute(
            "SELECT id FROM sale_order WHERE id = %s FOR NO KEY UPDATE NOWAIT", [self.id])
        state = self._iqmetrix_order_state()
        update = mapping.decide_status_update(state)
        if update is None:
            return "Nothing to report to iQmetrix."
        signature = json.dumps(update.body, sort_keys=True)
        if signature == self.iqmetrix_last_update:
            return "Already sent."
        answer = IqmetrixClient(self.channel_credential_id).update_status(
            update.endpoint, self.channel_external_id, update.body)
        self.write({
            "iqmetrix_status_sent": str(update.status),
            "iqmetrix_status_sent_at": fields.Datetime.now(),
            "iqmetrix_last_update": signature,
            "iqmetrix_tracking_numbers": ",".join(update.tracking_numbers)
            or self.iqmetrix_tracking_numbers,
        })
        if not state.unknown_skus:  # an order with unknown SKUs still needs a person
            self._channel_mark_synced()
        self.message_post(body=self.env._(
            "iQmetrix %(endpoint)s sent: %(status)s%(tracking)s",
            endpoint=update.endpoint, status=const.STATUS_NAMES[update.status],
            tracking=self.env._(", tracking %s", ",".join(update.tracking_numbers))
            if update.tracking_numbers else "",
        ))
        return {"endpoint": update.endpoint, "status": update.status, "answer": answer}

    def _iqmetrix_order_state(self):
        self.ensure_one()
        credential = self.channel_credential_id
        deliveries = self.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        shipped = deliveries.filtered(lambda p: p.state == "done").sorted(
            lambda p: (p.date_done or p.create_date, p.id))
        lines = tuple(
            mapping.LineState(
                sku=line.iqmetrix_sku or line.product_id.default_code or "",
                ordered=line.product_uom_qty, delivered=line.qty_delivered,
                catalog_id=line.iqmetrix_catalog_id, name=line.product_id.display_name,
            )
            for line in self.order_line if line._iqmetrix_is_shipped_goods()
        )
        stock_short_status = credential.iqmetrix_stock_short_status
        return mapping.OrderState(
            order_id=self.channel_external_id,
            lines=lines,
            cancelled=self.state == "cancel",
            cancel_message=self.env._("Cancelled by the supplier (order %s).", self.name),
            unknown_skus=tuple(filter(None, (self.iqmetrix_unknown_skus or "").split(", ")))
            if self.state in ("draft", "sent") else (),
            unknown_sku_status=int(credential.iqmetrix_unknown_sku_status),
            tracking_numbers=mapping.merge_tracking_numbers(
                self.iqmetrix_tracking_numbers, shipped.mapped("carrier_tracking_ref")),
            shipping_provider=credential._iqmetrix_shipping_provider(shipped[-1:].carrier_id)
            if shipped else None,
            stock_short=self.state == "sale" and any(
                move.state in SHORT_MOVE_STATES
                for move in (deliveries - shipped).move_ids),
            stock_short_status=None if stock_short_status == "none" else int(stock_short_status),
        )


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    iqmetrix_sku = fields.Char("iQmetrix SKU", readonly=True, copy=False)
    iqmetrix_catalog_id = fields.Char("iQmetrix Catalog ID", readonly=True, copy=False)

    def _iqmetrix_is_shipped_goods(self):
        """Goods the order ships: not notes, services or a delivery charge added in Odoo,
        which iQmetrix does not know and which are never "delivered"."""
        self.ensure_one()
        return bool(self.product_id) and not self.display_type \
            and self.product_id.type == "consu" and not self.is_delivery
