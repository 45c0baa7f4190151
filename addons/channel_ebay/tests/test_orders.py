

from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.shipment_events import Shipment

from .. import const
from .common import EbayAccountMixin


@tagged("post_install", "-at_install")
class TestEbayOrdersIn(EbayAccountMixin, TransactionCase):
    ebay_account_name = "eBay orders"

    def _order_reads(self):
        return [r for r in self.sim.calls(const.FULFILLMENT + "/order") if "filter" in r.query]

    def test_orders_imported_with_buyer_ship_to_lines_fees_and_reserved_stock(self):
        first = self.add_order(username="motor_fan", quantity=2, price=20.0)
        second = self.add_order(username="motor_fan", price=20.0)
        self.run_stream()
        orders = self.ebay_orders()
        self.assertEqual(orders.mapped("channel_external_id"),
                         [first["orderId"], second["orderId"]])
        sale = orders[0]
        self.assertEqual(sale.state, "sale")
        self.assertEqual(str(sale.ebay_created_at)[:19],
                         first["creationDate"][:19].replace("T", " "))
        self.assertEqual(sale.partner_id, orders[1].partner_id, "the buyer is found again")
        self.assertEqual(sale.partner_id.ebay_username, "motor_fan")
        self.assertEqual(sale.ebay_buyer_username, "motor_fan")
        shipping = sale.partner_shipping_id
        self.assertEqual((shipping.street, shipping.city, shipping.zip, shipping.country_id.code,
                          shipping.state_id.code), ("12 Auction Way", "San Jose", "95125", "US",
                                                    "CA"))
        self.assertEqual(shipping.phone, "+15125550123")
        line = sale.order_line
        self.assertEqual((line.product_id, line.product_uom_qty, line.price_unit,
                          line.ebay_line_item_id), (self.product, 2, 20.0,
                                                    first["lineItems"][0]["lineItemId"]))
        self.assertEqual((sale.ebay_total, sale.ebay_marketplace_fee, sale.ebay_delivery_cost),
                         (45.0, 5.2, 5.0))
        self.assertEqual(sale.picking_ids.state, "assigned", "the order reserves stock")
        self.assertEqual(sale.picking_ids.move_ids.quantity, 2)
        # the filter is by last modified date, a closed window, paged at 200
        query = self._order_reads()[0].query
        self.assertRegex(query["filter"], r"^lastmodifieddate:\[\d{4}-.*Z\.\.\d{4}-.*Z\]$")
        self.assertEqual(query["limit"], "200")

    def test_second_run_overlaps_the_first_and_imports_nothing_twice(self):
        self.add_order()
        self.run_stream()
        self.run_stream()
        self.assertEqual(len(self.ebay_orders()), 1)
        first, second = (r.query["filter"] for r in self._order_reads())
        first_end = first.split("..")[1].rstrip("]")
        second_start = second.split("[")[1].split("..")[0]
        self.assertLess(second_start, first_end, "the next window starts before the last end")

    def test_unknown_sku_and_missing_address_parked_then_retried(self):
        good = self.add_order()
        unknown = self.add_order(sku="NO-SUCH-SKU", username="buyer2")
        no_address = self.add_order(username="buyer3", fulfillmentStartInstructions=[])
        self.run_stream()
        self.assertEqual(self.ebay_orders().mapped("channel_external_id"), [good["orderId"]])
        items = self.env["channel.inbox.item"].search(
            [("credential_id", "=", self.credential.id)], order="id")
        self.assertEqual(items.mapped("external_id"), [unknown["orderId"], no_address["orderId"]])
        self.assertIn("Unknown SKU: NO-SUCH-SKU", items[0].error)
        self.assertIn("no complete ship-to address", items[1].error)
        self.env["product.product"].create({"name": "New", "default_code": "NO-SUCH-SKU"})
        items[0].action_retry()
        self.drain()
        self.assertEqual(items[0].state, "done")
        self.assertEqual(len(self.ebay_orders()), 2)

    def test_naive_creation_date_is_parked_unless_a_source_timezone_is_set(self):
        naive = self.add_order(creationDate="2026-11-30T10:00:00")
        self.run_stream()
        self.assertFalse(self.ebay_orders())
        item = self.env["channel.inbox.item"].search([("external_id", "=", naive["orderId"])])
        self.assertIn("no timezone", item.error)
        self.credential.source_timezone = "America/Los_Angeles"
        item.action_retry()
        self.drain()
        self.assertEqual(str(self.ebay_orders().ebay_created_at), "2026-11-30 18:00:00")

    def test_cancellation_on_ebay_cancels_the_order(self):
        order = self.add_order()
        self.run_stream()
        self.sim.cancel(order["orderId"])
        self.run_stream()
        sale = self.ebay_orders()
        self.assertEqual(sale.state, "cancel")
        self.assertEqual(sale.picking_ids.state, "cancel", "the reservation is released")

    def test_shipped_on_ebay_validates_the_delivery_without_posting_back(self):
        order = self.add_order()
        self.run_stream()
        self.sim.ship(order["orderId"], tracking="9400TRACK1")
        self.run_stream()
        picking = self.ebay_orders().picking_ids
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.carrier_tracking_ref, "9400TRACK1")
        self.assertEqual(self.ebay_orders().ebay_fulfillment_status, "FULFILLED")
        self.assertFalse([r for r in self.sim.requests if r.method == "POST"
                          and r.path.endswith("/shipping_fulfillment")], "nothing sent back")
        self.assertFalse(self.env["sync.job"].search([
            ("credential_id", "=", self.credential.id),
            ("operation", "=", const.OP_PUSH_SHIPMENT)]))

    def test_reconciliation_rereads_open_orders_and_repairs_a_missed_cancel(self):
        kept, lost = self.add_order(), self.add_order(username="buyer2")
        self.run_stream()
        self.sim.orders[lost["orderId"]]["cancelStatus"] = {"cancelState": "CANCELED"}
        self.run_stream(const.OPEN_ORDERS_STREAM)
        sales = self.ebay_orders()
        self.assertEqual(sales.mapped("state"), ["sale", "cancel"])
        read = [r for r in self.sim.calls(const.FULFILLMENT + "/order") if "orderIds" in r.query]
        self.assertEqual(read[-1].query["orderIds"], f"{kept['orderId']},{lost['orderId']}")
        # the cancelled order is no longer open: the next reconciliation reads one order
        self.run_stream(const.OPEN_ORDERS_STREAM)
        read = [r for r in self.sim.calls(const.FULFILLMENT + "/order") if "orderIds" in r.query]
        self.assertEqual(read[-1].query["orderIds"], kept["orderId"])

    def test_country_field_variant_of_the_spec(self):
        self.sim.options["country_field"] = "country"
        self.sim.seed_orders(1, "EBAY-PAD")
        self.run_stream()
        self.assertEqual(self.ebay_orders().partner_shipping_id.country_id.code, "US")

    def test_throttled_failed_and_malformed_reads_are_retried(self):
        self.add_order()
        self.sim.inject("rate_limit", path=const.FULFILLMENT + "/order", retry_after=1)
        self.sim.inject("server_error", status=500, path=const.FULFILLMENT + "/order")
        self.sim.inject("malformed", path=const.FULFILLMENT + "/order")
        self.run_stream()
        for _attempt in range(3):
            self.drain()
        self.assertEqual(len(self.ebay_orders()), 1)
        self.assertEqual(len(self._order_reads()), 4, "three bad answers, then the page")

    def test_a_rate_limit_answer_names_ebay_errors(self):
        self.add_order()
        self.sim.inject("server_error", status=503, path=const.FULFILLMENT + "/order")
        self.credential._channel_stream("orders").action_run_now()
        self.drain(make_due=False)
        job = self.env["sync.job"].search([("credential_id", "=", self.credential.id)],
                                          order="id desc", limit=1)
        self.assertIn("10001 API_SIMULATOR/APPLICATION", job.last_error)


