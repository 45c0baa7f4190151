"""Shared set-up of the ShipStation tests: a committed credential pointed at a simulator,
products with stock, a US customer, and helpers that drive the real queue."""

import json
import threading
from datetime import UTC, datetime

from odoo import Command, fields
from odoo.modules.registry import Registry
from odoo.tests.common import get_db_name

from odoo.addons.channel_base.tests.common import CommittedCredentialMixin, start_simulator

from tests.simulators.shipstation import ShipStationSimulator

from .. import signature
from ..const import EXPORT_STREAM, OP_EXPORT

API_KEY = "ss-key-7c1f0e2a-a1b2c3"
API_SECRET = "ss-secret-93b1d4e8-d4e5f6"
V2_API_KEY = "ss-v2-key-51aa0c7e-0718"


class ShipStationTestMixin(CommittedCredentialMixin):
    sim_options = {}
    credential_values = {}

    @classmethod
    def setUpClass(cls):
        cls.sim = start_simulator(cls, ShipStationSimulator, api_key=API_KEY,
                                  api_secret=API_SECRET, v2_api_key=V2_API_KEY,
                                  **cls.sim_options)
        cls.credential_id = cls.create_committed_credential(dict({
            "name": f"ShipStation {cls.__name__}",
            "platform": "shipstation",
            "api_base_url": cls.sim.url,
            "shipstation_api_key": API_KEY,
            "shipstation_api_secret": API_SECRET,
            "shipstation_v2_base_url": cls.sim.url,
            "shipstation_jwks_url": cls.sim.url + "/jwks",
            "request_timeout": 10,
            # These tests sell from Odoo itself; which orders an account sends is covered
            # in test_fulfilment.py.
            "shipstation_fulfil_own_orders": True,
        }, **cls.credential_values))
        super().setUpClass()
        env = cls.env
        cls.credential = env["integration.credential"].browse(cls.credential_id)
        cls.warehouse = env["stock.warehouse"].search(
            [("company_id", "=", env.company.id)], limit=1)
        cls.stock_location = cls.warehouse.lot_stock_id
        texas = env["res.country.state"].search(
            [("code", "=", "TX"), ("country_id.code", "=", "US")], limit=1)
        cls.customer = env["res.partner"].create({
            "name": "John Doe", "email": "john.doe@example.com", "phone": "+1 512 555 0100",
            "street": "123 Main St", "city": "Austin", "zip": "78701",
            "state_id": texas.id, "country_id": env.ref("base.us").id,
        })
        cls.widget = cls.make_product("WIDGET-001", "Premium Widget", weight=0.5)
        cls.gadget = cls.make_product("GADGET-002", "Gadget", weight=1.0)

    def setUp(self):
        super().setUp()
        # Odoo's runner marks the test thread; a registry loaded with test_enable in this
        # process unmarks it, and the job runner would then commit inside the test.
        threading.current_thread().testing = True
        self.sim.reset()
        self.env["channel.rate.limit"]._forget([self.credential_id])
        signature.clear_cache()

    # ------------------------------------------------------------------ data

    @classmethod
    def make_product(cls, sku, name, weight=0.0, stock=1000):
        product = cls.env["product.product"].create({
            "name": name, "default_code": sku, "is_storable": True, "weight": weight,
            "list_price": 10.0,
        })
        if stock:
            cls.env["stock.quant"]._update_available_quantity(product, cls.stock_location, stock)
        return product

    def make_sale(self, lines=None, partner=None, confirm=True, **values):
        lines = lines or [(self.widget, 2, 29.99)]
        order = self.env["sale.order"].create(dict({
            "partner_id": (partner or self.customer).id,
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": qty,
                                           "price_unit": price})
                           for product, qty, price in lines],
        }, **values))
        if confirm:
            order.action_confirm()
        return order

    def picking_of(self, order):
        return order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")

    # ------------------------------------------------------------------ queue

    def run_jobs(self):
        """Run what is due, as the cron runner would (no commit under tests)."""
        self.env.flush_all()
        self.env["sync.job"]._run_due_jobs(batch_size=50, time_budget=60)
        self.env.invalidate_all()

    def pending_jobs(self, operation=OP_EXPORT):
        return self.env["sync.job"].search([("operation", "=", operation),
                                            ("state", "=", "pending")])

    def sweep_exports(self):
        """One run of the export sweep stream (what the stream cron queues every 15
        minutes): its one job, run now as a person's Run Now would."""
        job = self.credential._channel_stream(EXPORT_STREAM)._queue_run()
        self.env.flush_all()
        job.action_run_now()
        self.env.invalidate_all()
        return job

    def make_due(self, jobs):
        jobs.write({"next_attempt_at": fields.Datetime.now()})

    # ------------------------------------------------------------------ simulator

    def sim_requests(self, path, method=None):
        return [request for request in self.sim.requests
                if request.path == path and (method is None or request.method == method)]

    def sim_order(self, picking):
        return self.sim.orders[picking.shipstation_order_key]

    def api_logs(self):
        """API logs are committed on their own cursor: read them from a fresh one."""
        with Registry(get_db_name()).cursor() as cr:
            cr.execute("SELECT * FROM channel_api_log WHERE credential_id = %s ORDER BY id",
                       (self.credential_id,))
            return cr.dictfetchall()

    # ------------------------------------------------------------------ webhooks

    def register_webhooks(self):
        self.credential.action_shipstation_register_webhooks()
        self.env.flush_all()

    def deliver_ship_notify(self, shipment_ids=None):
        """The simulator posts SHIP_NOTIFY to this Odoo over HTTP (HttpCase only)."""
        self.env.flush_all()
        answers = self.sim.deliver_ship_notify(shipment_ids)
        self.env.invalidate_all()
        return answers

    def post_webhook(self, payload, token=None, headers=None, raw=None):
        url = f"/channel/webhook/shipstation/{self.credential_id}"
        if token is not False:
            url += "?token=" + (token if token is not None else self.credential.sudo()
                                .webhook_secret)
        body = raw if raw is not None else json.dumps(payload).encode()
        self.env.flush_all()
        response = self.url_open(url, data=body, headers=dict(
            {"Content-Type": "application/json"}, **(headers or {})))
        self.env.invalidate_all()
        return response

    def events(self, **domain):
        return self.env["channel.webhook.event"].search(
            [("credential_id", "=", self.credential_id)]
            + [(name, "=", value) for name, value in domain.items()])

    def inbox_items(self, **domain):
        """Unmatched shipments parked in the inbox (stream "shipments")."""
        return self.env["channel.inbox.item"].search(
            [("credential_id", "=", self.credential_id), ("stream", "=", "shipments")]
            + [(name, "=", value) for name, value in domain.items()])


def utc(*args):
    return datetime(*args, tzinfo=UTC)
