from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    channel_binding_ids = fields.One2many(
        "channel.product.binding", "product_tmpl_id", string="Channel Listings"
    )
    channel_binding_count = fields.Integer(compute="_compute_channel_binding_count")

    def _compute_channel_binding_count(self):
        counts = dict(self.env["channel.product.binding"].sudo()._read_group(
            [("product_tmpl_id", "in", self.ids)], ["product_tmpl_id"], ["__count"]
        ))
        for template in self:
            template.channel_binding_count = counts.get(template, 0)

    def action_open_channel_bindings(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Channel Listings"),
            "res_model": "channel.product.binding",
            "view_mode": "list,form",
            "domain": [("product_tmpl_id", "=", self.id)],
            "context": {"default_product_id": self.product_variant_id.id},
        }


class ProductProduct(models.Model):
    _inherit = "product.product"

    channel_binding_ids = fields.One2many("channel.product.binding", "product_id")