@tagged("post_install", "-at_install")
class TestEbayOdooShips(EbayAccountMixin, TransactionCase):
    ebay_account_name = "eBay Odoo ships"

    @classmethod
    def _ebay_account_values(cls):
        return {"ebay_fulfil_in_odoo": True}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ups = cls.env["delivery.carrier"].create({
            "name": "UPS (eBay test)", "product_id": cls.env["product.product"].create(
                {"name": "UPS shipping", "type": "service"}).id})
        cls.env["channel.carrier.map"].create({
            "platform": "ebay", "credential_id": cls.credential.id, "carrier_id": cls.ups.id,
            "carrier_code": "UPS"})

    def _posts(self):
        return [r for r in self.sim.requests if r.method == "POST"
                and r.path.endswith("/shipping_fulfillment")]

    def test_shipment_posted_once_with_carrier_and_tracking(self):
        order = self.add_order(quantity=2)
        self.run_stream()
        picking = self.ebay_orders().picking_ids
        self.env["stock.picking"]._channel_apply_shipments(
            [Shipment(picking, ("1ZEBAY1",), carrier=self.ups)])
        self.drain()
        posts = self._posts()
        self.assertEqual(len(posts), 1)
        self.assertEqual(posts[0].json["trackingNumber"], "1ZEBAY1")
        self.assertEqual(posts[0].json["shippingCarrierCode"], "UPS")
        self.assertEqual(posts[0].json["lineItems"], [
            {"lineItemId": order["lineItems"][0]["lineItemId"], "quantity": 2}])
        self.assertEqual(picking.ebay_fulfillment_id, "1ZEBAY1")
        self.assertEqual(self.sim.orders[order["orderId"]]["orderFulfillmentStatus"], "FULFILLED")
        # eBay now says FULFILLED: the next import changes nothing and posts nothing
        self.run_stream()
        picking.carrier_tracking_ref = "1ZEBAY1,1ZEBAY2"
        self.drain()
        self.assertEqual(len(self._posts()), 1, "once per shipment")
        self.assertTrue(self.sim.calls(
            f"{const.FULFILLMENT}/order/{order['orderId']}/shipping_fulfillment"))

    def test_unmapped_carrier_is_a_clear_error(self):
        self.add_order()
        self.run_stream()
        picking = self.ebay_orders().picking_ids
        fedex = self.env["delivery.carrier"].create({
            "name": "Unmapped", "product_id": self.ups.product_id.id})
        self.env["stock.picking"]._channel_apply_shipments(
            [Shipment(picking, ("FX1",), carrier=fedex)])
        self.drain()
        job = self.env["sync.job"].search([("operation", "=", const.OP_PUSH_SHIPMENT),
                                           ("credential_id", "=", self.credential.id)])
        self.assertEqual(job.state, "failed")
        self.assertIn("Unmapped", job.last_error)
        self.assertFalse(self._posts())

    def test_orders_take_the_account_salesperson_and_team_and_log_their_number(self):
        seller = self.env["res.users"].create(
            {"name": "Channel Seller", "login": "ebay-seller@example.com"})
        team = self.env["crm.team"].create({"name": "Marketplace"})
        self.credential.write({"sale_user_id": seller.id, "sale_team_id": team.id})
        self.add_order(username="team_buyer", price=20.0)
        self.run_stream()
        orders = self.ebay_orders()
        self.assertTrue(orders)
        self.assertEqual(orders.user_id, seller)
        self.assertEqual(orders.team_id, team)
        for order in orders:
            notes = order.message_ids.filtered(lambda m: "Imported from" in str(m.body))
            number = order.channel_external_ref or order.channel_external_id
            self.assertEqual(len(notes), 1)
            self.assertIn(f"order {number} (account {self.credential.name})",
                          notes.preview)
