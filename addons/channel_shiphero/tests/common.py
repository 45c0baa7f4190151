"""One committed ShipHero account against the ShipHero simulator
(tests/simulators/shiphero.py) on a manual clock: nobody sleeps for credits."""

import time


from odoo.addons.channel_base.tests.common import (
    CommittedCredentialMixin,
    drain_jobs,
    start_simulator,
)

from tests.simulators.base import ManualClock
from tests.simulators.shiphero import ShipheroSimulator

EMAIL = "brand@example.com"
PASSWORD = "shiphero-pa55word-s3cret"
SKUS = ("SKU-1", "SKU-2", "SKU-3")


class ShipheroAccountMixin(CommittedCredentialMixin):
    """``cls.sim``, ``cls.clock``, ``cls.credential`` (of ``cls.brand``); each test starts
    with a clean simulator, a full credit bucket and no token."""

    shiphero_account_name = "ShipHero test"
    shiphero_page_size = 100

    @classmethod
    def setUpClass(cls):
        cls.clock = ManualClock(time.time())
        cls.sim = start_simulator(cls, ShipheroSimulator, email=EMAIL, password=PASSWORD,
                                  clock=cls.clock)
        cls.credential_id = cls.create_committed_credential({
            "name": cls.shiphero_account_name, "platform": "shiphero",
            "api_base_url": cls.sim.url, "shiphero_email": EMAIL,
            "shiphero_password": PASSWORD, "request_timeout": 5,
            "shiphero_page_size": cls.shiphero_page_size,
            "shiphero_warehouse_ref": "V2FyZWhvdXNlOjExNzkw",
        })
        super().setUpClass()
        cls.credential = cls.env["integration.credential"].browse(cls.credential_id)
        cls.brand = cls.env["res.partner"].create({"name": "Brand A", "is_company": True,
                                                    "shiphero_is_brand": True})
        cls.credential.shiphero_brand_id = cls.brand
        cls.products = cls.env["product.product"].create([
            {"name": f"Product {sku}", "default_code": sku, "type": "consu", "list_price": 10}
            for sku in SKUS])

    def setUp(self):
        super().setUp()
        self.sim.reset()
        self.credential._invalidate_access_token()
        self.env["channel.rate.limit"]._forget([self.credential_id])

    # ------------------------------------------------------------------ helpers

    def drain(self, make_due=True, max_jobs=500):
        drain_jobs(self.env, self.credential, make_due=make_due, max_jobs=max_jobs)

    def run_stream(self, code):
        stream = self.credential._channel_stream(code)
        stream.action_run_now()
        self.drain()
        return stream

    def orders(self):
        return self.env["sale.order"].search(
            [("channel_credential_id", "=", self.credential.id)], order="id")

    def order_of(self, sim_order):
        return self.env["sale.order"].search([
            ("channel_credential_id", "=", self.credential.id),
            ("channel_external_id", "=", sim_order["id"])])
