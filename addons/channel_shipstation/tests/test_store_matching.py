"""A shipment whose orderKey is not ours is matched by its order number only when it is in
the account's own store: order numbers are unique per store, and another store of the same
ShipStation account (a marketplace, another brand) may use the very numbers our channel
orders carry."""

from odoo.tests import HttpCase, TransactionCase, tagged

from ..const import SHIPMENTS_STREAM
from .common import ShipStationTestMixin

OUR_STORE = "4242"
OTHER_STORE = 99999


class StoreMatchingMixin(ShipStationTestMixin):
    #: Whether matching a shipment of our store by number needs GET /orders/{orderId}
    #: (None: not checked).
    expects_order_lookup = None
    def sent_picking(self):
        picking = self.picking_of(self.make_sale())
        self.run_jobs()
        self.assertTrue(picking.shipstation_order_key, picking.channel_last_error)
        return picking

    def add_order_elsewhere(self, number, key, store_id):
        """An order ShipStation holds under another key (another store, or re-created in
        ShipStation's UI) with the same order number as ours."""
        return self.sim.add_order({
            "orderNumber": number, "orderKey": key, "orderDate": "2024-05-01T10:00:00",
            "orderStatus": "awaiting_shipment", "billTo": {"name": "Someone"},
            "shipTo": {"name": "Someone"},
            "items": [{"name": "Premium Widget", "sku": "WIDGET-001", "quantity": 2}],
            "advancedOptions": {"storeId": store_id}})

    def ship_elsewhere(self, picking, key, store_id, tracking_number):
        self.add_order_elsewhere(picking.shipstation_order_number, key, store_id)
        return self.sim.ship_order(key, tracking_number=tracking_number)

    def assert_untouched(self, picking):
        self.assertEqual(picking.state, "assigned")
        self.assertFalse(picking.carrier_tracking_ref)
        self.assertFalse(picking.shipstation_shipment_ids)

    def unmatched_item(self, shipment):
        item = self.inbox_items(external_id=str(shipment["shipmentId"]))
        self.assertEqual(len(item), 1, "kept in the inbox, to retry")
        self.assertEqual(item.state, "failed")
        return item

    def order_lookups(self):
        """GET /orders/{orderId} calls (the store of an order)."""
        return [request for request in self.sim.requests if request.method == "GET"
                and request.path.startswith("/orders/") and request.path[8:].isdigit()]

    def check_order_lookups(self):
        if self.expects_order_lookup is not None:
            self.assertEqual(bool(self.order_lookups()), self.expects_order_lookup)

    def poll(self):
        stream = self.credential._channel_stream(SHIPMENTS_STREAM)
        self.credential.action_shipstation_poll_now()
        self.run_jobs()
        self.assertEqual(stream.run_state, "idle", stream.last_error)
        return stream


@tagged("post_install", "-at_install")
class TestStoreMatchingWebhook(StoreMatchingMixin, HttpCase):
    """Through the real webhook route. The SHIP_NOTIFY subscription is account-wide (made
    before a Store ID was set), so ShipStation tells us of every store's labels."""

    def setUp(self):
        super().setUp()
        self.register_webhooks()

    def notify(self, shipments):
        answers = self.deliver_ship_notify([shipment["shipmentId"] for shipment in shipments])
        self.assertEqual([status for status, _text in answers], [200])
        self.run_jobs()

    def test_without_a_store_id_the_order_number_alone_ships_nothing(self):
        picking = self.sent_picking()
        (foreign,) = self.ship_elsewhere(picking, "marketplace-1", OTHER_STORE, "1ZOTHER")
        self.notify([foreign])
        self.assert_untouched(picking)
        item = self.unmatched_item(foreign)
        self.assertIn("Store ID", item.error)
        self.assertIn("1ZOTHER", item.error)
        item.action_retry()
        self.run_jobs()
        self.assertEqual(item.state, "failed", "retrying does not make it ours")
        self.assert_untouched(picking)

    def test_a_label_of_another_store_ships_nothing(self):
        self.credential.shipstation_store_id = OUR_STORE
        picking = self.sent_picking()
        (foreign,) = self.ship_elsewhere(picking, "marketplace-1", OTHER_STORE, "1ZOTHER")
        self.notify([foreign])
        self.assert_untouched(picking)
        item = self.unmatched_item(foreign)
        self.assertIn(f"store {OTHER_STORE}", item.error)

    def test_an_order_of_our_store_under_another_key_ships_the_transfer(self):
        self.credential.shipstation_store_id = OUR_STORE
        picking = self.sent_picking()
        (label,) = self.ship_elsewhere(picking, "recreated-in-ui", int(OUR_STORE), "1ZOURS")
        self.notify([label])
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.carrier_tracking_ref, "1ZOURS")
        self.assertFalse(self.inbox_items())
        self.check_order_lookups()


