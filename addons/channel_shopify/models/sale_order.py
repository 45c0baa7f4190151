from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    shopify_updated_at = fields.Char(
        copy=False, readonly=True,
        help="updatedAt of the Shopify order as last imported: an older update is ignored.")
    shopify_financial_status = fields.Char("Shopify Payment Status", copy=False, readonly=True)
    shopify_total_tax = fields.Float("Shopify Tax Total", copy=False, readonly=True)
    shopify_refunded = fields.Float(copy=False, readonly=True)


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    shopify_line_id = fields.Char("Shopify Line Item", copy=False, readonly=True)
    shopify_sku = fields.Char("Shopify SKU", copy=False, readonly=True)
    shopify_tax_text = fields.Char(
        "Shopify Taxes", copy=False, readonly=True,
        help="The tax lines Shopify charged (title, rate, amount); Odoo does not recompute them.")

