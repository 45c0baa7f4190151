import time
from datetime import datetime, timedelta, UTC

from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.paged_import import PagedImport
from odoo.addons.channel_base.tests.paged_import_kit import PagedImportKit

from tests.simulators.shopify import _cursor

from .. import const
from ..orders_stream import orders_page_size
from .common import SKU, ShopifyAccountMixin


@tagged("post_install", "-at_install")
class TestShopifyOrdersPagedKit(PagedImportKit, ShopifyAccountMixin, TransactionCase):
    """The incremental order import: a page is one orders read, as many orders as fit in
    1000 points."""

    shopify_account_name = "Shopify paged kit"
    paged_kit_stream = const.ORDERS_STREAM
    paged_kit_page_size = orders_page_size()
    paged_kit_items = orders_page_size() * 2 + 3
    paged_kit_estimates_total = False  # orders pages carry no total

    @classmethod
    def _shopify_simulator_options(cls):
        # the bucket is not what this kit tests; orders two minutes apart, so the next
        # run's overlap window (10 minutes) re-reads the last page only
        return {"restore_rate": 5000.0, "stamp_step": 120,
                "clock": lambda: time.time() - 86400}

    def _paged_kit_reset(self):
        self.sim.reset()
        self.env["channel.rate.limit"]._forget([self.credential.id])

    def _paged_kit_seed(self, count):
        self.sim.seed_orders(count, sku=SKU)

    def _paged_kit_fail_page(self, page, times=1):
        self.sim.fail_page(page, status=503, times=times)

    def _paged_kit_imported_keys(self):
        return self.shopify_orders().mapped("channel_external_id")

    def _paged_kit_page_fetches(self):
        return [page for page, _first in self.sim.order_reads]

    def _paged_kit_cursor_after(self, items):
        orders = sorted(self.sim.orders.values(), key=lambda o: (o["updatedAt"], o["id"]))
        newest = orders[items - 1]["updatedAt"]
        if items == len(orders):
            moment = datetime.strptime(newest, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            since = moment - timedelta(minutes=const.OVERLAP_MINUTES)
            return PagedImport.dump_cursor({"since": since.strftime("%Y-%m-%dT%H:%M:%SZ")})
        return PagedImport.dump_cursor({"since": "2020-01-01T00:00:00Z",
                                        "after": _cursor(items - 1), "max": newest})
