from odoo.tests import BaseCase, tagged

from .. import const, mapping
from ..mapping import ItemState, OrderState


@tagged("post_install", "-at_install")
class TestStatusDecision(BaseCase):

    def state(self, **values):
        values.setdefault("order_id", "o-1")
        values.setdefault("confirmed", True)
        return OrderState(**values)

    def test_nothing_to_say_for_an_order_not_accepted(self):
        state = self.state(items=(ItemState("A", 1),), confirmed=False)
        self.assertIsNone(mapping.decide_status_update(state))

    def test_accepted_order_is_ordered_unless_turned_off(self):
        update = mapping.decide_status_update(self.state(items=(ItemState("A", 1),)))
        self.assertEqual(update.body, {"Id": "o-1", "Status": 1})
        self.assertIsNone(mapping.decide_status_update(self.state(
            items=(ItemState("A", 1),), send_ordered=False)))

    def test_cancel_wins(self):
        update = mapping.decide_status_update(self.state(
            items=(ItemState("A", 1),), confirmed=False, cancelled=True,
            cancel_message="Stopped"))
        self.assertEqual(update.body, {"Id": "o-1", "Status": 7, "Message": "Stopped"})

    def test_unknown_skus_named(self):
        update = mapping.decide_status_update(self.state(
            confirmed=False, unknown_skus=("X", "Y"),
            unknown_sku_status=const.STATUS_NOT_AVAILABLE))
        self.assertEqual(update.body["Status"], 5)
        self.assertEqual(update.body["Message"], "Unknown SKU: X, Y")

    def test_all_shipped_is_an_order_update_with_every_number(self):
        update = mapping.decide_status_update(self.state(
            items=(ItemState("A", 2, shipped=2), ItemState("B", 1, shipped=1)),
            tracking_numbers=("T1", "T2"), shipping_provider="UPS", tracking_known=True))
        self.assertEqual(update.endpoint, "OrderStatusUpdate")
        self.assertEqual(update.body, {"Id": "o-1", "Status": 2, "TrackingInfo": "T1,T2",
                                       "ShippingProvider": "UPS"})

    def test_partial_is_an_item_update_with_every_item(self):
        update = mapping.decide_status_update(self.state(
            items=(ItemState("A", 3, shipped=1), ItemState("B", 1, shipped=1),
                   ItemState("C", 1)),
            tracking_numbers=("T1",), tracking_known=True))
        self.assertEqual(update.endpoint, "ItemStatusUpdate")
        self.assertEqual(update.status, const.STATUS_PARTIALLY_SHIPPED)
        items = update.body["ItemInformation"]
        self.assertEqual([(i["Sku"], i["Status"], i["Quantity"]) for i in items],
                         [("A", 6, 1), ("B", 2, 1), ("C", 1, 1)])
        self.assertEqual([i.get("TrackingInfo") for i in items], ["T1", "T1", None])

    def test_held_shipment_is_not_shipped_and_withdraws_its_number(self):
        update = mapping.decide_status_update(self.state(
            items=(ItemState("A", 1, held=1),), tracking_known=True, hold_reason="no label"))
        self.assertEqual(update.body, {"Id": "o-1", "Status": 1, "Message": "no label",
                                       "TrackingInfo": ""})
        self.assertTrue(update.states_tracking)

    def test_cancel_after_partial_shipment_cancels_only_the_rest(self):
        update = mapping.decide_status_update(self.state(
            items=(ItemState("A", 3, shipped=1, cancelled=2), ItemState("B", 1, cancelled=1)),
            confirmed=False, cancelled=True, cancel_message="Stopped",
            tracking_numbers=("T1",), tracking_known=True))
        self.assertEqual(update.endpoint, "ItemStatusUpdate")
        self.assertEqual([(i["Sku"], i["Status"], i["Quantity"], i["Message"])
                          for i in update.body["ItemInformation"]],
                         [("A", 2, 1, "1 of 3 shipped, 2 cancelled"), ("B", 7, 1, "Stopped")])

    def test_cancelled_backorder_status_is_a_setting(self):
        items = (ItemState("A", 1, shipped=1), ItemState("B", 2, cancelled=2))
        cancelled = mapping.decide_status_update(self.state(items=items))
        self.assertEqual([i["Status"] for i in cancelled.body["ItemInformation"]], [2, 7])
        backordered = mapping.decide_status_update(self.state(
            items=items, backorder_cancel_status=const.STATUS_BACKORDERED))
        self.assertEqual([i["Status"] for i in backordered.body["ItemInformation"]], [2, 3])

    def test_unknown_item_of_a_confirmed_order_is_never_shipped(self):
        update = mapping.decide_status_update(self.state(
            items=(ItemState("A", 1, shipped=1), ItemState("X", 1, known=False)),
            tracking_numbers=("T1",), tracking_known=True))
        self.assertEqual(update.endpoint, "ItemStatusUpdate")
        self.assertEqual([(i["Sku"], i["Status"]) for i in update.body["ItemInformation"]],
                         [("A", 2), ("X", 4)])

    def test_stock_short(self):
        state = self.state(items=(ItemState("A", 1),), stock_short=True)
        self.assertEqual(mapping.decide_status_update(state).body["Status"], 3)
        silent = self.state(items=(ItemState("A", 1),), stock_short=True,
                            stock_short_status=None, send_ordered=False)
        self.assertIsNone(mapping.decide_status_update(silent))

    def test_merge_tracking_numbers(self):
        self.assertEqual(mapping.merge_tracking_numbers("T1, T2", ["T2", "T3,T1", None], "T4"),
                         ("T1", "T2", "T3", "T4"))

    def test_live_tracking_numbers_drop_withdrawn_ones(self):
        self.assertEqual(mapping.live_tracking_numbers("T1,P9,T2", "P9", ["T2", "T3"]),
                         ("P9", "T2", "T3"))
        self.assertEqual(mapping.live_tracking_numbers("T1", "", []), ())

    def test_foreign_tracking_numbers_exclude_ours(self):
        self.assertEqual(mapping.foreign_tracking_numbers("P1", ["T1,P2", "T9"], "T1,T9"),
                         ("P1", "P2"))

    def test_customer_phone_never_the_stores(self):
        store = {"shipping_address": {"phone": "store"}, "shipping_customer": {}}
        self.assertIsNone(mapping.customer_phone(store, mapping.STORE))
        self.assertEqual(mapping.customer_phone(store, mapping.CUSTOMER), "store")
        store["shipping_customer"]["phone"] = "own"
        self.assertEqual(mapping.customer_phone(store, mapping.STORE), "own")

    def test_delivery_kind(self):
        self.assertEqual(mapping.delivery_kind(True, None), ("store", None))
        self.assertEqual(mapping.delivery_kind(True, "Shipping"), ("store", None))
        self.assertEqual(mapping.delivery_kind(False, "Home"), ("customer", None))
        kind, warning = mapping.delivery_kind(True, "Home")
        self.assertEqual(kind, "customer")
        self.assertTrue(warning)

    def test_customer_name(self):
        self.assertEqual(mapping.customer_name(
            {"primary_name": "Bob", "middle_name": None, "family_name": "Eh"}), "Bob Eh")
        self.assertEqual(mapping.customer_name({}, fallback="Att"), "Att")
