from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    dsco_shipment_sent = fields.Boolean(
        "Reported to DSCO", copy=False, readonly=True,
        help="A singleShipment was accepted for this transfer; DSCO keeps that tracking.")
