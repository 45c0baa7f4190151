from datetime import datetime, timedelta

from odoo.tests import TransactionCase, tagged

from .. import const
from .common import ShipheroAccountMixin


@tagged("post_install", "-at_install")
class TestShipheroReconcile(ShipheroAccountMixin, TransactionCase):
    shiphero_account_name = "ShipHero reconciliation"

    def test_repairs_what_lost_webhooks_missed_reading_open_orders_only(self):
        allocated, shipped, canceled, untouched = (
            self.sim.add_order((("SKU-1", 1),), number=f"MO-{name}")
            for name in ("ALLOC", "SHIP", "CANCEL", "SAME"))
        self.run_stream(const.ORDERS_STREAM)
        self.assertEqual(len(self.orders()), 4)
        # The webhooks of these changes are lost:
        self.sim.allocate(allocated["id"], notify=False)
        self.sim.ship(shipped["id"], notify=False)
        self.sim.cancel(canceled["id"], notify=False)
        stream = self.run_stream(const.RECONCILE_STREAM)
        self.assertEqual(stream.run_state, "idle", stream.last_error)
        listed = self.sim.executed("OpenOrdersPage")
        self.assertEqual(len(listed), 1, "one page of open orders")
        refreshed = self.sim.executed("Order")
        self.assertEqual(sorted(v["id"] for v in refreshed),
                         sorted([shipped["id"], canceled["id"]]),
                         "only the open orders that left the listing were read one by one")
        self.assertTrue(self.order_of(allocated).shiphero_ready_since)
        self.assertEqual(self.order_of(shipped).shiphero_fulfillment_status, "fulfilled")
        self.assertEqual(self.order_of(shipped).picking_ids.state, "done")
        self.assertEqual(self.order_of(canceled).state, "cancel")
        self.assertFalse(self.order_of(untouched).shiphero_allocation_ids)
        page_job = self.env["sync.job"].search([
            ("credential_id", "=", self.credential.id),
            ("operation", "=", "channel.stream.page")], order="id desc", limit=1)
        self.assertIn('"corrected_allocation": 1', page_job.result, "it reports what it fixed")

    def test_reconciliation_leaves_credits_to_webhooks_and_incremental(self):
        self.sim.seed_orders(3, lines=(("SKU-1", 1),))
        self.sim.set_credits(const.RECONCILE_RESERVE + 100)  # enough for orders, not for it
        stream = self.credential._channel_stream(const.RECONCILE_STREAM)
        stream.action_run_now()
        self.drain(make_due=False)
        self.assertFalse(self.sim.executed("OpenOrdersPage"), "waited for the refill")
        job = stream.run_job_id
        self.assertEqual(job.state, "pending")
        self.assertGreater(job.next_attempt_at, datetime.now() + timedelta(seconds=1))
        self.assertEqual(self.sim.throttled, 0)

    def test_products_and_inventory_by_sku(self):
        self.sim.add_product("SKU-1", "Product SKU-1", on_hand=40, allocated=5)
        self.sim.add_product("NEW-SKU", "A new product", on_hand=7)
        stream = self.run_stream(const.PRODUCTS_STREAM)
        self.assertEqual((stream.run_created, stream.run_state), (2, "idle"), stream.last_error)
        rows = self.env["shiphero.inventory"].search([("credential_id", "=", self.credential.id)])
        by_sku = {row.sku: row for row in rows}
        self.assertEqual(by_sku["SKU-1"].product_id, self.products[0], "existing SKU reused")
        self.assertEqual((by_sku["SKU-1"].on_hand, by_sku["SKU-1"].available), (40, 35))
        self.assertEqual(by_sku["NEW-SKU"].product_id.name, "A new product")
        self.clock.advance(3600)
        product = self.sim.products["SKU-1"]
        product["warehouse_products"][0].update(on_hand=30, available=25)
        product["updated_at"] = self.clock.now
        self.credential.shiphero_overlap_minutes = 0
        self.run_stream(const.PRODUCTS_STREAM)
        self.assertEqual(by_sku["SKU-1"].on_hand, 30, "updated product read again")

    def test_lost_deallocation_is_repaired(self):
        order = self.sim.add_order((("SKU-1", 1),), number="MO-DEALLOC", allocated=True)
        self.run_stream(const.ORDERS_STREAM)
        sale = self.order_of(order)
        self.assertTrue(sale.shiphero_ready_since, "imported with its allocation")
        self.sim.deallocate(order["id"], notify=False)  # the webhook is lost
        self.run_stream(const.RECONCILE_STREAM)
        self.assertFalse(sale.shiphero_ready_since)
        self.assertEqual(sale.shiphero_allocation_ids.mapped("kind"),
                         ["allocated", "deallocated"])
