from odoo import fields, models


class ShopifyLocation(models.Model):
    """Which Odoo warehouse's stock is published to which Shopify location."""

    _name = "shopify.location"
    _description = "Shopify Location Mapping"

    credential_id = fields.Many2one("integration.credential", "Account", required=True,
                                    ondelete="cascade", index=True)
    location_gid = fields.Char("Shopify Location ID", required=True,
                               help="gid://shopify/Location/<number>")
    name = fields.Char("Shopify Location")
    warehouse_id = fields.Many2one("stock.warehouse", required=True)

    _sql_constraints = [("location_uniq", "unique(credential_id, location_gid)",
                         "This Shopify location is already mapped.")]


class ShopifyInventoryLevel(models.Model):
    """The last quantity Shopify confirmed per variant and location: the compare value of
    the next inventorySetQuantities, and what says whether a quantity changed."""

    _name = "shopify.inventory.level"
    _description = "Shopify Inventory Level"

    credential_id = fields.Many2one("integration.credential", required=True,
                                    ondelete="cascade", index=True)
    product_id = fields.Many2one("product.product", required=True, ondelete="cascade")
    inventory_item_gid = fields.Char(required=True)
    location_gid = fields.Char(required=True)
    quantity = fields.Integer("Last Known Quantity")

    _sql_constraints = [("level_uniq", "unique(credential_id, inventory_item_gid, location_gid)",
                         "One level per inventory item and location.")]
