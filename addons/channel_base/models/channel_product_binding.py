from odoo import fields, models

from .channel_bound_mixin import SYNC_STATES


class ChannelProductBinding(models.Model):
    """A product listed on one channel account; one product can have many."""

    _name = "channel.product.binding"
    _description = "Channel Product Binding"
    _order = "credential_id, product_id"

    credential_id = fields.Many2one(
        "integration.credential", "Account", required=True, ondelete="cascade", index=True
    )
    platform = fields.Selection(related="credential_id.platform", store=True)
    company_id = fields.Many2one(related="credential_id.company_id", store=True)
    product_id = fields.Many2one("product.product", required=True, ondelete="cascade", index=True)
    product_tmpl_id = fields.Many2one(related="product_id.product_tmpl_id", store=True, index=True)
    external_id = fields.Char("External ID", index=True)
    external_sku = fields.Char("External SKU")
    sync_state = fields.Selection(SYNC_STATES, default="pending")
    last_sync_at = fields.Datetime()
    last_error = fields.Text()
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("external_uniq", "unique(credential_id, external_id)",
         "This external product is already bound on this channel."),
        ("product_uniq", "unique(credential_id, product_id)",
         "This product is already bound on this channel."),
    ]

    def _on_sync_job_failed(self, job):
        self.write({"sync_state": "error", "last_error": job.last_error,
                    "last_sync_at": fields.Datetime.now()})
