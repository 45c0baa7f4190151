"""IQ Reseller order import: the poll, the listing walk, import chunks and failed imports."""

import hashlib
import json
import logging
from datetime import timedelta

from odoo import fields, models

from odoo.addons.channel_base.exceptions import PermanentError

from .. import listing, mapping
from ..client import IQResellerClient
from ..const import (
    IMPORT_CHUNK_MAX,
    IMPORT_SECONDS_PER_ORDER,
    OPERATION_IMPORT,
    OPERATION_IMPORT_CHUNK,
    OPERATION_POLL,
    ORDERS_STREAM,
)

_logger = logging.getLogger(__name__)


class IQResellerOrderImport(models.Model):
    # One file per flow on the credential is the layout every platform follows.
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _iqr_order_filter(self):
        timezone = self._iqr_timezone()
        return mapping.OrderFilter(
            statuses=mapping.parse_status_list(self.iqr_status_filter),
            channel_field=self.iqr_channel_field,
            channel_value=(self.iqr_channel_filter or "").strip(),
            window_start=fields.Datetime.now() - timedelta(days=self.iqr_window_days or 30),
            timezone=timezone,
        )

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
        valid = self._iqr_valid_orders(orders, stats)
        bound = self.env["sale.order"]._iqr_bound_orders(self, [mapping.order_id(so)
                                                                for so in valid])
        failed = self._iqr_failed_import_fingerprints([mapping.order_id(so) for so in valid])
        shipped_statuses = self._iqr_shipped_statuses()
        to_import = []
        for so in valid:
            soid = mapping.order_id(so)
            fingerprint = self._iqr_changed_fingerprint(
                so, bound.get(soid), order_filter, shipped_statuses, stats)
            if fingerprint is None:
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

    def _iqr_valid_orders(self, orders, stats):
        """The orders of a page that have a soid; the others are counted as malformed."""
        valid = [so for so in orders if mapping.order_id(so)]
        stats["seen"] += len(orders)
        stats["malformed"] += len(orders) - len(valid)
        if len(valid) < len(orders):
            _logger.warning("IQ Reseller credential %s: %s orders without soid skipped",
                            self.id, len(orders) - len(valid))
        return valid

    def _iqr_changed_fingerprint(self, so, order, order_filter, shipped_statuses, stats):
        """The fingerprint of ``so`` when it may need importing, else None after counting
        why not: the filter rejects it, it was all shipped before Odoo saw it, or ``order``
        (its Odoo order, if any) already has this version."""
        rejection = order_filter.rejection(so)
        if rejection:
            stats[f"skipped_{rejection}"] += 1
            if order and rejection == "status":
                outcome = order._iqr_note_status(self, so.get("status"))
                if outcome:
                    stats[outcome] = stats.get(outcome, 0) + 1
            return None
        if not order and mapping.everything_shipped(so, shipped_statuses):
            stats["skipped_shipped"] += 1  # nothing left for Odoo to ship
            return None
        fingerprint = mapping.order_fingerprint(so, shipped_statuses)
        if order and order.iqr_fingerprint == fingerprint:
            outcome = order._iqr_note_status(self, so.get("status"))
            if outcome:
                stats[outcome] += 1
            stats["unchanged"] += 1
            return None
        return fingerprint

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
