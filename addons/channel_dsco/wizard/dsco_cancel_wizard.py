"""Cancel DSCO order lines from Odoo with a reason code and notes (Cancel on DSCO)."""

from odoo import api, fields, models
from odoo.exceptions import UserError


class DscoCancelWizard(models.TransientModel):
    _name = "dsco.cancel.wizard"
    _description = "Cancel DSCO Order Lines"

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade")
    cancel_code = fields.Char(required=True,
                              help="DSCO cancelCode (the account's cancel code mapping), "
                              "e.g. OUT_OF_STOCK.")
    notes = fields.Text(required=True, default="Cancelled by the supplier",
                        help="Sent as cancelledReason.")
    line_ids = fields.One2many("dsco.cancel.wizard.line", "wizard_id", "Lines")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        order = self.env["sale.order"].browse(values.get("order_id"))
        if order:
            values["cancel_code"] = order.channel_credential_id.dsco_cancel_code
            values["line_ids"] = [(0, 0, {
                "sale_line_id": line.id, "quantity": 0,
                "remaining": self.env["sale.order.line"]._dsco_cancellable(line)})
                for line in order.order_line if line.dsco_line_number or line.dsco_sku]
        return values

    def action_confirm(self):
        self.ensure_one()
        order = self.order_id
        if order not in order._dsco_orders():
            raise UserError(self.env._("%s is not an open DSCO order.", order.display_name))
        quantities = {}
        for row in self.line_ids.filtered("quantity"):
            cancellable = self.env["sale.order.line"]._dsco_cancellable(row.sale_line_id)
            if not 0 < row.quantity <= cancellable:
                raise UserError(self.env._(
                    "%(product)s: at most %(left)s can be cancelled.",
                    product=row.sale_line_id.product_id.display_name, left=cancellable))
            quantities[row.sale_line_id] = row.quantity
        if not quantities:
            raise UserError(self.env._("Give the quantity to cancel of at least one line."))
        for line, quantity in quantities.items():
            line.with_context(dsco_no_cancel=True).product_uom_qty -= quantity
        order.channel_credential_id._dsco_queue_cancel(
            order, quantities, self.cancel_code.strip(), self.notes)
        order.message_post(body=self.env._(
            "Cancelled on DSCO (%(code)s): %(notes)s", code=self.cancel_code, notes=self.notes))
        return {"type": "ir.actions.act_window_close"}


class DscoCancelWizardLine(models.TransientModel):
    _name = "dsco.cancel.wizard.line"
    _description = "Cancel DSCO Order Line"

    wizard_id = fields.Many2one("dsco.cancel.wizard", required=True, ondelete="cascade")
    sale_line_id = fields.Many2one("sale.order.line", "Order Line", required=True,
                                   ondelete="cascade")
    product_id = fields.Many2one(related="sale_line_id.product_id")
    remaining = fields.Float("Not Shipped", readonly=True)
    quantity = fields.Float("Quantity to Cancel")
