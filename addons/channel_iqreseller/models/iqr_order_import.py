"""IQ Reseller order import: the pages of the orders stream, import chunks, the inbox."""

import hashlib
import json
import logging
from datetime import timedelta

from odoo import fields, models

from odoo.addons.channel_base.exceptions import AuthError, PermanentError, TransientError

from .. import listing, mapping
from ..const import (
    IMPORT_CHUNK_BUDGET_SHARE,
    IMPORT_CHUNK_MAX,
    IMPORT_SECONDS_PER_ORDER,
    OPERATION_IMPORT_CHUNK,
    ORDERS_STREAM,
    PLATFORM,
)

_logger = logging.getLogger(__name__)

# Errors the queue retries with backoff: they fail the chunk instead of being parked.
TEMPORARY_ERRORS = (TransientError, AuthError)


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

    def _iqr_sale_window(self):
        order_filter = self._iqr_order_filter()
        return listing.SaleWindow(
            start=order_filter.window_start,
            sale_date=lambda so: mapping.safe_sale_date(so, order_filter.timezone))

    def _iqr_import_page(self, orders):
        """One listing page of the orders stream: filter on our side (no server-side
        filter is known: see listing.py), queue the page's new or changed orders in
        import jobs (a chunk never spans two pages), cancel or flag imported orders
        that left the status filter. Returns the page's counters."""
        stats = dict.fromkeys(("seen", "queued", "unchanged", "skipped_status",
                               "skipped_channel", "skipped_date", "skipped_shipped",
                               "malformed", "awaiting_retry", "already_queued", "flagged",
                               "cancelled", "import_jobs"), 0)
        to_import = self._iqr_handle_page(orders, self._iqr_order_filter(),
                                          self._iqr_queued_imports(), stats)
        chunk_size = self._iqr_import_chunk_size()
        for start in range(0, len(to_import), chunk_size):
            self._iqr_queue_import_chunk(to_import[start:start + chunk_size], stats)
        return stats

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
        """Orders per import job: one job is one transaction, which should take seconds,
        not minutes (a tenth of the runner's time budget, see IMPORT_CHUNK_MAX)."""
        params = self.env["ir.config_parameter"].sudo()
        time_budget = int(params.get_param("channel_base.job_time_budget", 50)) or 50
        chunk = int(time_budget * IMPORT_CHUNK_BUDGET_SHARE / IMPORT_SECONDS_PER_ORDER)
        return max(1, min(IMPORT_CHUNK_MAX, chunk))

    def _iqr_queue_import_chunk(self, entries, stats):
        """One import job for these (SO, fingerprint); their failed imports are superseded."""
        if not entries:
            return
        soids = [mapping.order_id(so) for so, _fingerprint in entries]
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
                  AND state IN ('pending', 'running')""",
            {"id": self.id, "chunk": OPERATION_IMPORT_CHUNK},
        )
        return dict(self.env.cr.fetchall())

    def _iqr_failed_import_fingerprints(self, soids):
        """{soid: fingerprint} of orders parked in the inbox (failed, or ignored by a
        person): re-reading the same version must not import it again behind the
        person's back; a changed order is imported again (and resolves its item)."""
        items = self.env["channel.inbox.item"]._open_external_ids(self, ORDERS_STREAM, soids)
        return {soid: (item._payload() or {}).get("fingerprint")
                for soid, item in items.items()}

    # ------------------------------------------------------------------ inbox

    def _inbox_retryable_streams(self):
        if self.platform != PLATFORM:
            return super()._inbox_retryable_streams()
        return [*super()._inbox_retryable_streams(), ORDERS_STREAM]

    def _inbox_retry(self, item):
        """Import the parked IQR order again from its stored payload; returns its sale
        order, raises when it still fails."""
        if self.platform != PLATFORM or item.stream != ORDERS_STREAM:
            return super()._inbox_retry(item)
        payload = item._payload() or {}
        so = payload.get("so")
        if not isinstance(so, dict) or not mapping.order_id(so):
            raise PermanentError(self.env._("The inbox item carries no IQ Reseller order."))
        SaleOrder = self.env["sale.order"]
        SaleOrder._iqr_import(self, so, payload.get("fingerprint"))
        return SaleOrder._iqr_bound_orders(self, [mapping.order_id(so)])[mapping.order_id(so)]

    def _iqr_import_orders(self, job):
        """Import a chunk of orders: the new ones are checked first, then created together
        and confirmed together; changed ones are updated one at a time. An order that
        fails is parked in the inbox with its reason, and the others import; the inbox
        items of the orders that imported are resolved."""
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
        self._iqr_resolve_imported(entries)
        return stats

    def _iqr_resolve_imported(self, entries):
        """Close the inbox items of the orders of the chunk now in Odoo at the version
        the chunk carried (a parked order imported since, or a changed one)."""
        fingerprints = {mapping.order_id(so): fingerprint for so, fingerprint in entries}
        bound = self.env["sale.order"]._iqr_bound_orders(self, list(fingerprints))
        self.env["channel.inbox.item"]._resolve(self, ORDERS_STREAM, {
            soid: order for soid, order in bound.items()
            if order.iqr_fingerprint == fingerprints[soid]})

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
        """Park one order of a chunk in the inbox (payload: the IQR order and its
        fingerprint) with the reason a person must fix; the others import. A temporary
        error is not parked: it fails the chunk, which the queue retries."""
        if isinstance(error, TEMPORARY_ERRORS):
            raise error
        stats["failed"] += 1
        self.env["channel.inbox.item"]._record_failure(
            self, ORDERS_STREAM, mapping.order_id(so),
            {"so": so, "fingerprint": fingerprint}, error)
