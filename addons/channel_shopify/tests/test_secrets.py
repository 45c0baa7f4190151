from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.exceptions import AuthError
from odoo.addons.channel_base.tests.secrets_kit import SecretsKit

from ..client import ShopifyClient
from ..queries import SHOP
from .common import ACCESS_TOKEN, APP_SECRET, SKU, ShopifyAccountMixin


@tagged("post_install", "-at_install")
class TestShopifySecretsKit(SecretsKit, ShopifyAccountMixin, TransactionCase):
    shopify_account_name = "Shopify secrets kit"

    def _secrets_kit_platform_secrets(self):
        return [ACCESS_TOKEN, APP_SECRET]

    def _secrets_kit_run_flows(self):
        self.credential.debug_logging = True  # keep every body: the strongest check
        self.sim.seed_orders(2, sku=SKU)
        self.credential._channel_stream("orders").action_run_now()
        self.drain()
        self.credential.action_test_connection()
        self.credential.action_shopify_register_webhooks()
        self.credential.sudo().shopify_access_token = "shpat_a_wrong_token_4242"
        with self.assertRaises(AuthError) as caught:
            ShopifyClient(self.credential).execute(SHOP)
        self.credential._mark_reconnect_needed(caught.exception.message)
        self.credential.sudo().shopify_access_token = ACCESS_TOKEN
