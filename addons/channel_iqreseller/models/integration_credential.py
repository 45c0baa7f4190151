import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.channel_base.exceptions import PermanentError

from .. import mapping
from ..client import IQResellerClient
from ..const import (
    CHANNEL_FIELDS,
    DEFAULT_API_URL,
    DEFAULT_SIGNIN_URL,
    OPERATION_IMPORT,
    OPERATION_POLL,
    OPERATION_TRACKING,
    ORDER_ENDPOINTS,
    PLATFORM,
    TRACKING_ENDPOINTS,
    UDF_FIELDS,
)

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "channel_base.group_integration_manager"
ORDERS_STREAM = "orders"
TRACKING_PIECES = ("tracking", "carrier", "ship_date", "service")


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"

    platform = fields.Selection(
        selection_add=[(PLATFORM, "IQ Reseller")], ondelete={PLATFORM: "cascade"}
    )
    iqr_api_key = fields.Char(
        "IQR API Key", groups=MANAGER_GROUP, copy=False,
        help="Key of the API user created in the IQ Reseller admin portal.",
    )
    iqr_signin_url = fields.Char(
        "IQR Sign-in URL", default=DEFAULT_SIGNIN_URL,
        help="Host of the session service (POST/DELETE /api/IntegrationAPI/Session); the "
        "API Base URL is the host of /webapi.svc.",
    )
    iqr_session_lifetime = fields.Integer(
        "Session Lifetime (min)", default=55,
        help="Sign in again before a session gets this old. IQR does not document the "
        "lifetime; a refused session is renewed once in any case.",
    )
    iqr_order_endpoint = fields.Selection(
        ORDER_ENDPOINTS, "Order Endpoint", default="get_orders", required=True,
    )
    iqr_tracking_endpoint = fields.Selection(
        TRACKING_ENDPOINTS, "Tracking Endpoint", default="update_order", required=True,
    )
    iqr_status_filter = fields.Char(
        "Statuses to Import", default="Open, Partial",
        help="Comma-separated IQR order statuses; empty imports every status.",
    )
    iqr_channel_filter = fields.Char(
        "Agent Channel", default="DPC - QUIC",
        help="Import only orders whose channel field holds this value; empty imports all.",
    )
    iqr_channel_field = fields.Selection(
        CHANNEL_FIELDS, "Agent Channel Field", default="any_udf", required=True,
        help="Which IQR order field holds the agent channel (not confirmed by IQR).",
    )
    iqr_window_days = fields.Integer(
        "Import Window (days)", default=30, help="Only orders sold in the last N days."
    )
    iqr_page_size = fields.Integer("Page Size", default=25)
    iqr_first_page = fields.Integer(
        "First Page Number", default=1, help="Number IQR gives its first page (0 or 1)."
    )
    iqr_sort_by = fields.Integer("SortBy Value", default=0)
    iqr_sorted_newest_first = fields.Boolean(
        "SortBy Lists Newest First",
        help="Tick if the SortBy value lists orders by sale date, newest first: paging then "
        "stops at the first page older than the import window.",
    )
    iqr_poll_interval = fields.Integer("Poll Every (min)", default=15)
    iqr_auto_confirm = fields.Boolean(
        "Confirm Imported Orders", default=True,
        help="Confirm orders on import, which creates the delivery to ship.",
    )
    iqr_tracking_field = fields.Selection(UDF_FIELDS, "Tracking Numbers Field",
                                          default="userdefined1")
    iqr_carrier_field = fields.Selection(UDF_FIELDS, "Carrier Field", default="userdefined2")
    iqr_ship_date_field = fields.Selection(UDF_FIELDS, "Ship Date Field",
                                           default="userdefined3")
    iqr_service_field = fields.Selection(UDF_FIELDS, "Shipping Method Field",
                                         default="userdefined4")
    iqr_last_updated_by = fields.Char("Written As", default="Odoo",
                                      help="Sent as 'lastupdatedby' with every write.")

    # ------------------------------------------------------------------ defaults, checks

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("platform") == PLATFORM and not vals.get("source_timezone"):
                vals["source_timezone"] = self.env.user.tz or False
        return super().create(vals_list)

    def _default_api_base_url(self):
        if self.platform == PLATFORM:
            return DEFAULT_API_URL
        return super()._default_api_base_url()

    @api.constrains("iqr_tracking_field", "iqr_carrier_field", "iqr_ship_date_field",
                    "iqr_service_field", "iqr_channel_field", "iqr_page_size")
    def _check_iqr_fields(self):
        for credential in self.filtered(lambda c: c.platform == PLATFORM):
            targets = [name for name in credential._iqr_tracking_field_map().values() if name]
            if len(targets) != len(set(targets)):
                raise ValidationError(_("Each tracking piece needs its own IQR field."))
            if credential.iqr_channel_field in targets:
                raise ValidationError(_(
                    "The agent channel field %s cannot also receive tracking: writing it "
                    "would take the order out of the channel filter.",
                    credential.iqr_channel_field))
            if credential.iqr_page_size < 1:
                raise ValidationError(_("The page size must be at least 1."))

    def _iqr_tracking_field_map(self):
        return {
            "tracking": self.iqr_tracking_field,
            "carrier": self.iqr_carrier_field,
            "ship_date": self.iqr_ship_date_field,
            "service": self.iqr_service_field,
        }

    def _iqr_timezone(self):
        if not self.source_timezone:
            raise PermanentError(_(
                "Set the Source Timezone of %s: IQ Reseller sends dates without a timezone.",
                self.name))
        return self.source_timezone

    def _iqr_order_filter(self):
        timezone = self._iqr_timezone()
        return mapping.OrderFilter(
            statuses=mapping.parse_status_list(self.iqr_status_filter),
            channel_field=self.iqr_channel_field,
            channel_value=(self.iqr_channel_filter or "").strip(),
            window_start=fields.Datetime.now() - timedelta(days=self.iqr_window_days or 30),
            timezone=timezone,
        )

    # ------------------------------------------------------------------ jobs

    def _execute_sync_job(self, job):
        if self.platform != PLATFORM:
            return super()._execute_sync_job(job)
        handlers = {
            OPERATION_POLL: self._iqr_poll_orders,
            OPERATION_IMPORT: self._iqr_import_order,
            OPERATION_TRACKING: self._iqr_push_tracking,
        }
        if job.operation not in handlers:
            return super()._execute_sync_job(job)
        return handlers[job.operation](job)

    def _iqr_enqueue_poll(self):
        self.ensure_one()
        return self._enqueue_job(OPERATION_POLL, name=_("Poll IQ Reseller orders"),
                                 dedup_key=f"{OPERATION_POLL}:{self.id}")

    def _iqr_poll_orders(self, job):
        """Read every page (no server-side filter is known), filter on our side, queue one
        import job per new or changed order, flag imported orders that left the status
        filter. Stops early when the listing is newest-first and leaves the window."""
        order_filter = self._iqr_order_filter()
        client = IQResellerClient(self)
        stats = dict.fromkeys(("seen", "queued", "unchanged", "skipped_status",
                               "skipped_channel", "skipped_date", "malformed",
                               "awaiting_retry", "flagged"), 0)
        with client.session_scope():
            for orders in client.iter_order_pages(self.iqr_page_size or 25,
                                                  self.iqr_first_page, self.iqr_sort_by):
                self._iqr_handle_page(orders, order_filter, stats)
                if self.iqr_sorted_newest_first and self._iqr_page_before_window(
                        orders, order_filter):
                    break
        self._set_cursor(ORDERS_STREAM)
        stats["api_calls"] = client.call_count
        if client.page_size_reductions:
            stats["page_size_reduced_to"] = client.page_size_reductions[-1][1]
        return stats

    def _iqr_page_before_window(self, orders, order_filter):
        oldest = mapping.oldest_sale_date(orders, order_filter.timezone)
        return oldest is not None and oldest < order_filter.window_start

    def _iqr_handle_page(self, orders, order_filter, stats):
        valid = [so for so in orders if mapping.order_id(so)]
        stats["seen"] += len(orders)
        stats["malformed"] += len(orders) - len(valid)
        if len(valid) < len(orders):
            _logger.warning("IQ Reseller credential %s: %s orders without soid skipped",
                            self.id, len(orders) - len(valid))
        bound = self.env["sale.order"]._iqr_bound_orders(self, [mapping.order_id(so)
                                                                for so in valid])
        failed = self._iqr_failed_import_fingerprints([mapping.order_id(so) for so in valid])
        specs = []
        for so in valid:
            soid = mapping.order_id(so)
            order = bound.get(soid)
            rejection = order_filter.rejection(so)
            if rejection:
                stats[f"skipped_{rejection}"] += 1
                if order and rejection == "status":
                    stats["flagged"] += order._iqr_note_status(self, so.get("status"))
                continue
            fingerprint = mapping.order_fingerprint(so)
            if order and order.iqr_fingerprint == fingerprint:
                order._iqr_note_status(self, so.get("status"))
                stats["unchanged"] += 1
                continue
            if failed.get(soid) == fingerprint:
                stats["awaiting_retry"] += 1  # its failed job is the one to retry
                continue
            specs.append(self._iqr_import_spec(so, fingerprint))
        self._iqr_cancel_failed_imports([spec["dedup_key"] for spec in specs])
        self.env["sync.job"]._enqueue_many(specs)
        stats["queued"] += len(specs)

    def _iqr_import_spec(self, so, fingerprint):
        soid = mapping.order_id(so)
        return {
            "operation": OPERATION_IMPORT,
            "credential": self,
            "name": _("Import IQR order %s", so.get("so") or soid),
            "payload": {"so": so, "fingerprint": fingerprint},
            "dedup_key": self._iqr_import_dedup_key(soid),
        }

    def _iqr_import_dedup_key(self, soid):
        return f"{OPERATION_IMPORT}:{self.id}:{soid}"

    def _iqr_failed_import_fingerprints(self, soids):
        """{soid: fingerprint} of imports that failed and wait for a person: re-reading the
        same order must not pile up twins of them; a changed order replaces them."""
        keys = [self._iqr_import_dedup_key(soid) for soid in soids]
        jobs = self.env["sync.job"].search([
            ("dedup_key", "in", keys), ("state", "=", "failed"),
        ], order="id")
        return {
            job.dedup_key.rsplit(":", 1)[1]: (job.payload or {}).get("fingerprint")
            for job in jobs
        }

    def _iqr_import_order(self, job):
        payload = job.payload or {}
        so = payload.get("so")
        if not isinstance(so, dict) or not mapping.order_id(so):
            raise PermanentError(_("The job carries no IQ Reseller order."))
        return self.env["sale.order"]._iqr_import(self, so, payload.get("fingerprint"))

    def _iqr_cancel_failed_imports(self, dedup_keys):
        """A new version of an order supersedes its failed imports."""
        if dedup_keys:
            self.env["sync.job"].search([
                ("dedup_key", "in", dedup_keys), ("state", "=", "failed"),
            ]).write({"state": "cancelled"})

    def _iqr_push_tracking(self, job):
        order = job._target()
        if not order or order._name != "sale.order":
            raise PermanentError(_("The sales order of this tracking job no longer exists."))
        client = IQResellerClient(self)
        with client.session_scope():
            return order._iqr_push_tracking(self, client)

    # ------------------------------------------------------------------ cron, buttons

    @api.model
    def _cron_iqreseller_poll(self):
        """Queue a poll for every IQ Reseller account whose interval has passed. Never
        raises: Odoo deactivates a cron that keeps failing."""
        now = fields.Datetime.now()
        for credential in self.search([("platform", "=", PLATFORM)]):
            try:
                cursor = credential._get_cursor(ORDERS_STREAM)
                interval = timedelta(minutes=credential.iqr_poll_interval or 15)
                if not cursor.last_success_at or cursor.last_success_at + interval <= now:
                    credential._iqr_enqueue_poll()
            except Exception:
                _logger.exception("IQ Reseller poll not queued for credential %s",
                                  credential.id)

    def action_iqr_import_now(self):
        self.ensure_one()
        self.check_access("write")
        self._iqr_enqueue_poll()
        return self._notification(_("Order import queued; it runs within a minute."))

    def _test_connection(self):
        if self.platform != PLATFORM:
            return super()._test_connection()
        client = IQResellerClient(self)
        with client.session_scope():
            orders = client.fetch_orders_page(self.iqr_first_page, 1, self.iqr_sort_by)
        return _("IQ Reseller reachable: signed in and read %s order(s).", len(orders))
