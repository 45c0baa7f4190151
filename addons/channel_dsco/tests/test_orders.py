from odoo.tests import TransactionCase, tagged

from .common import DscoAccountMixin


@tagged("post_install", "-at_install")
class TestDscoOrdersIn(DscoAccountMixin, TransactionCase):
    dsco_account_name = "DSCO orders"

    def _acknowledged_jobs(self):
        return self.env["sync.job"].search([("credential_id", "=", self.credential.id),
                                            ("operation", "=", "dsco.acknowledge_orders")])

    def test_stream_created_once_orders_imported_acknowledged_position_moved(self):
        ids = self.add_orders(3)
        self.run_orders_stream()
        orders = self.dsco_orders()
        self.assertEqual(orders.mapped("channel_external_id"), ids)
        self.assertEqual(orders[0].client_order_ref, "PO-00001")
        self.assertEqual(orders[0].state, "sale")
        line = orders[0].order_line
        self.assertEqual((line.product_id, line.product_uom_qty, line.dsco_line_number,
                          line.price_unit), (self.product, 1, 1, 25.0))
        shipping = orders[0].partner_shipping_id
        self.assertEqual((shipping.street, shipping.street2, shipping.zip, shipping.city),
                         ("12 Closet Lane", "Apt 3", "78701", "Austin"))
        stream_id = self.credential.dsco_stream_id
        self.assertEqual(list(self.sim.streams), [stream_id])
        self.assertEqual(self.sim.acknowledged, ids, "every order acknowledged")
        last_event = self.sim.events[stream_id, 0][-1]["id"]
        self.assertEqual(self.sim.partition_position(stream_id), last_event,
                         "DSCO's position moved after the batch")
        self.assertEqual(self.credential._get_cursor("orders").value, f'"{last_event}"')
        # a new order later: same stream, read from the stored position
        self.add_orders(1, prefix="LATER")
        self.run_orders_stream()
        self.assertEqual(len(self.dsco_orders()), 4)
        self.assertEqual(len(self.sim.streams), 1, "the stream is created once")
        self.assertEqual(self.sim.event_reads()[-1], last_event)

    def test_unknown_sku_and_missing_address_are_parked_the_rest_imported(self):
        good = self.add_order("PO-GOOD")
        unknown = self.add_order("PO-SKU", sku="NO-SUCH-SKU")
        no_address = self.add_order("PO-ADDR", shipping={"name": "Nobody", "country": "US"})
        self.run_orders_stream()
        self.assertEqual(self.dsco_orders().mapped("channel_external_id"), [good["dscoOrderId"]])
        items = self.env["channel.inbox.item"].search(
            [("credential_id", "=", self.credential.id)], order="id")
        self.assertEqual(items.mapped("external_id"),
                         [unknown["dscoOrderId"], no_address["dscoOrderId"]])
        self.assertIn("Unknown SKU: NO-SUCH-SKU", items[0].error)
        self.assertIn("no complete shipping address", items[1].error)
        self.assertEqual(items[0]._payload()["poNumber"], "PO-SKU", "payload kept")
        stream = self.credential._channel_stream("orders")
        self.assertEqual((stream.run_state, stream.run_created, stream.run_failed), ("idle", 1, 2))
        # the product is created, Retry imports the order and acknowledges it
        self.env["product.product"].create({"name": "New", "default_code": "NO-SUCH-SKU"})
        items[0].action_retry()
        self.drain()
        self.assertEqual(items[0].state, "done")
        self.assertEqual(items[0].res_id, self.dsco_orders()[-1].id)
        self.assertIn(unknown["dscoOrderId"], self.sim.acknowledged)

    def test_crash_after_import_before_dsco_position_moves_gives_no_duplicate(self):
        """The page and its position commit together; DSCO's position moves later. When
        that update fails (DSCO down) or our position is replayed from an older one, the
        re-read events find their orders already there."""
        self.add_orders(3)
        self.sim.inject("server_error", status=503, path="/stream/")
        self.credential._channel_stream("orders").action_run_now()
        self.drain(make_due=False)
        self.assertFalse(self.dsco_orders(), "the page failed: nothing committed")
        self.drain()  # the retry
        self.assertEqual(len(self.dsco_orders()), 3)
        # a crash before saving our position = the same events read again
        self.credential._set_cursor("orders", '"0"')
        self.run_orders_stream()
        self.assertEqual(len(self.dsco_orders()), 3, "no duplicate order")
        self.assertEqual(len(self.sim.acknowledged), 3, "no second acknowledgement")

    def test_at_least_once_replays_import_each_order_once(self):
        self.sim.options["replay_overlap"] = 2
        self.add_orders(250)  # three reads of up to 100 events, each re-sending 2
        self.run_orders_stream()
        self.assertEqual(len(self.dsco_orders()), 250)
        self.assertEqual(len(set(self.dsco_orders().mapped("channel_external_id"))), 250)
        self.assertEqual(sorted(self.sim.acknowledged), sorted(set(self.sim.acknowledged)))
        self.assertEqual(len(self.sim.acknowledged), 250)

    def test_rate_limited_read_is_retried(self):
        self.add_orders(2)
        self.sim.inject("rate_limit", path="/stream/", retry_after=1)
        self.run_orders_stream()
        self.drain()
        self.assertEqual(len(self.dsco_orders()), 2)

    def test_out_of_stock_lines_are_cancelled_on_dsco_and_the_order_acknowledged(self):
        scarce = self.env["product.product"].create({
            "name": "Last scarf", "default_code": "POSH-SCARF", "is_storable": True})
        self.env["stock.quant"]._update_available_quantity(scarce, self.stock_location, 1)
        order = self.add_order("PO-OOS", sku="POSH-SCARF", quantity=3)
        self.run_orders_stream()
        sale = self.dsco_orders()
        self.assertEqual(sale.order_line.product_uom_qty, 1, "kept what is reserved")
        self.assertEqual(self.sim.cancellations, [{
            "id": order["dscoOrderId"], "type": "DSCO_ORDER_ID", "lineItems": [{
                "sku": "POSH-SCARF", "lineNumber": 1, "cancelledQuantity": 2,
                "cancelCode": "OUT_OF_STOCK", "cancelledReason": "Not in stock at the supplier"}],
        }])
        self.assertEqual(self.sim.acknowledged, [order["dscoOrderId"]], "acknowledged anyway")
        self.assertEqual(self.sim.orders[order["dscoOrderId"]]["lineItems"][0]
                         ["cancelledQuantity"], 2)

    def test_an_order_failing_in_the_batch_is_parked_the_others_created(self):
        good = self.add_order("PO-OK-1")
        bad = self.add_order("PO-BAD", lineItems=[{"lineNumber": 1, "sku": "POSH-JACKET",
                                                   "quantity": "two", "consumerPrice": 25.0}])
        other = self.add_order("PO-OK-2")
        self.run_orders_stream()
        self.assertEqual(self.dsco_orders().mapped("channel_external_id"),
                         [good["dscoOrderId"], other["dscoOrderId"]])
        item = self.env["channel.inbox.item"].search([("credential_id", "=", self.credential.id)])
        self.assertEqual(item.external_id, bad["dscoOrderId"])
        self.assertEqual(sorted(self.sim.acknowledged),
                         sorted([good["dscoOrderId"], other["dscoOrderId"]]))

    def test_orders_take_the_account_salesperson_and_team_and_log_their_number(self):
        seller = self.env["res.users"].create(
            {"name": "Channel Seller", "login": "dsco-seller@example.com"})
        team = self.env["crm.team"].create({"name": "Marketplace"})
        self.credential.write({"sale_user_id": seller.id, "sale_team_id": team.id})
        self.add_orders(2)
        self.run_orders_stream()
        orders = self.dsco_orders()
        self.assertTrue(orders)
        self.assertEqual(orders.user_id, seller)
        self.assertEqual(orders.team_id, team)
        for order in orders:
            notes = order.message_ids.filtered(lambda m: "Imported from" in str(m.body))
            number = order.channel_external_ref or order.channel_external_id
            self.assertEqual(len(notes), 1)
            self.assertIn(f"order {number} (account {self.credential.name})",
                          notes.preview)
