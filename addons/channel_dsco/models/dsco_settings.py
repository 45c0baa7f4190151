"""Account settings of the catalog and inventory: Odoo warehouse -> DSCO warehouse code,
Odoo product category -> DSCO category path, the published products; what DSCO was last
told about each product (on its channel.product.binding)."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .. import const, mapping


class DscoWarehouseCode(models.Model):
    _name = "dsco.warehouse.code"
    _description = "DSCO Warehouse Code"
    _order = "credential_id, warehouse_id"

    credential_id = fields.Many2one("integration.credential", "Account", required=True,
                                    ondelete="cascade", index=True)
    warehouse_id = fields.Many2one("stock.warehouse", "Odoo Warehouse", required=True,
                                   ondelete="cascade")
    code = fields.Char("DSCO Warehouse Code", required=True,
                       help="The warehouse code of your DSCO setup (ItemWarehouse.code).")

    _sql_constraints = [("warehouse_uniq", "unique(credential_id, warehouse_id)",
                         "This warehouse already has a DSCO code on this account.")]


class DscoCategoryPath(models.Model):
    _name = "dsco.category.path"
    _description = "DSCO Category Path"
    _order = "credential_id, categ_id"

    credential_id = fields.Many2one("integration.credential", "Account", required=True,
                                    ondelete="cascade", index=True)
    categ_id = fields.Many2one("product.category", "Odoo Product Category", required=True,
                               ondelete="cascade")
    path = fields.Char("DSCO Category Path", required=True,
                       help="DSCO's category hierarchy, names separated by ||, "
                       "e.g. Apparel||Tops||T-Shirts.")

    _sql_constraints = [("categ_uniq", "unique(credential_id, categ_id)",
                         "This category already has a DSCO path on this account.")]

    @api.constrains("path")
    def _check_path(self):
        for record in self:
            problem = mapping.category_path_problem(record.path)
            if problem:
                raise ValidationError(problem)


class ProductTemplate(models.Model):
    _inherit = "product.template"

    dsco_image_urls = fields.Text(
        "DSCO Image URLs", help="Public HTTPS URLs of the product's images, one a line "
        "(DSCO downloads them itself; other URLs are refused).")
    dsco_brand = fields.Char("DSCO Brand")


class ChannelProductBinding(models.Model):
    _inherit = "channel.product.binding"

    dsco_request_id = fields.Char("DSCO Request ID", readonly=True,
                                  help="requestId of the last catalog batch with this SKU.")
    dsco_catalog_hash = fields.Char(readonly=True)
    dsco_inventory_sent = fields.Json("Inventory Sent", readonly=True,
                                      help="Warehouse code -> quantity last sent to DSCO.")
    dsco_inventory_error = fields.Text("Last Inventory Error", readonly=True)


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    dsco_warehouse_code_ids = fields.One2many("dsco.warehouse.code", "credential_id",
                                              "DSCO Warehouse Codes")
    dsco_category_path_ids = fields.One2many("dsco.category.path", "credential_id",
                                             "DSCO Category Paths")
    dsco_product_ids = fields.Many2many(
        "product.product", "dsco_published_product_rel", "credential_id", "product_id",
        "Products on DSCO", help="The products listed on DSCO (catalog and inventory).")
    dsco_inventory_minutes = fields.Integer(
        "Inventory Interval (min)", default=const.INVENTORY_MINUTES_DEFAULT,
        help="How often changed quantities are sent (also right after a stock move).")

    @api.constrains("dsco_inventory_minutes", "platform")
    def _check_dsco_inventory_minutes(self):
        for credential in self.filtered(lambda c: c.platform == const.PLATFORM):
            if credential.dsco_inventory_minutes < 1:
                raise ValidationError(self.env._("The inventory interval is at least 1 minute."))

    def _dsco_category_path(self, categ):
        """The DSCO path of ``categ``: its mapping, else the nearest mapped parent's,
        else the Odoo category's own names (All / Apparel / Tops -> Apparel||Tops)."""
        paths = {row.categ_id.id: row.path for row in self.dsco_category_path_ids}
        current = categ
        while current:
            if current.id in paths:
                return paths[current.id]
            current = current.parent_id
        names = categ.complete_name.split(" / ") if categ else []
        if names[:1] == ["All"]:
            names = names[1:]  # Odoo's root "All" is no DSCO category
        return mapping.category_path(names) or None

    def write(self, vals):
        result = super().write(vals)
        if "dsco_inventory_minutes" in vals:
            for credential in self.filtered(lambda c: c.platform == const.PLATFORM):
                credential._channel_stream(const.INVENTORY_STREAM).sudo().interval_minutes = \
                    max(credential.dsco_inventory_minutes, 1)
        return result
