"""Orders in: pages of ShipHero order nodes upserted by (account, ShipHero id); orders
that cannot be imported are parked in the inbox; every new order's history is fetched."""

from odoo import models

from odoo.addons.channel_base.exceptions import PermanentError

from .. import const, mapping, queries
from ..client import ShipheroClient

#: Imported orders are ShipHero's record: no creation message and no field tracking per
#: order (one chatter message and tracking rows per order is most of what an import pays
#: above the bare ORM); what happens to them later (cancellation) is still said.
QUIET = {"mail_create_nolog": True, "tracking_disable": True}


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _shiphero_orders_by_id(self, external_ids):
        return {order.channel_external_id: order for order in self.env["sale.order"].search([
            ("channel_credential_id", "=", self.id), ("channel_external_id", "in", external_ids)])}

    def _shiphero_import_orders(self, orders, source="import"):
        """Upsert a page of order nodes: one query for the known ones, one for the SKUs,
        one for the partners. Returns the page's counters."""
        existing = self._shiphero_orders_by_id([mapping.order_id(order) for order in orders])
        updated = sum(1 for order in orders if mapping.order_id(order) in existing
                      and existing[mapping.order_id(order)]._shiphero_apply_order_node(
                          order, source))
        new = [order for order in orders if mapping.order_id(order) not in existing]
        ignored = {key for key, item in self.env["channel.inbox.item"]._open_external_ids(
            self, const.ORDERS_STREAM, [mapping.order_id(o) for o in new]).items()
            if item.state == "ignored"}
        new = [order for order in new if mapping.order_id(order) not in ignored]
        created, failed = self._shiphero_create_orders(new, source)
        return {"created": len(created), "updated": updated, "failed": failed,
                "skipped": len(orders) - len(created) - updated - failed,
                "records": {"sale.order": [order.id for order in created.values()]}}

    def _shiphero_create_orders(self, orders, source):
        Inbox = self.env["channel.inbox.item"]
        products = self.env["channel.mapping"]._products_by_skus(
            [sku for order in orders for sku in mapping.order_skus(order)], self)
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
        created = self._shiphero_create_batch(importable, matches, products.products, source)
        failed += len(importable) - len(created)
        failed += self._shiphero_confirm(created, {mapping.order_id(o): o for o in importable})
        Inbox._resolve(self, const.ORDERS_STREAM, created)
        self._shiphero_queue_order_history([sale.id for sale in created.values()])
        return created, failed

    def _shiphero_queue_order_history(self, sale_ids):
        """One order-history job per HISTORY_BATCH new orders."""
        batches = [sale_ids[i:i + const.HISTORY_BATCH]
                   for i in range(0, len(sale_ids), const.HISTORY_BATCH)]
        return self.env["sync.job"]._enqueue_many([{
            "operation": const.OP_ORDER_HISTORY, "credential": self,
            "payload": {"order_ids": batch}, "priority": 30} for batch in batches])

    def _shiphero_create_batch(self, orders, matches, products, source):
        """The page's new orders in one ``create`` (the bare ORM's way); if the batch
        fails, one by one, each failing order parked with its reason."""
        product_ids = {sku: product.id for sku, product in products.items()}
        defaults = self._channel_sale_order_defaults()
        values = [{**mapping.sale_order_values(order, self.id, self.shiphero_brand_id.id,
                                               match.partner.id, match.shipping.id,
                                               product_ids), **defaults}
                  for order, match in zip(orders, matches, strict=True)]
        try:
            with self.env.cr.savepoint():
                sales = self.env["sale.order"].with_context(**QUIET).create(values)
        except Exception:  # noqa: BLE001 - retried one by one below, each error recorded
            sales = None
        if sales is not None:
            created = dict(zip([mapping.order_id(o) for o in orders], sales, strict=True))
        else:
            created = {}
            for order, match in zip(orders, matches, strict=True):
                try:
                    with self.env.cr.savepoint():
                        created[mapping.order_id(order)] = self._shiphero_create_sale_order(
                            order, products, match, source, confirm=False)
                except Exception as error:  # noqa: BLE001 - parked, the others go on
                    self.env["channel.inbox.item"]._record_failure(
                        self, const.ORDERS_STREAM, mapping.order_id(order), order, error)
        self._channel_log_imported_orders(
            self.env["sale.order"].browse([sale.id for sale in created.values()]))
        self._shiphero_allocate_new(created, orders, source)
        for order in orders:
            sale = created.get(mapping.order_id(order))
            if sale and order.get("fulfillment_status") == const.CANCELED:
                sale._shiphero_apply_order_node(dict(order, shipments=None), source)
        return created

    def _shiphero_allocate_new(self, created, orders, source):
        """The allocations of the page's new (not cancelled) orders in one ``create``, and
        their late-shipment clock computed for the page at once."""
        values, sales = [], self.env["sale.order"]
        for order in orders:
            sale = created.get(mapping.order_id(order))
            if not sale or order.get("fulfillment_status") == const.CANCELED:
                continue
            events = dict.fromkeys(mapping.allocation_events(order))
            values += [{"order_id": sale.id, "kind": kind, "event_at": at,
                        "reference": reference, "source": source}
                       for kind, at, reference in events]
            sales |= sale if events else sales.browse()
        if values:
            self.env["shiphero.allocation.event"].create(values)
            sales._shiphero_update_late_state()

    def _shiphero_create_sale_order(self, order, products, match, source, confirm=True):
        product_ids = {sku: product.id for sku, product in products.items()}
        sale = self.env["sale.order"].with_context(**QUIET).create({
            **mapping.sale_order_values(order, self.id, self.shiphero_brand_id.id,
                                        match.partner.id, match.shipping.id, product_ids),
            **self._channel_sale_order_defaults()})
        if confirm:
            sale.with_context(**QUIET).action_confirm()
        sale._shiphero_apply_order_node(dict(order, shipments=None), source)
        return sale

    def _shiphero_confirm(self, created, orders):
        """Confirm the page's new orders in one batch (the bare ORM's way); if the batch
        fails, one by one, a failing order parked and removed from ``created``. Then the
        shipments their nodes carry (reconciliation) are applied. Returns the failures."""
        count = len(created)
        sales = self.env["sale.order"].with_context(**QUIET).browse(
            [sale.id for sale in created.values()]).filtered(
            lambda sale: sale.state in ("draft", "sent"))  # a cancelled one stays cancelled
        try:
            with self.env.cr.savepoint():
                sales.action_confirm()
        except Exception:  # noqa: BLE001 - retried one by one below, each error recorded
            for external_id, sale in list(created.items()):
                if sale not in sales:
                    continue
                try:
                    with self.env.cr.savepoint():
                        sale.with_context(**QUIET).action_confirm()
                except Exception as error:  # noqa: BLE001 - parked with its reason
                    self.env["channel.inbox.item"]._record_failure(
                        self, const.ORDERS_STREAM, external_id, orders[external_id], error)
                    sale.unlink()
                    del created[external_id]
        for external_id, sale in created.items():
            if orders[external_id].get("shipments"):
                sale._shiphero_apply_order_node(orders[external_id], "import")
        return count - len(created)

    # ------------------------------------------------------------------ order history

    def _shiphero_fetch_order_history(self, job):
        """The history of a batch of orders in one request (as many as the credits allow
        now; the rest in a follow-up job), kept once per entry."""
        sales = self.env["sale.order"].browse(job.payload.get("order_ids") or []).exists()
        if not sales:
            return {"skipped": 1}
        client = ShipheroClient(self)
        count = client.affordable_page(const.HISTORY_PER_ORDER, wanted=len(sales))
        batch, rest = sales[:count], sales[count:]
        variables = {"first": const.HISTORY_PER_ORDER}
        variables.update({f"o{i}": sale.channel_external_id for i, sale in enumerate(batch)})
        data = client.execute(queries.order_history_batch(len(batch)), variables)
        created = 0
        for index, sale in enumerate(batch):
            entries = mapping.nodes((data.get(f"h{index}") or {}).get("data"))
            created += self._shiphero_keep_history(sale, entries)
        if rest:
            self._shiphero_queue_order_history(rest.ids)
        return {"created": created, "details": {"orders": len(batch), "later": len(rest)}}

    def _shiphero_keep_history(self, sale, entries):
        known = set(sale.shiphero_history_ids.mapped("external_id"))
        new = [entry for entry in entries if entry.get("id") and entry["id"] not in known]
        self.env["shiphero.order.history"].create([{
            "order_id": sale.id, "external_id": entry["id"],
            "entry_at": mapping.timestamp(entry.get("created_at")),
            "username": entry.get("username"), "information": entry.get("information"),
        } for entry in new])
        return len(new)

    # ------------------------------------------------------------------ one order again

    def _shiphero_refresh_order(self, job):
        """Read one order again (``order(id)``) and apply it with its shipments."""
        sale = job._target()
        if not sale:
            return {"skipped": 1}
        data = ShipheroClient(self).execute(queries.ORDER, {
            "id": sale.channel_external_id, "lines": const.LINES_PER_ORDER})
        node = (data.get("order") or {}).get("data")
        if not node:
            raise PermanentError(self.env._("ShipHero has no order %s.", sale.channel_external_id))
        corrections = self._shiphero_reconcile_orders([node])
        return corrections

    def _shiphero_refresh_unseen_orders(self, started):
        """Queue a re-read of every open order the reconciliation listing did not show."""
        orders = self.env["sale.order"].search([
            ("channel_credential_id", "=", self.id), ("state", "!=", "cancel"),
            ("shiphero_fulfillment_status", "not in", (const.FULFILLED, const.CANCELED)),
            "|", ("shiphero_reconciled_at", "=", False),
            ("shiphero_reconciled_at", "<", started.replace("T", " "))])
        self.env["sync.job"]._enqueue_many([{
            "operation": const.OP_ORDER_REFRESH, "credential": self, "record": sale,
            "dedup_key": f"shiphero.refresh:{sale.id}", "priority": 25,
        } for sale in orders])
        return orders

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
            lambda products: self._shiphero_retry_create(order, products))

    def _shiphero_retry_create(self, order, products):
        sale = self._shiphero_create_sale_order(
            order, products, self._channel_address_match(mapping.address_of(order)),
            "inbox retry")
        self._channel_log_imported_orders(sale)
        return sale
