import time
from datetime import UTC, datetime, timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.exceptions import RateLimitedError

from tests.simulators.example import ExampleSimulator

from ..client import ExampleClient

from .common import ExampleAccountMixin

API_KEY = "example-key"
# backoff_delay pads a platform's wait with at most 5 s of jitter; Odoo datetimes drop
# microseconds: a job is "at the reset" within these bounds.
EARLY, LATE = timedelta(seconds=1), timedelta(seconds=6)


def _whole_second(moment):
    return moment.replace(microsecond=0)


@tagged("post_install", "-at_install")
class TestRateLimitResetForms(ExampleAccountMixin, TransactionCase):
    """A 429 says when to come back in one of several forms; the job must come back then,
    not earlier (another 429) and not a day later."""

    example_api_key = API_KEY
    example_account_name = "Example 429"
    example_request_timeout = 10

    def _push_once(self, reference="RL-1"):
        job = self.credential._enqueue_job("example.push_order", payload={"reference": reference})
        job.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
        self.env["sync.job"]._run_due_jobs(batch_size=10, time_budget=30, max_jobs=1)
        job.invalidate_recordset()
        self.assertEqual((job.state, job.error_kind), ("pending", "rate_limited"), job.last_error)
        self.assertEqual(job.attempts, 1)
        return job

    def assertAt(self, job, moment):
        expected = _whole_second(moment.astimezone(UTC).replace(tzinfo=None))
        self.assertTrue(expected - EARLY <= job.next_attempt_at <= expected + LATE,
                        f"next attempt {job.next_attempt_at}, reset at {expected}")

    def test_iqmetrix_iso_reset_schedules_the_retry_at_the_reset(self):
        reset_at = _whole_second(datetime.now(UTC)) + timedelta(minutes=10)
        # The documented iQmetrix 429: X-RateLimit-Reset 2015-04-16T17:46:00.0000000Z.
        self.sim.inject("rate_limit", path="/orders", reset=reset_at, reset_format="iso8601",
                        header_prefix="X-RateLimit-")
        job = self._push_once()
        self.assertAt(job, reset_at)
        self.assertNotIn("RL-1", self.sim.orders)

    def test_reset_seconds_and_http_dates_are_understood(self):
        self.sim.inject("rate_limit", path="/orders", reset_seconds=300,
                        header_prefix="X-RateLimit-")
        job = self._push_once("RL-SEC")
        self.assertAt(job, datetime.now(UTC) + timedelta(seconds=300))
        retry_at = _whole_second(datetime.now(UTC)) + timedelta(minutes=7)
        self.sim.inject("rate_limit", path="/orders", retry_after=retry_at)
        job = self._push_once("RL-DATE")
        self.assertAt(job, retry_at)
        reset_at = _whole_second(datetime.now(UTC)) + timedelta(minutes=4)
        self.sim.inject("rate_limit", path="/orders", reset=reset_at, reset_format="epoch")
        job = self._push_once("RL-EPOCH")
        self.assertAt(job, reset_at)

    def test_absurd_reset_is_capped_by_the_setting(self):
        far = datetime.now(UTC) + timedelta(days=3)
        self.sim.inject("rate_limit", path="/orders", reset=far, reset_format="iso8601")
        job = self._push_once("RL-FAR")
        self.assertAt(job, datetime.now(UTC) + timedelta(hours=1))
        self.env["ir.config_parameter"].sudo().set_param("channel_base.rate_limit_max_wait", 900)
        self.sim.inject("rate_limit", path="/orders", reset=far, reset_format="iso8601")
        job = self._push_once("RL-FAR-2")
        self.assertAt(job, datetime.now(UTC) + timedelta(seconds=900))

    def test_past_reset_is_a_short_wait_not_now(self):
        past = datetime.now(UTC) - timedelta(hours=1)
        self.sim.inject("rate_limit", path="/orders", reset=past, reset_format="iso8601",
                        header_prefix="X-RateLimit-")
        before = fields.Datetime.now()
        job = self._push_once("RL-PAST")
        wait = (job.next_attempt_at - before).total_seconds()
        self.assertTrue(4 <= wait <= 12, wait)

    def test_shared_window_is_blocked_until_the_iso_reset(self):
        self.credential.example_rate_limit = 100  # the client reads the window headers
        client = ExampleClient(self.credential)
        client._access_token()
        reset_at = _whole_second(datetime.now(UTC)) + timedelta(minutes=5)
        self.sim.inject("rate_limit", path="/orders", reset=reset_at, reset_format="iso8601",
                        header_prefix="X-RateLimit-")
        with self.assertRaises(RateLimitedError) as caught:
            client.request("GET", "/orders")
        self.assertAlmostEqual(caught.exception.wait, reset_at.timestamp() - time.time(), delta=2)
        state = self.env["channel.rate.limit"]._state(self.credential_id)
        self.assertAlmostEqual(state["blocked_until"], reset_at.timestamp(), delta=2)
        self.assertAlmostEqual(state["window_resets_at"], reset_at.timestamp(), delta=2)

    def test_simulator_window_announced_in_iso_form(self):
        # Three requests a minute: the token, W-1 and W-2; W-3 is refused.
        sim = ExampleSimulator(api_key=API_KEY, rate_limit_per_minute=3, reset_format="iso8601")
        sim.start()
        self.addCleanup(sim.stop)
        self.credential.api_base_url = sim.url
        for reference in ("W-1", "W-2"):
            job = self.credential._enqueue_job("example.push_order",
                                               payload={"reference": reference})
            self.env["sync.job"]._run_due_jobs(batch_size=10, time_budget=30, max_jobs=1)
            job.invalidate_recordset()
            self.assertEqual(job.state, "done", job.last_error)
        job = self._push_once("W-3")
        self.assertEqual(set(sim.orders), {"W-1", "W-2"})
        # The window opened with the first counted request and lasts 60 s.
        self.assertTrue(
            fields.Datetime.now() + timedelta(seconds=50) <= job.next_attempt_at
            <= fields.Datetime.now() + timedelta(seconds=67), job.next_attempt_at)
