"""Orders in: getOrders pages (../orders_stream.py) become confirmed sale orders (which
reserve stock), idempotent by orderId; an order seen again is updated: cancelled on eBay
→ cancelled here, shipped on eBay (and Odoo does not ship eBay orders) → its delivery
done with eBay's tracking. Orders that cannot be imported are parked in the inbox."""

from odoo import models

from odoo.addons.channel_base.shipment_events import REFUSED, Shipment

from .. import const, mapping
from ..client import EbayClient


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _ebay_import_orders(self, orders):
        """One page: existing orders updated, new ones created (one query each for the
        existing orders, the SKUs and the buyers), bad ones parked."""
        orders = list({mapping.order_id(order): order for order in orders}.values())
        existing = {sale.channel_external_id: sale for sale in self.env["sale.order"].search([
            ("channel_credential_id", "=", self.id),
            ("channel_external_id", "in", [mapping.order_id(order) for order in orders])])}
        updated = sum(self._ebay_update_order(existing[mapping.order_id(order)], order)
                      for order in orders if mapping.order_id(order) in existing)
        new = [order for order in orders if mapping.order_id(order) not in existing
               and not mapping.is_cancelled(order)]
        created, failed = self._ebay_create_orders(new)
        return {"created": len(created), "updated": updated, "failed": failed,
                "skipped": len(orders) - len(created) - updated - failed,
                "records": {"sale.order": [sale.id for sale in created.values()]}}

    def _ebay_create_orders(self, orders):
        Inbox = self.env["channel.inbox.item"]
        ignored = {key for key, item in Inbox._open_external_ids(
            self, const.ORDERS_STREAM, [mapping.order_id(o) for o in orders]).items()
            if item.state == "ignored"}
        orders = [order for order in orders if mapping.order_id(order) not in ignored]
        products = self.env["channel.mapping"]._products_by_skus(
            [sku for order in orders for sku in mapping.order_skus(order)], self)
        importable, failed = [], 0
        for order in orders:
            problem = mapping.order_problem(order, products.unknown, self.source_timezone)
            if problem:
                Inbox._record_failure(self, const.ORDERS_STREAM, mapping.order_id(order),
                                      order, problem)
                failed += 1
            else:
                importable.append(order)
        buyers = self._ebay_buyers(importable)
        created = self._ebay_create_sale_orders(importable, buyers, products.products)
        failed += len(importable) - len(created)
        Inbox._resolve(self, const.ORDERS_STREAM, created)
        return created, failed

    def _ebay_create_sale_orders(self, orders, buyers, products):
        """The page's orders created and confirmed in one batch; when the batch fails,
        again one by one, each in its savepoint, the failing ones parked."""
        try:
            with self.env.cr.savepoint():
                sales = self._ebay_create_sale_order_batch(orders, buyers, products)
                return {mapping.order_id(order): sale for order, sale in zip(
                    orders, sales, strict=True)}
        except Exception:  # noqa: BLE001 - retried one by one below, each error recorded
            self.env.invalidate_all()
        created = {}
        for order, buyer in zip(orders, buyers, strict=True):
            try:
                with self.env.cr.savepoint():
                    created[mapping.order_id(order)] = self._ebay_create_sale_order_batch(
                        [order], [buyer], products)
            except Exception as error:  # noqa: BLE001 - parked with its reason, others go on
                self.env["channel.inbox.item"]._record_failure(
                    self, const.ORDERS_STREAM, mapping.order_id(order), order, error)
        return created

    def _ebay_create_sale_order_batch(self, orders, buyers, products):
        product_ids = {sku: product.id for sku, product in products.items()}
        defaults = self._channel_sale_order_defaults()
        sales = self.env["sale.order"].create([{**mapping.sale_order_values(
            order, self.id, partner.id, shipping.id, product_ids, self.source_timezone),
            **defaults} for order, (partner, shipping) in zip(orders, buyers, strict=True)])
        self._channel_log_imported_orders(sales)
        sales.action_confirm()
        for order, sale in zip(orders, sales, strict=True):
            if mapping.is_shipped(order):
                self._ebay_apply_ebay_shipment(sale, order)
        return sales

    def _ebay_buyers(self, orders):
        """[(customer, delivery address)] per order: the partner holding the buyer's eBay
        username (one query), else matched or created from the ship-to and given the
        username, so the buyer's next order finds it again."""
        Mapping = self.env["channel.mapping"]
        usernames = [order["buyer"]["username"] for order in orders]
        known = {partner.ebay_username: partner for partner in self.env["res.partner"].search(
            [("ebay_username", "in", usernames), ("parent_id", "=", False)]
            + Mapping._company_domain(self.company_id))}
        missing = [order for order in orders if order["buyer"]["username"] not in known]
        for order, match in zip(missing, Mapping._partners_for_addresses(
                [mapping.address_of(order) for order in missing], self.company_id), strict=True):
            username = order["buyer"]["username"]
            if username not in known:
                if not match.partner.ebay_username:
                    match.partner.ebay_username = username
                known[username] = match.partner
        result = []
        for order in orders:
            partner = known[order["buyer"]["username"]]
            values = Mapping._address_values(mapping.address_of(order), [])
            result.append((partner, Mapping._find_or_create_delivery(partner, values)))
        return result

    # ------------------------------------------------------------------ updates

    def _ebay_update_order(self, sale, order):
        """Apply what changed on eBay; True when something did."""
        changed = False
        if mapping.is_cancelled(order) and sale.state != "cancel":
            sale.with_context(disable_cancel_warning=True)._action_cancel()
            sale.message_post(body=self.env._("Cancelled on eBay."))
            changed = True
        elif mapping.is_shipped(order) and sale.ebay_fulfillment_status != "FULFILLED":
            self._ebay_apply_ebay_shipment(sale, order)
            changed = True
        values = {"ebay_last_modified": order.get("lastModifiedDate"),
                  "ebay_fulfillment_status": order.get("orderFulfillmentStatus")}
        if any(sale[key] != value for key, value in values.items()):
            sale.write(values)
        return changed

    def _ebay_apply_ebay_shipment(self, sale, order):
        """eBay says shipped: when Odoo does not ship eBay orders, the open delivery is
        validated with eBay's tracking (muted: not echoed back to eBay)."""
        if self.ebay_fulfil_in_odoo:
            return
        pickings = sale.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel"))
        if not pickings:
            return
        tracking = self._ebay_order_tracking(mapping.order_id(order))
        outcomes = self.env["stock.picking"]._channel_apply_shipments([
            Shipment(picking, tuple(tracking), source_credential=self,
                     reference=f"ebay:{mapping.order_id(order)}") for picking in pickings])
        for outcome in outcomes:
            if outcome.status == REFUSED:
                sale.message_post(body=self.env._(
                    "eBay reports this order shipped; its delivery could not be validated: %s",
                    outcome.reason))

    def _ebay_order_tracking(self, order_id):
        answer = EbayClient(self).call(
            "GET", f"{const.FULFILLMENT}/order/{order_id}/shipping_fulfillment") or {}
        return [fulfilment["shipmentTrackingNumber"]
                for fulfilment in answer.get("fulfillments") or []
                if fulfilment.get("shipmentTrackingNumber")]

    def _ebay_open_orders(self, after_id, limit):
        return self.env["sale.order"].search([
            ("channel_credential_id", "=", self.id), ("id", ">", after_id),
            ("state", "=", "sale"), ("ebay_fulfillment_status", "!=", "FULFILLED")],
            order="id", limit=limit)

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
            lambda unknown: mapping.order_problem(order, unknown, self.source_timezone),
            lambda products: self._ebay_create_sale_order_batch(
                [order], self._ebay_buyers([order]), products))
