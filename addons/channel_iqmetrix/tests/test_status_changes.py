"""Statuses after what happens to an order once it shipped or partly shipped: a voided
label, a cancelled order or backorder, an unknown SKU confirmed without its item."""

from odoo.fields import Command
from odoo.tests import tagged

from .common import IqmetrixStatusCase


@tagged("post_install", "-at_install")
class TestTrackingWithdrawn(IqmetrixStatusCase):
    """A voided label's number is withdrawn: every update carries the live numbers only."""

    def test_fewer_then_no_numbers_on_a_full_shipment(self):
        order = self.imported([{"sku": "CASE-1"}])
        order_id = order.channel_external_id
        picking = self.ship(order, {self.phone_case: 1}, "1Z-A,1Z-B", self.carrier)
        self.run_jobs()
        self.assertEqual(self.last_body(order)["TrackingInfo"], "1Z-A,1Z-B")

        picking.carrier_tracking_ref = "1Z-B"  # label 1Z-A voided (e.g. by ShipStation)
        self.run_jobs()
        self.assertEqual(self.last_body(order), {
            "Id": order_id, "Status": 2, "TrackingInfo": "1Z-B", "ShippingProvider": "Purolator"})
        self.assertEqual(self.sim.order_states[order_id]["tracking"], "1Z-B")
        self.assertEqual(order.iqmetrix_tracking_numbers, "1Z-B")

        picking.carrier_tracking_ref = False  # the last label voided too
        self.run_jobs()
        body = self.last_body(order)
        # No Shipped claim without a live number: back to Ordered (in processing), the
        # numbers cleared, and why.
        self.assertEqual(body["Status"], 1)
        self.assertEqual(body["TrackingInfo"], "")
        self.assertIn("needs a tracking number", body["Message"])
        self.assertEqual(self.sim.order_states[order_id]["status"], 1)
        self.assertEqual(self.sim.order_states[order_id]["tracking"], "")
        self.assertFalse(order.iqmetrix_tracking_numbers)
        self.assertIn(picking.name, order.iqmetrix_status_hold_reason)

        # The feed echoes our updates, 1Z-A and 1Z-B included: they are ours, not another
        # system's, so a new label is sent alone.
        self.import_feed()
        self.assertFalse(order.iqmetrix_foreign_tracking_numbers)
        picking.carrier_tracking_ref = "1Z-C"
        self.run_jobs()
        self.assertEqual(self.last_body(order)["TrackingInfo"], "1Z-C")
        self.assertEqual(self.last_body(order)["Status"], 2)
        self.assertFalse(order.iqmetrix_status_hold_reason)

    def test_voided_label_of_one_of_two_shipments(self):
        order = self.imported([{"sku": "CASE-1"}, {"sku": "CHG-2"}])
        order_id = order.channel_external_id
        self.ship(order, {self.phone_case: 1}, "TRK-1", self.carrier)
        second = self.ship(order, {self.charger: 1}, "TRK-2", self.carrier)
        self.run_jobs()
        self.assertEqual(self.last_body(order)["TrackingInfo"], "TRK-1,TRK-2")
        self.import_feed()  # reads the echoes of both updates

        second.carrier_tracking_ref = False
        self.run_jobs()
        update = self.sim.updates_for(order_id)[-1]
        self.assertEqual(update["endpoint"], "ItemStatusUpdate")
        items = {item["Sku"]: item for item in update["body"]["ItemInformation"]}
        self.assertEqual((items["CASE-1"]["Status"], items["CASE-1"]["TrackingInfo"]),
                         (2, "TRK-1"), "the live shipment keeps its number, alone")
        self.assertEqual((items["CHG-2"]["Status"], items["CHG-2"]["TrackingInfo"]),
                         (1, ""), "the item of the voided label is no longer shipped")
        self.assertEqual(self.sim.order_states[order_id]["items"]["CHG-2"],
                         {"status": 1, "tracking": ""})
        self.assertNotIn("TRK-2", order.iqmetrix_tracking_numbers or "")

        second.carrier_tracking_ref = "TRK-3"
        self.run_jobs()
        self.assertEqual(self.last_body(order)["TrackingInfo"], "TRK-1,TRK-3")
        self.assertNotIn("TRK-2", self.sent_tracking(order)[-1])

    def test_number_from_another_system_stays(self):
        order = self.imported([{"sku": "CASE-1"}])
        picking = self.ship(order, {self.phone_case: 1}, "OURS-1", self.carrier)
        self.run_jobs()
        self.external_update(order.channel_external_id, "OrderStatusUpdate",
                             {"Status": 2, "TrackingInfo": "OURS-1,PORTAL-9"})
        self.import_feed()
        picking.carrier_tracking_ref = "OURS-2"  # ours replaced, theirs untouched
        self.run_jobs()
        self.assertEqual(self.last_body(order)["TrackingInfo"], "PORTAL-9,OURS-2")


