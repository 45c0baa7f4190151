import base64
import json

from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.exceptions import AuthError
from odoo.addons.channel_base.tests.paged_import_kit import PagedImportKit
from odoo.addons.channel_base.tests.secrets_kit import SecretsKit

from .. import const
from ..client import ShipheroClient
from .common import ShipheroAccountMixin


@tagged("post_install", "-at_install")
class TestShipheroOrdersPagedKit(PagedImportKit, ShipheroAccountMixin, TransactionCase):
    """The orders stream (backfill): a crash or a failure at any page resumes at the first
    uncommitted page, with no duplicate and no gap."""

    shiphero_account_name = "ShipHero paged kit"
    shiphero_page_size = 25
    paged_kit_stream = const.ORDERS_STREAM
    paged_kit_page_size = 25
    paged_kit_items = 60
    paged_kit_estimates_total = False  # ShipHero's pageInfo has no total

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.credential.shiphero_overlap_minutes = 0

    def _paged_kit_reset(self):
        self.sim.reset()
        self.credential._invalidate_access_token()

    def _paged_kit_seed(self, count):
        self.sim.seed_orders(count, lines=(("SKU-1", 1),), age_seconds=5)

    def _paged_kit_fail_page(self, page, times=1):
        for attempt in range(times):
            self.sim.fail_operation("OrdersPage", page + attempt, status=503)

    def _paged_kit_imported_keys(self):
        return self.orders().mapped("channel_external_id")

    def _paged_kit_page_fetches(self):
        pages = []
        for variables in self.sim.executed("OrdersPage"):
            after = variables.get("after")
            index = int(base64.b64decode(after).decode().split(":")[1]) + 1 if after else 0
            pages.append(index // self.paged_kit_page_size + 1)
        return pages

    def _paged_kit_cursor_after(self, items):
        stored = json.loads(self._paged_kit_cursor())
        if items == self.paged_kit_items:
            return json.dumps({"next_since": stored.get("next_since")}, sort_keys=True)
        after = base64.b64encode(f"arrayconnection:{items - 1}".encode()).decode()
        # ``lines``: the most lines an order of the last page had; ``credits``: what its
        # answer left (both for the next page's size, not for where it starts).
        return json.dumps({"after": after, "credits": stored.get("credits"), "lines": 1,
                           "since": stored.get("since"), "started": stored.get("started")},
                          sort_keys=True)


@tagged("post_install", "-at_install")
class TestShipheroSecretsKit(SecretsKit, ShipheroAccountMixin, TransactionCase):
    shiphero_account_name = "ShipHero secrets kit"

    def _secrets_kit_platform_secrets(self):
        return list(self.sim.issued_secrets)

    def _secrets_kit_run_flows(self):
        self.credential.debug_logging = True  # keep every body: the strongest check
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "http://127.0.0.1:9")
        self.sim.seed_orders(2)
        self.run_stream(const.ORDERS_STREAM)  # sign-in, quota, pages, history
        self.credential.action_shiphero_register_webhooks()  # five secrets answered once
        self.sim.expire_tokens()  # a refused token, then the refresh grant
        with self.assertRaises(AuthError):
            ShipheroClient(self.credential).quota()
        ShipheroClient(self.credential).quota()
        self.credential.shiphero_password = "a-wrong-password-42"
        self.sim.revoke_refresh_tokens()
        self.sim.expire_tokens()
        with self.assertRaises(AuthError) as caught:
            ShipheroClient(self.credential).quota()
        self.credential._mark_reconnect_needed(caught.exception.message)
