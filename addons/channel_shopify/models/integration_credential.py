from odoo import api, fields, models

from odoo.addons.channel_base.paged_import import StreamSpec

from .. import const
from ..client import ShopifyClient
from ..orders_stream import ShopifyOrdersImport, ShopifyOrdersReconcile
from ..queries import SHOP


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"

    platform = fields.Selection(selection_add=[("shopify", "Shopify")],
                                ondelete={"shopify": "cascade"})
    shopify_shop_domain = fields.Char(
        "Shop Domain", help="The store's myshopify.com domain, e.g. acme.myshopify.com.")
    shopify_access_token = fields.Char(
        "Admin API Access Token", groups="channel_base.group_integration_manager")
    shopify_client_secret = fields.Char(
        "App Client Secret", groups="channel_base.group_integration_manager",
        help="The app's API secret key: Shopify signs webhook deliveries with it.")
    shopify_api_version = fields.Char(
        "API Version", default=const.API_VERSION, required=True,
        help="The pinned Admin API version (YYYY-MM). Change it only after the connector "
        "is tested against the new version.")
    shopify_location_ids = fields.One2many(
        "shopify.location", "credential_id", string="Location Mapping")
    shopify_product_ids = fields.Many2many(
        "product.template", "shopify_published_product_rel", "credential_id",
        "product_tmpl_id", string="Products on Shopify",
        help="Product templates this account manages on Shopify (Odoo is their source of "
        "truth: productSet replaces their variants, options, collections and metafields).")
    shopify_metafield_ids = fields.Many2many(
        "ir.model.fields", "shopify_metafield_field_rel", "credential_id", "field_id",
        string="Metafields From", domain="[('model', '=', 'product.template'), "
        "('ttype', 'in', ('char', 'text', 'integer', 'float', 'selection', 'boolean'))]",
        help="Product fields sent as metafields (namespace odoo, key = field name).")
    shopify_order_start_date = fields.Datetime(
        "Import Orders Updated From", default=fields.Datetime.now,
        help="The first import reads orders updated after this moment.")
    shopify_odoo_fulfils = fields.Boolean(
        "Odoo Fulfils Shopify Orders",
        help="Off (default): Shopify orders reach ShipStation directly; Odoo imports them "
        "for visibility (they reserve stock) and validates their delivery when Shopify "
        "reports the fulfilment. On: Odoo ships them (add this account to the ShipStation "
        "account's Fulfil Orders From) and fulfilments with tracking go back to Shopify.")
    shopify_inventory_source = fields.Selection(
        const.INVENTORY_SOURCE_CHOICES, "Quantity Published", default="free_qty",
        required=True)
    shopify_bulk_operation_id = fields.Char("Running Bulk Operation", readonly=True, copy=False)
    shopify_webhooks_missing = fields.Char("Missing Webhooks", readonly=True, copy=False)
    shopify_webhooks_checked_at = fields.Datetime("Webhooks Checked", readonly=True, copy=False)
    shopify_uninstalled = fields.Boolean(
        "App Uninstalled", readonly=True, copy=False,
        help="Shopify reported app/uninstalled: the account needs reconnecting (scheduled "
        "syncs paused) until a new access token is set.")

    def _default_api_base_url(self):
        if self.platform != const.PLATFORM:
            return super()._default_api_base_url()
        return f"https://{self.shopify_shop_domain}" if self.shopify_shop_domain else False

    @api.onchange("shopify_shop_domain")
    def _onchange_shopify_shop_domain(self):
        if self.platform == const.PLATFORM and self.shopify_shop_domain:
            self.api_base_url = self._default_api_base_url()

    def write(self, vals):
        if "shopify_access_token" in vals:
            vals = dict(vals, shopify_uninstalled=False)
        result = super().write(vals)
        if "shopify_odoo_fulfils" in vals:
            self.filtered(lambda c: c.platform == const.PLATFORM)._shopify_join_shipstation()
        return result

    def _shopify_join_shipstation(self):
        """Odoo fulfils: the company's ShipStation accounts send this account's deliveries
        (their Fulfil Orders From); for visibility: they do not (Shopify's orders reach
        ShipStation directly). Nothing to do without the ShipStation connector."""
        if "shipstation_source_credential_ids" not in self._fields:
            return
        for credential in self:
            accounts = self.sudo().search([("platform", "=", "shipstation"),
                                           ("company_id", "=", credential.company_id.id)])
            command = fields.Command.link if credential.shopify_odoo_fulfils \
                else fields.Command.unlink
            accounts.write({"shipstation_source_credential_ids": [command(credential.id)]})

    def _test_connection(self):
        if self.platform != const.PLATFORM:
            return super()._test_connection()
        shop = ShopifyClient(self).execute(SHOP)["shop"]
        return self.env._("Connected to Shopify shop %(name)s (%(domain)s), API %(version)s.",
                          name=shop.get("name"), domain=shop.get("myshopifyDomain"),
                          version=self.shopify_api_version)

    def _connection_error_field(self, error):
        if self.platform != const.PLATFORM:
            return super()._connection_error_field(error)
        return "shopify_access_token" if getattr(error, "status", None) in (401, 403) \
            else super()._connection_error_field(error)

    def _channel_stream_specs(self):
        if self.platform != const.PLATFORM:
            return super()._channel_stream_specs()
        return [*super()._channel_stream_specs(),
                StreamSpec(const.ORDERS_STREAM, "Orders (updated_at)", interval_minutes=15,
                           paged_import=ShopifyOrdersImport, priority=5),
                StreamSpec(const.RECONCILE_STREAM, "Orders reconciliation (last 2 days)",
                           interval_minutes=24 * 60, paged_import=ShopifyOrdersReconcile,
                           priority=15),
                StreamSpec(const.INVENTORY_STREAM, "Inventory to Shopify (changed only)",
                           interval_minutes=15, operation=const.OP_PUSH_INVENTORY,
                           priority=12),
                StreamSpec(const.WEBHOOKS_HEALTH_STREAM, "Webhook subscriptions health",
                           interval_minutes=24 * 60, operation=const.OP_CHECK_WEBHOOKS,
                           priority=15)]

    def _sync_job_operation_labels(self):
        return dict(super()._sync_job_operation_labels(), **{
            const.OP_PUSH_INVENTORY: "Send inventory to Shopify",
            const.OP_PUSH_PRODUCT: "Send product to Shopify",
            const.OP_PUSH_FULFILLMENT: "Send fulfilment to Shopify",
            const.OP_BULK_START: "Start Shopify bulk order export",
            const.OP_BULK_POLL: "Check Shopify bulk operation",
            const.OP_BULK_IMPORT: "Import Shopify bulk orders",
            const.OP_CHECK_WEBHOOKS: "Check Shopify webhook subscriptions",
        })

    def _execute_sync_job(self, job):
        if self.platform != const.PLATFORM:
            return super()._execute_sync_job(job)
        handlers = {
            const.OP_PUSH_INVENTORY: self._shopify_push_inventory,
            const.OP_PUSH_PRODUCT: self._shopify_push_product,
            const.OP_PUSH_FULFILLMENT: self._shopify_push_fulfillment,
            const.OP_BULK_START: self._shopify_bulk_start,
            const.OP_BULK_POLL: self._shopify_bulk_poll,
            const.OP_BULK_IMPORT: self._shopify_bulk_import,
            const.OP_CHECK_WEBHOOKS: self._shopify_check_webhooks,
        }
        if job.operation not in handlers:
            return super()._execute_sync_job(job)
        return handlers[job.operation](job)

    def action_shopify_import_orders(self):
        self.ensure_one()
        self._channel_stream(const.ORDERS_STREAM).action_run_now()
        return self._notification(self.env._("Order import queued."))
