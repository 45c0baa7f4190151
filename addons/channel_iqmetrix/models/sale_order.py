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
    iqmetrix_items = fields.Text(
        "iQmetrix Items", readonly=True, copy=False,
        help="The order's items as the feed gave them (JSON: sku, quantity, catalog id, "
        "description): statuses are reported for these, whatever became of them in Odoo.")
    iqmetrix_tracking_numbers = fields.Char(
        "Tracking Numbers Sent", readonly=True, copy=False,
        help="The tracking numbers iQmetrix has for this order since the last update: the "
        "live ones (a voided label's number is withdrawn); each update resends all.")
    iqmetrix_foreign_tracking_numbers = fields.Char(
        "Tracking Numbers From Other Systems", readonly=True, copy=False,
        help="Numbers read in the feed that Odoo never sent; every update keeps them.")
    iqmetrix_tracking_history = fields.Char(
        "Tracking Numbers Ever Sent", readonly=True, copy=False,
        help="Tells the feed's echo of our own updates from numbers other systems add.")
    iqmetrix_status_hold_reason = fields.Char(
        "iQmetrix Status Held", readonly=True, copy=False,
        help="Why a done delivery is not reported Shipped yet (it needs a tracking number "
        "and a carrier); sent once both are there.")
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

    def action_confirm(self):
        """Confirming an imported order keeps the feed's order date (Odoo's confirmation
        stamps the current time on ``date_order``) and tells iQmetrix it is accepted."""
        iqmetrix = self.filtered(lambda order: order._is_iqmetrix())
        feed_dates = {order: order.date_order for order in iqmetrix}
        result = super().action_confirm()
        for order, ordered_at in feed_dates.items():
            if ordered_at and order.date_order != ordered_at:
                order.date_order = ordered_at
        iqmetrix.filtered(lambda order: order._iqmetrix_has_status_to_report()) \
            ._iqmetrix_enqueue_status_push()
        return result

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
        self._iqmetrix_record_hold_reason(state.hold_reason)
        update = mapping.decide_status_update(state)
        if update is None:
            return "Nothing to report to iQmetrix."
        signature = json.dumps(update.body, sort_keys=True)
        if signature == self.iqmetrix_last_update:
            return "Already sent."
        answer = IqmetrixClient(self.channel_credential_id).update_status(
            update.endpoint, self.channel_external_id, update.body)
        self._iqmetrix_record_update_sent(update, signature)
        if not state.unknown_skus:  # an order with unknown SKUs still needs a person
            self._channel_mark_synced()
        return {"endpoint": update.endpoint, "status": update.status, "answer": answer}

    def _iqmetrix_record_update_sent(self, update, signature):
        vals = {
            "iqmetrix_status_sent": str(update.status),
            "iqmetrix_status_sent_at": fields.Datetime.now(),
            "iqmetrix_last_update": signature,
        }
        if update.states_tracking:
            vals["iqmetrix_tracking_numbers"] = ",".join(update.tracking_numbers) or False
            vals["iqmetrix_tracking_history"] = ",".join(mapping.merge_tracking_numbers(
                self.iqmetrix_tracking_history, update.tracking_numbers)) or False
        self.write(vals)
        tracking = ""
        if update.states_tracking:
            tracking = self.env._(", tracking %(numbers)s",
                                  numbers=",".join(update.tracking_numbers) or "-")
        self.message_post(body=self.env._(
            "iQmetrix %(endpoint)s sent: %(status)s%(tracking)s",
            endpoint=update.endpoint, status=const.STATUS_NAMES[update.status],
            tracking=tracking,
        ))

    def _iqmetrix_record_hold_reason(self, reason):
        if (reason or False) == (self.iqmetrix_status_hold_reason or False):
            return
        self.iqmetrix_status_hold_reason = reason or False
        if reason:
            self.message_post(body=self.env._("iQmetrix status held: %s", reason))

    def _iqmetrix_order_state(self):
        self.ensure_one()
        credential = self.channel_credential_id
        deliveries = self.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        done = deliveries.filtered(lambda p: p.state == "done").sorted(
            lambda p: (p.date_done or p.create_date, p.id))
        providers = {picking: credential._iqmetrix_shipping_provider(picking.carrier_id)
                     for picking in done}
        reportable = done.filtered(
            lambda p: mapping.merge_tracking_numbers(p.carrier_tracking_ref) and providers[p])
        confirmed = self.state == "sale"
        stock_short_status = credential.iqmetrix_stock_short_status
        return mapping.OrderState(
            order_id=self.channel_external_id,
            items=self._iqmetrix_item_states(reportable, done - reportable),
            confirmed=confirmed,
            cancelled=self.state == "cancel",
            cancel_message=self.env._("Cancelled by the supplier (order %s).", self.name),
            unknown_skus=tuple(filter(None, (self.iqmetrix_unknown_skus or "").split(", ")))
            if self.state in ("draft", "sent") else (),
            unknown_sku_status=int(credential.iqmetrix_unknown_sku_status),
            tracking_numbers=mapping.live_tracking_numbers(
                self.iqmetrix_tracking_numbers, self.iqmetrix_foreign_tracking_numbers,
                reportable.mapped("carrier_tracking_ref")),
            tracking_known=bool(done),
            shipping_provider=providers[reportable[-1]] if reportable else None,
            stock_short=confirmed and any(
                move.state in SHORT_MOVE_STATES for move in (deliveries - done).move_ids),
            stock_short_status=None if stock_short_status == "none" else int(stock_short_status),
            send_ordered=credential.iqmetrix_send_ordered,
            backorder_cancel_status=int(credential.iqmetrix_backorder_cancel_status),
            hold_reason=self._iqmetrix_hold_reason(done - reportable, providers),
        )

    def _iqmetrix_hold_reason(self, held_pickings, providers):
        missing = []
        for picking in held_pickings:
            lacks = []
            if not mapping.merge_tracking_numbers(picking.carrier_tracking_ref):
                lacks.append(self.env._("a tracking number"))
            if not providers[picking]:
                lacks.append(self.env._("a carrier (ShippingProvider)"))
            missing.append(self.env._("%(delivery)s needs %(what)s", delivery=picking.name,
                                      what=self.env._(" and ").join(lacks)))
        if not missing:
            return None
        return self.env._("Shipped is sent once every done delivery has a tracking number "
                          "and a carrier: %s.", "; ".join(missing))

    def _iqmetrix_feed_items(self):
        """The order's items as iQmetrix knows them: from the feed, or (orders imported
        before the items were kept) from the order lines."""
        try:
            stored = json.loads(self.iqmetrix_items or "[]")
        except ValueError:
            stored = []
        if stored:
            return stored
        return [{"sku": line._iqmetrix_sku(), "quantity": line.product_uom_qty,
                 "catalog_id": line.iqmetrix_catalog_id, "description": None}
                for line in self.order_line if line._iqmetrix_is_shipped_goods()]

    def _iqmetrix_lines_of_sku(self, sku):
        """Lines added in Odoo for an item whose SKU was unknown at import: the product
        the SKU now finds (binding or internal reference)."""
        product = self.env["channel.mapping"]._find_product_by_sku(
            sku, self.channel_credential_id)
        return self.order_line.filtered(
            lambda line: product and line.product_id == product
            and line._iqmetrix_is_shipped_goods())

    def _iqmetrix_item_states(self, reportable, held):
        """One ItemState per SKU of the iQmetrix order: quantities shipped (reportable),
        held (done, but without tracking number or carrier) and cancelled, from the
        outgoing moves of the lines that ship that SKU."""
        lines_by_sku = {}
        for line in self.order_line.filtered(lambda line: line._iqmetrix_is_shipped_goods()):
            lines_by_sku.setdefault(line._iqmetrix_sku(), self.env["sale.order.line"])
            lines_by_sku[line._iqmetrix_sku()] |= line
        items = {}
        for item in self._iqmetrix_feed_items():
            entry = items.setdefault(item["sku"], dict(item, quantity=0))
            entry["quantity"] += float(item.get("quantity") or 0)
        states = []
        for sku, item in items.items():
            lines = lines_by_sku.get(sku) or self._iqmetrix_lines_of_sku(sku)
            moves = lines.move_ids.filtered(lambda m: m.picking_code == "outgoing")
            shipped = _moved_quantity(moves.filtered(lambda m: m.picking_id in reportable))
            held_quantity = _moved_quantity(moves.filtered(lambda m: m.picking_id in held))
            unshipped = max(0.0, item["quantity"] - shipped - held_quantity)
            cancelled = unshipped if self.state == "cancel" else min(
                unshipped, _dropped_quantity(moves))
            states.append(mapping.ItemState(
                sku=sku, ordered=item["quantity"], shipped=shipped, held=held_quantity,
                cancelled=cancelled, known=bool(lines),
                catalog_id=item.get("catalog_id") or lines[:1].iqmetrix_catalog_id or None,
                name=lines[:1].product_id.display_name if lines else item.get("description"),
            ))
        return tuple(states)


