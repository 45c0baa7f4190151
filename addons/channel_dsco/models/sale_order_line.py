from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    dsco_line_number = fields.Integer(
        "DSCO Line Number", copy=False, readonly=True,
        help="lineNumber of the DSCO order line: shipments and cancellations name it.")
    dsco_sku = fields.Char(
        "DSCO SKU", copy=False, readonly=True,
        help="The sku of the DSCO order line, as DSCO knows it (shipments name it).")
