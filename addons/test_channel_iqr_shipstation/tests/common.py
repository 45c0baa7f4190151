"""The two accounts of the IQ Reseller → ShipStation route, each against its simulator,
committed (API logs, tokens and rate limits are written on their own cursors), with
ShipStation's webhooks registered to the test server."""

from datetime import datetime, timedelta

from odoo import fields
from odoo.tests import HttpCase

from odoo.addons.channel_base.tests.common import CommittedCredentialMixin, start_simulator

from tests.simulators.iqreseller import IQResellerSimulator
from tests.simulators.shipstation import ShipStationSimulator

TIMEZONE = "America/Chicago"
CHANNEL = "DPC - QUIC"


class IqrShipStationCase(CommittedCredentialMixin, HttpCase):
    iqr_key = "iqr-flow-key"
    account_label = "flow"

    @classmethod
    def setUpClass(cls):
        cls.iqr = start_simulator(cls, IQResellerSimulator, api_key=cls.iqr_key)
        cls.shipstation = start_simulator(cls, ShipStationSimulator)
        cls.iqr_credential_id = cls.create_committed_credential({
            "name": f"IQR {cls.account_label}", "platform": "iqreseller",
            "api_base_url": cls.iqr.url, "iqr_signin_url": cls.iqr.url,
            "iqr_api_key": cls.iqr_key, "source_timezone": TIMEZONE, "request_timeout": 10,
            "iqr_order_endpoint": "get_sos", "iqr_tracking_endpoint": "so_udfs",
        })
        cls.ss_credential_id = cls.create_committed_credential({
            "name": f"ShipStation {cls.account_label}", "platform": "shipstation",
            "api_base_url": cls.shipstation.url, "request_timeout": 10,
            "shipstation_api_key": cls.shipstation.options["api_key"],
            "shipstation_api_secret": cls.shipstation.options["api_secret"],
            "shipstation_send_on": "order_confirm",
        })
        super().setUpClass()
        cls.iqr_credential = cls.env["integration.credential"].browse(cls.iqr_credential_id)
        cls.ss_credential = cls.env["integration.credential"].browse(cls.ss_credential_id)
        for sku in ("THINKPAD T450", "DOCK-USB-C"):
            cls.env["product.product"].create({
                "name": f"Product {sku}", "default_code": sku, "type": "consu", "weight": 2.0,
            })

    def setUp(self):
        super().setUp()
        self.iqr.reset()
        self.shipstation.reset()
        # ShipStation posts its webhooks to this test server.
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", self.base_url())
        self.ss_credential.action_shipstation_register_webhooks()

    def run_jobs(self, rounds=6):
        Job = self.env["sync.job"]
        for _round in range(rounds):
            due = Job.search([("state", "=", "pending")])
            if not due:
                return
            due.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
            Job._run_due_jobs(batch_size=100, time_budget=60)
            Job.invalidate_model()

    def add_iqr_order(self, so_number, lines, **values):
        sale_date = datetime.now() - timedelta(days=1)
        return self.iqr.add_so(so=so_number, saledate=sale_date, userdefined5=CHANNEL,
                               details=lines, **values)

    def sale_order(self, so):
        return self.env["sale.order"].search([
            ("channel_credential_id", "=", self.iqr_credential_id),
            ("channel_external_id", "=", str(so["soid"]))])

    def notify_shipments(self):
        answers = self.shipstation.deliver_ship_notify()
        self.assertEqual([status for status, _text in answers], [200], answers)
        self.run_jobs()
