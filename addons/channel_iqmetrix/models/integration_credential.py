import json
import logging
from datetime import UTC, timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command

from odoo.addons.channel_base.exceptions import PermanentError, TransientError
from odoo.addons.channel_base.tools import normalize_phone

from .. import const, feed, mapping
from ..client import IqmetrixClient

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "channel_base.group_integration_manager"
IMPORT_ERRORS = (PermanentError, UserError, ValidationError, ValueError)
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

    def _on_sync_job_failed(self, job):
        """A feed import that gave up is written in the credential's chatter."""
        parent = getattr(super(), "_on_sync_job_failed", None)
        result = parent(job) if parent else None
        if self.platform == const.PLATFORM and job.operation == const.JOB_IMPORT_FEED:
            self.message_post(body=self.env._("Reading the iQmetrix order feed failed: %s",
                                              job.last_error))
        return result

    # ------------------------------------------------------------------ feed import

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

    # ------------------------------------------------------------------ one order

    def _iqmetrix_order_values(self, payload, ordered_at, products):
        warnings = []
        address = payload.get("shipping_address") or {}
        kind, warning = mapping.delivery_kind(payload.get("ship_to_store"), address.get("type"))
        if warning:
            warnings.append(warning)
        partner, shipping = self._iqmetrix_order_partners(payload, kind, warnings)
        known, unknown = mapping.split_known_items(payload["items"], products)
        raw_phone = mapping.customer_phone(payload, kind)
        phone = normalize_phone(raw_phone, address.get("country_code"))
        if raw_phone and not phone:
            warnings.append(self.env._("Customer phone %r is not a valid number; kept as given.",
                              raw_phone))
        unknown_skus = ", ".join(dict.fromkeys(item["sku"] for item in unknown))
        customer = payload.get("shipping_customer") or {}
        carrier = self._iqmetrix_carrier_for_method(payload.get("shipping_method"))
        vals = {
            "partner_id": partner.id,
            "partner_shipping_id": shipping.id,
            "company_id": self.company_id.id,
            "client_order_ref": (payload.get("seller") or {}).get("po_reference"),
            "channel_credential_id": self.id,
            "channel_external_id": payload["order_id"],
            "channel_external_ref": (payload.get("seller") or {}).get("printable_id"),
            "channel_sync_state": "flagged" if unknown else "synced",
            "channel_last_sync_at": fields.Datetime.now(),
            "channel_last_error": self.env._("Unknown SKU: %s", unknown_skus) if unknown else False,
            "iqmetrix_delivery_kind": kind,
            "iqmetrix_ship_to_store": bool(payload.get("ship_to_store")),
            "iqmetrix_address_type": address.get("type"),
            "iqmetrix_customer_id": customer.get("customer_id"),
            "iqmetrix_customer_name": mapping.customer_name(customer),
            "iqmetrix_customer_phone": phone or raw_phone,
            "iqmetrix_shipping_method": payload.get("shipping_method"),
            "iqmetrix_unknown_skus": unknown_skus or False,
            "iqmetrix_items": json.dumps([
                {"sku": item["sku"], "quantity": item["quantity"],
                 "catalog_id": item.get("catalog_id"), "description": item.get("description")}
                for item in payload["items"]]),
            "iqmetrix_import_warnings": "\n".join(warnings) or False,
            "order_line": [self._iqmetrix_line_command(item, products[item["sku"]])
                           for item in known]
            + [Command.create({"display_type": "line_note",
                               "name": mapping.unknown_item_note(item)}) for item in unknown],
            **mapping.seller_values(payload),
        }
        if ordered_at:
            vals["date_order"] = ordered_at.astimezone(UTC).replace(tzinfo=None)
        if carrier:
            vals["carrier_id"] = carrier.id
        return vals

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

    def _iqmetrix_shipping_provider(self, carrier):
        """The ShippingProvider name iQmetrix is told for an Odoo carrier."""
        line = self.iqmetrix_carrier_map_ids.filtered(
            lambda m: carrier and m.carrier_id == carrier and m.shipping_provider)[:1]
        if line:
            return line.shipping_provider
        return self.iqmetrix_default_provider or (carrier.name if carrier else None)

    # ------------------------------------------------------------------ other entries

    def _iqmetrix_apply_status_entry(self, entry):
        """An order-status-updated entry (our own updates echoed, or ones another system of
        the supplier made): numbers Odoo never sent are kept so later updates resend them
        instead of overwriting them; our own (even a since withdrawn one) are not."""
        order = self.env["sale.order"].search([
            ("channel_credential_id", "=", self.id),
            ("channel_external_id", "=", entry.order_id)], limit=1)
        if not order:
            return
        # Wait for a push of this order to commit: until then its numbers are not in the
        # history, and its echo would pass for another system's numbers.
        self.env.cr.execute("SELECT id FROM sale_order WHERE id = %s FOR NO KEY UPDATE",
                            [order.id])
        order.invalidate_recordset(["iqmetrix_tracking_history",
                                    "iqmetrix_foreign_tracking_numbers"])
        items = entry.payload.get("items") or []
        foreign = mapping.foreign_tracking_numbers(
            order.iqmetrix_foreign_tracking_numbers,
            [item.get("tracking_info") for item in items], order.iqmetrix_tracking_history)
        statuses = ", ".join(dict.fromkeys(item["status"] for item in items if item.get("status")))
        order.write({
            "iqmetrix_foreign_tracking_numbers": ",".join(foreign) or False,
            "iqmetrix_platform_status": statuses or order.iqmetrix_platform_status,
        })

    def _iqmetrix_record_failed_entry(self, entry, message):
        self.env["iqmetrix.feed.entry"]._record_failure(self, entry, message)