@tagged("post_install", "-at_install")
class TestStoreMatchingWebhookStoreFromOrder(TestStoreMatchingWebhook):
    """UNCONFIRMED whether a V1 shipment shows its store: when it does not, the store of
    its order is read from GET /orders/{orderId}."""

    sim_options = {"shipment_store_id": "absent"}
    expects_order_lookup = True


@tagged("post_install", "-at_install")
class TestStoreMatchingPolling(StoreMatchingMixin, TransactionCase):
    def test_without_a_store_id_a_polled_label_of_another_store_ships_nothing(self):
        picking = self.sent_picking()
        (foreign,) = self.ship_elsewhere(picking, "marketplace-1", OTHER_STORE, "1ZOTHER")
        ours = self.sim.ship_order(picking.shipstation_order_key, tracking_number="1ZMINE")
        self.poll()
        self.assertEqual(picking.carrier_tracking_ref, "1ZMINE", "the orderKey match applies")
        self.assertEqual(picking.shipstation_shipment_ids.shipment_ref,
                         str(ours[0]["shipmentId"]))
        self.unmatched_item(foreign)

    def test_a_parked_shipment_applies_on_retry_once_the_store_id_is_set(self):
        picking = self.sent_picking()
        (label,) = self.ship_elsewhere(picking, "recreated-in-ui", int(OUR_STORE), "1ZOURS")
        self.poll()
        self.assert_untouched(picking)
        item = self.unmatched_item(label)
        self.credential.shipstation_store_id = OUR_STORE
        item.action_retry()
        self.run_jobs()
        self.assertEqual(item.state, "done", item.error)
        self.assertEqual((picking.state, picking.carrier_tracking_ref), ("done", "1ZOURS"))
        self.assertEqual((item.res_model, item.res_id),
                         ("shipstation.shipment", picking.shipstation_shipment_ids.id))

    def test_a_later_poll_that_applies_a_parked_shipment_closes_its_item(self):
        picking = self.sent_picking()
        (label,) = self.ship_elsewhere(picking, "recreated-in-ui", int(OUR_STORE), "1ZOURS")
        self.poll()
        item = self.unmatched_item(label)
        self.credential.shipstation_store_id = OUR_STORE
        self.poll()  # the overlap lists the label again
        self.assertEqual(picking.state, "done")
        self.assertEqual(item.state, "done")

    def test_with_a_store_id_only_that_store_is_listed_and_matched(self):
        self.credential.shipstation_store_id = OUR_STORE
        picking = self.sent_picking()
        self.ship_elsewhere(picking, "marketplace-1", OTHER_STORE, "1ZOTHER")
        self.poll()
        self.assertEqual(self.sim_requests("/shipments")[0].query["storeId"], OUR_STORE)
        self.assert_untouched(picking)
        self.ship_elsewhere(picking, "recreated-in-ui", int(OUR_STORE), "1ZOURS")
        self.poll()
        self.assertEqual(picking.carrier_tracking_ref, "1ZOURS")
        self.assertEqual(picking.state, "done")
        self.check_order_lookups()


@tagged("post_install", "-at_install")
class TestStoreMatchingPollingStoreFromListing(TestStoreMatchingPolling):
    """Shipments that do not show their store: the storeId the listing was filtered on is
    their store, no order lookup needed."""

    sim_options = {"shipment_store_id": "absent"}
    expects_order_lookup = False
