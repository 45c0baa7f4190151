from odoo.tests import TransactionCase, tagged

from .. import const
from .common import ShipheroAccountMixin


@tagged("post_install", "-at_install")
class TestShipheroOrders(ShipheroAccountMixin, TransactionCase):
    shiphero_account_name = "ShipHero orders"

    def test_backfill_imports_the_last_days_fulfilled_and_pending(self):
        pending = self.sim.add_order((("SKU-1", 2), ("SKU-2", 1)), number="MO-PENDING",
                                     age_seconds=2 * 86400)
        shipped = self.sim.add_order((("SKU-3", 1),), number="MO-SHIPPED", age_seconds=86400)
        self.sim.ship(shipped["id"])
        self.sim.add_order((("SKU-1", 1),), number="MO-OLD", age_seconds=9 * 86400)
        stream = self.run_stream(const.ORDERS_STREAM)
        self.run_stream(const.SHIPMENTS_STREAM)
        self.assertEqual(stream.run_state, "idle", stream.last_error)
        self.assertEqual(sorted(self.orders().mapped("channel_external_ref")),
                         ["MO-PENDING", "MO-SHIPPED"], "the 9-day-old order is outside the window")
        sale = self.order_of(pending)
        self.assertEqual(sale.state, "sale")
        self.assertEqual(sale.shiphero_brand_id, self.brand)
        self.assertEqual(sale.order_line.mapped("product_uom_qty"), [2.0, 1.0])
        done = self.order_of(shipped)
        self.assertEqual(done.shiphero_fulfillment_status, "fulfilled")
        self.assertTrue(done.shiphero_shipment_ids.tracking_numbers.startswith("1Z"))
        self.assertEqual(done.shiphero_shipment_ids.carrier, "UPS")
        self.assertEqual(done.picking_ids.state, "done")
        self.assertEqual(len(done.shiphero_history_ids), 2, "order history fetched")
        self.assertEqual(len(self.order_of(pending).shiphero_history_ids), 1)
        self.assertEqual(len(self.sim.executed("OrderHistoryBatch")), 1,
                         "one request for the history of the page's orders")

    def test_incremental_reads_updates_since_the_last_run_with_overlap(self):
        first = self.sim.add_order((("SKU-1", 1),), number="MO-A")
        self.run_stream(const.ORDERS_STREAM)
        cursor = self.credential._get_cursor(const.ORDERS_STREAM).value
        self.assertIn("next_since", cursor)
        self.clock.advance(120)
        self.sim.add_order((("SKU-2", 1),), number="MO-B")
        self.sim.allocate(first["id"], notify=False)
        self.run_stream(const.ORDERS_STREAM)
        self.assertEqual(len(self.orders()), 2, "each order once")
        self.assertTrue(self.order_of(first).shiphero_ready_since, "the update was read")
        asked = self.sim.executed("OrdersPage")[-1]["updated_from"]
        self.assertLess(asked, cursor.split('"next_since": "')[1][:19],
                        "the overlap window looks back before the last run's start")

    def test_failed_run_retried_from_the_same_watermark(self):
        self.sim.add_order((("SKU-1", 1),), number="MO-A")
        self.run_stream(const.ORDERS_STREAM)
        watermark = self.credential._get_cursor(const.ORDERS_STREAM).value
        self.sim.fail_operation("OrdersPage", 1, status=500)
        stream = self.credential._channel_stream(const.ORDERS_STREAM)
        stream.action_run_now()
        self.drain(make_due=False)
        self.assertEqual(self.credential._get_cursor(const.ORDERS_STREAM).value, watermark,
                         "the watermark did not move")
        self.drain()
        self.assertEqual(stream.run_state, "idle")
        asked = [v["updated_from"] for v in self.sim.executed("OrdersPage")]
        self.assertEqual(len(asked), 3, "first run, failed page, its retry")
        self.assertEqual(asked[1], asked[2], "the retry asked from the same watermark")

    def test_bad_orders_parked_the_rest_imported(self):
        self.sim.add_order((("UNKNOWN-SKU", 1),), number="MO-UNKNOWN")
        self.sim.add_order((("SKU-1", 1),), number="MO-NOADDR", address={})
        self.sim.add_order((("SKU-1", 1),), number="MO-GOOD")
        self.run_stream(const.ORDERS_STREAM)
        self.assertEqual(self.orders().mapped("channel_external_ref"), ["MO-GOOD"])
        items = self.env["channel.inbox.item"].search([("credential_id", "=", self.credential.id)])
        errors = " ".join(items.mapped("error"))
        self.assertIn("Unknown SKU: UNKNOWN-SKU", errors)
        self.assertIn("no complete shipping address", errors)

    def test_reimport_is_idempotent(self):
        self.sim.seed_orders(5)
        self.run_stream(const.ORDERS_STREAM)
        self.credential._get_cursor(const.ORDERS_STREAM).unlink()  # read everything again
        stream = self.run_stream(const.ORDERS_STREAM)
        self.assertEqual(len(self.orders()), 5)
        self.assertEqual(stream.run_created, 0)

    def test_parked_order_retried_once_the_product_exists(self):
        self.sim.add_order((("LATE-SKU", 1),), number="MO-LATE")
        self.run_stream(const.ORDERS_STREAM)
        item = self.env["channel.inbox.item"].search([("credential_id", "=", self.credential.id)])
        self.assertEqual(item.state, "failed")
        self.env["product.product"].create({"name": "Late", "default_code": "LATE-SKU",
                                            "type": "consu"})
        item.action_retry()
        self.drain()
        self.assertEqual(item.state, "done")
        self.assertEqual(self.orders().mapped("channel_external_ref"), ["MO-LATE"])

    def test_shipment_read_before_its_order_waits_in_the_inbox_then_applies(self):
        shipped = self.sim.add_order((("SKU-3", 1),), number="MO-FIRST-SHIPPED")
        self.sim.ship(shipped["id"])
        self.run_stream(const.SHIPMENTS_STREAM)  # the shipments page comes first
        item = self.env["channel.inbox.item"].search([
            ("credential_id", "=", self.credential.id),
            ("stream", "=", const.SHIPMENTS_STREAM)])
        self.assertEqual(item.state, "failed", "the shipment is parked, not dropped")
        self.assertIn("not in Odoo yet", item.error)
        self.run_stream(const.ORDERS_STREAM)
        sale = self.order_of(shipped)
        self.assertEqual(len(sale.shiphero_shipment_ids), 1, "applied once the order arrived")
        self.assertEqual(sale.picking_ids.state, "done")
        self.assertEqual(item.state, "done")
        self.run_stream(const.SHIPMENTS_STREAM)  # read again: nothing twice
        self.assertEqual(len(sale.shiphero_shipment_ids), 1)

    def test_parked_shipment_retry_says_the_order_is_still_missing(self):
        shipped = self.sim.add_order((("SKU-3", 1),), number="MO-NEVER-IMPORTED")
        self.sim.ship(shipped["id"])
        self.run_stream(const.SHIPMENTS_STREAM)
        item = self.env["channel.inbox.item"].search([
            ("credential_id", "=", self.credential.id),
            ("stream", "=", const.SHIPMENTS_STREAM)])
        item.action_retry()
        self.drain()
        self.assertEqual(item.state, "failed")
        self.assertIn("still not in Odoo", item.error)
        self.assertEqual(item.attempts, 2)
