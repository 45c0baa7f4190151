from odoo.fields import Command
from odoo.tests import tagged

from .common import IqmetrixCase, IqmetrixStatusCase


@tagged("post_install", "-at_install")
class TestStatusUpdates(IqmetrixStatusCase):

    def test_full_shipment_sends_shipped_with_tracking_and_provider(self):
        order = self.imported([{"sku": "CASE-1", "quantity": 2}, {"sku": "CHG-2"}])
        # A charge added in Odoo is not part of what iQmetrix waits for.
        handling = self.env["product.product"].create({"name": "Handling", "type": "service"})
        order.order_line = [Command.create({"product_id": handling.id, "product_uom_qty": 1})]
        self.ship(order, {self.phone_case: 2, self.charger: 1}, "1Z999AA1", self.carrier)
        self.assertEqual(len(self.push_jobs(order).filtered(lambda j: j.state == "pending")), 1,
                         "queued by the validation")
        self.run_jobs()
        updates = self.sim.updates_for(order.channel_external_id)
        self.assertEqual(len(updates), 2, "Ordered on acceptance, then Shipped")
        self.assertEqual(updates[-1]["endpoint"], "OrderStatusUpdate")
        self.assertEqual(updates[-1]["body"], {
            "Id": order.channel_external_id, "Status": 2, "TrackingInfo": "1Z999AA1",
            "ShippingProvider": "Purolator"})
        self.assertEqual(order.iqmetrix_status_sent, "2")
        self.assertEqual(order.iqmetrix_tracking_numbers, "1Z999AA1")
        self.assertEqual(set(self.push_jobs(order).mapped("state")), {"done"})
        self.assertIn("Shipped", order.message_ids[0].body)
        # Resending the same state is a no-op.
        order.action_iqmetrix_push_status()
        self.run_jobs()
        self.assertEqual(len(self.sim.updates_for(order.channel_external_id)), 2)

    def test_partial_shipments_accumulate_tracking_numbers(self):
        order = self.imported([{"sku": "CASE-1", "quantity": 3}, {"sku": "CHG-2"}])
        order_id = order.channel_external_id

        self.ship(order, {self.phone_case: 1}, "TRK-1", self.carrier)
        self.run_jobs()
        first = self.sim.updates_for(order_id)[-1]
        self.assertEqual(first["endpoint"], "ItemStatusUpdate")
        self.assertEqual(first["body"]["ItemInformation"], [{
            "Sku": "CASE-1", "Status": 6, "Quantity": 1, "Message": "1 of 3 shipped",
            "CatalogId": self.sim.orders[order_id]["items"][0]["catalog-id"],
            "ProductName": "[CASE-1] Phone Case", "TrackingInfo": "TRK-1",
            "ShippingProvider": "Purolator",
        }, {
            "Sku": "CHG-2", "Status": 1, "Quantity": 1,
            "CatalogId": self.sim.orders[order_id]["items"][1]["catalog-id"],
            "ProductName": "[CHG-2] Charger",
        }], "every item, each with its own status")
        self.assertEqual(order.iqmetrix_status_sent, "6")

        self.ship(order, {self.phone_case: 2}, "TRK-2", self.carrier)
        self.run_jobs()
        second = self.sim.updates_for(order_id)[-1]
        self.assertEqual(second["endpoint"], "ItemStatusUpdate")
        item = second["body"]["ItemInformation"][0]
        self.assertEqual((item["Sku"], item["Status"], item["Quantity"]), ("CASE-1", 2, 3),
                         "all of this item shipped: Shipped at item level")
        self.assertEqual(item["TrackingInfo"], "TRK-1,TRK-2", "never overwrite a number")

        self.ship(order, {self.charger: 1}, "TRK-3", self.carrier)
        self.run_jobs()
        last = self.sim.updates_for(order_id)[-1]
        self.assertEqual(last["endpoint"], "OrderStatusUpdate")
        self.assertEqual(last["body"]["Status"], 2)
        self.assertEqual(last["body"]["TrackingInfo"], "TRK-1,TRK-2,TRK-3")
        self.assertEqual(self.sim.order_states[order_id]["tracking"], "TRK-1,TRK-2,TRK-3")
        self.assertEqual(len(self.sim.updates_for(order_id)), 4, "Ordered and three shipments")

    def test_tracking_numbers_from_the_feed_are_resent(self):
        order = self.imported([{"sku": "CASE-1", "quantity": 2}])
        self.ship(order, {self.phone_case: 1}, "OURS-1", self.carrier)
        self.run_jobs()
        # Another system of the supplier adds a number; it reaches us through the feed.
        self.external_update(order.channel_external_id, "ItemStatusUpdate", {"ItemInformation": [
            {"Sku": "CASE-1", "Status": 6, "TrackingInfo": "OURS-1,PORTAL-9"}]})
        self.import_feed()
        self.assertEqual(order.iqmetrix_foreign_tracking_numbers, "PORTAL-9",
                         "OURS-1 is our own number echoed")
        self.ship(order, {self.phone_case: 1}, "OURS-2", self.carrier)
        self.run_jobs()
        last = self.sim.updates_for(order.channel_external_id)[-1]
        self.assertEqual(last["body"]["TrackingInfo"], "OURS-1,PORTAL-9,OURS-2")

    def test_shipped_waits_for_a_tracking_number(self):
        order = self.imported([{"sku": "CASE-1"}])
        order_id = order.channel_external_id
        picking = self.ship(order, {self.phone_case: 1}, False, self.carrier)
        self.run_jobs()
        self.assertNotIn(2, [u["body"]["Status"] for u in self.sim.updates_for(order_id)],
                         "no Shipped (and no customer email) without a tracking number")
        self.assertEqual(self.sim.order_states[order_id]["status"], 1)
        self.assertIn(picking.name, order.iqmetrix_status_hold_reason)
        self.assertIn("needs a tracking number.", order.iqmetrix_status_hold_reason)
        self.assertIn("held", order.message_ids[0].body + order.message_ids[1].body)

        picking.carrier_tracking_ref = "LATE-1"
        self.run_jobs()
        last = self.sim.updates_for(order_id)[-1]["body"]
        self.assertEqual((last["Status"], last["TrackingInfo"], last["ShippingProvider"]),
                         (2, "LATE-1", "Purolator"))
        self.assertFalse(order.iqmetrix_status_hold_reason)

    def test_shipped_waits_for_a_carrier(self):
        order = self.imported([{"sku": "CASE-1"}])
        order_id = order.channel_external_id
        picking = self.ship(order, {self.phone_case: 1}, "1Z-NOCARRIER")  # no carrier
        self.run_jobs()
        self.assertNotIn(2, [u["body"]["Status"] for u in self.sim.updates_for(order_id)])
        self.assertIn("needs a carrier (ShippingProvider).", order.iqmetrix_status_hold_reason)
        picking.carrier_id = self.carrier
        self.run_jobs()
        last = self.sim.updates_for(order_id)[-1]["body"]
        self.assertEqual((last["Status"], last["TrackingInfo"], last["ShippingProvider"]),
                         (2, "1Z-NOCARRIER", "Purolator"))
        self.assertFalse(order.iqmetrix_status_hold_reason)

    def test_default_provider_counts_as_the_carrier(self):
        self.credential.iqmetrix_default_provider = "Canada Post"
        order = self.imported([{"sku": "CASE-1"}])
        self.ship(order, {self.phone_case: 1}, "CP-1")
        self.run_jobs()
        last = self.sim.updates_for(order.channel_external_id)[-1]["body"]
        self.assertEqual((last["Status"], last["ShippingProvider"]), (2, "Canada Post"))

    def test_accepted_order_sends_ordered(self):
        order = self.imported([{"sku": "CASE-1"}, {"sku": "CHG-2"}])
        updates = self.sim.updates_for(order.channel_external_id)
        self.assertEqual([u["body"] for u in updates],
                         [{"Id": order.channel_external_id, "Status": 1}])
        self.assertEqual(self.sim.order_states[order.channel_external_id]["status"], 1)
        self.assertEqual(order.iqmetrix_status_sent, "1")

    def test_ordered_on_acceptance_can_be_turned_off(self):
        self.credential.iqmetrix_send_ordered = False
        order = self.imported([{"sku": "CASE-1"}])
        self.assertFalse(self.sim.updates_for(order.channel_external_id))
        self.assertEqual(self.sim.order_states[order.channel_external_id]["status"], 0)

    def test_ordered_when_confirmed_by_hand(self):
        self.credential.iqmetrix_auto_confirm = False
        order_id = self.sim.add_order(items=[{"sku": "CASE-1"}])
        self.import_feed()
        order = self.order_for(order_id)
        self.assertEqual(order.state, "draft")
        self.assertFalse(self.sim.updates_for(order_id), "not accepted yet")
        order.action_confirm()
        self.run_jobs()
        self.assertEqual([u["body"]["Status"] for u in self.sim.updates_for(order_id)], [1])

    def test_waiting_for_stock_sends_backordered(self):
        order = self.imported([{"sku": "TAB-3"}])  # storable, none in stock
        updates = self.sim.updates_for(order.channel_external_id)
        self.assertEqual(len(updates), 1)
        self.assertEqual(updates[0]["body"]["Status"], 3)
        self.assertIn("Waiting for stock", updates[0]["body"]["Message"])
        self.assertEqual(order.iqmetrix_status_sent, "3")

    def test_backorder_status_is_configurable(self):
        self.credential.iqmetrix_stock_short_status = "8"
        order = self.imported([{"sku": "TAB-3"}])
        self.assertEqual(self.sim.updates_for(order.channel_external_id)[0]["body"]["Status"], 8)
        self.credential.write({"iqmetrix_stock_short_status": "none",
                               "iqmetrix_send_ordered": False})
        order = self.imported([{"sku": "TAB-3"}])
        self.assertFalse(self.sim.updates_for(order.channel_external_id))
        self.assertFalse(self.push_jobs(order))

    def test_cancel_sends_cancelled_with_a_message(self):
        order = self.imported([{"sku": "CASE-1"}])
        order._action_cancel()
        self.run_jobs()
        update = self.sim.updates_for(order.channel_external_id)[-1]
        self.assertEqual(update["body"]["Status"], 7)
        self.assertIn(order.name, update["body"]["Message"])
        self.assertEqual(self.sim.order_states[order.channel_external_id]["status"], 7)

    def test_platform_errors_retry_then_keep_the_message(self):
        order = self.imported([{"sku": "CASE-1"}])
        self.sim.inject("server_error", status=503, path="/v1/Suppliers(60455)/Orders")
        order._action_cancel()
        self.run_jobs()
        job = self.push_jobs(order).filtered(lambda j: j.state != "done")
        self.assertEqual((job.state, job.error_kind), ("pending", "transient"))
        self.assertIn("HTTP 503", job.last_error)
        # The platform no longer knows the order: a 404 with its message, dead-lettered.
        with self.sim.lock:
            del self.sim.orders[order.channel_external_id]
        self.run_jobs()
        self.assertEqual((job.state, job.error_kind), ("failed", "permanent"))
        self.assertIn("HTTP 404", job.last_error)
        self.assertIn("Not found", job.last_error)
        self.assertEqual(order.channel_sync_state, "error")
        self.assertIn("Not found", order.message_ids[0].body)
        self.assertEqual(order.iqmetrix_status_sent, "1", "Cancelled was never sent")


@tagged("post_install", "-at_install")
class TestStatusVariant200(IqmetrixCase):
    """The 2015 doc answered status updates with 200 instead of 202 (UNCONFIRMED)."""

    simulator_options = {"status_update_code": 200}

    def test_200_is_success_too(self):
        order_id = self.sim.add_order(items=[{"sku": "CASE-1"}])
        self.import_feed()
        order = self.order_for(order_id)
        order._action_cancel()
        self.run_jobs()
        self.assertEqual(set(self.push_jobs(order).mapped("state")), {"done"})
        self.assertEqual(order.iqmetrix_status_sent, "7")
