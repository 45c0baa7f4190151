from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.exceptions import PermanentError
from odoo.addons.channel_base.shipment_events import Shipment
from odoo.addons.channel_base.tests.shipment_events_kit import ShipmentEventsKit

from .common import DscoAccountMixin

KIND_OF_EVENT = {"done": "done", "tracking_added": "tracking_added",
                 "tracking_removed": "tracking_removed",
                 "backorder_cancelled": "backorder_cancelled", "cancelled": "cancelled"}


def shipment_report(job):
    payload = job.payload
    return {"kind": KIND_OF_EVENT[payload["event"]], "picking": job.res_id,
            "tracking": payload["tracking"], "numbers": payload["numbers"] or None,
            "shipped": {int(key): value for key, value in payload["shipped"].items()},
            "dispatch": payload["dispatch"]}


class DscoShipmentMixin(DscoAccountMixin):
    def shipment_jobs(self, pickings):
        return self.env["sync.job"].search([
            ("credential_id", "=", self.credential.id), ("operation", "=", "dsco.push_shipment"),
            ("res_model", "=", "stock.picking"), ("res_id", "in", pickings.ids)], order="id")


@tagged("post_install", "-at_install")
class TestDscoShipmentEventsKit(ShipmentEventsKit, DscoShipmentMixin, TransactionCase):
    dsco_account_name = "DSCO shipment kit"

    def _shipment_kit_credential(self):
        return self.credential

    def _shipment_kit_ready_picking(self, lines):
        return self._shipment_kit_sale_picking(self.credential, lines)

    def _shipment_kit_reports(self, pickings):
        return [shipment_report(job) for job in self.shipment_jobs(pickings)]


