from odoo import fields, models

from odoo.addons.channel_base.paged_import import StreamSpec

from .. import const
from ..client import ShipheroClient
from ..streams import (
    ShipheroOrdersImport,
    ShipheroProductsImport,
    ShipheroReconcileImport,
    ShipheroShipmentsImport,
)

MANAGER = "channel_base.group_integration_manager"


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"

    platform = fields.Selection(selection_add=[("shiphero", "ShipHero")],
                                ondelete={"shiphero": "cascade"})
    shiphero_brand_id = fields.Many2one(
        "res.partner", "Brand", domain=[("shiphero_is_brand", "=", True)], index=True,
        help="The brand whose ShipHero account this is (the company is the 3PL).")
    shiphero_email = fields.Char("ShipHero Email", groups=MANAGER,
                                 help="The email the brand signs in to ShipHero with.")
    shiphero_password = fields.Char("ShipHero Password", groups=MANAGER,
                                    help="Only used again when the refresh token fails.")
    shiphero_customer_account_id = fields.Char(
        "3PL Customer Account ID",
        help="When signed in as the 3PL: the brand's customer account id, sent with queries "
        "and mutations.")
    shiphero_warehouse_ref = fields.Char(
        "ShipHero Warehouse ID", help="Warehouse purchase orders are sent to.")
    shiphero_backfill_days = fields.Integer("Backfill (days)", default=const.BACKFILL_DAYS_DEFAULT)
    shiphero_incremental_minutes = fields.Integer(
        "Fetch Orders Every (min)", default=const.INCREMENTAL_MINUTES_DEFAULT)
    shiphero_overlap_minutes = fields.Integer(
        "Overlap Window (min)", default=const.OVERLAP_MINUTES_DEFAULT,
        help="Each fetch looks back this far before the start of the last successful one.")
    shiphero_page_size = fields.Integer(
        "ShipHero Page Size", default=const.MAX_PAGE,
        help="Most items per page; the credit budget may ask for fewer.")
    shiphero_webhook_shop_name = fields.Char(
        "Webhook Shop Name", default="odoo",
        help="ShipHero's free identifier of our webhook subscriptions.")
    shiphero_webhook_state = fields.Char("Subscriptions", readonly=True)

    def _default_api_base_url(self):
        if self.platform != const.PLATFORM:
            return super()._default_api_base_url()
        return const.PRODUCTION_URL

    def _test_connection(self):
        if self.platform != const.PLATFORM:
            return super()._test_connection()
        quota = ShipheroClient(self).quota()
        return self.env._("ShipHero signed in; %(left)s of %(max)s credits available.",
                          left=quota.get("credits_remaining"), max=quota.get("max_available"))

    def _channel_stream_specs(self):
        if self.platform != const.PLATFORM:
            return super()._channel_stream_specs()
        minutes = max(self.shiphero_incremental_minutes or const.INCREMENTAL_MINUTES_DEFAULT, 1)
        return [*super()._channel_stream_specs(),
                StreamSpec(const.ORDERS_STREAM, "Orders", interval_minutes=minutes,
                           paged_import=ShipheroOrdersImport, priority=5),
                StreamSpec(const.SHIPMENTS_STREAM, "Shipments", interval_minutes=minutes,
                           paged_import=ShipheroShipmentsImport, priority=6),
                StreamSpec(const.PRODUCTS_STREAM, "Products and inventory",
                           interval_minutes=const.RECONCILE_MINUTES_DEFAULT,
                           paged_import=ShipheroProductsImport, priority=15),
                StreamSpec(const.RECONCILE_STREAM, "Reconciliation (open orders)",
                           interval_minutes=const.RECONCILE_MINUTES_DEFAULT,
                           paged_import=ShipheroReconcileImport, priority=20)]

    def _execute_sync_job(self, job):
        if self.platform != const.PLATFORM:
            return super()._execute_sync_job(job)
        handlers = {
            const.OP_ORDER_HISTORY: self._shiphero_fetch_order_history,
            const.OP_ORDER_REFRESH: self._shiphero_refresh_order,
            const.OP_PO_CREATE: self._shiphero_push_purchase_order,
            const.OP_PO_UPDATE: self._shiphero_push_purchase_order,
        }
        if job.operation not in handlers:
            return super()._execute_sync_job(job)
        return handlers[job.operation](job)

    def _sync_job_operation_labels(self):
        labels = super()._sync_job_operation_labels()
        return {**labels, const.OP_ORDER_HISTORY: "ShipHero order history",
                const.OP_ORDER_REFRESH: "ShipHero order re-read",
                const.OP_PO_CREATE: "Purchase order to ShipHero",
                const.OP_PO_UPDATE: "Purchase order update to ShipHero"}

    def action_shiphero_backfill(self):
        self.ensure_one()
        for code in (const.ORDERS_STREAM, const.SHIPMENTS_STREAM, const.PRODUCTS_STREAM):
            stream = self._channel_stream(code)
            if stream.run_state != "running":
                stream.action_run_now()
        return self._notification(self.env._("Orders, shipments and products import queued."))
