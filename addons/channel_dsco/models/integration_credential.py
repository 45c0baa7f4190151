from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.channel_base.paged_import import StreamSpec

from .. import const
from ..client import DscoClient
from ..orders_stream import DscoOrdersImport


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"

    platform = fields.Selection(selection_add=[("dsco", "DSCO (Poshmark)")],
                                ondelete={"dsco": "cascade"})
    dsco_client_id = fields.Char("DSCO Client ID", groups="channel_base.group_integration_manager")
    dsco_client_secret = fields.Char(
        "DSCO Client Secret", groups="channel_base.group_integration_manager")
    dsco_stream_id = fields.Char(
        "Order Stream ID", readonly=True, copy=False,
        help="Created once on the first import and reused (createStream).")
    dsco_poll_seconds = fields.Integer(
        "Stream Poll Interval (s)", default=const.POLL_SECONDS_DEFAULT,
        help="How often the order stream is read (DSCO: not more often than every 5 "
        "seconds). Under a minute, each run queues the next one this many seconds after it "
        "ends (channel_base's stream polling); from 60 s on, the stream's schedule.")

    @api.constrains("dsco_poll_seconds", "platform")
    def _check_dsco_poll_seconds(self):
        for credential in self.filtered(lambda c: c.platform == const.PLATFORM):
            if credential.dsco_poll_seconds < const.POLL_SECONDS_MIN:
                raise ValidationError(self.env._(
                    "The DSCO stream poll interval is at least %s seconds.",
                    const.POLL_SECONDS_MIN))

    def _default_api_base_url(self):
        if self.platform != const.PLATFORM:
            return super()._default_api_base_url()
        return const.STAGING_URL if self.environment == "sandbox" else const.PRODUCTION_URL

    @api.onchange("environment")
    def _onchange_dsco_environment(self):
        if self.platform == const.PLATFORM:
            self.api_base_url = self._default_api_base_url()

    def _test_connection(self):
        if self.platform != const.PLATFORM:
            return super()._test_connection()
        answer = DscoClient(self).call("GET", const.HELLO_PATH)
        return self.env._("DSCO API reachable, token accepted (%s).", (answer or {}).get("hello"))

    def _channel_stream_specs(self):
        if self.platform != const.PLATFORM:
            return super()._channel_stream_specs()
        return [*super()._channel_stream_specs(),
                StreamSpec(const.ORDERS_STREAM, "Orders (order stream)",
                           interval_minutes=max(1, self.dsco_poll_seconds // 60),
                           paged_import=DscoOrdersImport, priority=5,
                           poll_seconds=self.dsco_poll_seconds
                           if self.dsco_poll_seconds < 60 else 0),
                StreamSpec(const.CATALOG_STREAM, "Catalog (changed products)",
                           interval_minutes=const.CATALOG_MINUTES_DEFAULT,
                           operation=const.OP_PUSH_CATALOG, payload={}),
                StreamSpec(const.INVENTORY_STREAM, "Inventory (changed quantities)",
                           interval_minutes=self.dsco_inventory_minutes
                           or const.INVENTORY_MINUTES_DEFAULT,
                           operation=const.OP_PUSH_INVENTORY, payload={}),
                StreamSpec(const.RECONCILE_STREAM, "Reconciliation (open orders re-read)",
                           interval_minutes=const.RECONCILE_MINUTES,
                           operation=const.OP_RECONCILE, payload={})]

    def _execute_sync_job(self, job):
        if self.platform != const.PLATFORM:
            return super()._execute_sync_job(job)
        handlers = {
            const.OP_ACKNOWLEDGE: self._dsco_acknowledge_orders,
            const.OP_UPDATE_POSITION: self._dsco_update_stream_position,
            const.OP_PUSH_SHIPMENT: self._dsco_push_shipment,
            const.OP_CANCEL_ITEMS: self._dsco_cancel_items,
            const.OP_PUSH_CATALOG: self._dsco_push_catalog,
            const.OP_POLL_LOG: self._dsco_poll_change_log,
            const.OP_PUSH_INVENTORY: self._dsco_push_inventory,
            const.OP_RECONCILE: self._dsco_reconcile_orders,
        }
        if job.operation not in handlers:
            return super()._execute_sync_job(job)
        return handlers[job.operation](job)

    def action_dsco_import_orders(self):
        self.ensure_one()
        self._channel_stream(const.ORDERS_STREAM).action_run_now()
        return self._notification(self.env._("Order stream read queued."))
