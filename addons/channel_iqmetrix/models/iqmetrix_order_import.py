"""iQmetrix order import: scheduling feed reads, the feed walk, processing its entries,
and the values of the sale orders created from them."""

import json
import logging
from datetime import UTC, timedelta

from odoo import fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command

from odoo.addons.channel_base.exceptions import PermanentError, TransientError
from odoo.addons.channel_base.tools import normalize_phone

from .. import const, feed, mapping
from ..client import IqmetrixClient

_logger = logging.getLogger(__name__)

IMPORT_ERRORS = (PermanentError, UserError, ValidationError, ValueError)


class IqmetrixOrderImport(models.Model):
    # One file per flow on the credential is the layout every platform follows.
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _iqmetrix_queue_due_imports(self):
        now = fields.Datetime.now()
        # Accounts waiting for a person to fix refused credentials are not polled: a wrong
        # password tried every few minutes would lock the iQmetrix account.
        candidates = self._scheduled_sync_credentials(const.PLATFORM)
        if not candidates:
            return 0
        self.flush_model()
        self.env.cr.execute(
            """SELECT id FROM integration_credential
                WHERE id = ANY(%s)
                  AND (iqmetrix_next_poll_at IS NULL OR iqmetrix_next_poll_at <= %s)
                  FOR NO KEY UPDATE SKIP LOCKED""", (candidates.ids, now))
        due = self.browse([row[0] for row in self.env.cr.fetchall()])
        for credential in due:
            credential._iqmetrix_enqueue_import()
            credential.iqmetrix_next_poll_at = now + timedelta(
                minutes=max(1, credential.iqmetrix_poll_minutes))
        return len(due)

    def _iqmetrix_enqueue_import(self, priority=10):
        self.ensure_one()
        return self._enqueue_job(
            const.JOB_IMPORT_FEED, record=self, priority=priority,
            dedup_key=f"{const.JOB_IMPORT_FEED}:{self.id}",
        )

    def _on_sync_job_failed(self, job):
        """A feed import that gave up is written in the credential's chatter."""
        parent = getattr(super(), "_on_sync_job_failed", None)
        result = parent(job) if parent else None
        if self.platform == const.PLATFORM and job.operation == const.JOB_IMPORT_FEED:
            self.message_post(body=self.env._("Reading the iQmetrix order feed failed: %s",
                                              job.last_error))
        return result

    def _iqmetrix_import_feed(self):
        """Read the feed back to the marker, import oldest first, move the marker.

        All in the caller's transaction: the marker is committed with the orders of the
        entries it passes, or not at all.
        """
        self.ensure_one()
        self._lock_for_update()  # one import per credential at a time, across workers
        entries, pages = self._iqmetrix_collect_new_entries(IqmetrixClient(self))
        stats = self._iqmetrix_process_entries(entries)
        self._iqmetrix_save_marker(entries)
        return dict(stats, pages=pages, entries=len(entries))

    def _iqmetrix_marker(self):
        """(entry id, aware updated) of the last processed entry, or (None, None)."""
        cursor = self._get_cursor(const.FEED_STREAM)
        if not cursor or not cursor.value:
            return None, None
        try:
            marker = json.loads(cursor.value)
            return marker.get("entry_id"), feed.parse_marker_timestamp(marker.get("updated"))
        except (ValueError, AttributeError):
            raise PermanentError(
                self.env._("The iQmetrix feed marker %r is unreadable; fix or delete it "
                                   "in the Sync tab.", cursor.value)) from None

    def _iqmetrix_collect_new_entries(self, client):
        """Entries newer than the marker, oldest first, walking prev-archive links back
        until the marker (or, on a first run, the start date). Every page on the way is
        read: a page that cannot be read fails the run before anything is imported."""
        marker_id, marker_updated = self._iqmetrix_marker()
        not_before = None
        if not marker_id and self.iqmetrix_feed_start_at:
            not_before = self.iqmetrix_feed_start_at.replace(tzinfo=UTC)
        fresh, visited, url = [], [], None
        while True:
            page = self._iqmetrix_parse_page(client, url)
            visited.append(url or client.feed_url())
            reached = False
            for entry in page.entries:  # newest first
                if feed.marker_reached(entry, marker_id, marker_updated, not_before):
                    reached = True
                    break
                fresh.append(entry)
            if reached or not page.prev_archive:
                break
            if page.prev_archive in visited or len(visited) >= const.MAX_FEED_PAGES_PER_RUN:
                raise PermanentError(
                    self.env._("The iQmetrix feed's prev-archive links loop or run past "
                               "%(pages)s pages; stopped at %(url)s.",
                               pages=const.MAX_FEED_PAGES_PER_RUN, url=page.prev_archive))
            url = page.prev_archive
        fresh.reverse()
        return fresh, len(visited)

    def _iqmetrix_parse_page(self, client, url):
        response = client.fetch_feed_response(url)
        where = client._masked(url or client.feed_url())
        try:
            return feed.parse_feed(response.content)
        except (feed.FeedRefused, feed.FeedMalformed) as error:
            # Keep the refused page in the API log, debug logging or not: a person needs it.
            client._record_failed_answer(response, str(error))
            self._iqmetrix_raise_unusable_page(where, error)

    def _iqmetrix_raise_unusable_page(self, where, error):
        if isinstance(error, feed.FeedRefused):
            raise PermanentError(self.env._("iQmetrix feed page %(url)s refused: %(error)s",
                                            url=where, error=error))
        # Malformed is often a truncated transfer: worth another try before a person looks.
        raise TransientError(self.env._("iQmetrix feed page %(url)s is unreadable: %(error)s",
                                        url=where, error=error))

    def _iqmetrix_save_marker(self, entries):
        if not entries:
            self._set_cursor(const.FEED_STREAM)  # a successful run, marker unchanged
            return
        stamps = [entry.updated for entry in entries if entry.updated]
        self._set_cursor(const.FEED_STREAM, value=json.dumps({
            "entry_id": entries[-1].entry_id,
            "updated": feed.format_timestamp(max(stamps)) if stamps else None,
        }))

    def _iqmetrix_process_entries(self, entries):
        """Import order-created entries (once per order-id), note order-status-updated
        ones, record the unusable ones; never stop at one bad entry."""
        stats = dict.fromkeys(
            ("created", "flagged", "duplicates", "status_updates", "failed", "ignored"), 0)
        orders = [entry for entry in entries if entry.kind == feed.ORDER_CREATED
                  and not entry.error]
        seen = self._iqmetrix_existing_order_ids([entry.order_id for entry in orders])
        products = self._iqmetrix_products_by_sku(
            {item["sku"] for entry in orders for item in entry.payload["items"]})
        to_push = self.env["sale.order"]
        batch = []  # (entry, sale order values), created together
        for entry in entries:
            if entry.error:
                self._iqmetrix_record_failed_entry(entry, entry.error)
                stats["failed"] += 1
            elif entry.kind == feed.ORDER_CREATED:
                if entry.order_id in seen:
                    stats["duplicates"] += 1  # at-least-once delivery
                    continue
                seen.add(entry.order_id)
                vals = self._iqmetrix_prepare_order_entry(entry, products)
                if vals is None:
                    stats["failed"] += 1
                    continue
                batch.append((entry, vals))
                if len(batch) >= const.IMPORT_BATCH_SIZE:
                    to_push |= self._iqmetrix_create_orders(batch, stats)
                    batch = []
            elif entry.kind == feed.ORDER_STATUS_UPDATED:
                # It may concern an order of the batch: create those first.
                to_push |= self._iqmetrix_create_orders(batch, stats)
                batch = []
                self._iqmetrix_apply_status_entry(entry)
                stats["status_updates"] += 1
            else:
                stats["ignored"] += 1
        to_push |= self._iqmetrix_create_orders(batch, stats)
        to_push._iqmetrix_enqueue_status_push()
        return stats

    def _iqmetrix_existing_order_ids(self, order_ids):
        if not order_ids:
            return set()
        existing = self.env["sale.order"].with_context(active_test=False).search_read(
            [("channel_credential_id", "=", self.id), ("channel_external_id", "in", order_ids)],
            ["channel_external_id"])
        return {row["channel_external_id"] for row in existing}

    def _iqmetrix_products_by_sku(self, skus):
        mapping_model = self.env["channel.mapping"]
        return {sku: mapping_model._find_product_by_sku(sku, self) for sku in skus}

    def _iqmetrix_prepare_order_entry(self, entry, products):
        """Sale order values (partners found or created), or None once the failure is
        recorded."""
        try:
            with self.env.cr.savepoint():
                return self._iqmetrix_order_values(entry.payload, entry.updated, products)
        except IMPORT_ERRORS as error:
            self._iqmetrix_record_import_error(entry, error)
            return None

    def _iqmetrix_create_orders(self, batch, stats):
        """Create and confirm the batch's orders together (the ORM is much faster in
        batches); if one of them fails, redo them one by one so only that one is recorded.
        Returns the new orders that have a status to report."""
        if not batch:
            return self.env["sale.order"]
        try:
            with self.env.cr.savepoint():
                orders = self._iqmetrix_create_and_confirm([vals for _entry, vals in batch])
        except IMPORT_ERRORS:
            orders = self.env["sale.order"]
            for entry, vals in batch:
                try:
                    with self.env.cr.savepoint():
                        orders |= self._iqmetrix_create_and_confirm([vals])
                except IMPORT_ERRORS as error:
                    self._iqmetrix_record_import_error(entry, error)
                    stats["failed"] += 1
        flagged = orders.filtered("iqmetrix_unknown_skus")
        stats["flagged"] += len(flagged)
        stats["created"] += len(orders) - len(flagged)
        self.env["iqmetrix.feed.entry"]._resolve(self, orders)
        return orders.filtered(lambda order: order._iqmetrix_has_status_to_report())

    def _iqmetrix_create_and_confirm(self, vals_list):
        # No "quotation created" note nor follower per imported order: the feed is the log.
        orders = self.env["sale.order"].with_company(self.company_id).with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True).create(vals_list)
        orders = orders.with_env(self.env)
        if self.iqmetrix_auto_confirm:
            orders.filtered(lambda order: not order.iqmetrix_unknown_skus).action_confirm()
        return orders

    def _iqmetrix_record_import_error(self, entry, error):
        message = getattr(error, "message", None) or str(error)
        _logger.info("iQmetrix order %s not imported: %s", entry.order_id, message)
        self._iqmetrix_record_failed_entry(entry, message)

    def _iqmetrix_order_values(self, payload, ordered_at, products):
        warnings = []
        address = payload.get("shipping_address") or {}
        kind, warning = mapping.delivery_kind(payload.get("ship_to_store"), address.get("type"))
        if warning:
            warnings.append(warning)
        partner, shipping = self._iqmetrix_order_partners(payload, kind, warnings)
        known, unknown = mapping.split_known_items(payload["items"], products)
        phone = self._iqmetrix_order_phone(payload, kind, address, warnings)
        unknown_skus = ", ".join(dict.fromkeys(item["sku"] for item in unknown))
        carrier = self._iqmetrix_carrier_for_method(payload.get("shipping_method"))
        vals = {
            "partner_id": partner.id,
            "partner_shipping_id": shipping.id,
            "company_id": self.company_id.id,
            **self._iqmetrix_channel_values(payload, unknown, unknown_skus),
            **self._iqmetrix_detail_values(payload, kind, address, phone, unknown_skus),
            "iqmetrix_import_warnings": "\n".join(warnings) or False,
            "order_line": self._iqmetrix_order_lines(known, unknown, products),
            **mapping.seller_values(payload),
        }
        if ordered_at:
            vals["date_order"] = ordered_at.astimezone(UTC).replace(tzinfo=None)
        if carrier:
            vals["carrier_id"] = carrier.id
        return vals

    def _iqmetrix_order_phone(self, payload, kind, address, warnings):
        """The customer's phone, normalized when it is a valid number, else as given (with
        a warning)."""
        raw_phone = mapping.customer_phone(payload, kind)
        phone = normalize_phone(raw_phone, address.get("country_code"))
        if raw_phone and not phone:
            warnings.append(self.env._("Customer phone %r is not a valid number; kept as given.",
                              raw_phone))
        return phone or raw_phone

    def _iqmetrix_channel_values(self, payload, unknown, unknown_skus):
        """The channel_* values binding the order to its iQmetrix order and sync state."""
        return {
            "client_order_ref": (payload.get("seller") or {}).get("po_reference"),
            "channel_credential_id": self.id,
            "channel_external_id": payload["order_id"],
            "channel_external_ref": (payload.get("seller") or {}).get("printable_id"),
            "channel_sync_state": "flagged" if unknown else "synced",
            "channel_last_sync_at": fields.Datetime.now(),
            "channel_last_error": self.env._("Unknown SKU: %s", unknown_skus) if unknown else False,
        }

    def _iqmetrix_detail_values(self, payload, kind, address, phone, unknown_skus):
        """The iqmetrix_* values kept from the payload as read."""
        customer = payload.get("shipping_customer") or {}
        return {
            "iqmetrix_delivery_kind": kind,
            "iqmetrix_ship_to_store": bool(payload.get("ship_to_store")),
            "iqmetrix_address_type": address.get("type"),
            "iqmetrix_customer_id": customer.get("customer_id"),
            "iqmetrix_customer_name": mapping.customer_name(customer),
            "iqmetrix_customer_phone": phone,
            "iqmetrix_shipping_method": payload.get("shipping_method"),
            "iqmetrix_unknown_skus": unknown_skus or False,
            "iqmetrix_items": json.dumps([
                {"sku": item["sku"], "quantity": item["quantity"],
                 "catalog_id": item.get("catalog_id"), "description": item.get("description")}
                for item in payload["items"]]),
        }

    def _iqmetrix_order_lines(self, known, unknown, products):
        """Order lines of the known SKUs, then a note line per unknown one."""
        return [self._iqmetrix_line_command(item, products[item["sku"]]) for item in known] \
            + [Command.create({"display_type": "line_note",
                               "name": mapping.unknown_item_note(item)}) for item in unknown]

    def _iqmetrix_line_command(self, item, product):
        vals = {
            "product_id": product.id,
            "product_uom_qty": item["quantity"],
            "iqmetrix_sku": item["sku"],
            "iqmetrix_catalog_id": item.get("catalog_id"),
        }
        if item.get("selling_price") is not None:
            vals["price_unit"] = item["selling_price"]
        return Command.create(vals)

    def _iqmetrix_order_partners(self, payload, kind, warnings):
        """(customer, delivery address): the end customer always; the delivery address is
        the customer's own, or a contact at the seller's store."""
        mapping_model = self.env["channel.mapping"]
        address = payload.get("shipping_address") or {}
        customer = payload.get("shipping_customer") or {}
        name = mapping.customer_name(customer, fallback=address.get("attention_to")) \
            or self.env._("iQmetrix customer")
        if kind == mapping.CUSTOMER:
            vals = mapping_model._address_values(mapping.partner_address(
                address, name, phone=mapping.customer_phone(payload, kind)), warnings)
            partner = self._iqmetrix_customer_partner(customer.get("customer_id"), vals)
            return partner, mapping_model._find_or_create_delivery(partner, vals)
        # The store's phone (the shipping address's) stays with the store.
        customer_vals = mapping_model._address_values(
            {"name": name, "phone": mapping.customer_phone(payload, kind),
             "country": address.get("country_code")}, warnings)
        partner = self._iqmetrix_customer_partner(customer.get("customer_id"), customer_vals)
        store_vals = mapping_model._address_values(mapping.partner_address(
            address, address.get("attention_to") or name), warnings)
        store = self._iqmetrix_store_partner(payload, store_vals)
        return partner, mapping_model._find_or_create_delivery(store, store_vals)

    def _iqmetrix_customer_partner(self, customer_id, vals):
        Partner = self.env["res.partner"].with_context(tracking_disable=True)
        ref = f"iqmetrix:{customer_id}" if customer_id else False
        partner = Partner.search([("ref", "=", ref)], limit=1) if ref else Partner
        return partner or Partner.create(dict(vals, ref=ref))

    def _iqmetrix_store_partner(self, payload, address_vals):
        seller = payload.get("seller") or {}
        ref = f"iqmetrix-store:{seller.get('company_id')}:{seller.get('location_id')}"
        Partner = self.env["res.partner"].with_context(tracking_disable=True)
        store = Partner.search([("ref", "=", ref)], limit=1)
        return store or Partner.create(dict(
            address_vals, name=mapping.store_name(payload), ref=ref, is_company=True,
            phone=address_vals.get("phone")))

    def _iqmetrix_carrier_for_method(self, method_code):
        if not method_code:
            return self.env["delivery.carrier"]
        line = self.iqmetrix_carrier_map_ids.filtered(
            lambda m: m.shipping_method_code == method_code and m.carrier_id)[:1]
        return line.carrier_id

    def _iqmetrix_record_failed_entry(self, entry, message):
        self.env["iqmetrix.feed.entry"]._record_failure(self, entry, message)
