"""One committed DSCO account against the DSCO simulator (tests/simulators/dsco.py)."""



from odoo.addons.channel_base.tests.common import (
    CommittedCredentialMixin,
    drain_jobs,
    start_simulator,
)

from tests.simulators.dsco import DscoSimulator, sample_order

CLIENT_ID = "dsco-client"
CLIENT_SECRET = "dsco-secret-s3cr3t-value"


class DscoAccountMixin(CommittedCredentialMixin):
    """``cls.sim`` and ``cls.credential``; each test starts with a clean simulator, no
    token, no stream id and no stored position."""

    dsco_account_name = "DSCO test"

    @classmethod
    def setUpClass(cls):
        cls.sim = start_simulator(cls, DscoSimulator, client_id=CLIENT_ID,
                                  client_secret=CLIENT_SECRET, **cls._dsco_simulator_options())
        cls.credential_id = cls.create_committed_credential({
            "name": cls.dsco_account_name, "platform": "dsco", "api_base_url": cls.sim.url,
            "dsco_client_id": CLIENT_ID, "dsco_client_secret": CLIENT_SECRET,
            "request_timeout": 5,
        })
        cls._dsco_default_options = dict(cls.sim.options)
        super().setUpClass()
        cls.credential = cls.env["integration.credential"].browse(cls.credential_id)
        cls.product = cls.env["product.product"].create({
            "name": "Poshmark jacket", "default_code": "POSH-JACKET", "is_storable": True,
            "list_price": 25.0})
        cls.stock_location = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1).lot_stock_id
        cls.env["stock.quant"]._update_available_quantity(cls.product, cls.stock_location, 100000)

    @classmethod
    def _dsco_simulator_options(cls):
        return {}

    def setUp(self):
        super().setUp()
        self.sim.options.update(self._dsco_default_options)  # a test may change them
        self.sim.reset()
        self.credential._invalidate_access_token()
        self.env["channel.rate.limit"]._forget([self.credential_id])

    # ------------------------------------------------------------------ helpers

    def add_orders(self, count, sku="POSH-JACKET", prefix="PO"):
        return self.sim.seed_orders(count, sku, prefix=prefix)

    def add_order(self, po_number, sku="POSH-JACKET", **extra):
        return self.sim.add_order(sample_order(po_number, sku, **extra))

    def drain(self, make_due=True):
        drain_jobs(self.env, self.credential, make_due=make_due)

    def run_orders_stream(self):
        self.credential._channel_stream("orders").action_run_now()
        self.drain()

    def dsco_orders(self):
        return self.env["sale.order"].search(
            [("channel_credential_id", "=", self.credential.id)], order="id")


class DscoCatalogMixin(DscoAccountMixin):
    """A DSCO account with a warehouse code, a category path and published products."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1)
        apparel = cls.env["product.category"].create({"name": "Apparel"})
        cls.tops = cls.env["product.category"].create({"name": "Tops", "parent_id": apparel.id})
        cls.shoes = cls.env["product.category"].create({"name": "Shoes", "parent_id": apparel.id})
        cls.product.write({"categ_id": cls.tops.id, "dsco_brand": "Closet",
                           "dsco_image_urls": "https://cdn.example.com/jacket-front.jpg"})
        cls.boots = cls.env["product.product"].create({
            "name": "Poshmark boots", "default_code": "POSH-BOOTS", "is_storable": True,
            "list_price": 60.0, "categ_id": cls.shoes.id})
        cls.credential.write({
            "dsco_warehouse_code_ids": [(0, 0, {"warehouse_id": cls.warehouse.id,
                                                "code": "WH-01"})],
            "dsco_category_path_ids": [(0, 0, {"categ_id": cls.tops.id,
                                               "path": "Apparel||Tops||Jackets"})],
            "dsco_product_ids": [(6, 0, (cls.product | cls.boots).ids)],
        })
        cls.env["stock.quant"]._update_available_quantity(cls.boots, cls.warehouse.lot_stock_id, 7)

    def drain_all(self, rounds=6):
        """Run the jobs until none is pending (change log re-reads are queued later)."""
        for _round in range(rounds):
            self.drain()
            if not self.env["sync.job"].search_count([
                    ("credential_id", "=", self.credential.id), ("state", "=", "pending")]):
                return

    def binding(self, product):
        return self.env["channel.product.binding"].with_context(active_test=False).search([
            ("credential_id", "=", self.credential.id), ("product_id", "=", product.id)])

    def push_catalog(self):
        self.credential.action_dsco_push_catalog()
        self.drain_all()

    def calls(self, method, path):
        return [r for r in self.sim.requests if r.method == method and r.path == path]
