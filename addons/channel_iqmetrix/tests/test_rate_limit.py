"""A 429 from iQmetrix: the job waits until the window the platform names resets.

rate-limiting.md gives the reset as a UTC timestamp (X-RateLimit-Reset:
2015-04-16T17:46:00.0000000Z) and as seconds (X-RateLimit-ResetSeconds); channel_base reads
the wait from those headers. A window of five minutes makes an early retry (the default
backoff) plain to see.
"""
from datetime import UTC, datetime, timedelta

from odoo.tests import tagged

from .common import IqmetrixCase

WINDOW_SECONDS = 300


class RateLimitResetMixin:
    credential_values = {"iqmetrix_send_ordered": False}

    def test_retry_waits_until_the_reset(self):
        self.import_feed()  # uses the window's one dropship request
        job = self.import_feed()
        self.assertEqual((job.state, job.error_kind), ("pending", "rate_limited"))
        self.assertIn("HTTP 429", job.last_error)
        self.assertEqual(len(self.sim.throttled), 1)
        reset_at = datetime.fromtimestamp(self.sim.throttled[0]["reset_at"], UTC).replace(
            tzinfo=None)
        self.assertGreaterEqual(job.next_attempt_at, reset_at - timedelta(seconds=1),
                                "a retry before the reset earns another 429")
        self.assertLessEqual(job.next_attempt_at, reset_at + timedelta(seconds=6),
                             "no longer than the reset and a little jitter")


@tagged("post_install", "-at_install")
class TestRateLimitDocumentedReset(RateLimitResetMixin, IqmetrixCase):
    """The documented headers: X-RateLimit-Reset as an ISO 8601 timestamp, and
    X-RateLimit-ResetSeconds."""

    simulator_options = {"requests_per_minute": 1, "window_seconds": WINDOW_SECONDS}


@tagged("post_install", "-at_install")
class TestRateLimitResetInSeconds(RateLimitResetMixin, IqmetrixCase):
    """The older form: X-RateLimit-Reset in seconds."""

    simulator_options = {"requests_per_minute": 1, "window_seconds": WINDOW_SECONDS,
                         "rate_limit_reset_format": "seconds"}
