from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.exceptions import AuthError

from odoo.addons.channel_base.models.channel_access_token import TOKEN_MARGIN_SECONDS
from odoo.addons.channel_base.token_strategies import StoredTokens

from ..client import DscoClient
from .common import DscoAccountMixin


@tagged("post_install", "-at_install")
class TestDscoToken(DscoAccountMixin, TransactionCase):
    dsco_account_name = "DSCO token"

    def _grants(self):
        return [r for r in self.sim.requests if r.path == "/oauth2/token"]

    def test_client_credentials_token_is_reused(self):
        client = DscoClient(self.credential)
        client.call("GET", "/hello")
        client.call("GET", "/hello")
        DscoClient(self.credential).call("GET", "/hello")
        grants = self._grants()
        self.assertEqual(len(grants), 1, "one token for every call while it is valid")
        form = grants[0].body.decode()
        self.assertIn("grant_type=client_credentials", form)
        self.assertIn("client_id=dsco-client", form)
        hello = [r for r in self.sim.requests if r.path == "/hello"]
        self.assertTrue(hello[0].headers["Authorization"].startswith("Bearer "))

    def test_token_is_reused_until_five_minutes_before_expiry(self):
        client = DscoClient(self.credential)
        grant = client.token_strategy.obtain(client, StoredTokens())
        # stored 240 s early; the store stops reusing a token 60 s before its stored
        # expiry: 300 s before DSCO's own
        self.assertEqual(grant.expires_in - TOKEN_MARGIN_SECONDS, 3600 - 300)

    def test_a_401_discards_the_token_and_the_queue_retries_once_with_a_new_one(self):
        DscoClient(self.credential).call("GET", "/hello")
        self.sim.add_order({"dscoOrderId": "777", "poNumber": "PO-777"})
        self.sim.expire_tokens()  # DSCO revoked it early: the next call answers 401
        job = self.credential._enqueue_job("dsco.acknowledge_orders", payload={"orders": ["777"]})
        self.drain()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(len(self._grants()), 2, "one new token after the 401")
        self.assertEqual(self.sim.acknowledged, ["777"])

    def test_wrong_secret_is_a_clear_auth_error(self):
        self.credential.sudo().dsco_client_secret = "not-the-secret"
        with self.assertRaises(AuthError) as caught:
            DscoClient(self.credential).call("GET", "/hello")
        self.assertFalse(caught.exception.refresh_helps)
        self.assertIn("HTTP 401", caught.exception.message)
        self.assertIn("unknown client", caught.exception.message)
        self.assertNotIn("not-the-secret", caught.exception.message)

    def test_test_connection(self):
        action = self.credential.action_test_connection()
        self.assertIn("DSCO API reachable", action["params"]["message"])
        self.sim.inject("server_error", status=503, path="/hello")
        action = self.credential.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger", "a failed test is shown in red")
        self.assertFalse(self.credential.last_connection_test_ok)
        self.assertIn("503", self.credential.last_connection_test_message)

    def test_poll_interval_default_and_minimum(self):
        self.assertEqual(self.credential.dsco_poll_seconds, 10)
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.credential.dsco_poll_seconds = 4