def _in_line_unit(move, quantity):
    return move.product_uom._compute_quantity(quantity, move.sale_line_id.product_uom)


def _moved_quantity(moves):
    """Quantity done by the done moves, in the unit of their sale lines."""
    return sum(_in_line_unit(move, move.quantity) for move in moves if move.state == "done")


def _dropped_quantity(moves):
    """Quantity that will not ship: cancelled moves (a cancelled delivery or backorder),
    and what a move validated short without a backorder ("No Backorder") left undone."""
    return sum(
        _in_line_unit(move, move.product_uom_qty) if move.state == "cancel"
        else _in_line_unit(move, max(0.0, move.product_uom_qty - move.quantity))
        for move in moves if move.state in ("done", "cancel"))


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    iqmetrix_sku = fields.Char("iQmetrix SKU", readonly=True, copy=False)
    iqmetrix_catalog_id = fields.Char("iQmetrix Catalog ID", readonly=True, copy=False)

    def _iqmetrix_sku(self):
        self.ensure_one()
        return self.iqmetrix_sku or self.product_id.default_code or ""

    def _iqmetrix_is_shipped_goods(self):
        """Goods the order ships: not notes, services or a delivery charge added in Odoo,
        which iQmetrix does not know and which are never "delivered"."""
        self.ensure_one()
        return bool(self.product_id) and not self.display_type \
            and self.product_id.type == "consu" and not self.is_delivery
