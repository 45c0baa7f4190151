import logging
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.channel_base.exceptions import PermanentError

from .. import const
from ..client import IqmetrixClient

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "channel_base.group_integration_manager"
TOKEN_FIELDS = ("iqmetrix_client_id", "iqmetrix_client_secret", "iqmetrix_username",
                "iqmetrix_password", "iqmetrix_accounts_url", "environment")


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
    iqmetrix_poll_minutes = fields.Integer(
        "Poll Every (minutes)", default=5, help="How often the order feed is read.")
    iqmetrix_next_poll_at = fields.Datetime("Next Feed Poll", readonly=True, copy=False)
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
        help="ShippingProvider sent when the delivery's carrier has no mapping below; empty: "
        "the carrier's name.")
    iqmetrix_carrier_map_ids = fields.One2many(
        "iqmetrix.carrier.map", "credential_id", string="Shipping Methods and Providers")
    iqmetrix_feed_entry_count = fields.Integer(compute="_compute_iqmetrix_feed_entry_count")

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

    @api.constrains("iqmetrix_poll_minutes", "platform")
    def _check_iqmetrix_poll_minutes(self):
        for credential in self:
            if credential.platform == const.PLATFORM and credential.iqmetrix_poll_minutes < 1:
                raise ValidationError(self.env._("The feed is polled at most once a minute."))

    def write(self, vals):
        result = super().write(vals)
        if any(name in vals for name in TOKEN_FIELDS):
            # New client credentials or account: a refresh token issued to the old ones
            # would be refused, and must not be tried with the new ones; and the account
            # deserves a new try (channel_base resumes on secrets only, not on the client
            # id, environment or accounts URL).
            iqmetrix = self.filtered(lambda c: c.platform == const.PLATFORM)
            if iqmetrix:
                self.env["iqmetrix.oauth.token"]._forget(iqmetrix.ids)
                iqmetrix._clear_reconnect_needed()
        return result

    def unlink(self):
        self.env["iqmetrix.oauth.token"]._forget(self.ids)
        return super().unlink()

    def _invalidate_access_token(self):
        iqmetrix = self.filtered(lambda c: c.platform == const.PLATFORM)
        if iqmetrix:
            # Keep the refresh token: the next call renews with it.
            self.env["iqmetrix.oauth.token"]._discard_access_tokens(iqmetrix.ids)
        return super()._invalidate_access_token()

    def _compute_iqmetrix_feed_entry_count(self):
        counts = dict(self.env["iqmetrix.feed.entry"]._read_group(
            [("credential_id", "in", self.ids), ("state", "=", "failed")],
            ["credential_id"], ["__count"]))
        for credential in self:
            credential.iqmetrix_feed_entry_count = counts.get(credential, 0)

    # ------------------------------------------------------------------ actions

    def action_iqmetrix_fetch_orders(self):
        self.ensure_one()
        self.check_access("write")
        self._iqmetrix_enqueue_import(priority=20)
        return self._notification(
            self.env._("Reading the iQmetrix order feed; new orders appear in a "
                                    "moment (Sync Jobs shows the run)."))

    def action_iqmetrix_open_feed_entries(self):
        self.ensure_one()
        return self._open_records_action(
            "iqmetrix.feed.entry", self.env._("Feed Entries Needing Attention"),
            [("credential_id", "=", self.id)])

    def _test_connection(self):
        if self.platform != const.PLATFORM:
            return super()._test_connection()
        # Test Connection is how a person says "try again": it may ask for a token even
        # while scheduled syncs are paused for a refusal.
        client = IqmetrixClient(self.with_context(iqmetrix_retry_refused_credentials=True))
        page = self._iqmetrix_parse_page(client, None)
        return self.env._("Connected to iQmetrix: the current feed page has %s entries.",
                 len(page.entries))

    # ------------------------------------------------------------------ cron and jobs

    @api.model
    def _cron_iqmetrix_poll_feeds(self):
        """Queue a feed import for every credential whose poll interval has elapsed.

        Never raises (Odoo deactivates a cron that keeps failing): a credential whose row
        is locked is importing right now and is simply skipped this minute.
        """
        try:
            with self.env.cr.savepoint():
                return self._iqmetrix_queue_due_imports()
        except (psycopg2.errors.SerializationFailure, psycopg2.errors.LockNotAvailable) as error:
            _logger.info("iQmetrix feed poll skipped this minute: %s", type(error).__name__)
            return 0

    def _execute_sync_job(self, job):
        if self.platform != const.PLATFORM:
            return super()._execute_sync_job(job)
        if job.operation == const.JOB_IMPORT_FEED:
            return self._iqmetrix_import_feed()
        if job.operation == const.JOB_PUSH_STATUS:
            order = job._target()
            if not order or order._name != "sale.order":
                raise PermanentError(
                    self.env._("The sale order of this status update no longer exists."))
            return order._iqmetrix_push_status()
        return super()._execute_sync_job(job)
