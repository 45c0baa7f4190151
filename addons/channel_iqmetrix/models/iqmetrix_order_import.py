"""iQmetrix order import: processing a page of feed entries (failures parked in the
inbox), and the values of the sale orders created from them."""

import hashlib
import json
import logging
from datetime import UTC

from odoo import fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command

from odoo.addons.channel_base.exceptions import PermanentError
from odoo.addons.channel_base.paged_import import ImportStats
from odoo.addons.channel_base.tools import normalize_phone

from .. import const, feed, mapping

_logger = logging.getLogger(__name__)

IMPORT_ERRORS = (PermanentError, UserError, ValidationError, ValueError)


class IqmetrixOrderImport(models.Model):
    # One file per flow on the credential is the layout every platform follows.
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _iqmetrix_process_entries(self, entries):
        """Import order-created entries (once per order-id), note order-status-updated
        ones, park the unusable ones in the inbox; never stop at one bad entry."""
        stats = dict.fromkeys(
            ("created", "flagged", "duplicates", "status_updates", "failed", "ignored"), 0)
        seen, products, partners = self._iqmetrix_page_lookups(entries)
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
                vals = self._iqmetrix_prepare_order_entry(entry, products, partners)
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
        return ImportStats(created=stats["created"] + stats["flagged"], failed=stats["failed"],
                           skipped=stats["duplicates"] + stats["status_updates"]
                           + stats["ignored"])

    def _iqmetrix_page_lookups(self, entries):
        """(order ids already imported, {sku: product}, {ref: partner}) of a page's
        order-created entries: a constant number of queries per page."""
        orders = [entry for entry in entries if entry.kind == feed.ORDER_CREATED
                  and not entry.error]
        seen = self._iqmetrix_existing_order_ids([entry.order_id for entry in orders])
        products = self._iqmetrix_products_by_sku(
            {item["sku"] for entry in orders for item in entry.payload["items"]})
        partners = self._iqmetrix_partners_by_ref(orders)
        self._iqmetrix_create_missing_partners(
            [entry for entry in orders if entry.order_id not in seen], partners)
        return seen, products, partners

    def _iqmetrix_existing_order_ids(self, order_ids):
        if not order_ids:
            return set()
        existing = self.env["sale.order"].with_context(active_test=False).search_read(
            [("channel_credential_id", "=", self.id), ("channel_external_id", "in", order_ids)],
            ["channel_external_id"])
        return {row["channel_external_id"] for row in existing}

    def _iqmetrix_products_by_sku(self, skus):
        """{sku: product} of the known SKUs, in one lookup for the page."""
        return self.env["channel.mapping"]._products_by_skus(list(skus), self).products

    def _iqmetrix_partners_by_ref(self, entries):
        """{ref: partner} of the page's customers and stores that exist, in one query."""
        refs = set()
        for entry in entries:
            customer_id = (entry.payload.get("shipping_customer") or {}).get("customer_id")
            refs.update(filter(None, (customer_id and f"iqmetrix:{customer_id}",
                                      _store_ref(entry.payload))))
        found = {}
        for partner in self.env["res.partner"].search([("ref", "in", list(refs))]):
            found.setdefault(partner.ref, partner)
        return found

    def _iqmetrix_create_missing_partners(self, entries, partners):
        """Create the page's new customers and stores in one ``create`` (the ORM creates
        partners much faster in a batch than one per order); ``partners`` learns them. An
        entry whose partners cannot be worked out is left to its own import (which records
        its error); if the batch fails, each order creates its own partners as before."""
        missing = {}
        for entry in entries:
            try:
                specs, _delivery_vals = self._iqmetrix_partner_specs(entry.payload, [])
            except IMPORT_ERRORS:
                continue
            for ref, vals in specs:
                if ref and ref not in partners:
                    missing.setdefault(ref, vals)
        if not missing:
            return
        Partner = self.env["res.partner"].with_context(tracking_disable=True)
        try:
            with self.env.cr.savepoint():
                created = Partner.create([dict(vals, ref=ref) for ref, vals in missing.items()])
        except IMPORT_ERRORS as error:
            _logger.info("iQmetrix credential %s: partners not created together (%s); one by "
                         "one instead", self.id, error)
            return
        partners.update(zip(missing, created, strict=True))

    def _iqmetrix_prepare_order_entry(self, entry, products, partners=None):
        """Sale order values (partners found or created), or None once the failure is
        recorded. ``partners`` ({ref: partner}) learns the partners created."""
        known = dict(partners or {})
        try:
            with self.env.cr.savepoint():
                return self._iqmetrix_order_values(entry.payload, entry.updated, products,
                                                   partners)
        except IMPORT_ERRORS as error:
            if partners is not None:  # those created in the savepoint are gone
                partners.clear()
                partners.update(known)
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
            by_entry = dict(zip([_entry_key(entry) for entry, _vals in batch], orders,
                                strict=True))
        except IMPORT_ERRORS:
            by_entry = self._iqmetrix_create_one_by_one(batch, stats)
        orders = self.env["sale.order"].union(*by_entry.values())
        flagged = orders.filtered("iqmetrix_unknown_skus")
        stats["flagged"] += len(flagged)
        stats["created"] += len(orders) - len(flagged)
        self.env["channel.inbox.item"]._resolve(self, const.FEED_STREAM, by_entry)
        return orders.filtered(lambda order: order._iqmetrix_has_status_to_report())

    def _iqmetrix_create_one_by_one(self, batch, stats):
        """{entry key: order} of the batch's orders that could be created alone."""
        by_entry = {}
        for entry, vals in batch:
            try:
                with self.env.cr.savepoint():
                    by_entry[_entry_key(entry)] = self._iqmetrix_create_and_confirm([vals])
            except IMPORT_ERRORS as error:
                self._iqmetrix_record_import_error(entry, error)
                stats["failed"] += 1
        return by_entry

    def _iqmetrix_create_and_confirm(self, vals_list):
        # No "quotation created" note nor follower per imported order; one batch of notes
        # naming the iQmetrix order instead.
        orders = self.env["sale.order"].with_company(self.company_id).with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True).create(vals_list)
        orders = orders.with_env(self.env)
        self._channel_log_imported_orders(orders)
        if self.iqmetrix_auto_confirm:
            orders.filtered(lambda order: not order.iqmetrix_unknown_skus).action_confirm()
        return orders

    def _iqmetrix_record_import_error(self, entry, error):
        message = getattr(error, "message", None) or str(error)
        _logger.info("iQmetrix order %s not imported: %s", entry.order_id, message)
        self._iqmetrix_record_failed_entry(entry, message)

    def _iqmetrix_order_values(self, payload, ordered_at, products, partners=None):
        warnings = []
        address = payload.get("shipping_address") or {}
        kind, warning = mapping.delivery_kind(payload.get("ship_to_store"), address.get("type"))
        if warning:
            warnings.append(warning)
        partner, shipping = self._iqmetrix_order_partners(payload, kind, warnings, partners)
        known, unknown = mapping.split_known_items(payload["items"], products)
        phone = self._iqmetrix_order_phone(payload, kind, address, warnings)
        unknown_skus = ", ".join(dict.fromkeys(item["sku"] for item in unknown))
        carrier = self.env["channel.carrier.map"]._carrier_for_method(
            self, payload.get("shipping_method")) if payload.get("shipping_method") \
            else self.env["delivery.carrier"]
        vals = {
            "partner_id": partner.id,
            "partner_shipping_id": shipping.id,
            "company_id": self.company_id.id,
            **self._iqmetrix_channel_values(payload, unknown, unknown_skus),
            **self._iqmetrix_detail_values(payload, kind, address, phone, unknown_skus),
            "iqmetrix_import_warnings": "\n".join(warnings) or False,
            "order_line": self._iqmetrix_order_lines(known, unknown, products),
            **mapping.seller_values(payload),
            **self._channel_sale_order_defaults(),
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

    def _iqmetrix_order_partners(self, payload, kind, warnings, partners=None):
        """(customer, delivery address): the end customer always; the delivery address is
        the customer's own, or a contact at the seller's store."""
        specs, delivery_vals = self._iqmetrix_partner_specs(payload, warnings, kind)
        found = [self._iqmetrix_partner_of_ref(ref, vals, partners) for ref, vals in specs]
        return found[0], self.env["channel.mapping"]._find_or_create_delivery(
            found[-1], delivery_vals)

    def _iqmetrix_partner_specs(self, payload, warnings, kind=None):
        """([(ref, values)] of the partners an order needs, values of its delivery address
        under the last of them): the customer (ref False when the feed gives no customer
        id), and for a store delivery the store, whose contact the delivery address is."""
        mapping_model = self.env["channel.mapping"]
        address = payload.get("shipping_address") or {}
        if kind is None:
            kind = mapping.delivery_kind(payload.get("ship_to_store"), address.get("type"))[0]
        customer = payload.get("shipping_customer") or {}
        ref = f"iqmetrix:{customer['customer_id']}" if customer.get("customer_id") else False
        name = mapping.customer_name(customer, fallback=address.get("attention_to")) \
            or self.env._("iQmetrix customer")
        if kind == mapping.CUSTOMER:
            vals = mapping_model._address_values(mapping.partner_address(
                address, name, phone=mapping.customer_phone(payload, kind)), warnings)
            return [(ref, vals)], vals
        # The store's phone (the shipping address's) stays with the store.
        customer_vals = mapping_model._address_values(
            {"name": name, "phone": mapping.customer_phone(payload, kind),
             "country": address.get("country_code")}, warnings)
        store_vals = mapping_model._address_values(mapping.partner_address(
            address, address.get("attention_to") or name), warnings)
        store = dict(store_vals, name=mapping.store_name(payload), is_company=True,
                     phone=store_vals.get("phone"))
        return [(ref, customer_vals), (_store_ref(payload), store)], store_vals

    def _iqmetrix_partner_of_ref(self, ref, vals, partners):
        """The partner of ``ref`` (none: a new one each time), created when missing.
        ``partners``: the page's {ref: partner}, looked up once (no query per order)."""
        Partner = self.env["res.partner"].with_context(tracking_disable=True)
        if not ref:
            return Partner.create(dict(vals, ref=False))
        if partners is None:
            partner = Partner.search([("ref", "=", ref)], limit=1)
        else:
            partner = partners.get(ref, Partner)
        partner = partner or Partner.create(dict(vals, ref=ref))
        if partners is not None:
            partners[ref] = partner
        return partner

    def _iqmetrix_record_failed_entry(self, entry, message):
        self.env["channel.inbox.item"]._record_failure(
            self, const.FEED_STREAM, _entry_key(entry), entry.xml, message,
            payload_format="xml")


def _entry_key(entry):
    """The inbox's external id of an entry: its Atom id (a digest of it without one)."""
    return entry.entry_id or "sha256:" + hashlib.sha256(entry.xml.encode()).hexdigest()


def _store_ref(payload):
    seller = payload.get("seller") or {}
    return f"iqmetrix-store:{seller.get('company_id')}:{seller.get('location_id')}"
