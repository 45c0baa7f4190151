import os
from unittest.mock import patch

from odoo import tools
from odoo.modules.registry import Registry
from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tests.common import get_db_name

from odoo.addons.channel_base.exceptions import AuthError
from odoo.addons.test_channel_base.client import ExampleClient

from .common import ExampleAccountMixin

SERVER_KEY = "key-given-by-the-server-42"


@tagged("post_install", "-at_install")
class TestServerSecrets(ExampleAccountMixin, TransactionCase):
    """A secret field may come from the environment or odoo.conf instead of the database."""

    example_account_name = "Example server secrets"

    def setUp(self):
        super().setUp()
        self.code = self.credential.account_code
        self.variable = f"CHANNEL_{self.code.upper()}_EXAMPLE_API_KEY"
        self.option = f"channel_{self.code}_example_api_key"
        # The platform now only knows the server's key; the database still holds the old one.
        self.sim.options["api_key"] = SERVER_KEY

    def _server_environment(self, **values):
        return patch.dict(os.environ, values)

    def _odoo_conf(self, **values):
        # tools.config holds odoo.conf as read when the process started.
        return patch.dict(tools.config.options, values)

    def test_account_code_defaults_from_the_name_and_is_unique(self):
        Credential = self.env["integration.credential"]
        first = Credential.create({"name": "Main Store (EU)", "platform": "example"})
        second = Credential.create({"name": "Main store eu", "platform": "example"})
        self.assertEqual(first.account_code, "main_store_eu")
        self.assertEqual(second.account_code, "main_store_eu_2")
        with self.assertRaises(ValidationError):
            second.account_code = "Main-Store"

    def test_environment_value_is_used_by_the_client(self):
        with self._server_environment(**{self.variable: SERVER_KEY}):
            self.assertEqual(self.credential._secret("example_api_key"), SERVER_KEY)
            ExampleClient(self.credential).fetch_orders_page(1, page_size=1)
        (grant,) = [r for r in self.sim.requests if r.path == "/oauth/token"]
        self.assertIn(SERVER_KEY, grant.body.decode())
        self.assertEqual(self.credential.sudo().example_api_key, self.example_api_key,
                         "the database value is left as it was")

    def test_without_server_value_the_database_value_is_used(self):
        self.sim.options["api_key"] = self.example_api_key
        self.assertEqual(self.credential._secret("example_api_key"), self.example_api_key)
        ExampleClient(self.credential).fetch_orders_page(1, page_size=1)

    def test_odoo_conf_value_is_used_and_environment_wins(self):
        with self._odoo_conf(**{self.option: SERVER_KEY}):
            self.assertEqual(self.credential._secret("example_api_key"), SERVER_KEY)
            self.assertEqual(self.credential._secret_source("example_api_key"),
                             ("odoo.conf", self.option))
            with self._server_environment(**{self.variable: "from-env"}):
                self.assertEqual(self.credential._secret("example_api_key"), "from-env")

    def test_form_says_where_each_secret_comes_from_without_showing_it(self):
        with self._server_environment(**{self.variable: SERVER_KEY}):
            self.credential.invalidate_recordset(["secret_source_info"])
            info = self.credential.sudo().secret_source_info
        self.assertIn(f"server environment ({self.variable})", info)
        self.assertNotIn(SERVER_KEY, info)
        self.assertIn("Webhook Secret: database", info)
        self.assertRegex(info, r"Example Client Secret: not set \(database, CHANNEL_")
        arch = self.env["integration.credential"].get_views([(False, "form")])["views"]["form"]
        self.assertIn('name="secret_source_info"', arch["arch"])
        self.assertIn('name="account_code"', arch["arch"])

    def test_server_secret_is_masked_in_the_api_log(self):
        # A refused grant keeps its (masked) request body in the log.
        self.sim.options["api_key"] = "not-the-server-key"
        with self._server_environment(**{self.variable: SERVER_KEY}), \
                self.assertRaises(AuthError):
            ExampleClient(self.credential).fetch_orders_page(1, page_size=1)
        # API logs are committed on their own cursor: read them from a fresh one.
        with Registry(get_db_name()).cursor() as cr:
            cr.execute("SELECT url, request_body FROM channel_api_log WHERE credential_id = %s"
                       " AND request_body IS NOT NULL ORDER BY id DESC", (self.credential.id,))
            logs = cr.fetchall()
        token_calls = [body for url, body in logs if "/oauth/token" in url]
        self.assertTrue(token_calls and token_calls[0], "the grant's body was kept")
        self.assertIn("***", token_calls[0])
        self.assertNotIn(SERVER_KEY, repr(logs))

    def test_webhook_secret_from_the_server_authenticates_deliveries(self):
        variable = f"CHANNEL_{self.code.upper()}_WEBHOOK_SECRET"
        stored = self.credential.sudo().webhook_secret
        with self._server_environment(**{variable: "server-webhook-secret"}):
            self.assertTrue(self.credential._webhook_authenticate(
                b"{}", {}, {"token": "server-webhook-secret"}))
            self.assertFalse(self.credential._webhook_authenticate(b"{}", {}, {"token": stored}))
            self.credential.invalidate_recordset(["webhook_url"])
            self.assertTrue(self.credential.sudo().webhook_url.endswith(
                "?token=server-webhook-secret"))

    def test_rotation_by_field_change_and_by_restart(self):
        """A field change rotates a database secret at once; a server secret changes when
        the process restarts with a new environment (a new os.environ)."""
        self.sim.options["api_key"] = "rotated-in-database"
        self.credential.sudo().example_api_key = "rotated-in-database"
        ExampleClient(self.credential).fetch_orders_page(1, page_size=1)
        self.credential._invalidate_access_token()
        self.sim.options["api_key"] = "rotated-on-server"
        with self._server_environment(**{self.variable: "rotated-on-server"}):
            ExampleClient(self.credential).fetch_orders_page(1, page_size=1)
        grants = [r.body.decode() for r in self.sim.requests if r.path == "/oauth/token"]
        self.assertIn("rotated-in-database", grants[0])
        self.assertIn("rotated-on-server", grants[1])
