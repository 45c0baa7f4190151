"""Issue 8 end to end, through both simulators and Odoo's real webhook route: the SO
number reaches the warehouse, a voided label's tracking leaves IQR, and an order voided in
IQR stops the warehouse (or, once shipped, reaches a person)."""

from datetime import datetime, timedelta

from odoo.tests import tagged

from .common import CHANNEL, IqrShipStationCase


@tagged("post_install", "-at_install")
class TestIqrShipStationWithdrawals(IqrShipStationCase):
    iqr_key = "iqr-flow-key-5e21aa07"
    account_label = "withdrawals"

    # ------------------------------------------------------------------ helpers

    def poll_iqr(self):
        self.iqr_credential._iqr_enqueue_poll()
        self.run_jobs()

    def imported_and_sent(self, so_number, lines=None):
        """An IQR order polled into Odoo and sent to ShipStation; (SO, sale order, the
        ShipStation order)."""
        so = self.iqr.add_so(
            so=so_number, saledate=datetime.now() - timedelta(days=1), userdefined5=CHANNEL,
            details=lines or [{"item": "THINKPAD T450", "quantity": 1, "unitprice": 469.95}])
        self.poll_iqr()
        order = self.env["sale.order"].search([
            ("channel_credential_id", "=", self.iqr_credential_id),
            ("channel_external_id", "=", str(so["soid"]))])
        self.assertEqual(order.state, "sale")
        (ss_order,) = [o for o in self.shipstation.orders.values()
                       if o["orderKey"] == order.picking_ids.shipstation_order_key]
        return so, order, ss_order

    def poll_shipstation(self):
        self.ss_credential.action_shipstation_poll_now()  # voids are listed, never pushed
        self.run_jobs()

    # ------------------------------------------------------------------ item 8

    def test_shipstation_order_number_is_the_iqr_so_number(self):
        so, order, ss_order = self.imported_and_sent(38000)
        self.assertNotEqual(str(so["soid"]), "38000")
        self.assertEqual(ss_order["orderNumber"], "38000", "the number IQR users know")
        picking = order.picking_ids
        self.assertEqual(picking.shipstation_order_number, "38000")
        self.assertEqual(order.channel_external_id, str(so["soid"]), "soid for updates")
        # Shipments still match on the orderKey, and tracking goes to the soid.
        self.shipstation.ship_order(ss_order["orderKey"], tracking_number="1Z38000")
        self.notify_shipments()
        self.assertEqual(picking.state, "done")
        self.assertEqual([w["soid"] for w in self.iqr.udf_writes], [so["soid"]])
        self.assertEqual(self.iqr.sos[so["soid"]]["userdefined1"], "1Z38000")

    # ------------------------------------------------------------------ item 7

    def test_voided_label_tracking_leaves_iqr(self):
        so, order, ss_order = self.imported_and_sent(38101)
        shipments = self.shipstation.ship_order(
            ss_order["orderKey"], tracking_number=["1ZLIVE", "1ZDEAD"], packages=2)
        self.notify_shipments()
        picking = order.picking_ids
        self.assertEqual(picking.state, "done")
        self.assertEqual(self.iqr.sos[so["soid"]]["userdefined1"], "1ZLIVE, 1ZDEAD")

        # One label voided (seen by polling ShipStation): IQR keeps the live one only.
        self.shipstation.void_shipment(shipments[1]["shipmentId"])
        self.poll_shipstation()
        self.assertEqual(picking.carrier_tracking_ref, "1ZLIVE")
        self.assertEqual(self.iqr.sos[so["soid"]]["userdefined1"], "1ZLIVE")
        self.assertEqual(self.iqr.udf_writes[-1]["userdefined1"], "1ZLIVE")

        # The other one too: IQR's tracking fields are emptied, the channel field kept.
        self.shipstation.void_shipment(shipments[0]["shipmentId"])
        self.poll_shipstation()
        self.assertFalse(picking.carrier_tracking_ref)
        stored = self.iqr.sos[so["soid"]]
        self.assertEqual((stored["userdefined1"], stored["userdefined2"]), ("", ""))
        self.assertEqual(stored["userdefined5"], CHANNEL)
        self.assertFalse(order.iqr_tracking_numbers)

        # The replacement label ShipStation then creates reaches IQR.
        self.shipstation.ship_order(ss_order["orderKey"], tracking_number="1ZAGAIN")
        self.notify_shipments()
        self.assertEqual(self.iqr.sos[so["soid"]]["userdefined1"], "1ZAGAIN")
        failed = self.env["sync.job"].search([("state", "=", "failed")])
        self.assertFalse(failed, failed.mapped("last_error"))

    # ------------------------------------------------------------------ item 12

    def test_order_voided_in_iqr_is_cancelled_in_shipstation(self):
        so, order, ss_order = self.imported_and_sent(38201)
        self.assertEqual(ss_order["orderStatus"], "awaiting_shipment")
        self.iqr.update_so(so["soid"], status="Voided")
        self.poll_iqr()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.picking_ids.state, "cancel")
        self.assertEqual(self.shipstation.orders[ss_order["orderKey"]]["orderStatus"],
                         "cancelled", "the warehouse no longer sees it to ship")
        self.assertFalse(order.activity_ids)

    def test_order_voided_in_iqr_after_shipping_reaches_a_person(self):
        so, order, ss_order = self.imported_and_sent(38202)
        self.shipstation.ship_order(ss_order["orderKey"], tracking_number="1ZSHIPPED")
        self.notify_shipments()
        self.assertEqual(order.picking_ids.state, "done")
        self.iqr.update_so(so["soid"], status="Voided")
        self.poll_iqr()
        self.assertEqual(order.state, "sale", "shipped: not cancelled")
        self.assertEqual(order.picking_ids.state, "done")
        self.assertEqual(self.shipstation.orders[ss_order["orderKey"]]["orderStatus"],
                         "shipped")
        self.assertEqual(len(order.activity_ids), 1)
        self.assertIn("Voided", order.activity_ids.note)
        self.assertEqual(order.channel_sync_state, "flagged")
