"""IQ Reseller → Odoo → ShipStation → Odoo → IQ Reseller, through both simulators and
Odoo's real webhook route."""

from odoo.tests import tagged

from tests.simulators.iqreseller import UDFS_PATH

from .common import CHANNEL, IqrShipStationCase


@tagged("post_install", "-at_install")
class TestIqrShipStationFlow(IqrShipStationCase):
    iqr_key = "iqr-flow-key-0b7d2c41"
    account_label = "flow"

    # ------------------------------------------------------------------ helpers

    def ss_order_by_number(self, number):
        orders = [order for order in self.shipstation.orders.values()
                  if order["orderNumber"] == number]
        self.assertEqual(len(orders), 1, f"one ShipStation order {number}")
        return orders[0]

    # ------------------------------------------------------------------ the flow

    def test_iqr_orders_ship_through_shipstation_and_tracking_returns_to_iqr(self):
        whole = self.add_iqr_order(38791, [{"item": "THINKPAD T450", "quantity": 1,
                                            "unitprice": 469.95}],
                                   clientponumber="PO-1")
        split = self.add_iqr_order(38792, [
            {"item": "THINKPAD T450", "quantity": 2, "unitprice": 469.95},
            {"item": "DOCK-USB-C", "quantity": 1, "unitprice": 120.0},
        ], shiptocompany="Beta LLC", shiptoemail="buy@beta.example", shiptocity="Houston")
        self.add_iqr_order(38793, [{"item": "DOCK-USB-C", "quantity": 1}], status="Invoiced")

        # 1. IQR → Odoo: two sale orders (the invoiced one is filtered out), confirmed.
        self.iqr_credential._iqr_enqueue_poll()
        self.run_jobs()
        whole_order, split_order = self.sale_order(whole), self.sale_order(split)
        self.assertEqual((whole_order.state, split_order.state), ("sale", "sale"))
        self.assertEqual(self.env["sale.order"].search_count(
            [("channel_credential_id", "=", self.iqr_credential_id)]), 2)

        # 2. Odoo → ShipStation: one order per delivery, orderNumber = the IQR SO number.
        self.assertEqual(len(self.shipstation.orders), 2)
        ss_whole = self.ss_order_by_number(str(whole["so"]))
        ss_split = self.ss_order_by_number(str(split["so"]))
        self.assertEqual(ss_whole["shipTo"]["city"], "Austin")
        self.assertEqual(ss_split["shipTo"]["city"], "Houston")
        self.assertEqual(sorted(item["sku"] for item in ss_split["items"]),
                         ["DOCK-USB-C", "THINKPAD T450"])
        whole_picking = whole_order.picking_ids
        self.assertEqual(whole_picking.shipstation_order_number, str(whole["so"]))

        # 3. ShipStation ships the first order in two packages; SHIP_NOTIFY reaches Odoo,
        #    the delivery is done with both tracking numbers, and they reach IQR.
        self.shipstation.ship_order(ss_whole["orderKey"], tracking_number=["1ZW1", "1ZW2"],
                                    packages=2, carrier_code="ups", service_code="ups_ground")
        self.notify_shipments()
        self.assertEqual(whole_picking.state, "done")
        self.assertEqual(set(whole_picking.carrier_tracking_ref.split(",")), {"1ZW1", "1ZW2"})
        writes = {write["soid"]: write for write in self.iqr.udf_writes}
        self.assertEqual(set(writes), {whole["soid"]})
        self.assertEqual(set(writes[whole["soid"]]["userdefined1"].split(", ")),
                         {"1ZW1", "1ZW2"})
        self.assertEqual(writes[whole["soid"]]["userdefined2"], "ups")
        self.assertEqual(writes[whole["soid"]]["userdefined4"], "ups_ground")
        self.assertRegex(writes[whole["soid"]]["userdefined3"], r"^\d{1,2}/\d{1,2}/\d{4}$")
        self.assertEqual(self.iqr.sos[whole["soid"]]["userdefined5"], CHANNEL)

        # 4. The second order ships in two parts, and IQR is down for the first write-back:
        #    the write is retried and nothing is lost; the second part appends.
        self.iqr.inject("server_error", status=503, path=UDFS_PATH, count=1)
        self.shipstation.ship_order(ss_split["orderKey"], tracking_number="1ZS1",
                                    items=[("THINKPAD T450", 2)], carrier_code="fedex",
                                    service_code="fedex_ground")
        self.notify_shipments()
        first_part = split_order.picking_ids.filtered(lambda p: p.state == "done")
        self.assertEqual(first_part.carrier_tracking_ref, "1ZS1")
        backorder = split_order.picking_ids - first_part
        self.assertEqual(backorder.state, "assigned")
        self.assertFalse(backorder.carrier_tracking_ref)
        split_writes = [w for w in self.iqr.udf_writes if w["soid"] == split["soid"]]
        self.assertEqual([w["userdefined1"] for w in split_writes], ["1ZS1"],
                         "written once, after the 503 was retried")
        self.assertEqual(split_order.iqr_tracking_numbers, "1ZS1")

        self.shipstation.ship_order(ss_split["orderKey"], tracking_number="1ZS2",
                                    carrier_code="fedex", service_code="fedex_ground")
        self.notify_shipments()
        self.assertEqual(backorder.state, "done")
        self.assertEqual(backorder.carrier_tracking_ref, "1ZS2")
        split_writes = [w for w in self.iqr.udf_writes if w["soid"] == split["soid"]]
        self.assertEqual([w["userdefined1"] for w in split_writes], ["1ZS1", "1ZS1, 1ZS2"])
        self.assertEqual(self.iqr.sos[split["soid"]]["userdefined1"], "1ZS1, 1ZS2")
        self.assertEqual(split_order.iqr_tracking_numbers, "1ZS1, 1ZS2")

        # 5. Nothing is left failed, and a new poll (whose run ends the session) sees
        #    no change although IQR now holds the tracking.
        failed = self.env["sync.job"].search([("state", "=", "failed")])
        self.assertFalse(failed, failed.mapped("last_error"))
        poll = self.iqr_credential._iqr_enqueue_poll()
        self.run_jobs()
        self.assertIn('"unchanged": 2', poll.result)
        # The write-backs shared the account's session; the poll's run ended it.
        self.assertEqual(self.iqr.open_sessions(), [])
        self.assertEqual(len(self.shipstation.orders), 2, "no order sent twice")
