from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.tests.paged_import_kit import PagedImportKit

from .. import const
from .common import DscoAccountMixin


@tagged("post_install", "-at_install")
class TestDscoOrdersPagedKit(PagedImportKit, DscoAccountMixin, TransactionCase):
    """The order stream: a page is one read of up to 100 events after the position."""

    dsco_account_name = "DSCO paged kit"
    paged_kit_stream = const.ORDERS_STREAM
    paged_kit_page_size = const.EVENTS_PER_PAGE
    paged_kit_items = 250
    paged_kit_estimates_total = False  # a stream read says nothing of the events after it

    def _paged_kit_reset(self):
        self.sim.reset()
        self.credential._invalidate_access_token()
        self.credential.sudo().dsco_stream_id = False

    def _paged_kit_seed(self, count):
        self.add_orders(count)

    def _paged_kit_fail_page(self, page, times=1):
        self.sim.fail_page(page, status=503, times=times)

    def _paged_kit_imported_keys(self):
        return self.dsco_orders().mapped("channel_external_id")

    def _paged_kit_page_fetches(self):
        stream_id = self.credential.dsco_stream_id
        return [self.sim.page_of(stream_id, 0, position) for position in self.sim.event_reads()]

    def _paged_kit_cursor_after(self, items):
        stream_id = self.credential.dsco_stream_id
        return f'"{self.sim.events[stream_id, 0][items - 1]["id"]}"'
