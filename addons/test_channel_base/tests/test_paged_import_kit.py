from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.tests.paged_import_kit import PagedImportKit

from ..paged_orders import PAGE_SIZE
from .common import ExampleAccountMixin


@tagged("post_install", "-at_install")
class TestExamplePagedImportKit(PagedImportKit, ExampleAccountMixin, TransactionCase):
    """The example platform's orders stream: page numbers, a cursor counting orders."""

    example_account_name = "Example paged kit"
    paged_kit_stream = "orders"
    paged_kit_page_size = PAGE_SIZE

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["product.product"].create({"name": "Kit gadget", "default_code": "KIT-SKU"})

    def _paged_kit_reset(self):
        self.sim.reset()  # forgets the tokens it issued too
        self.credential._invalidate_access_token()

    def _paged_kit_seed(self, count):
        self.sim.seed_orders(count, "KIT-SKU")

    def _paged_kit_fail_page(self, page, times=1):
        self.sim.fail_page(page, status=503, times=times)

    def _paged_kit_imported_keys(self):
        return self.env["sale.order"].search(
            [("channel_credential_id", "=", self.credential.id)]).mapped("channel_external_id")

    def _paged_kit_page_fetches(self):
        return self.sim.page_fetches()

    def _paged_kit_cursor_after(self, items):
        return str(items)
