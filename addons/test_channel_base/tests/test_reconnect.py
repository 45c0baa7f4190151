from datetime import timedelta

from lxml import etree

from odoo import fields
from odoo.tests import TransactionCase, tagged
from odoo.tools.safe_eval import safe_eval



from .common import ExampleAccountMixin

API_KEY = "example-key"


@tagged("post_install", "-at_install")
class TestReconnectNeeded(ExampleAccountMixin, TransactionCase):
    """A definite authentication refusal pauses the account's scheduled syncs until a
    person changes the credentials or a connection test succeeds."""

    example_api_key = API_KEY
    example_account_name = "Example reconnect"
    example_request_timeout = 5

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.healthy = cls.env["integration.credential"].create({
            "name": "Example healthy", "platform": "example", "api_base_url": cls.sim.url,
            "example_api_key": API_KEY,
        })

    def setUp(self):
        super().setUp()
        self.sim.options["api_key"] = API_KEY

    def _run(self, job):
        job.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
        self.env["sync.job"]._run_due_jobs(batch_size=10, time_budget=30)
        job.invalidate_recordset()
        self.credential.invalidate_recordset()

    def _token_requests(self):
        return [r for r in self.sim.requests if r.path == "/oauth/token"]

    def _refuse_the_key(self):
        """The platform stops accepting the account's key (rotated, revoked)."""
        self.sim.options["api_key"] = "rotated-on-the-platform"
        job = self.credential._enqueue_job("example.push_order", payload={"reference": "A-1"})
        self._run(job)
        return job

    def test_auth_refused_twice_fails_the_job_and_flags_the_account(self):
        job = self._refuse_the_key()
        self.assertEqual((job.state, job.error_kind), ("failed", "auth"))
        self.assertTrue(job.auth_refreshed, "one token refresh was tried first")
        self.assertEqual(len(self._token_requests()), 2, "two grants, then it stops")
        self.assertTrue(self.credential.reconnect_needed)
        self.assertIn("401", self.credential.reconnect_reason)
        self.assertNotIn(API_KEY, self.credential.reconnect_reason)
        self.assertTrue(self.credential.message_ids.filtered(
            lambda message: "Reconnect needed" in (message.body or "")))

    def test_flagged_account_is_left_out_of_scheduled_syncs(self):
        scheduled = self.env["integration.credential"]._scheduled_sync_credentials("example")
        self.assertIn(self.credential, scheduled)
        self._refuse_the_key()
        scheduled = self.env["integration.credential"]._scheduled_sync_credentials("example")
        self.assertNotIn(self.credential, scheduled)
        self.assertIn(self.healthy, scheduled)

    def test_new_api_key_clears_the_flag(self):
        self._refuse_the_key()
        self.assertTrue(self.credential.reconnect_needed)
        self.credential.name = "Renamed"
        self.assertTrue(self.credential.reconnect_needed, "a name is not a credential")
        self.credential.sudo().example_api_key = "rotated-on-the-platform"
        self.assertFalse(self.credential.reconnect_needed)
        self.assertFalse(self.credential.reconnect_reason)
        self.assertIn(self.credential,
                      self.env["integration.credential"]._scheduled_sync_credentials("example"))

    def test_successful_connection_test_clears_the_flag(self):
        self._refuse_the_key()
        self.assertTrue(self.credential.reconnect_needed)
        self.sim.options["api_key"] = API_KEY  # the platform accepts the key again
        self.credential._invalidate_access_token()
        action = self.credential.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertFalse(self.credential.reconnect_needed)

    def test_failed_connection_test_keeps_the_flag(self):
        self._refuse_the_key()
        # The failure is shown and kept on the account (it used to raise, losing it).
        action = self.credential.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("401", self.credential.last_connection_test_message)
        self.assertTrue(self.credential.reconnect_needed)

    def test_transient_errors_never_flag_the_account(self):
        self.env["sync.job.policy"].create({
            "operation": "example.push_order", "max_attempts": 2,
            "backoff_base_seconds": 1, "backoff_max_seconds": 1,
        })
        self.sim.inject("server_error", status=503, count=2, path="/orders")
        job = self.credential._enqueue_job("example.push_order", payload={"reference": "T-1"})
        for _attempt in range(2):
            self._run(job)
        self.assertEqual((job.state, job.error_kind), ("failed", "transient"))
        self.sim.inject("rate_limit", retry_after=1, path="/orders")
        limited = self.credential._enqueue_job("example.push_order", payload={"reference": "T-2"})
        self._run(limited)
        self.assertEqual(limited.error_kind, "rate_limited")
        self.assertFalse(self.credential.reconnect_needed)

    # ------------------------------------------------------------------ UI

    def _arch(self, view_type):
        views = self.env["integration.credential"].get_views([(False, view_type)])
        return etree.fromstring(views["views"][view_type]["arch"])

    def test_search_filter_reconnect_needed(self):
        self._refuse_the_key()
        (node,) = self._arch("search").xpath("//filter[@name='reconnect_needed']")
        self.assertEqual(node.get("string"), "Reconnect needed")
        found = self.env["integration.credential"].search(safe_eval(node.get("domain")))
        self.assertIn(self.credential, found)
        self.assertNotIn(self.healthy, found)

    def test_card_and_form_show_reconnect_needed(self):
        (badge,) = self._arch("kanban").xpath("//*[@name='reconnect_needed_badge']")
        self.assertEqual(badge.get("t-if"), "record.reconnect_needed.raw_value")
        self.assertIn("text-bg-danger", badge[0].get("class"))
        (banner,) = self._arch("form").xpath("//div[@name='reconnect_needed_banner']")
        self.assertEqual(banner.get("invisible"), "not reconnect_needed")
        self.assertIn("alert-danger", banner.get("class"))
        self.assertTrue(banner.xpath(".//field[@name='reconnect_reason']"))
        self.assertTrue(banner.xpath(".//button[@name='action_test_connection']"))
