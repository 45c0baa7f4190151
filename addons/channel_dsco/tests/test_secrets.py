from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.exceptions import AuthError
from odoo.addons.channel_base.tests.secrets_kit import SecretsKit

from ..client import DscoClient
from .common import DscoAccountMixin


@tagged("post_install", "-at_install")
class TestDscoSecretsKit(SecretsKit, DscoAccountMixin, TransactionCase):
    dsco_account_name = "DSCO secrets kit"

    def _secrets_kit_platform_secrets(self):
        return list(self.sim.token_expiry) + self.sim.issued_secrets

    def _secrets_kit_run_flows(self):
        self.credential.debug_logging = True  # keep every body: the strongest check
        self.add_orders(2)
        self.run_orders_stream()  # token grant, stream, events, acknowledge, position
        self.sim.expire_tokens()  # a refused token, then a new grant
        self.add_orders(1, prefix="AGAIN")
        self.run_orders_stream()
        self.credential.dsco_client_secret = "a-wrong-client-secret-42"
        with self.assertRaises(AuthError) as caught:
            DscoClient(self.credential).call("GET", "/hello")
        self.credential._mark_reconnect_needed(caught.exception.message)
