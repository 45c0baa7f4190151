import logging

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.channel_base.exceptions import PermanentError
from odoo.addons.channel_base.paged_import import StreamSpec

from .. import mapping
from ..client import IQResellerClient
from ..listing import OrderListingImport
from ..const import (
    CHANNEL_FIELDS,
    DEFAULT_API_URL,
    DEFAULT_SIGNIN_URL,
    OPERATION_IMPORT_CHUNK,
    OPERATION_TRACKING,
    ORDER_ENDPOINTS,
    ORDERS_STREAM,
    PLATFORM,
    TRACKING_ENDPOINTS,
    UDF_FIELDS,
)

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "channel_base.group_integration_manager"


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
        "First Page Number", default=0,
        help="Number IQR gives its first page (0 or 1). IQR does not document it; public "
        "working code pages from 0. A poll that finds the other numbering says so in the "
        "chatter, corrects this setting and loses no order.",
    )
    iqr_sort_by = fields.Integer("SortBy Value", default=0)
    iqr_sorted_newest_first = fields.Boolean(
        "SortBy Lists Newest First",
        help="Tick if the SortBy value lists orders by sale date, newest first: paging then "
        "stops at the first page older than the import window. Otherwise (SortBy 0, oldest "
        "first, the only value public code found working) a poll starts where the previous "
        "one found the import window and pages back only until a page is older than it.",
    )
    iqr_shipped_line_statuses = fields.Char(
        "Shipped Line Statuses", default=mapping.DEFAULT_SHIPPED_LINE_STATUSES,
        help="Comma-separated IQR line statuses meaning the line already shipped (a line "
        "with a ship date counts as shipped too). Shipped lines are not imported to ship "
        "again; the order lists them in a note.",
    )
    iqr_cancel_statuses = fields.Char(
        "Cancel Orders In Status", default="Voided, Cancelled",
        help="Comma-separated IQR order statuses that cancel the imported order (and so its "
        "delivery and ShipStation order) while nothing shipped; an order that already "
        "shipped gets an activity instead.",
    )
    iqr_order_number_source = fields.Selection(
        [("so", "IQR order number (so)"), ("soid", "IQR internal id (soid)")],
        "Order Number for Warehouses", default="so", required=True,
        help="The number shipping platforms (ShipStation orderNumber) show for IQR orders. "
        "Updates to IQR always use the internal id.",
    )
    iqr_auto_confirm = fields.Boolean(
        "Confirm Imported IQR Orders", default=True,
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
                raise ValidationError(self.env._("Each tracking piece needs its own IQR field."))
            if credential.iqr_channel_field in targets:
                raise ValidationError(self.env._(
                    "The agent channel field %s cannot also receive tracking: writing it "
                    "would take the order out of the channel filter.",
                    credential.iqr_channel_field))
            if credential.iqr_page_size < 1:
                raise ValidationError(self.env._("The page size must be at least 1."))

    def _iqr_tracking_field_map(self):
        return {
            "tracking": self.iqr_tracking_field,
            "carrier": self.iqr_carrier_field,
            "ship_date": self.iqr_ship_date_field,
            "service": self.iqr_service_field,
        }

    def _iqr_shipped_statuses(self):
        return mapping.parse_status_list(self.iqr_shipped_line_statuses)

    def _iqr_timezone(self):
        if not self.source_timezone:
            raise PermanentError(self.env._(
                "Set the Source Timezone of %s: IQ Reseller sends dates without a timezone.",
                self.name))
        return self.source_timezone

    # ------------------------------------------------------------------ jobs

    def _execute_sync_job(self, job):
        if self.platform != PLATFORM:
            return super()._execute_sync_job(job)
        handlers = {
            OPERATION_IMPORT_CHUNK: self._iqr_import_orders,
            OPERATION_TRACKING: self._iqr_push_tracking,
        }
        if job.operation not in handlers:
            return super()._execute_sync_job(job)
        return handlers[job.operation](job)

    # ------------------------------------------------------------------ streams, buttons

    def _channel_stream_specs(self):
        if self.platform != PLATFORM:
            return super()._channel_stream_specs()
        return [*super()._channel_stream_specs(),
                StreamSpec(ORDERS_STREAM, "Orders", interval_minutes=15,
                           paged_import=OrderListingImport)]

    def _iqr_enqueue_poll(self):
        """Start a run of the orders stream now: its first page job, or False while a
        run is in progress."""
        self.ensure_one()
        return self._channel_stream(ORDERS_STREAM)._queue_run()

    def action_iqr_import_now(self):
        self.ensure_one()
        self.check_access("write")
        self._channel_stream(ORDERS_STREAM).action_run_now()
        return self._notification(self.env._("Order import queued; it runs within a minute."))

    def _test_connection(self):
        if self.platform != PLATFORM:
            return super()._test_connection()
        client = IQResellerClient(self)
        try:
            first_page, read = client.detect_first_page(1, self.iqr_sort_by)
        finally:
            client.end_session()
        orders = read.get(self.iqr_first_page if first_page is None else first_page, [])
        message = self.env._("IQ Reseller reachable: signed in and read %s order(s).",
                             len(orders))
        if first_page is not None and first_page != self.iqr_first_page:
            message += " " + self.env._(
                "Warning: IQ Reseller numbers its first page %(found)s, but First Page "
                "Number is %(configured)s; the next poll corrects it.",
                found=first_page, configured=self.iqr_first_page)
        return message
