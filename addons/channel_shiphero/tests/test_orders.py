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


@tagged("post_install", "-at_install")
class TestShipheroPageSizing(ShipheroAccountMixin, TransactionCase):
    """Per page, not per order. Pages ask each order's lines with the most lines the
    previous page had (the estimate ShipHero checks the bucket against then matches what
    it charges), the credits an answer left size the next page without a ``user_quota``
    question, and new orders' allocations and clocks are kept for the page at once."""

    shiphero_account_name = "ShipHero page sizing"

    def test_lines_follow_the_previous_page_and_a_longer_order_replays_its_page(self):
        self.credential.shiphero_page_size = 2
        for number in ("MO-1", "MO-2", "MO-3", "MO-4"):
            self.sim.add_order((("SKU-1", 1),), number=number, age_seconds=60)
        self.clock.advance(1)
        wide = self.sim.add_order((("SKU-1", 1), ("SKU-2", 2), ("SKU-3", 3)), number="MO-5",
                                  age_seconds=30)
        stream = self.run_stream(const.ORDERS_STREAM)
        self.assertEqual(stream.run_state, "idle", stream.last_error)
        self.assertEqual(len(self.orders()), 5, "every order once")
        self.assertEqual(self.order_of(wide).order_line.mapped("product_uom_qty"),
                         [1.0, 2.0, 3.0], "no line of the longer order lost")
        asked = [(v.get("after"), v["lines"]) for v in self.sim.executed("OrdersPage")]
        self.assertEqual([lines for _after, lines in asked],
                         [const.LINES_PER_ORDER, 1, 1, const.LINES_PER_ORDER])
        self.assertEqual(asked[2][0], asked[3][0], "the truncated page was read again")
        names = [name for name, _variables, _cost in self.sim.operations]
        before_pages = [names[i - 1] for i, name in enumerate(names) if name == "OrdersPage"]
        self.assertEqual(before_pages.count("UserQuota"), 1,
                         "later pages sized on the credits the previous answer left")

    def test_new_allocated_orders_get_their_allocation_and_clock_in_one_batch(self):
        first = self.sim.add_order((("SKU-1", 1),), number="MO-AL1", allocated=True)
        second = self.sim.add_order((("SKU-2", 1),), number="MO-AL2", allocated=True)
        plain = self.sim.add_order((("SKU-3", 1),), number="MO-PLAIN")
        self.run_stream(const.ORDERS_STREAM)
        for sim_order in (first, second):
            sale = self.order_of(sim_order)
            self.assertEqual(sale.shiphero_allocation_ids.mapped("kind"), ["allocated"])
            self.assertEqual(sale.shiphero_ready_since,
                             sale.shiphero_allocation_ids.event_at)
            self.assertTrue(sale.shiphero_ship_by, "the clock ran for the new order")
            self.assertTrue(sale.shiphero_late_state)
        self.assertFalse(self.order_of(plain).shiphero_allocation_ids)
        self.assertFalse(self.order_of(plain).shiphero_ship_by)
        self.run_stream(const.ORDERS_STREAM)  # read again: nothing kept twice
        self.assertEqual(len(self.order_of(first).shiphero_allocation_ids), 1)


@tagged("post_install", "-at_install")
class TestShipheroOrderDefaults(ShipheroAccountMixin, TransactionCase):
    shiphero_account_name = "ShipHero order defaults"

    def test_orders_take_the_account_salesperson_and_team_and_log_their_number(self):
        seller = self.env["res.users"].create(
            {"name": "3PL Seller", "login": "shiphero-seller@example.com"})
        team = self.env["crm.team"].create({"name": "Brand A team"})
        self.credential.write({"sale_user_id": seller.id, "sale_team_id": team.id})
        self.sim.add_order((("SKU-1", 1),), number="MO-DEFAULTS-1")
        self.sim.add_order((("SKU-2", 1),), number="MO-DEFAULTS-2")
        self.run_stream(const.ORDERS_STREAM)
        orders = self.orders()
        self.assertEqual(len(orders), 2)
        self.assertEqual(orders.user_id, seller)
        self.assertEqual(orders.team_id, team)
        for order in orders:
            notes = order.message_ids.filtered(lambda m: "Imported from" in str(m.body))
            self.assertEqual(len(notes), 1)
            self.assertIn(f"order {order.channel_external_ref} "
                          f"(account {self.credential.name})", notes.preview)
