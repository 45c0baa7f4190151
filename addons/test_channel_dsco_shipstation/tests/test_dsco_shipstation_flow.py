"""DSCO (Poshmark) → Odoo → ShipStation → Odoo → DSCO: Poshmark orders are fulfilled by
this business, so their deliveries follow the normal warehouse route, including the
export to ShipStation; ShipStation's shipment comes back through Odoo's real webhook route
and the DSCO shipment goes out with DSCO's carrier code."""

from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.channel_base.tests.common import CommittedCredentialMixin, start_simulator

from tests.simulators.dsco import DscoSimulator, sample_order
from tests.simulators.shipstation import ShipStationSimulator

DSCO_SECRET = "dsco-flow-secret-7c1e"


@tagged("post_install", "-at_install")
class TestDscoShipStationFlow(CommittedCredentialMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        cls.dsco = start_simulator(cls, DscoSimulator, client_secret=DSCO_SECRET)
        cls.shipstation = start_simulator(cls, ShipStationSimulator)
        cls.dsco_id = cls.create_committed_credential({
            "name": "DSCO flow", "platform": "dsco", "api_base_url": cls.dsco.url,
            "dsco_client_id": cls.dsco.options["client_id"], "dsco_client_secret": DSCO_SECRET,
            "request_timeout": 10})
        cls.ss_id = cls.create_committed_credential({
            "name": "ShipStation DSCO flow", "platform": "shipstation",
            "api_base_url": cls.shipstation.url, "request_timeout": 10,
            "shipstation_api_key": cls.shipstation.options["api_key"],
            "shipstation_api_secret": cls.shipstation.options["api_secret"],
            "shipstation_send_on": "order_confirm",
            # the account is configured to fulfil the DSCO account's orders
            "shipstation_source_credential_ids": [(6, 0, [cls.dsco_id])]})
        super().setUpClass()
        cls.dsco_account = cls.env["integration.credential"].browse(cls.dsco_id)
        cls.ss_account = cls.env["integration.credential"].browse(cls.ss_id)
        cls.product = cls.env["product.product"].create({
            "name": "Poshmark coat", "default_code": "POSH-COAT", "is_storable": True,
            "weight": 1.5})
        stock = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1).lot_stock_id
        cls.env["stock.quant"]._update_available_quantity(cls.product, stock, 50)
        cls.ups = cls.env["delivery.carrier"].create({
            "name": "UPS (DSCO flow)", "product_id": cls.env["product.product"].create(
                {"name": "UPS flow shipping", "type": "service"}).id})
        Map = cls.env["channel.carrier.map"]
        Map.create({"platform": "shipstation", "credential_id": cls.ss_id,
                    "carrier_id": cls.ups.id, "carrier_code": "ups",
                    "service_code": "ups_ground"})
        Map.create({"platform": "dsco", "credential_id": cls.dsco_id,
                    "carrier_id": cls.ups.id, "carrier_code": "UPS"})

    def setUp(self):
        super().setUp()
        self.dsco.reset()
        self.shipstation.reset()
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", self.base_url())
        self.ss_account.action_shipstation_register_webhooks()

    def run_jobs(self, rounds=8):
        Job = self.env["sync.job"]
        for _round in range(rounds):
            due = Job.search([("state", "=", "pending"),
                              ("operation", "!=", "channel.stream.poll")])
            if not due:
                return
            due.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
            Job._run_due_jobs(batch_size=100, time_budget=60)
            Job.invalidate_model()

    def test_poshmark_order_ships_through_shipstation_and_back_to_dsco(self):
        order = self.dsco.add_order(sample_order("POSH-FLOW-1", "POSH-COAT", quantity=2))
        self.dsco_account._channel_stream("orders").action_run_now()
        self.run_jobs()
        sale = self.env["sale.order"].search([("channel_credential_id", "=", self.dsco_id)])
        self.assertEqual((sale.channel_external_id, sale.state), (order["dscoOrderId"], "sale"))
        self.assertEqual(self.dsco.acknowledged, [order["dscoOrderId"]])
        picking = sale.picking_ids
        self.assertEqual(picking.picking_type_id.code, "outgoing", "the normal warehouse route")
        # Odoo → ShipStation: the delivery is exported like any other
        self.assertEqual(len(self.shipstation.orders), 1)
        ss_order = next(iter(self.shipstation.orders.values()))
        self.assertEqual([(i["sku"], i["quantity"]) for i in ss_order["items"]],
                         [("POSH-COAT", 2)])
        self.assertEqual(ss_order["shipTo"]["city"], "Austin")
        # ShipStation ships it; SHIP_NOTIFY reaches Odoo; the DSCO shipment goes out
        self.shipstation.ship_order(ss_order["orderKey"], tracking_number="1ZPOSH1",
                                    carrier_code="ups", service_code="ups_ground")
        answers = self.shipstation.deliver_ship_notify()
        self.assertEqual([status for status, _text in answers], [200], answers)
        self.run_jobs()
        self.assertEqual(picking.state, "done")
        self.assertEqual(len(self.dsco.shipments), 1)
        shipment = self.dsco.shipments[0]["shipments"][0]
        self.assertEqual((shipment["trackingNumber"], shipment["shipCarrier"]), ("1ZPOSH1", "UPS"))
        self.assertEqual(shipment["lineItems"], [{"sku": "POSH-COAT", "quantity": 2,
                                                  "lineNumber": 1}])
        self.assertEqual(self.dsco.orders[order["dscoOrderId"]]["lineItems"][0]
                         ["shippedQuantity"], 2)
