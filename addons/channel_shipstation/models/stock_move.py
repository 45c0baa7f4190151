from odoo import api, models

from .stock_picking import NO_EXPORT


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_assign(self, force_qty=False):
        result = super()._action_assign(force_qty=force_qty)
        if not self.env.context.get(NO_EXPORT):
            # Every reservation goes through here: a transfer that became ready is sent.
            self.picking_id._shipstation_request_export("ready")
        return result

    @api.model_create_multi
    def create(self, vals_list):
        moves = super().create(vals_list)
        if not self.env.context.get(NO_EXPORT):
            moves.picking_id._shipstation_request_export("change")
        return moves

    def write(self, vals):
        result = super().write(vals)
        changed = "product_uom_qty" in vals or "product_id" in vals or vals.get("state") == "cancel"
        if changed and not self.env.context.get(NO_EXPORT):
            self.picking_id._shipstation_request_export("change")
        return result

    def _shipstation_line_values(self, weight_uom, target_uom):
        """Plain values of one ShipStation order item (quantities in the product's unit)."""
        self.ensure_one()
        product = self.product_id
        quantity = self.product_uom._compute_quantity(self.product_uom_qty, product.uom_id)
        sale_line = self.sale_line_id
        if sale_line:
            price = sale_line.price_reduce_taxexcl
            if sale_line.product_uom != product.uom_id:
                price = sale_line.product_uom._compute_price(price, product.uom_id)
        else:
            price = product.lst_price
        weight = weight_uom._compute_quantity(product.weight, target_uom, round=False) \
            if product.weight else 0.0
        return {
            "line_item_key": str(self.id),
            "sku": product.default_code,
            "name": product.with_context(display_default_code=False).display_name,
            "quantity": quantity,
            "unit_price": price,
            "unit_weight": weight,
        }
