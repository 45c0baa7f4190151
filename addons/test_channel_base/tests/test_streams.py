import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.paged_import import PAGE_OPERATION

from .common import ExampleAccountMixin


@tagged("post_install", "-at_install")
class TestDeclaredStreams(ExampleAccountMixin, TransactionCase):
    """channel.stream records come from the platform's declaration; one cron queues the
    due ones and never runs an import itself."""

    example_account_name = "Example streams"

    def setUp(self):
        super().setUp()
        self.stream = self.credential._channel_stream("orders")
        self.stream.next_run_at = fields.Datetime.now() - timedelta(seconds=1)

    def _page_jobs(self):
        return self.env["sync.job"].search([("credential_id", "=", self.credential.id),
                                            ("operation", "=", PAGE_OPERATION)])

    def _cron(self):
        queued = self.env["channel.stream"]._cron_queue_due_streams()
        self.env.invalidate_all()
        return queued.filtered(lambda stream: stream.credential_id == self.credential)

    def _drain(self):
        self.env["sync.job"]._run_due_jobs(batch_size=8, time_budget=60, max_jobs=100)
        self.env.invalidate_all()

    def test_declared_on_create_with_the_platform_interval(self):
        other = self.env["integration.credential"].create({
            "name": "Declared", "platform": "example", "api_base_url": self.sim.url})
        self.assertEqual(other.stream_ids.mapped("code"), ["orders"])
        self.assertEqual(other.stream_ids.interval_minutes, 10)
        self.assertEqual(other.stream_ids.kind, "paged")
        self.assertTrue(other.stream_ids.next_run_at, "a new stream is due at once")

    def test_due_stream_is_queued_once_while_its_run_is_in_progress(self):
        self.assertEqual(self._cron(), self.stream)
        self.assertEqual(len(self._page_jobs()), 1)
        self.assertEqual(self.stream.run_state, "running")
        self.stream.next_run_at = fields.Datetime.now() - timedelta(seconds=1)
        self.assertFalse(self._cron(), "a run in progress is not started twice")
        self.assertEqual(len(self._page_jobs()), 1)
        self.assertFalse(self.stream._queue_run())
        with self.assertRaises(UserError):
            self.stream.action_run_now()

    def test_the_cron_only_queues(self):
        self.sim.seed_orders(3, "NOPE")
        self._cron()
        self.assertFalse(self.sim.page_fetches(), "the scheduler itself fetched nothing")
        self.assertEqual(self._page_jobs().state, "pending")

    def test_paused_stream_is_not_queued_and_resumes(self):
        self.stream.action_pause()
        self.assertFalse(self._cron())
        self.assertFalse(self._page_jobs())
        self.stream.action_resume()
        self.assertEqual(self._cron(), self.stream)

    def test_reconnect_needed_account_is_not_queued(self):
        self.credential._mark_reconnect_needed("refused")
        self.assertFalse(self._cron())
        self.assertFalse(self._page_jobs())
        self.credential._clear_reconnect_needed()
        self.assertEqual(self._cron(), self.stream)

    def test_interval_is_honoured(self):
        self._cron()
        self._drain()
        self.assertEqual(self.stream.run_state, "idle", self.stream.last_error)
        self.assertEqual(self.stream.next_run_at,
                         self.stream.last_run_at + timedelta(minutes=10))
        self.assertFalse(self._cron(), "not due before its interval")
        self.stream.next_run_at = fields.Datetime.now() - timedelta(seconds=1)
        self.assertEqual(self._cron(), self.stream)

    def test_run_now_runs_a_paused_stream(self):
        self.env["product.product"].create({"name": "Streamed", "default_code": "ST-1"})
        self.sim.seed_orders(3, "ST-1")
        self.stream.action_pause()
        self.stream.action_run_now()
        self._drain()
        self.assertEqual(self.stream.run_state, "idle", self.stream.last_error)
        self.assertEqual(self.stream.run_created, 3)
        self.assertIn("3 created", self.stream.last_result)

    def test_cancelled_run_is_reported_and_the_next_run_resumes(self):
        self._cron()
        self._page_jobs().action_cancel()
        self.stream.next_run_at = fields.Datetime.now() - timedelta(seconds=1)
        self.assertEqual(self._cron(), self.stream, "the interrupted run does not block it")
        self.assertEqual(self.stream.run_state, "running")
        self.assertEqual(len(self._page_jobs().filtered(lambda job: job.state == "pending")), 1)

    def test_progress_estimate_from_the_platform_total(self):
        self.env["product.product"].create({"name": "Streamed", "default_code": "ST-1"})
        self.sim.seed_orders(120, "ST-1")
        self.sim.fail_page(3, status=500)
        self.stream.action_run_now()
        self._drain()
        self.assertEqual((self.stream.run_pages_done, self.stream.run_pages_total), (2, 3))
        self.assertAlmostEqual(self.stream.run_progress, 200 / 3, places=2)
        self.assertGreaterEqual(self.stream.run_seconds_left, 0)
        self.assertEqual(self.credential.stream_running_count, 1)

    def test_page_job_result_carries_the_platform_counters(self):
        self.env["product.product"].create({"name": "Streamed", "default_code": "ST-2"})
        self.sim.seed_orders(60, "ST-2")
        self.stream.action_run_now()
        self._drain()
        results = [json.loads(job.result) for job in self._page_jobs().sorted("id")]
        self.assertEqual([(r["created"], r["already_imported"]) for r in results],
                         [(50, 0), (10, 0)], "the platform's counters are in each result")