@tagged("post_install", "-at_install")
class TestDscoShipmentsOut(DscoShipmentMixin, TransactionCase):
    dsco_account_name = "DSCO shipments"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        stock = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1).lot_stock_id
        cls.env["stock.quant"]._update_available_quantity(cls.product, stock, 100)
        cls.ups = cls.env["delivery.carrier"].create({
            "name": "UPS Ground (DSCO test)", "product_id": cls.env["product.product"].create(
                {"name": "UPS shipping", "type": "service"}).id})

    def setUp(self):
        super().setUp()
        self.env["channel.carrier.map"].create({
            "platform": "dsco", "credential_id": self.credential.id, "carrier_id": self.ups.id,
            "carrier_code": "UPS", "service_code": "Ground"})

    def _imported_picking(self, quantity):
        order = self.add_order("PO-SHIP", quantity=quantity)
        self.run_orders_stream()
        sale = self.dsco_orders()
        self.assertEqual(sale.channel_external_id, order["dscoOrderId"])
        return order, sale.picking_ids

    def _ship(self, picking, tracking, quantity=None):
        picking.carrier_id = self.ups
        quantities = {self.product: quantity} if quantity else None
        outcome = self.env["stock.picking"]._channel_apply_shipments(
            [Shipment(picking, (tracking,), carrier=self.ups, quantities=quantities)])[0]
        self.drain()
        return outcome

    def test_full_shipment_sends_tracking_carrier_date_and_lines(self):
        order, picking = self._imported_picking(quantity=2)
        self._ship(picking, "1Z999AA10123456784")
        self.assertEqual(len(self.sim.shipments), 1)
        body = self.sim.shipments[0]
        shipment = body["shipments"][0]
        self.assertEqual(body["dscoOrderId"], order["dscoOrderId"])
        self.assertEqual((shipment["trackingNumber"], shipment["shipCarrier"],
                          shipment["shipMethod"]), ("1Z999AA10123456784", "UPS", "Ground"))
        self.assertRegex(shipment["shipDate"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(shipment["lineItems"], [{"sku": "POSH-JACKET", "quantity": 2,
                                                  "lineNumber": 1}])
        self.assertTrue(picking.dsco_shipment_sent)
        self.assertEqual(self.sim.orders[order["dscoOrderId"]]["lineItems"][0]["shippedQuantity"],
                         2)

    def test_partial_shipment_sends_only_what_shipped_then_the_rest(self):
        order, picking = self._imported_picking(quantity=5)
        outcome = self._ship(picking, "TRK-PART-1", quantity=2)
        self._ship(outcome.backorder, "TRK-PART-2")
        sent = [(b["shipments"][0]["trackingNumber"], b["shipments"][0]["lineItems"][0]["quantity"])
                for b in self.sim.shipments]
        self.assertEqual(sent, [("TRK-PART-1", 2), ("TRK-PART-2", 3)])
        self.assertEqual(self.sim.orders[order["dscoOrderId"]]["lineItems"][0]["shippedQuantity"],
                         5)

    def test_unmapped_carrier_is_a_clear_error(self):
        _order, picking = self._imported_picking(quantity=1)
        fedex = self.env["delivery.carrier"].create({
            "name": "FedEx Unmapped", "product_id": self.ups.product_id.id})
        picking.carrier_id = fedex
        self.env["stock.picking"]._channel_apply_shipments(
            [Shipment(picking, ("TRK-FEDEX",), carrier=fedex)])
        self.drain()
        job = self.shipment_jobs(picking)
        self.assertEqual(job.state, "failed")
        self.assertIn("FedEx Unmapped", job.last_error)
        self.assertFalse(self.sim.shipments, "nothing sent")

    def test_shipment_without_tracking_waits_for_it(self):
        _order, picking = self._imported_picking(quantity=1)
        picking.carrier_id = self.ups
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        picking.with_context(skip_backorder=True, skip_sms=True).button_validate()
        self.drain()
        self.assertFalse(self.sim.shipments)
        picking.carrier_tracking_ref = "TRK-LATE"
        self.drain()
        self.assertEqual([b["shipments"][0]["trackingNumber"] for b in self.sim.shipments],
                         ["TRK-LATE"])

    def test_a_shipment_dsco_refuses_fails_with_its_message(self):
        _order, picking = self._imported_picking(quantity=1)
        self.sim.options["carrier_codes"] = ("USPS",)
        self._ship(picking, "TRK-REFUSED")
        job = self.shipment_jobs(picking)
        self.assertEqual(job.state, "failed")
        self.assertIn("INVALID_SHIPMENT: Invalid carrier code: UPS", job.last_error)
        self.assertFalse(picking.dsco_shipment_sent)

    def test_no_carrier_is_refused(self):
        _order, picking = self._imported_picking(quantity=1)
        with self.assertRaises(PermanentError):
            self.credential._dsco_shipment_body(picking, "TRK")


@tagged("post_install", "-at_install")
class TestDscoBatchShipmentsAndCancels(DscoShipmentMixin, TransactionCase):
    dsco_account_name = "DSCO batch and cancels"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ups = cls.env["delivery.carrier"].create({
            "name": "UPS (DSCO batch)", "product_id": cls.env["product.product"].create(
                {"name": "UPS batch shipping", "type": "service"}).id})
        cls.env["channel.carrier.map"].create({
            "platform": "dsco", "credential_id": cls.credential.id, "carrier_id": cls.ups.id,
            "carrier_code": "UPS"})

    def imported(self, count, quantity=1):
        for number in range(count):
            self.add_order(f"PO-B{number}", quantity=quantity)
        self.run_orders_stream()
        return self.dsco_orders()

    def test_pickings_done_together_go_in_one_batch_call(self):
        orders = self.imported(3)
        pickings = orders.picking_ids
        fedex = self.env["delivery.carrier"].create({
            "name": "FedEx not mapped", "product_id": self.ups.product_id.id})
        self.env["stock.picking"]._channel_apply_shipments([
            Shipment(picking, (f"1Z-B{index}",), carrier=self.ups if index else fedex)
            for index, picking in enumerate(pickings)])
        self.drain()
        batch = [r for r in self.sim.requests if r.path == "/order/shipment/batch/small"]
        self.assertEqual(len(batch), 1, "one call for the transfers done together")
        self.assertEqual(len(batch[0].json), 2, "the two with a mapped carrier")
        self.assertFalse([r for r in self.sim.requests if r.path == "/order/singleShipment"])
        self.assertEqual(sorted(item["shipments"][0]["trackingNumber"] for item in batch[0].json),
                         ["1Z-B1", "1Z-B2"])
        self.assertEqual(pickings.mapped("dsco_shipment_sent"), [False, True, True])
        refused = self.shipment_jobs(pickings[0]).filtered(lambda j: j.state == "failed")
        self.assertIn("FedEx not mapped", refused.last_error, "refused with a clear error")

    def test_cancel_lines_with_reason_code_and_notes(self):
        sale = self.imported(1, quantity=3)
        wizard = self.env["dsco.cancel.wizard"].with_context(
            **sale.action_dsco_cancel_lines()["context"]).create({})
        self.assertEqual(wizard.cancel_code, "OUT_OF_STOCK")
        self.assertEqual(wizard.line_ids.remaining, 3)
        wizard.write({"cancel_code": "DAMAGED", "notes": "Water damage in the warehouse"})
        wizard.line_ids.quantity = 4
        with self.assertRaisesRegex(Exception, "at most 3"):
            wizard.action_confirm()
        wizard.line_ids.quantity = 2
        wizard.action_confirm()
        self.drain()
        self.assertEqual(self.sim.cancellations[-1]["lineItems"], [{
            "sku": "POSH-JACKET", "lineNumber": 1, "cancelledQuantity": 2,
            "cancelCode": "DAMAGED", "cancelledReason": "Water damage in the warehouse"}])
        self.assertEqual(sale.order_line.product_uom_qty, 1)
        self.assertEqual(sum(sale.picking_ids.move_ids.mapped("product_uom_qty")), 1)

    def test_cancelling_the_order_cancels_what_did_not_ship(self):
        sale = self.imported(1, quantity=2)
        sale.with_context(dsco_cancel_notes="Buyer asked")._action_cancel()
        self.drain()
        self.assertEqual(self.sim.cancellations[-1]["lineItems"][0]["cancelledQuantity"], 2)
        self.assertEqual(self.sim.cancellations[-1]["lineItems"][0]["cancelledReason"],
                         "Buyer asked")
        line = self.sim.orders[sale.channel_external_id]["lineItems"][0]
        self.assertEqual(line["cancelledQuantity"], 2)

    def test_a_quantity_reduced_in_odoo_is_cancelled_on_dsco(self):
        sale = self.imported(1, quantity=3)
        sale.order_line.product_uom_qty = 2
        self.drain()
        self.assertEqual(self.sim.cancellations[-1]["lineItems"][0]["cancelledQuantity"], 1)
        self.assertEqual(self.sim.cancellations[-1]["lineItems"][0]["cancelCode"], "OUT_OF_STOCK")
