from odoo import models

from .. import const

# Fields of a done delivery that change what iQmetrix is told: its tracking numbers (a
# shipping platform adds one, or withdraws a voided label's) and its carrier (Shipped
# waits for both).
SHIPMENT_FIELDS = ("carrier_tracking_ref", "carrier_id")


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        result = super()._action_done()
        self._iqmetrix_orders_to_update("done")._iqmetrix_enqueue_status_push()
        return result

    def action_cancel(self):
        # A cancelled backorder (or delivery): its items will not ship, iQmetrix must hear.
        result = super().action_cancel()
        self._iqmetrix_orders_to_update("cancel")._iqmetrix_enqueue_status_push()
        return result

    def write(self, vals):
        result = super().write(vals)
        if any(name in vals for name in SHIPMENT_FIELDS):
            # The push recomputes the live numbers and resends all of them.
            self._iqmetrix_orders_to_update("done")._iqmetrix_enqueue_status_push()
        return result

    def _iqmetrix_orders_to_update(self, state):
        pickings = self.filtered(
            lambda p: p.state == state and p.picking_type_code == "outgoing" and p.sale_id)
        return pickings.sale_id.filtered(
            lambda order: order.channel_credential_id.platform == const.PLATFORM)
