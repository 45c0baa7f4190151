from odoo.tests import TransactionCase, tagged

from .common import ExampleAccountMixin


@tagged("post_install", "-at_install")
class TestConnectionTestResult(ExampleAccountMixin, TransactionCase):
    """Test Connection keeps its result on the account and in the chatter, and names the
    field to fix."""

    example_account_name = "Example connection test"

    def setUp(self):
        super().setUp()
        self.sim.options["api_key"] = self.example_api_key

    def _last_message(self):
        return self.credential.message_ids.sorted("id")[:1].filtered(
            lambda message: "Test Connection" in (message.body or ""))

    def test_success_is_kept_on_the_account_and_in_the_chatter(self):
        action = self.credential.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertTrue(self.credential.last_connection_test_ok)
        self.assertTrue(self.credential.last_connection_test_at)
        self.assertEqual(self.credential.last_connection_test_message, "Example API reachable.")
        self.assertIn("Example API reachable.", self.credential.message_ids[0].body)

    def test_refused_key_names_the_key_field(self):
        self.sim.options["api_key"] = "rotated-on-the-platform"
        action = self.credential.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertFalse(self.credential.last_connection_test_ok)
        message = self.credential.last_connection_test_message
        self.assertIn("401", message)
        self.assertIn("Check the field “Example Api Key”", message)
        self.assertNotIn(self.example_api_key, message)
        self.assertIn("Check the field", self.credential.message_ids[0].body)
        self.assertEqual(action["params"]["message"], message)

    def test_unreachable_server_names_the_api_base_url(self):
        self.credential.api_base_url = "http://127.0.0.1:9"
        self.credential.action_test_connection()
        self.assertFalse(self.credential.last_connection_test_ok)
        self.assertIn("Check the field “API Base URL”",
                      self.credential.last_connection_test_message)

    def test_a_later_success_replaces_the_failure(self):
        self.sim.options["api_key"] = "rotated-on-the-platform"
        self.credential.action_test_connection()
        self.sim.options["api_key"] = self.example_api_key
        self.credential._invalidate_access_token()
        self.credential.action_test_connection()
        self.assertTrue(self.credential.last_connection_test_ok)

    def test_form_shows_the_last_result(self):
        arch = self.env["integration.credential"].get_views([(False, "form")])["views"]["form"]
        for name in ("last_connection_test_at", "last_connection_test_ok",
                     "last_connection_test_message"):
            self.assertIn(f'name="{name}"', arch["arch"])
