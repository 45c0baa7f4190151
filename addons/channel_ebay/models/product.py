from odoo import api, fields, models

from .. import const
from .ebay_offer_update import OFFER_TEMPLATE_FIELDS

#: product.template fields a multi-variation listing's group is made of.
GROUP_TEMPLATE_FIELDS = {"attribute_line_ids", "name", "description_sale", "ebay_image_urls"}


class ProductTemplate(models.Model):
    _inherit = "product.template"

    ebay_item_id = fields.Char("eBay Item ID", copy=False,
                               help="The eBay listing (ItemID) of this product, once listed.")
    ebay_category_id = fields.Char(
        "eBay Category", help="eBay leaf category id; empty: the category mapping of the "
        "product category is used.")
    ebay_condition = fields.Selection(const.CONDITIONS, "eBay Condition", default="NEW")
    ebay_listing_duration = fields.Selection(const.LISTING_DURATIONS, "eBay Listing Duration",
                                             default="GTC")
    ebay_image_urls = fields.Text("eBay Image URLs", help="HTTPS image URLs, one a line.")
    ebay_group_key = fields.Char(
        "eBay Item Group Key", copy=False,
        help="inventoryItemGroupKey of the multi-variation listing of this product's variants "
        "(set when first listed; empty: ODOO-TMPL-<id>).")

    def write(self, vals):
        result = super().write(vals)
        Credential = self.env["integration.credential"]
        if OFFER_TEMPLATE_FIELDS & set(vals):
            Credential._ebay_offers_changed(self.product_variant_ids)
        if GROUP_TEMPLATE_FIELDS & set(vals):  # a multi-variation listing is re-sent whole
            grouped = self.filtered("ebay_group_key")
            if grouped:
                Credential._ebay_regroup(grouped)
        return result

    def action_ebay_withdraw(self):
        """End the multi-variation listing of these templates on every eBay account."""
        templates = self.filtered("ebay_group_key")
        credentials = self.env["integration.credential"].search([("platform", "=", "ebay")])
        for credential in credentials:
            for template in templates:
                credential._ebay_queue_withdraw(template)
        return credentials[:1]._notification(self.env._(
            "%s multi-variation listings queued for withdrawal from eBay.", len(templates))) \
            if credentials else True

    def action_ebay_list(self):
        """Queue the listing of these products on every active eBay account."""
        credentials = self.env["integration.credential"].search([("platform", "=", "ebay")])
        for credential in credentials:
            credential._ebay_queue_listings(self.product_variant_ids)
        return credentials[:1]._notification(self.env._(
            "%s products queued for listing on eBay.", len(self.product_variant_ids))) \
            if credentials else True


class EbayCategoryMap(models.Model):
    _name = "ebay.category.map"
    _description = "eBay Category Mapping"
    _order = "categ_id"

    categ_id = fields.Many2one("product.category", "Product Category", required=True,
                               ondelete="cascade")
    ebay_category_id = fields.Char("eBay Category ID", required=True)
    name = fields.Char("eBay Category Name")

    _sql_constraints = [("categ_uniq", "unique(categ_id)",
                         "This product category is already mapped to an eBay category.")]

    @api.model_create_multi
    def create(self, vals_list):
        rows = super().create(vals_list)
        rows._offers_changed()
        return rows

    def write(self, vals):
        before = self.categ_id
        result = super().write(vals)
        self._offers_changed(before)
        return result

    def _offers_changed(self, categories=None):
        """The offers of the products under these categories may carry another eBay
        category now: queue their update (unchanged ones are not sent)."""
        categories = (categories or self.env["product.category"]) | self.categ_id
        products = self.env["product.product"].search([("categ_id", "child_of", categories.ids)])
        self.env["integration.credential"]._ebay_offers_changed(products)


class ChannelProductBinding(models.Model):
    _inherit = "channel.product.binding"

    ebay_offer_id = fields.Char("eBay Offer ID", readonly=True, copy=False)
    ebay_listing_api = fields.Selection(
        const.LISTING_APIS, "Listing API", readonly=True, copy=False,
        help="Inventory API listings cannot be revised with the Trading API and Trading "
        "listings are revised with ReviseInventoryStatus / ReviseFixedPriceItem.")
    ebay_quantity_dirty = fields.Boolean("Quantity to send", copy=False, index=True)
    ebay_sent_quantity = fields.Integer("Quantity on eBay", readonly=True, copy=False)
    ebay_offer_dirty = fields.Boolean("Offer to update", copy=False, index=True)
    ebay_offer_hash = fields.Char("Offer digest", readonly=True, copy=False,
                                  help="Digest of the offer last sent (updateOffer when it "
                                  "changes).")
    ebay_group_key = fields.Char("eBay Item Group Key", readonly=True, copy=False,
                                 help="The multi-variation listing this variant belongs to.")
    ebay_listing_id = fields.Char("Group Listing ID", readonly=True, copy=False,
                                  help="The listing of this variant's inventory item group.")


class ResPartner(models.Model):
    _inherit = "res.partner"

    ebay_username = fields.Char("eBay Username", index=True, copy=False)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    ebay_buyer_username = fields.Char("eBay Buyer", readonly=True, copy=False)
    ebay_created_at = fields.Datetime("Ordered on eBay", readonly=True, copy=False)
    ebay_last_modified = fields.Char("eBay Last Modified", readonly=True, copy=False)
    ebay_fulfillment_status = fields.Char("eBay Fulfilment Status", readonly=True, copy=False)
    ebay_total = fields.Float("eBay Total", readonly=True, copy=False)
    ebay_marketplace_fee = fields.Float("eBay Fees", readonly=True, copy=False)
    ebay_delivery_cost = fields.Float("eBay Delivery Cost", readonly=True, copy=False)


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    ebay_line_item_id = fields.Char("eBay Line Item ID", readonly=True, copy=False)
    ebay_sku = fields.Char("eBay SKU", readonly=True, copy=False)


class StockPicking(models.Model):
    _inherit = "stock.picking"

    ebay_fulfillment_id = fields.Char("eBay Fulfilment ID", readonly=True, copy=False)


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        self.env["integration.credential"]._ebay_quantities_changed(moves.product_id)
        return moves
