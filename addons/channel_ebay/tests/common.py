"""One committed eBay account against the eBay simulator (tests/simulators/ebay.py)."""



from odoo.addons.channel_base.tests.common import (
    CommittedCredentialMixin,
    drain_jobs,
    start_simulator,
)

from tests.simulators.ebay import EbaySimulator, sample_order

APP_ID = "ebay-test-app"
CERT_ID = "ebay-test-cert-s3cr3t"
REFRESH_TOKEN = "v^1.1#r^1#consent-refresh-token-s3cr3t"
RUNAME = "Odoo_Test-OdooTest-RuName"
VERIFICATION_TOKEN = "verification_token_0123456789_abcdefghijkl"


class EbayAccountMixin(CommittedCredentialMixin):
    """``cls.sim`` and ``cls.credential``; each test starts with a clean simulator and no
    token."""

    ebay_account_name = "eBay test"

    @classmethod
    def setUpClass(cls):
        cls.sim = start_simulator(cls, EbaySimulator, app_id=APP_ID, cert_id=CERT_ID,
                                  runame=RUNAME, refresh_token=REFRESH_TOKEN,
                                  **cls._ebay_simulator_options())
        cls.credential_id = cls.create_committed_credential({
            "name": cls.ebay_account_name, "platform": "ebay", "api_base_url": cls.sim.url,
            "environment": "sandbox", "ebay_app_id": APP_ID, "ebay_cert_id": CERT_ID,
            "ebay_dev_id": "ebay-dev", "ebay_runame": RUNAME, "ebay_refresh_token": REFRESH_TOKEN,
            "ebay_verification_token": VERIFICATION_TOKEN,
            "ebay_fulfillment_policy_id": "F1", "ebay_payment_policy_id": "P1",
            "ebay_return_policy_id": "R1", "ebay_merchant_location_key": "warehouse-1",
            "request_timeout": 5, **cls._ebay_account_values(),
        })
        cls._ebay_default_options = dict(cls.sim.options)
        super().setUpClass()
        cls.credential = cls.env["integration.credential"].browse(cls.credential_id)
        cls.product = cls.env["product.product"].create({
            "name": "Brake pad set", "default_code": "EBAY-PAD", "is_storable": True,
            "list_price": 19.99})
        cls.stock_location = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1).lot_stock_id
        cls.env["stock.quant"]._update_available_quantity(cls.product, cls.stock_location, 1000)

    @classmethod
    def _ebay_simulator_options(cls):
        return {}

    @classmethod
    def _ebay_account_values(cls):
        return {}

    def setUp(self):
        super().setUp()
        self.sim.options.update(self._ebay_default_options)
        self.sim.reset()
        self.credential._invalidate_access_token()
        self.env["channel.rate.limit"]._forget([self.credential_id])

    # ------------------------------------------------------------------ helpers

    def add_order(self, sku="EBAY-PAD", username="buyer1", **extra):
        return self.sim.add_order(sample_order(sku, username, **extra))

    def drain(self, make_due=True):
        drain_jobs(self.env, self.credential, make_due=make_due)

    def run_stream(self, code="orders"):
        self.credential._channel_stream(code).action_run_now()
        self.drain()

    def ebay_orders(self):
        return self.env["sale.order"].search(
            [("channel_credential_id", "=", self.credential.id)], order="id")
