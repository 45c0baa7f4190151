"""Shared setup of the iQmetrix tests: a committed credential pointed at the simulator,
products by SKU, and helpers that run the queue the way the cron does."""

import json
from datetime import UTC, datetime, timedelta

import requests

from odoo import fields
from odoo.modules.registry import Registry
from odoo.tests import TransactionCase
from odoo.tests.common import get_db_name

from odoo.addons.channel_base.models import channel_access_token
from odoo.addons.channel_base.paged_import import PAGE_OPERATION
from odoo.addons.channel_base.tests.common import CommittedCredentialMixin, start_simulator

from tests.simulators.iqmetrix import IqmetrixSimulator

CLIENT_SECRET = "iqm-secret-5b1e7f0c9a"
USERNAME = "supplier-api-user"
PASSWORD = "supplier-pass-93c1d2e4"


class IqmetrixCase(CommittedCredentialMixin, TransactionCase):
    simulator_options = {}
    credential_values = {}  # committed with the credential (no row lock held by the test)

    @classmethod
    def setUpClass(cls):
        cls.sim = start_simulator(cls, IqmetrixSimulator, client_secret=CLIENT_SECRET,
                                  username=USERNAME, password=PASSWORD,
                                  **cls.simulator_options)
        cls.credential_id = cls.create_committed_credential({
            "name": "iQmetrix test", "platform": "iqmetrix", "environment": "sandbox",
            "api_base_url": cls.sim.url + "/v1", "iqmetrix_accounts_url": cls.sim.url + "/v1",
            "iqmetrix_supplier_id": "60455", "iqmetrix_client_id": "iqm-client",
            "iqmetrix_client_secret": CLIENT_SECRET, "iqmetrix_username": USERNAME,
            "iqmetrix_password": PASSWORD, "request_timeout": 10,
            "iqmetrix_feed_start_at": datetime(2000, 1, 1), **cls.credential_values,
        })
        super().setUpClass()
        cls.credential = cls.env["integration.credential"].browse(cls.credential_id)
        Product = cls.env["product.product"]
        cls.phone_case = Product.create({"name": "Phone Case", "default_code": "CASE-1",
                                         "type": "consu", "list_price": 20.0})
        cls.charger = Product.create({"name": "Charger", "default_code": "CHG-2",
                                      "type": "consu", "list_price": 30.0})
        cls.tablet = Product.create({"name": "Tablet", "default_code": "TAB-3", "type": "consu",
                                     "is_storable": True, "list_price": 300.0})

    def setUp(self):
        super().setUp()
        self.sim.reset()
        self.credential._invalidate_access_token()

    # ------------------------------------------------------------------ queue

    def run_jobs(self, max_jobs=None):
        """Run every due job, as the cron runner does."""
        self.env["sync.job"].search([("state", "=", "pending")]).write(
            {"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
        self.env["sync.job"]._run_due_jobs(batch_size=50, time_budget=600, max_jobs=max_jobs)
        self.env.invalidate_all()

    def feed_stream(self):
        return self.credential._channel_stream("feed")

    def import_feed(self):
        """One run of the feed stream (as the stream cron or Fetch Orders Now starts it):
        returns its last page job."""
        stream = self.feed_stream()
        first = stream._queue_run()
        self.assertTrue(first, "no feed run in progress")
        self.run_jobs()
        return self.env["sync.job"].search([
            ("operation", "=", PAGE_OPERATION), ("res_model", "=", "channel.stream"),
            ("res_id", "=", stream.id), ("id", ">=", first.id)], order="id desc", limit=1)

    def run_result(self):
        """What the last feed run did, from its stream."""
        stream = self.feed_stream()
        return {"created": stream.run_created, "skipped": stream.run_skipped,
                "failed": stream.run_failed, "pages": stream.run_pages_done,
                "entries": stream.run_items_done}

    def push_jobs(self, order):
        return self.env["sync.job"].search([
            ("operation", "=", "iqmetrix.push_status"), ("res_model", "=", "sale.order"),
            ("res_id", "=", order.id)])

    # ------------------------------------------------------------------ records

    def orders(self):
        return self.env["sale.order"].search(
            [("channel_credential_id", "=", self.credential_id)], order="id")

    def order_for(self, order_id):
        return self.env["sale.order"].search([
            ("channel_credential_id", "=", self.credential_id),
            ("channel_external_id", "=", order_id)])

    def marker(self):
        """The committed feed marker (JSON text), or None."""
        cursor = self.credential._get_cursor("feed")
        marker = (json.loads(cursor.value) if cursor and cursor.value else {}).get("marker")
        return json.dumps(marker) if marker else None

    def ship(self, order, quantities, tracking, carrier=None, backorder=True):
        """Validate the order's open delivery with {product: quantity}; the rest stays in a
        backorder (or, with backorder=False, is cancelled: "No Backorder")."""
        picking = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel"))
        self.assertEqual(len(picking), 1, "one open delivery expected")
        picking.write({"carrier_tracking_ref": tracking,
                       "carrier_id": carrier.id if carrier else False})
        for move in picking.move_ids:
            move.quantity = quantities.get(move.product_id, 0)
            move.picked = True
        context = {"skip_backorder": True}
        if not backorder:
            context["picking_ids_not_to_backorder"] = picking.ids
        picking.with_context(**context).button_validate()
        self.assertEqual(picking.state, "done")
        return picking

    def open_delivery(self, order):
        return order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel"))

    def last_body(self, order):
        return self.sim.updates_for(order.channel_external_id)[-1]["body"]

    def sent_tracking(self, order):
        """Every TrackingInfo value iQmetrix was sent for the order, in order."""
        values = []
        for update in self.sim.updates_for(order.channel_external_id):
            body = update["body"]
            values += [item.get("TrackingInfo") for item in body.get("ItemInformation", [body])]
        return [value for value in values if value is not None]

    def external_update(self, order_id, endpoint, body):
        """A status update made by another system of the supplier (it reaches the feed)."""
        token = requests.post(f"{self.sim.url}/v1/oauth2/token", timeout=10, data={
            "grant_type": "password", "client_id": "iqm-client", "client_secret": CLIENT_SECRET,
            "username": USERNAME, "password": PASSWORD}).json()["access_token"]
        answer = requests.put(
            f"{self.sim.url}/v1/Suppliers(60455)/Orders({order_id})/{endpoint}",
            json=dict(body, Id=order_id), timeout=10,
            headers={"Authorization": f"Bearer {token}"})
        self.assertEqual(answer.status_code, 202, answer.text)

    # ------------------------------------------------------------------ logs

    def api_logs(self):
        """API logs are committed on their own cursor: read them from a fresh one."""
        with Registry(get_db_name()).cursor() as cr:
            cr.execute("SELECT * FROM channel_api_log WHERE credential_id = %s ORDER BY id",
                       (self.credential_id,))
            return cr.dictfetchall()

    def stored_tokens(self):
        with Registry(get_db_name()).cursor() as cr:
            cr.execute("SELECT * FROM channel_access_token WHERE credential_ref = %s",
                       (self.credential_id,))
            return cr.dictfetchone()

    def set_stored_token_expiry(self, access_in=None, refresh_in=None):
        """Move the stored expiry times as the passing of time would."""
        channel_access_token._PROCESS_CACHE.clear()
        now = datetime.now(UTC).replace(tzinfo=None)
        with Registry(get_db_name()).cursor() as cr:
            if access_in is not None:
                cr.execute("UPDATE channel_access_token SET expires_at = %s "
                           "WHERE credential_ref = %s",
                           (now + timedelta(seconds=access_in), self.credential_id))
            if refresh_in is not None:
                cr.execute("UPDATE channel_access_token SET refresh_expires_at = %s "
                           "WHERE credential_ref = %s",
                           (now + timedelta(seconds=refresh_in), self.credential_id))
            cr.commit()  # pylint: disable=invalid-commit


class IqmetrixStatusCase(IqmetrixCase):
    """Orders imported and confirmed, a carrier mapped to the Purolator provider."""

    def setUp(self):
        super().setUp()
        ground = self.env["product.product"].create({"name": "Ground", "type": "service"})
        self.carrier = self.env["delivery.carrier"].create(
            {"name": "Purolator Ground", "product_id": ground.id})
        self.env["channel.carrier.map"].create({
            "platform": "iqmetrix", "credential_id": self.credential_id,
            "carrier_id": self.carrier.id, "provider_name": "Purolator"})

    def imported(self, items):
        order_id = self.sim.add_order(items=items)
        self.import_feed()
        order = self.order_for(order_id)
        self.assertEqual(order.state, "sale")
        return order
