from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_confirm(self):
        result = super().action_confirm()
        # Accounts that send on confirmation; the "when ready" ones hear from reservation.
        self.picking_ids._shipstation_request_export("confirm")
        return result
