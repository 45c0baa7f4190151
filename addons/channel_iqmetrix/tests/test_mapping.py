from odoo.tests import BaseCase, tagged

from .. import const, mapping
from ..mapping import LineState, OrderState


@tagged("post_install", "-at_install")
class TestStatusDecision(BaseCase):

    def state(self, **values):
        values.setdefault("order_id", "o-1")
        return OrderState(**values)

    def test_nothing_to_say_for_a_fresh_available_order(self):
        state = self.state(lines=(LineState("A", 1, 0),))
        self.assertIsNone(mapping.decide_status_update(state))

    def test_cancel_wins(self):
        update = mapping.decide_status_update(self.state(
            lines=(LineState("A", 1, 1),), cancelled=True, cancel_message="Stopped"))
        self.assertEqual(update.body, {"Id": "o-1", "Status": 7, "Message": "Stopped"})

    def test_unknown_skus_named(self):
        update = mapping.decide_status_update(self.state(
            unknown_skus=("X", "Y"), unknown_sku_status=const.STATUS_NOT_AVAILABLE))
        self.assertEqual(update.body["Status"], 5)
        self.assertEqual(update.body["Message"], "Unknown SKU: X, Y")

    def test_all_shipped_is_an_order_update_with_every_number(self):
        update = mapping.decide_status_update(self.state(
            lines=(LineState("A", 2, 2), LineState("B", 1, 1)),
            tracking_numbers=("T1", "T2"), shipping_provider="UPS"))
        self.assertEqual(update.endpoint, "OrderStatusUpdate")
        self.assertEqual(update.body, {"Id": "o-1", "Status": 2, "TrackingInfo": "T1,T2",
                                       "ShippingProvider": "UPS"})

    def test_partial_is_an_item_update(self):
        update = mapping.decide_status_update(self.state(
            lines=(LineState("A", 3, 1), LineState("B", 1, 1), LineState("C", 1, 0)),
            tracking_numbers=("T1",)))
        self.assertEqual(update.endpoint, "ItemStatusUpdate")
        self.assertEqual(update.status, const.STATUS_PARTIALLY_SHIPPED)
        items = update.body["ItemInformation"]
        self.assertEqual([(i["Sku"], i["Status"], i["Quantity"]) for i in items],
                         [("A", 6, 1), ("B", 2, 1)])
        self.assertTrue(all(i["TrackingInfo"] == "T1" for i in items))

    def test_stock_short(self):
        state = self.state(lines=(LineState("A", 1, 0),), stock_short=True)
        self.assertEqual(mapping.decide_status_update(state).body["Status"], 3)
        silent = self.state(lines=(LineState("A", 1, 0),), stock_short=True,
                            stock_short_status=None)
        self.assertIsNone(mapping.decide_status_update(silent))

    def test_merge_tracking_numbers(self):
        self.assertEqual(mapping.merge_tracking_numbers("T1, T2", ["T2", "T3,T1", None], "T4"),
                         ("T1", "T2", "T3", "T4"))

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
