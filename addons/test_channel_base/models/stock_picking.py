from odoo import models

from odoo.addons.channel_base.shipment_events import split_tracking_refs


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _example_shipment_payload(self):
        """What the example platform is told of a transfer: its tracking numbers and the
        quantities it shipped (its done moves) by product id."""
        self.ensure_one()
        shipped = {}
        for move in self.move_ids.filtered(lambda m: m.state == "done"):
            key = str(move.product_id.id)
            shipped[key] = shipped.get(key, 0.0) + move.quantity
        return {"picking": self.name, "state": self.state,
                "tracking": split_tracking_refs(self.carrier_tracking_ref),
                "shipped": shipped}
