"""Orders in: pages of Shopify orders (../orders_stream.py, the bulk import, webhooks)
become sale orders, idempotently by order id; an update newer than the one imported
applies cancellations, refunds and fulfilments; an older one is ignored."""

from odoo import models

from odoo.addons.channel_base.shipment_events import Shipment

from .. import const, mapping


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _shopify_import_orders(self, orders):
        """Import one page: one query each for existing orders, SKUs and partners."""
        orders = _newest_per_id(orders)
        existing = self._shopify_existing_orders([mapping.order_id(o) for o in orders])
        stats = {"created": 0, "updated": 0, "skipped": 0, "failed": 0}
        new = []
        for order in orders:
            sale = existing.get(mapping.order_id(order))
            if sale is None:
                new.append(order)
            elif (sale.shopify_updated_at or "") >= (order.get("updatedAt") or ""):
                stats["skipped"] += 1  # the same or an older version than we hold
            else:
                self._shopify_apply_update(sale, order)
                stats["updated"] += 1
        created, failed = self._shopify_create_orders(self._shopify_not_ignored(new))
        stats["created"] += len(created)
        stats["failed"] += failed
        stats["skipped"] += len(new) - len(created) - failed
        return stats

    def _shopify_existing_orders(self, ids):
        sales = self.env["sale.order"].search([
            ("channel_credential_id", "=", self.id), ("channel_external_id", "in", ids)])
        return {sale.channel_external_id: sale for sale in sales}

    def _shopify_not_ignored(self, orders):
        open_items = self.env["channel.inbox.item"]._open_external_ids(
            self, const.ORDERS_STREAM, [mapping.order_id(o) for o in orders])
        ignored = {key for key, item in open_items.items() if item.state == "ignored"}
        return [order for order in orders if mapping.order_id(order) not in ignored]

    def _shopify_create_orders(self, orders):
        Inbox = self.env["channel.inbox.item"]
        products = self.env["channel.mapping"]._products_by_skus(
            [sku for order in orders for sku in mapping.order_skus(order) if sku], self)
        importable, failed = [], 0
        for order in orders:
            problem = mapping.order_problem(order, products.unknown)
            if problem:
                Inbox._record_failure(self, const.ORDERS_STREAM, mapping.order_id(order),
                                      order, problem)
                failed += 1
            else:
                importable.append(order)
        matches = self.env["channel.mapping"]._partners_for_addresses(
            [mapping.address_of(order) for order in importable], self.company_id)
        created = self._shopify_create_batch(importable, products.products, matches)
        if created is None:  # one of them failed: each on its own, the bad ones parked
            created, failed = self._shopify_create_one_by_one(
                importable, products.products, matches, failed)
        Inbox._resolve(self, const.ORDERS_STREAM, created)
        return created, failed

    def _shopify_create_batch(self, orders, products, matches):
        """The page's orders in one create and one confirmation (the ORM's batch cost),
        or None when any of them fails (nothing kept)."""
        if not orders:
            return {}
        try:
            with self.env.cr.savepoint():
                sales = self._shopify_create_sale_orders(orders, products, matches)
        except Exception:  # noqa: BLE001 - retried one by one, which names the bad order
            self.env.invalidate_all()
            return None
        return {mapping.order_id(order): sale for order, sale in zip(orders, sales, strict=True)}

    def _shopify_create_one_by_one(self, importable, products, matches, failed):
        Inbox = self.env["channel.inbox.item"]
        created = {}
        for order, match in zip(importable, matches, strict=True):
            try:
                with self.env.cr.savepoint():
                    created[mapping.order_id(order)] = self._shopify_create_sale_order(
                        order, products.products, match)
            except Exception as error:  # noqa: BLE001 - parked with its reason, others go on
                Inbox._record_failure(self, const.ORDERS_STREAM, mapping.order_id(order),
                                      order, error)
                failed += 1
        return created, failed

    def _shopify_create_sale_order(self, order, products, match):
        return self._shopify_create_sale_orders([order], products, [match])

    def _shopify_create_sale_orders(self, orders, products, matches):
        product_ids = {sku: product.id for sku, product in products.items()}
        shipping = self.env.ref("channel_shopify.product_shopify_shipping")
        defaults = self._channel_sale_order_defaults()
        sales = self.env["sale.order"].create([{**mapping.sale_order_values(
            order, self.id, match.partner.id, match.shipping.id, product_ids, shipping.id),
            **defaults} for order, match in zip(orders, matches, strict=True)])
        self._channel_log_imported_orders(sales)
        cancelled = self.env["sale.order"]
        for sale, order, match in zip(sales, orders, matches, strict=True):
            if match.warnings:
                sale.message_post(body="; ".join(match.warnings))
            if mapping.is_cancelled(order):
                cancelled |= sale
        cancelled._action_cancel()
        (sales - cancelled).action_confirm()  # reserves the stock the inventory publishes
        for sale, order in zip(sales, orders, strict=True):
            if sale not in cancelled:
                self._shopify_apply_fulfillments(sale, order)
        return sales

    def _shopify_apply_update(self, sale, order):
        sale.write({"shopify_updated_at": order.get("updatedAt"),
                    "shopify_financial_status": order.get("displayFinancialStatus"),
                    "shopify_refunded": mapping.refunded_amount(order)})
        if mapping.is_cancelled(order) and sale.state != "cancel":
            if any(picking.state == "done" for picking in sale.picking_ids):
                sale.message_post(body=self.env._(
                    "Shopify cancelled order %(name)s (%(reason)s) but it already shipped.",
                    name=order.get("name"), reason=order.get("cancelReason")))
            else:
                sale._action_cancel()
                sale.message_post(body=self.env._("Cancelled on Shopify (%s).",
                                                  order.get("cancelReason") or "no reason"))
            return
        if mapping.refunded_amount(order):
            sale.message_post(body=self.env._("Shopify refunded %(amount).2f (%(status)s).",
                              amount=mapping.refunded_amount(order),
                              status=order.get("displayFinancialStatus")))
        self._shopify_apply_fulfillments(sale, order)

    def _shopify_apply_fulfillments(self, sale, order):
        """For visibility (Odoo does not fulfil): Shopify's fulfilment validates the
        delivery, with its tracking numbers."""
        if self.shopify_odoo_fulfils:
            return
        fulfilled = mapping.fulfilled_tracking(order)
        open_pickings = sale.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel"))
        if not fulfilled or not open_pickings:
            return
        numbers = tuple(n for _fid, tracking in fulfilled for n in tracking)
        self.env["stock.picking"]._channel_apply_shipments([
            Shipment(picking, numbers, source_credential=self,
                     reference=", ".join(fid for fid, _t in fulfilled))
            for picking in open_pickings[:1]])

    # ------------------------------------------------------------------ inbox

    def _inbox_retryable_streams(self):
        if self.platform != const.PLATFORM:
            return super()._inbox_retryable_streams()
        return (const.ORDERS_STREAM,)

    def _inbox_retry(self, item):
        if self.platform != const.PLATFORM or item.stream != const.ORDERS_STREAM:
            return super()._inbox_retry(item)
        order = item._payload()
        return self._channel_retry_parked_order(
            mapping.order_id(order), mapping.order_skus(order),
            lambda unknown: mapping.order_problem(order, unknown),
            lambda products: self._shopify_create_sale_order(
                order, products, self._channel_address_match(mapping.address_of(order))))


def _newest_per_id(orders):
    """Each order once, its newest version (a page and a webhook may both hold it)."""
    newest = {}
    for order in orders:
        key = mapping.order_id(order)
        if key not in newest or (order.get("updatedAt") or "") > (
                newest[key].get("updatedAt") or ""):
            newest[key] = order
    return list(newest.values())
