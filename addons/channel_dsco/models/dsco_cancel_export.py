"""Cancellations decided in Odoo: a DSCO order cancelled, a line's quantity reduced, or
lines cancelled with the *Cancel on DSCO* wizard (reason code and notes) become one
cancelOrderItem job per order with the DSCO sku, line number and quantity cancelled."""

from odoo import api, fields, models

from .. import const, mapping

DEFAULT_NOTES = "Cancelled by the supplier"


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    dsco_cancel_code = fields.Char(
        "Default Cancel Code", default=const.CANCEL_OUT_OF_STOCK,
        help="cancelCode sent when an order or a quantity is cancelled in Odoo without the "
        "Cancel on DSCO wizard. DSCO's codes come from the account's cancel code mapping.")

    def _dsco_queue_cancel(self, sale, quantities, code=None, notes=None):
        """``quantities``: {sale line: quantity cancelled}; one cancelOrderItem job."""
        lines = [(line.dsco_sku or line.product_id.default_code, line.dsco_line_number,
                  int(quantity)) for line, quantity in quantities.items() if quantity > 0]
        if not lines or not sale.channel_external_id:
            return self.env["sync.job"]
        body = mapping.cancel_body(sale.channel_external_id, lines,
                                   code or self.dsco_cancel_code or const.CANCEL_OUT_OF_STOCK,
                                   notes or DEFAULT_NOTES)
        return self._enqueue_job(const.OP_CANCEL_ITEMS, record=sale, payload=body, priority=8)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _dsco_orders(self):
        return self.filtered(lambda order: order.channel_credential_id.platform == const.PLATFORM
                             and order.channel_external_id and order.state == "sale")

    def _action_cancel(self):
        """A DSCO order cancelled in Odoo: what has not shipped is cancelled on DSCO."""
        context = self.env.context
        for order in self._dsco_orders():
            remaining = {line: line.product_uom_qty - line.qty_delivered
                         for line in order.order_line if line.dsco_line_number or line.dsco_sku}
            order.channel_credential_id._dsco_queue_cancel(
                order, remaining, context.get("dsco_cancel_code"),
                context.get("dsco_cancel_notes"))
        return super()._action_cancel()

    def action_dsco_cancel_lines(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "dsco.cancel.wizard",
                "view_mode": "form", "target": "new",
                "context": {"default_order_id": self.id}}


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"  # pylint: disable=consider-merging-classes-inherited

    def write(self, vals):
        reduced = {}
        if "product_uom_qty" in vals and not self.env.context.get("dsco_no_cancel"):
            for line in self:
                if line.order_id in line.order_id._dsco_orders() \
                        and vals["product_uom_qty"] < line.product_uom_qty:
                    reduced[line] = line.product_uom_qty - vals["product_uom_qty"]
        result = super().write(vals)
        for line, quantity in reduced.items():
            line.order_id.channel_credential_id._dsco_queue_cancel(
                line.order_id, {line: quantity}, notes="Quantity reduced in Odoo")
        return result

    @api.model
    def _dsco_cancellable(self, line):
        return max(line.product_uom_qty - line.qty_delivered, 0)
