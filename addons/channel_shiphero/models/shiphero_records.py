"""What ShipHero tells about an order, kept as history: allocations, order history
entries, shipments."""

from odoo import fields, models


class ShipheroAllocationEvent(models.Model):
    _name = "shiphero.allocation.event"
    _description = "ShipHero Allocation Event"
    _order = "event_at, id"

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade", index=True)
    kind = fields.Selection([("allocated", "Allocated"), ("deallocated", "Deallocated")],
                            required=True)
    event_at = fields.Datetime("At", required=True)
    reference = fields.Char("Allocation Reference")
    source = fields.Char(help="Webhook, import or reconciliation.")

    _sql_constraints = [
        ("event_uniq", "unique(order_id, kind, event_at, reference)",
         "An allocation event is kept once."),
    ]


class ShipheroOrderHistory(models.Model):
    _name = "shiphero.order.history"
    _description = "ShipHero Order History Entry"
    _order = "entry_at, id"

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade", index=True)
    external_id = fields.Char("ShipHero ID", required=True)
    entry_at = fields.Datetime("At")
    username = fields.Char("User")
    information = fields.Text()

    _sql_constraints = [
        ("entry_uniq", "unique(order_id, external_id)", "A history entry is kept once."),
    ]


class ShipheroShipment(models.Model):
    _name = "shiphero.shipment"
    _description = "ShipHero Shipment"
    _order = "shipped_at desc, id desc"

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade", index=True)
    brand_id = fields.Many2one(related="order_id.shiphero_brand_id", store=True, index=True)
    external_id = fields.Char("ShipHero Shipment ID", required=True, index=True)
    tracking_numbers = fields.Char("Tracking")
    carrier = fields.Char()
    method = fields.Char("Shipping Method")
    shipped_at = fields.Datetime()
    line_summary = fields.Char("Shipped Lines", help="SKU × quantity of this shipment.")
    picking_id = fields.Many2one("stock.picking", "Transfer", ondelete="set null")
    state = fields.Selection([("applied", "Applied"), ("refused", "Refused")], default="applied")
    note = fields.Char()

    _sql_constraints = [
        ("shipment_uniq", "unique(order_id, external_id)", "A shipment is kept once."),
    ]


class ShipheroInventory(models.Model):
    _name = "shiphero.inventory"
    _description = "ShipHero Inventory per Warehouse"
    _order = "product_id, warehouse_ref"

    credential_id = fields.Many2one("integration.credential", "Account", required=True,
                                    ondelete="cascade", index=True)
    brand_id = fields.Many2one(related="credential_id.shiphero_brand_id", store=True, index=True)
    product_id = fields.Many2one("product.product", required=True, ondelete="cascade")
    sku = fields.Char(related="product_id.default_code")
    warehouse_ref = fields.Char("ShipHero Warehouse", required=True)
    warehouse_name = fields.Char("Warehouse")
    on_hand = fields.Integer()
    available = fields.Integer()
    allocated = fields.Integer()

    _sql_constraints = [
        ("inventory_uniq", "unique(credential_id, product_id, warehouse_ref)",
         "One row per product and warehouse."),
    ]
