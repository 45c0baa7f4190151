from odoo import models

from .. import const


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def write(self, vals):
        # Shipped waits for a carrier, and a carrier is not a shipment event: a carrier
        # set on a done delivery (by hand, after its tracking) releases the held push.
        result = super().write(vals)
        if "carrier_id" in vals:
            done = self.filtered(lambda p: p.state == "done" and p.picking_type_code == "outgoing")
            done.sale_id.filtered(lambda order: order.channel_credential_id.platform
                                  == const.PLATFORM)._iqmetrix_enqueue_status_push()
        return result
