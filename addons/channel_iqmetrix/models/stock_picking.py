from odoo import models

from .. import const


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        result = super()._action_done()
        self._iqmetrix_orders_to_update()._iqmetrix_enqueue_status_push()
        return result

    def write(self, vals):
        result = super().write(vals)
        if "carrier_tracking_ref" in vals:
            # A tracking number that arrives after validation (e.g. from a shipping
            # platform) is one more number to send; the push resends all of them.
            self._iqmetrix_orders_to_update()._iqmetrix_enqueue_status_push()
        return result

    def _iqmetrix_orders_to_update(self):
        shipped = self.filtered(
            lambda p: p.state == "done" and p.picking_type_code == "outgoing" and p.sale_id)
        return shipped.sale_id.filtered(
            lambda order: order.channel_credential_id.platform == const.PLATFORM)
