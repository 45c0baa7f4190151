"""The example platform on channel_base's inbox, batched lookups and carrier map.

Kept apart from integration_credential.py: its order import parks failed orders in the
inbox (``example.import_orders_to_inbox``) instead of failing the whole job, and its
shipments are named through the carrier map.
"""

from odoo import models

from odoo.addons.channel_base.exceptions import PermanentError

from ..client import ExampleClient

ORDERS_STREAM = "orders"


def order_skus(order):
    return [line.get("sku") for line in order.get("lines") or []]


def order_problem(order, unknown_skus):
    """Why ``order`` cannot be imported as it is, or None."""
    if not order.get("customer"):
        return f"Order {order.get('id')} has no customer address."
    if not order.get("lines"):
        return f"Order {order.get('id')} has no lines."
    unknown = [sku for sku in order_skus(order) if sku in unknown_skus]
    if unknown:
        return "Unknown SKU: " + ", ".join(str(sku) if sku else "(empty)" for sku in unknown)
    return None


class IntegrationCredential(models.Model):
    # One file per mechanism (issue 15), so parallel work on the credential merges cleanly.
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _execute_sync_job(self, job):
        if self.platform == "example" and job.operation == "example.import_orders_to_inbox":
            return self._example_import_orders_to_inbox(job)
        return super()._execute_sync_job(job)

    # ------------------------------------------------------------------ orders

    def _example_import_orders_to_inbox(self, job):
        """Every page, one batch per page; the cursor moves once every order is either
        imported or parked in the inbox (both in this job's transaction)."""
        client = ExampleClient(self)
        stats, page, pages = {"imported": 0, "parked": 0, "skipped": 0}, 1, 1
        while page <= pages:
            answer = client.fetch_orders_page(page)
            for key, count in self._example_import_batch(answer["orders"]).items():
                stats[key] += count
            page, pages = page + 1, answer["pages"]
        self._set_cursor(ORDERS_STREAM, value=str(answer["total"]))
        return stats

    def _example_import_batch(self, orders):
        """Import ``orders`` with one product query and one partner query for the batch;
        an order that cannot be imported is parked in the inbox and the others go on."""
        Inbox = self.env["channel.inbox.item"]
        todo = self._example_orders_to_import(orders)
        stats = {"imported": 0, "parked": 0, "skipped": len(orders) - len(todo)}
        mapping = self.env["channel.mapping"]
        products = mapping._products_by_skus(
            [sku for order in todo for sku in order_skus(order)], self)
        importable = []
        for order in todo:
            problem = order_problem(order, products.unknown)
            if problem:
                Inbox._record_failure(self, ORDERS_STREAM, order["id"], order, problem)
                stats["parked"] += 1
            else:
                importable.append(order)
        matches = mapping._partners_for_addresses(
            [order["customer"] for order in importable], self.company_id)
        created = {}
        for order, match in zip(importable, matches, strict=True):
            try:
                with self.env.cr.savepoint():
                    created[str(order["id"])] = self._example_create_sale_order(
                        order, products.products, match)
            except Exception as error:  # noqa: BLE001 - parked with its reason, others go on
                Inbox._record_failure(self, ORDERS_STREAM, order["id"], order, error)
                stats["parked"] += 1
        Inbox._resolve(self, ORDERS_STREAM, created)
        stats["imported"] += len(created)
        return stats

    def _example_orders_to_import(self, orders):
        """The orders not imported yet and not ignored by a person."""
        ids = [str(order["id"]) for order in orders]
        imported = set(self.env["sale.order"].search([
            ("channel_credential_id", "=", self.id), ("channel_external_id", "in", ids),
        ]).mapped("channel_external_id"))
        open_items = self.env["channel.inbox.item"]._open_external_ids(self, ORDERS_STREAM, ids)
        ignored = {key for key, item in open_items.items() if item.state == "ignored"}
        return [order for order in orders if str(order["id"]) not in imported | ignored]

    def _example_create_sale_order(self, order, products, match):
        return self.env["sale.order"].create({
            "partner_id": match.partner.id,
            "partner_shipping_id": match.shipping.id,
            "channel_credential_id": self.id,
            "channel_external_id": str(order["id"]),
            "channel_external_ref": order.get("reference"),
            "channel_sync_state": "synced",
            "order_line": [
                (0, 0, {"product_id": products[line["sku"]].id, "product_uom_qty": line["qty"]})
                for line in order.get("lines") or []
            ],
        })

    # ------------------------------------------------------------------ inbox hooks

    def _inbox_retryable_streams(self):
        if self.platform != "example":
            return super()._inbox_retryable_streams()
        return (ORDERS_STREAM,)

    def _inbox_retry(self, item):
        if self.platform != "example" or item.stream != ORDERS_STREAM:
            return super()._inbox_retry(item)
        order = item._payload()
        existing = self.env["sale.order"].search([
            ("channel_credential_id", "=", self.id),
            ("channel_external_id", "=", str(order["id"]))], limit=1)
        if existing:
            return existing
        mapping = self.env["channel.mapping"]
        products = mapping._products_by_skus(order_skus(order), self)
        problem = order_problem(order, products.unknown)
        if problem:
            raise PermanentError(problem)
        match = mapping._partners_for_addresses([order["customer"]], self.company_id)[0]
        return self._example_create_sale_order(order, products.products, match)

    # ------------------------------------------------------------------ shipments

    def _example_shipment_values(self, picking):
        """What the example platform is sent for a shipped transfer: the carrier and
        service codes come from the carrier map (an unmapped carrier is a PermanentError
        naming it and the account)."""
        codes = self.env["channel.carrier.map"]._platform_codes(self, picking.carrier_id)
        return {
            "reference": picking.origin or picking.name,
            "carrier": codes.carrier_code or None,
            "service": codes.service_code or None,
            "tracking_number": picking.carrier_tracking_ref or None,
        }

    def _example_carrier_of_shipment(self, shipment):
        """The Odoo carrier of a shipment the example platform reports."""
        return self.env["channel.carrier.map"]._odoo_carrier(
            self, shipment.get("carrier"), shipment.get("service"))
