from odoo import models


class StockPicking(models.Model):
    _name = "stock.picking"
    _inherit = ["stock.picking", "channel.bound.mixin"]

    _sql_constraints = [
        ("channel_external_uniq", "unique(channel_credential_id, channel_external_id)",
         "This external shipment order is already bound to another transfer."),
    ]
