import hashlib
import json
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.channel_base.exceptions import PermanentError

from .. import listing, mapping
from ..client import IQResellerClient
from ..const import (
    CHANNEL_FIELDS,
    DEFAULT_API_URL,
    DEFAULT_SIGNIN_URL,
    IMPORT_CHUNK_MAX,
    IMPORT_SECONDS_PER_ORDER,
    OPERATION_IMPORT,
    OPERATION_IMPORT_CHUNK,
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
    iqr_poll_interval = fields.Integer("Poll Every (min)", default=15)
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
            OPERATION_IMPORT_CHUNK: self._iqr_import_orders,
            OPERATION_TRACKING: self._iqr_push_tracking,
        }
        if job.operation not in handlers:
            return super()._execute_sync_job(job)
        return handlers[job.operation](job)

    def _iqr_enqueue_poll(self):
        self.ensure_one()
        return self._enqueue_job(OPERATION_POLL, name=self.env._("Poll IQ Reseller orders"),
                                 dedup_key=f"{OPERATION_POLL}:{self.id}")

    def _iqr_poll_orders(self, job):
        """Read the pages of the listing the walk chooses (no server-side filter is
        known: see listing.py), filter on our side, queue the new or changed orders in
        import jobs of a chunk of orders each, cancel or flag imported orders that left
        the status filter."""
        order_filter = self._iqr_order_filter()
        client = IQResellerClient(self)
        stats = dict.fromkeys(("seen", "queued", "unchanged", "skipped_status",
                               "skipped_channel", "skipped_date", "skipped_shipped",
                               "malformed", "awaiting_retry", "already_queued", "flagged",
                               "cancelled", "import_jobs"), 0)
        queued = self._iqr_queued_imports()
        chunk_size = self._iqr_import_chunk_size()
        to_import = []  # (so, fingerprint) not in an import job yet
        walk = self._iqr_listing_walk(client, order_filter)
        with client.session_scope():
            for orders in walk.pages():
                to_import += self._iqr_handle_page(orders, order_filter, queued, stats)
                while len(to_import) >= chunk_size:
                    self._iqr_queue_import_chunk(to_import[:chunk_size], stats)
                    to_import = to_import[chunk_size:]
        self._iqr_queue_import_chunk(to_import, stats)
        if walk.first_page_found is not None:
            stats["first_page_warning"] = self._iqr_correct_first_page(walk.first_page_found)
        self._set_cursor(ORDERS_STREAM, walk.next_cursor().dumps())
        stats["listing"] = walk.mode
        stats["api_calls"] = client.call_count
        if client.page_size_reductions:
            stats["page_size_reduced_to"] = client.page_size_reductions[-1][1]
        return stats

    def _iqr_listing_walk(self, client, order_filter):
        cursor = self._get_cursor(ORDERS_STREAM)
        window = listing.SaleWindow(
            start=order_filter.window_start,
            sale_date=lambda so: mapping.safe_sale_date(so, order_filter.timezone))
        return listing.OrderListingWalk(
            client, window, page_size=self.iqr_page_size or 25,
            first_page=self.iqr_first_page, sort_by=self.iqr_sort_by,
            newest_first=self.iqr_sorted_newest_first,
            cursor=listing.ListingCursor.parse(cursor.value), now=fields.Datetime.now())

    def _iqr_correct_first_page(self, first_page):
        """The listing numbers its first page otherwise than configured: this poll read
        it right; say so where a person sees it, and keep the right number."""
        message = self.env._(
            "IQ Reseller numbers its first order page %(found)s, not %(configured)s as "
            "First Page Number said: with %(configured)s, polls would have skipped or read "
            "twice a page of orders. This poll read every page; First Page Number is now "
            "%(found)s.", found=first_page, configured=self.iqr_first_page)
        _logger.warning("IQ Reseller credential %s: first page is %s, not %s",
                        self.id, first_page, self.iqr_first_page)
        self.iqr_first_page = first_page
        self.message_post(body=message)
        return message

    def _iqr_handle_page(self, orders, order_filter, queued, stats):
        """The (SO, fingerprint) of the page to import; counts and flags the others."""
        valid = [so for so in orders if mapping.order_id(so)]
        stats["seen"] += len(orders)
        stats["malformed"] += len(orders) - len(valid)
        if len(valid) < len(orders):
            _logger.warning("IQ Reseller credential %s: %s orders without soid skipped",
                            self.id, len(orders) - len(valid))
        bound = self.env["sale.order"]._iqr_bound_orders(self, [mapping.order_id(so)
                                                                for so in valid])
        failed = self._iqr_failed_import_fingerprints([mapping.order_id(so) for so in valid])
        shipped_statuses = self._iqr_shipped_statuses()
        to_import = []
        for so in valid:
            soid = mapping.order_id(so)
            order = bound.get(soid)
            rejection = order_filter.rejection(so)
            if rejection:
                stats[f"skipped_{rejection}"] += 1
                if order and rejection == "status":
                    outcome = order._iqr_note_status(self, so.get("status"))
                    if outcome:
                        stats[outcome] = stats.get(outcome, 0) + 1
                continue
            if not order and mapping.everything_shipped(so, shipped_statuses):
                stats["skipped_shipped"] += 1  # nothing left for Odoo to ship
                continue
            fingerprint = mapping.order_fingerprint(so, shipped_statuses)
            if order and order.iqr_fingerprint == fingerprint:
                outcome = order._iqr_note_status(self, so.get("status"))
                if outcome:
                    stats[outcome] += 1
                stats["unchanged"] += 1
                continue
            if failed.get(soid) == fingerprint:
                stats["awaiting_retry"] += 1  # its failed job is the one to retry
                continue
            if queued.get(soid) == fingerprint:
                stats["already_queued"] += 1  # a job not run yet imports it
                continue
            queued[soid] = fingerprint
            to_import.append((so, fingerprint))
        return to_import

    def _iqr_import_chunk_size(self):
        """Orders per import job: as many as keep a runner batch of such jobs within the
        runner's time budget (see IMPORT_CHUNK_MAX in const.py)."""
        params = self.env["ir.config_parameter"].sudo()
        batch_size = int(params.get_param("channel_base.job_batch_size", 50)) or 50
        time_budget = int(params.get_param("channel_base.job_time_budget", 50)) or 50
        chunk = int(time_budget / (batch_size * IMPORT_SECONDS_PER_ORDER))
        return max(1, min(IMPORT_CHUNK_MAX, chunk))

    def _iqr_queue_import_chunk(self, entries, stats):
        """One import job for these (SO, fingerprint); their failed imports are superseded."""
        if not entries:
            return
        soids = [mapping.order_id(so) for so, _fingerprint in entries]
        self._iqr_cancel_failed_imports([self._iqr_import_dedup_key(soid) for soid in soids])
        pairs = [[soid, fingerprint] for soid, (_so, fingerprint) in
                 zip(soids, entries, strict=True)]
        digest = hashlib.sha1(json.dumps(pairs).encode()).hexdigest()  # noqa: S324 - a key
        first, last = entries[0][0], entries[-1][0]
        self.env["sync.job"]._enqueue_many([{
            "operation": OPERATION_IMPORT_CHUNK,
            "credential": self,
            "name": self.env._("Import %(count)s IQR orders (%(first)s to %(last)s)",
                               count=len(entries), first=first.get("so") or soids[0],
                               last=last.get("so") or soids[-1]),
            "payload": {"orders": [{"so": so, "fingerprint": fingerprint}
                                   for so, fingerprint in entries]},
            "dedup_key": f"{OPERATION_IMPORT_CHUNK}:{self.id}:{digest}",
        }])
        stats["queued"] += len(entries)
        stats["import_jobs"] += 1

    def _iqr_queued_imports(self):
        """{soid: fingerprint} of the orders in import jobs waiting or running: the same
        order read again must not be queued twice (two jobs racing to create it)."""
        self.env["sync.job"].flush_model()
        self.env.cr.execute(
            """SELECT entry -> 'so' ->> 'soid', entry ->> 'fingerprint'
                 FROM sync_job, jsonb_array_elements(payload -> 'orders') AS entry
                WHERE credential_id = %(id)s AND operation = %(chunk)s
                  AND state IN ('pending', 'running')
               UNION ALL
               SELECT payload -> 'so' ->> 'soid', payload ->> 'fingerprint'
                 FROM sync_job
                WHERE credential_id = %(id)s AND operation = %(one)s
                  AND state IN ('pending', 'running')""",
            {"id": self.id, "chunk": OPERATION_IMPORT_CHUNK, "one": OPERATION_IMPORT},
        )
        return dict(self.env.cr.fetchall())

    def _iqr_import_spec(self, so, fingerprint):
        soid = mapping.order_id(so)
        return {
            "operation": OPERATION_IMPORT,
            "credential": self,
            "name": self.env._("Import IQR order %s", so.get("so") or soid),
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
            raise PermanentError(self.env._("The job carries no IQ Reseller order."))
        return self.env["sale.order"]._iqr_import(self, so, payload.get("fingerprint"))

    def _iqr_import_orders(self, job):
        """Import a chunk of orders: the new ones are checked first, then created together
        and confirmed together; changed ones are updated one at a time. An order that
        fails gets a failed import job of its own, exactly as if it had been imported
        alone, and the others import."""
        entries = [(entry["so"], entry.get("fingerprint"))
                   for entry in (job.payload or {}).get("orders") or []
                   if isinstance(entry, dict) and isinstance(entry.get("so"), dict)
                   and mapping.order_id(entry["so"])]
        SaleOrder = self.env["sale.order"]
        stats = dict.fromkeys(("created", "updated", "unchanged", "flagged", "failed"), 0)
        bound = SaleOrder._iqr_bound_orders(self, [mapping.order_id(so) for so, _f in entries])
        new = []
        for so, fingerprint in entries:
            if mapping.order_id(so) in bound:
                self._iqr_import_alone(so, fingerprint, stats)
            else:
                new.append((so, fingerprint))
        parsed, products, errors = SaleOrder._iqr_parse_orders(self, new)
        for so, fingerprint, message in errors:
            self._iqr_record_failed_import(so, fingerprint, PermanentError(message), stats)
        self._iqr_create_together(parsed, products, stats)
        return stats

    def _iqr_create_together(self, parsed_orders, products, stats):
        if not parsed_orders:
            return
        try:
            with self.env.cr.savepoint():
                orders = self.env["sale.order"]._iqr_create_orders(self, parsed_orders, products)
        except Exception as error:  # noqa: BLE001 - each order is retried and recorded alone
            _logger.info("IQ Reseller credential %s: %s orders not created together (%s); "
                         "importing them one at a time", self.id, len(parsed_orders), error)
            stats["one_at_a_time"] = len(parsed_orders)
            for order in parsed_orders:
                self._iqr_import_alone(order.so, order.fingerprint, stats)
            return
        stats["created"] += len(orders)

    def _iqr_import_alone(self, so, fingerprint, stats):
        """Import one order in its own savepoint; a failure is recorded on its own job."""
        try:
            with self.env.cr.savepoint():
                result = self.env["sale.order"]._iqr_import(self, so, fingerprint)
        except Exception as error:  # noqa: BLE001 - recorded and classified on its own job
            self._iqr_record_failed_import(so, fingerprint, error, stats)
            return
        outcome = next(key for key in ("created", "updated", "unchanged", "flagged")
                       if key in result)
        stats[outcome] += 1

    def _iqr_record_failed_import(self, so, fingerprint, error, stats):
        """The failure of one order of a chunk, on an import job of its own for that
        order, recorded as the queue records a job that ran: a data error leaves it failed
        (the user sees the order number and the reason among the failed jobs and retries
        just that order), a temporary error leaves it pending with backoff."""
        stats["failed"] += 1
        Job = self.env["sync.job"]
        spec = self._iqr_import_spec(so, fingerprint)
        if Job.search_count([("dedup_key", "=", spec["dedup_key"]),
                             ("state", "in", ("pending", "running"))], limit=1):
            return  # that order's own job runs anyway (a retry queued meanwhile)
        policy = self.env["sync.job.policy"]._for_operation(OPERATION_IMPORT)
        now = fields.Datetime.now()
        job = Job.create({
            "name": spec["name"], "credential_id": self.id, "operation": OPERATION_IMPORT,
            "payload": spec["payload"], "dedup_key": spec["dedup_key"], "state": "running",
            "attempts": 1, "max_attempts": policy["max_attempts"], "started_at": now,
            "next_attempt_at": now,
        })
        job._record_failure(error)

    def _iqr_cancel_failed_imports(self, dedup_keys):
        """A new version of an order supersedes its failed imports."""
        if dedup_keys:
            self.env["sync.job"].search([
                ("dedup_key", "in", dedup_keys), ("state", "=", "failed"),
            ]).write({"state": "cancelled"})

    def _iqr_push_tracking(self, job):
        order = job._target()
        if not order or order._name != "sale.order":
            raise PermanentError(
                self.env._("The sales order of this tracking job no longer exists.")
            )
        client = IQResellerClient(self)
        with client.session_scope():
            return order._iqr_push_tracking(self, client)

    # ------------------------------------------------------------------ cron, buttons

    @api.model
    def _cron_iqreseller_poll(self):
        """Queue a poll for every IQ Reseller account whose interval has passed and whose
        scheduled syncs are not paused. Never raises: Odoo deactivates a cron that keeps
        failing."""
        now = fields.Datetime.now()
        # Not the accounts waiting for new credentials: a refused key is not tried again
        # every poll (which could lock the API user).
        for credential in self._scheduled_sync_credentials(PLATFORM):
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
        return self._notification(self.env._("Order import queued; it runs within a minute."))

    def _test_connection(self):
        if self.platform != PLATFORM:
            return super()._test_connection()
        client = IQResellerClient(self)
        with client.session_scope():
            first_page, read = client.detect_first_page(1, self.iqr_sort_by)
        orders = read.get(self.iqr_first_page if first_page is None else first_page, [])
        message = self.env._("IQ Reseller reachable: signed in and read %s order(s).",
                             len(orders))
        if first_page is not None and first_page != self.iqr_first_page:
            message += " " + self.env._(
                "Warning: IQ Reseller numbers its first page %(found)s, but First Page "
                "Number is %(configured)s; the next poll corrects it.",
                found=first_page, configured=self.iqr_first_page)
        return message