@tagged("post_install", "-at_install")
class TestCancellations(IqmetrixStatusCase):

    def test_cancel_after_partial_shipment_cancels_only_unshipped_items(self):
        order = self.imported([{"sku": "CASE-1", "quantity": 3}, {"sku": "CHG-2"}])
        order_id = order.channel_external_id
        self.ship(order, {self.phone_case: 1}, "TRK-1", self.carrier)
        self.run_jobs()
        order._action_cancel()
        self.run_jobs()
        updates = self.sim.updates_for(order_id)
        self.assertFalse([u for u in updates if u["endpoint"] == "OrderStatusUpdate"
                          and u["body"]["Status"] == 7],
                         "an order-level Cancelled would cancel the shipped items too")
        last = updates[-1]
        self.assertEqual(last["endpoint"], "ItemStatusUpdate")
        items = {item["Sku"]: item for item in last["body"]["ItemInformation"]}
        self.assertEqual((items["CASE-1"]["Status"], items["CASE-1"]["Quantity"]), (2, 1))
        self.assertEqual(items["CASE-1"]["Message"], "1 of 3 shipped, 2 cancelled")
        self.assertEqual(items["CASE-1"]["TrackingInfo"], "TRK-1")
        self.assertEqual(items["CHG-2"]["Status"], 7)
        self.assertIn(order.name, items["CHG-2"]["Message"])
        states = self.sim.order_states[order_id]
        self.assertEqual((states["items"]["CASE-1"]["status"], states["items"]["CHG-2"]["status"]),
                         (2, 7))
        self.assertNotEqual(states["status"], 7)

    def test_cancelled_backorder_cancels_its_items(self):
        order = self.imported([{"sku": "CASE-1", "quantity": 2}, {"sku": "CHG-2"}])
        order_id = order.channel_external_id
        self.ship(order, {self.phone_case: 2}, "TRK-1", self.carrier)
        self.run_jobs()
        self.open_delivery(order).action_cancel()
        self.assertEqual(order.state, "sale")
        self.run_jobs()
        last = self.sim.updates_for(order_id)[-1]
        self.assertEqual(last["endpoint"], "ItemStatusUpdate")
        items = {item["Sku"]: item for item in last["body"]["ItemInformation"]}
        self.assertEqual(items["CASE-1"]["Status"], 2)
        self.assertEqual((items["CHG-2"]["Status"], items["CHG-2"]["Quantity"]), (7, 1))
        self.assertEqual(self.sim.order_states[order_id]["items"]["CHG-2"]["status"], 7)

    def test_cancelled_backorder_can_be_reported_back_ordered(self):
        self.credential.iqmetrix_backorder_cancel_status = "3"
        order = self.imported([{"sku": "CASE-1"}, {"sku": "CHG-2", "quantity": 2}])
        self.ship(order, {self.phone_case: 1}, "TRK-1", self.carrier)
        self.open_delivery(order).action_cancel()
        self.run_jobs()
        items = {item["Sku"]: item for item in self.last_body(order)["ItemInformation"]}
        self.assertEqual((items["CHG-2"]["Status"], items["CHG-2"]["Quantity"]), (3, 2))
        self.assertEqual(items["CASE-1"]["Status"], 2)

    def test_no_backorder_on_validation_reports_the_rest(self):
        order = self.imported([{"sku": "CASE-1", "quantity": 3}])
        self.ship(order, {self.phone_case: 1}, "TRK-1", self.carrier, backorder=False)
        self.assertFalse(self.open_delivery(order))
        self.run_jobs()
        item = self.last_body(order)["ItemInformation"][0]
        self.assertEqual((item["Sku"], item["Status"], item["Quantity"]), ("CASE-1", 2, 1))
        self.assertEqual(item["Message"], "1 of 3 shipped, 2 cancelled")


@tagged("post_install", "-at_install")
class TestUnknownSkuConfirmed(IqmetrixStatusCase):

    def flagged_order(self):
        order_id = self.sim.add_order(items=[{"sku": "CASE-1"}, {"sku": "NEW-7"}])
        self.import_feed()
        order = self.order_for(order_id)
        self.assertEqual(order.state, "draft")
        self.assertEqual(self.last_body(order)["Status"], 4)
        new_product = self.env["product.product"].create(
            {"name": "New Thing", "default_code": "NEW-7", "type": "consu"})
        return order, new_product

    def test_confirmed_without_the_item_never_reports_it_shipped(self):
        order, _product = self.flagged_order()
        order.action_confirm()  # the product exists now, the note line stays a note
        self.run_jobs()
        self.ship(order, {self.phone_case: 1}, "TRK-1", self.carrier)
        self.run_jobs()
        order_id = order.channel_external_id
        shipped_claims = [u for u in self.sim.updates_for(order_id)
                          if u["endpoint"] == "OrderStatusUpdate" and u["body"]["Status"] == 2]
        self.assertFalse(shipped_claims, "an order-level Shipped would ship NEW-7 too")
        items = {item["Sku"]: item for item in self.last_body(order)["ItemInformation"]}
        self.assertEqual(items["CASE-1"]["Status"], 2)
        self.assertEqual((items["NEW-7"]["Status"], items["NEW-7"]["Message"]),
                         (4, "Unknown SKU: NEW-7"))
        self.assertNotIn("TrackingInfo", items["NEW-7"])
        self.assertEqual(self.sim.order_states[order_id]["items"]["NEW-7"]["status"], 4)

    def test_item_added_to_the_order_ships_with_its_own_status(self):
        order, product = self.flagged_order()
        order.order_line = [Command.create({"product_id": product.id, "product_uom_qty": 1})]
        order.action_confirm()
        self.run_jobs()
        self.ship(order, {self.phone_case: 1}, "TRK-1", self.carrier)
        self.run_jobs()
        items = {item["Sku"]: item for item in self.last_body(order)["ItemInformation"]}
        self.assertEqual((items["CASE-1"]["Status"], items["NEW-7"]["Status"]), (2, 1))
        self.ship(order, {product: 1}, "TRK-2", self.carrier)
        self.run_jobs()
        self.assertEqual(self.last_body(order), {
            "Id": order.channel_external_id, "Status": 2, "TrackingInfo": "TRK-1,TRK-2",
            "ShippingProvider": "Purolator"})
