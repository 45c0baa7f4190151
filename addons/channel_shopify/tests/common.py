"""One committed Shopify account against the Shopify simulator (tests/simulators/shopify.py)."""

from datetime import datetime


from odoo.addons.channel_base.tests.common import (
    CommittedCredentialMixin,
    drain_jobs,
    start_simulator,
)

from tests.simulators.shopify import ShopifySimulator

ACCESS_TOKEN = "shpat_test_token_0123456789abcdef"
APP_SECRET = "shopify-app-secret-s3cr3t-value"
SKU = "SHOP-MUG"


class ShopifyAccountMixin(CommittedCredentialMixin):
    """``cls.sim`` and ``cls.credential``; each test starts with a clean simulator, an
    empty bucket state and no stored cursor."""

    shopify_account_name = "Shopify test"

    @classmethod
    def setUpClass(cls):
        cls.sim = start_simulator(cls, ShopifySimulator, access_token=ACCESS_TOKEN,
                                  app_secret=APP_SECRET, **cls._shopify_simulator_options())
        cls.credential_id = cls.create_committed_credential({
            "name": cls.shopify_account_name, "platform": "shopify", "api_base_url": cls.sim.url,
            "shopify_shop_domain": "test-shop.myshopify.com",
            "shopify_access_token": ACCESS_TOKEN, "shopify_client_secret": APP_SECRET,
            "shopify_order_start_date": datetime(2020, 1, 1), "request_timeout": 10,
        })
        cls._shopify_default_options = dict(cls.sim.options)
        super().setUpClass()
        cls.credential = cls.env["integration.credential"].browse(cls.credential_id)
        cls.product = cls.env["product.product"].create({
            "name": "Shopify mug", "default_code": SKU, "is_storable": True,
            "list_price": 20.0})
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1)
        cls.env["stock.quant"]._update_available_quantity(
            cls.product, cls.warehouse.lot_stock_id, 1000)

    @classmethod
    def _shopify_simulator_options(cls):
        return {}

    def setUp(self):
        super().setUp()
        self.sim.options.update(self._shopify_default_options)
        self.sim.reset()
        self.env["channel.rate.limit"]._forget([self.credential_id])

    # ------------------------------------------------------------------ helpers

    def drain(self, make_due=True):
        for _round in range(3):
            drain_jobs(self.env, self.credential, make_due=make_due)

    def run_orders_stream(self, code="orders"):
        self.credential._channel_stream(code).action_run_now()
        self.drain()

    def shopify_orders(self):
        return self.env["sale.order"].search(
            [("channel_credential_id", "=", self.credential.id)], order="id")

    def jobs(self, operation):
        return self.env["sync.job"].search([("credential_id", "=", self.credential.id),
                                            ("operation", "=", operation)], order="id")
