from odoo import models


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "channel.bound.mixin"]

    _sql_constraints = [
        ("channel_external_uniq", "unique(channel_credential_id, channel_external_id)",
         "This external order is already imported for this channel."),
    ]
