from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.channel_base.exceptions import PermanentError
from odoo.addons.channel_base.paged_import import StreamSpec

from .. import const
from ..client import IqmetrixClient
from .iqmetrix_feed_import import IqmetrixFeedImport

MANAGER_GROUP = "channel_base.group_integration_manager"
# Not secrets (channel_base drops the tokens on secret changes), yet tokens issued for
# other client credentials or another Accounts service are worthless.
TOKEN_SOURCE_FIELDS = ("iqmetrix_client_id", "iqmetrix_accounts_url", "environment")
FEED_INTERVAL_MINUTES = 5


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"

    platform = fields.Selection(
        selection_add=[(const.PLATFORM, "iQmetrix Dropship")],
        ondelete={const.PLATFORM: "cascade"},
    )
    iqmetrix_supplier_id = fields.Char("Supplier ID", help="Your iQmetrix supplier identifier.")
    iqmetrix_client_id = fields.Char("OAuth Client ID")
    iqmetrix_client_secret = fields.Char("OAuth Client Secret", groups=MANAGER_GROUP, copy=False)
    iqmetrix_username = fields.Char("API Username", groups=MANAGER_GROUP, copy=False)
    iqmetrix_password = fields.Char("API Password", groups=MANAGER_GROUP, copy=False)
    iqmetrix_accounts_url = fields.Char(
        "Accounts URL", help="Leave empty for the Accounts service of the environment "
        "(accountsdemo for the sandbox); set it to the simulator to try the flows.")
    iqmetrix_feed_start_at = fields.Datetime(
        "Read Feed From", default=lambda self: fields.Datetime.now() - timedelta(days=7),
        help="First run only (no feed marker yet): entries older than this are not imported.")
    iqmetrix_auto_confirm = fields.Boolean(
        "Confirm Imported iQmetrix Orders", default=True,
        help="Confirm orders whose SKUs are all known, so deliveries are created at once.")
    iqmetrix_stock_short_status = fields.Selection(
        [(str(const.STATUS_BACKORDERED), "BackOrdered (3)"),
         (str(const.STATUS_OTHER), "Other (8)"),
         ("none", "Do not send")],
        "Status When Stock Is Short", default=str(const.STATUS_BACKORDERED), required=True,
        help="Sent when a confirmed order's delivery waits for stock.")
    iqmetrix_unknown_sku_status = fields.Selection(
        [(str(const.STATUS_ERROR), "Error (4)"),
         (str(const.STATUS_NOT_AVAILABLE), "NotAvailable (5)")],
        "Status For Unknown SKUs", default=str(const.STATUS_ERROR), required=True,
        help="Sent, with a message naming the SKUs, for an order that cannot be fulfilled "
        "because some SKUs match no product.")
    iqmetrix_send_ordered = fields.Boolean(
        "Send Ordered on Acceptance", default=True,
        help="Tell iQmetrix Ordered (1) when an order is confirmed, so the retailer no longer "
        "sees PendingSupplier until it ships.")
    iqmetrix_backorder_cancel_status = fields.Selection(
        [(str(const.STATUS_CANCELLED), "Cancelled (7)"),
         (str(const.STATUS_BACKORDERED), "BackOrdered (3)")],
        "Status For Cancelled Backorders", default=str(const.STATUS_CANCELLED), required=True,
        help="Item status sent for the quantities of a cancelled backorder (or of a delivery "
        "validated without backorder).")
    iqmetrix_default_provider = fields.Char(
        "Default Shipping Provider",
        help="ShippingProvider sent when the delivery's carrier has no provider name in the "
        "carrier mapping; empty: the carrier's name.")

    # ------------------------------------------------------------------ configuration

    def _default_api_base_url(self):
        if self.platform == const.PLATFORM:
            return const.DROPSHIP_URLS[self.environment or "production"]
        return super()._default_api_base_url()

    def _iqmetrix_accounts_base_url(self):
        self.ensure_one()
        url = self.iqmetrix_accounts_url or const.ACCOUNTS_URLS[self.environment or "production"]
        return url.rstrip("/")

    @api.onchange("environment")
    def _onchange_iqmetrix_environment(self):
        if self.platform != const.PLATFORM:
            return
        if not self.api_base_url or self.api_base_url in const.DROPSHIP_URLS.values():
            self.api_base_url = const.DROPSHIP_URLS[self.environment]
        if self.iqmetrix_accounts_url in const.ACCOUNTS_URLS.values():
            self.iqmetrix_accounts_url = False

    def _channel_stream_specs(self):
        if self.platform != const.PLATFORM:
            return super()._channel_stream_specs()
        return [*super()._channel_stream_specs(),
                StreamSpec(const.FEED_STREAM, "Order feed",
                           interval_minutes=FEED_INTERVAL_MINUTES,
                           paged_import=IqmetrixFeedImport)]

    def write(self, vals):
        result = super().write(vals)
        if any(name in vals for name in TOKEN_SOURCE_FIELDS):
            iqmetrix = self.filtered(lambda c: c.platform == const.PLATFORM)
            iqmetrix._invalidate_access_token()
            iqmetrix._clear_reconnect_needed()  # other credentials deserve a new try
        return result

    # ------------------------------------------------------------------ actions

    def action_iqmetrix_fetch_orders(self):
        self.ensure_one()
        self.check_access("write")
        self._channel_stream(const.FEED_STREAM).action_run_now()
        return self._notification(
            self.env._("Reading the iQmetrix order feed; new orders appear in a "
                       "moment (Streams shows the run)."))

    def _test_connection(self):
        if self.platform != const.PLATFORM:
            return super()._test_connection()
        # channel_base's action_test_connection may ask for a token even while reconnect
        # is needed: it is how a person says "try again".
        client = IqmetrixClient(self)
        page = self._iqmetrix_parse_page(client, None)
        return self.env._("Connected to iQmetrix: the current feed page has %s entries.",
                 len(page.entries))

    # ------------------------------------------------------------------ jobs

    def _execute_sync_job(self, job):
        if self.platform != const.PLATFORM:
            return super()._execute_sync_job(job)
        if job.operation == const.JOB_PUSH_STATUS:
            order = job._target()
            if not order or order._name != "sale.order":
                raise PermanentError(
                    self.env._("The sale order of this status update no longer exists."))
            return order._iqmetrix_push_status()
        return super()._execute_sync_job(job)
