from odoo import models


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "channel.bound.mixin"]

    _sql_constraints = [
        ("channel_external_uniq", "unique(channel_credential_id, channel_external_id)",
         "This external order is already imported for this channel."),
    ]

    def _channel_order_number(self):
        """The order number people on the channel's side recognise (shown to a warehouse
        platform, printed on packing slips). The external id by default; a platform whose
        internal id differs from its human number overrides this."""
        self.ensure_one()
        return self.channel_external_id or self.name
