import threading
from datetime import timedelta

import psycopg2

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.tests import TransactionCase, tagged
from odoo.tests.common import get_db_name



from .common import ExampleAccountMixin


def _real_cursor():
    return Registry(get_db_name()).cursor()


@tagged("post_install", "-at_install")
class TestQueueConcurrency(TransactionCase):
    """Two real database connections, committed rows: what several workers see."""

    def tearDown(self):
        with _real_cursor() as cr:
            cr.execute("DELETE FROM sync_job WHERE operation LIKE 'test.concurrency%%'")
            cr.commit()  # pylint: disable=invalid-commit
        super().tearDown()

    def _insert_committed_jobs(self, count):
        with _real_cursor() as cr:
            cr.execute(
                "INSERT INTO sync_job (operation, state, priority, attempts, max_attempts, "
                "next_attempt_at) SELECT 'test.concurrency', 'pending', 10, 0, 5, "
                "now() at time zone 'utc' - interval '1 minute' FROM generate_series(1, %s) "
                "RETURNING id", (count,))
            ids = {row[0] for row in cr.fetchall()}
            cr.commit()  # pylint: disable=invalid-commit
        return ids

    def test_two_cursors_never_claim_the_same_job(self):
        ids = self._insert_committed_jobs(40)
        Job = self.env["sync.job"]
        first, second = _real_cursor(), _real_cursor()
        try:
            claimed_first = set(Job._claim_due_job_ids(first, 25, "worker-1")) & ids
            # worker-1 has not committed: its rows are locked, worker-2 skips them.
            claimed_second = set(Job._claim_due_job_ids(second, 25, "worker-2")) & ids
            self.assertEqual(len(claimed_first), 25)
            self.assertEqual(len(claimed_second), 15)
            self.assertFalse(claimed_first & claimed_second)
            first.commit()
            second.commit()
            third = _real_cursor()
            try:
                self.assertFalse(set(Job._claim_due_job_ids(third, 50, "worker-3")) & ids)
            finally:
                third.rollback()
                third.close()
        finally:
            first.close()
            second.close()

    def test_concurrent_producers_cannot_create_twins(self):
        barrier = threading.Barrier(2)
        results = []

        def produce():
            # Like Odoo's request layer, a producer that loses the race to a concurrent
            # insert gets a serialization failure and retries once.
            for attempt in range(2):
                with _real_cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    if attempt == 0:
                        barrier.wait()
                    try:
                        job = env["sync.job"]._enqueue("test.concurrency.dedup",
                                                       dedup_key="same-key")
                        cr.commit()  # pylint: disable=invalid-commit
                    except psycopg2.errors.SerializationFailure:
                        cr.rollback()
                        continue
                    results.append(job.id)
                    return

        threads = [threading.Thread(target=produce) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        self.assertEqual(len(results), 2)
        self.assertEqual(results[0], results[1])
        with _real_cursor() as cr:
            cr.execute("SELECT count(*) FROM sync_job WHERE dedup_key = 'same-key'")
            self.assertEqual(cr.fetchone()[0], 1)


@tagged("post_install", "-at_install")
class TestQueueBehaviour(ExampleAccountMixin, TransactionCase):
    example_account_name = "Example queue"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Job = cls.env["sync.job"]

    def _run(self, jobs, max_jobs=None):
        """Run jobs as the cron would: claim, then execute."""
        jobs.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
        self.Job._run_due_jobs(batch_size=50, time_budget=30, max_jobs=max_jobs)
        jobs.invalidate_recordset()

    def test_push_job_reaches_the_platform_and_is_done(self):
        job = self.credential._enqueue_job("example.push_order", payload={"reference": "R-1"})
        self._run(job)
        self.assertEqual(job.state, "done", job.last_error)
        self.assertIn("R-1", self.sim.orders)
        self.assertEqual(job.attempts, 1)

    def test_dedup_key_returns_the_pending_job(self):
        first = self.credential._enqueue_job("example.push_order", payload={"reference": "A"},
                                             dedup_key="push:A")
        second = self.credential._enqueue_job("example.push_order", payload={"reference": "A"},
                                              dedup_key="push:A")
        self.assertEqual(first, second)
        self._run(first)
        third = self.credential._enqueue_job("example.push_order", payload={"reference": "A"},
                                             dedup_key="push:A")
        self.assertNotEqual(third, first, "a done job must not block a new change")

    def test_transient_error_backs_off_then_dead_letters(self):
        self.env["sync.job.policy"].create({
            "operation": "example.push_order", "max_attempts": 3,
            "backoff_base_seconds": 10, "backoff_max_seconds": 100,
        })
        job = self.credential._enqueue_job("example.push_order", payload={"reference": "T"})
        self.assertEqual(job.max_attempts, 3)
        self.sim.inject("server_error", count=10, path="/orders")
        delays = []
        for _attempt in range(3):
            before = fields.Datetime.now()
            self._run(job)
            if job.state == "pending":
                delays.append((job.next_attempt_at - before).total_seconds())
        self.assertEqual(job.state, "failed")
        self.assertEqual(job.error_kind, "transient")
        self.assertIn("Gave up after 3 attempts", job.last_error)
        self.assertIn("HTTP 500", job.last_error)
        # attempt 1: 10 s window (5..10 s), attempt 2: 20 s window (10..20 s)
        self.assertTrue(4 <= delays[0] <= 11, delays)
        self.assertTrue(9 <= delays[1] <= 21, delays)

    def test_retry_after_is_honoured(self):
        job = self.credential._enqueue_job("example.push_order", payload={"reference": "RA"})
        self.sim.inject("rate_limit", retry_after=120, path="/orders")
        before = fields.Datetime.now()
        self._run(job)
        self.assertEqual(job.state, "pending")
        self.assertEqual(job.error_kind, "rate_limited")
        wait = (job.next_attempt_at - before).total_seconds()
        self.assertTrue(119 <= wait <= 127, wait)

    def test_permanent_error_goes_straight_to_dead_letter(self):
        job = self.credential._enqueue_job("example.fail", payload={"message": "SKU X refused"})
        self._run(job)
        self.assertEqual(job.state, "failed")
        self.assertEqual(job.attempts, 1)
        self.assertEqual(job.error_kind, "permanent")
        self.assertEqual(job.last_error, "SKU X refused")

    def test_expired_token_is_refreshed_once(self):
        job = self.credential._enqueue_job("example.push_order", payload={"reference": "TK"})
        self._run(job)
        self.assertEqual(job.state, "done")
        tokens_issued = len([r for r in self.sim.requests if r.path == "/oauth/token"])
        self.sim.expire_tokens()
        job2 = self.credential._enqueue_job("example.push_order", payload={"reference": "TK2"})
        self._run(job2, max_jobs=1)
        self.assertEqual(job2.state, "pending", "first 401 invalidates the token and requeues")
        self.assertTrue(job2.auth_refreshed)
        self._run(job2, max_jobs=1)
        self.assertEqual(job2.state, "done", job2.last_error)
        self.assertEqual(
            len([r for r in self.sim.requests if r.path == "/oauth/token"]), tokens_issued + 1)

    def test_auth_failure_after_refresh_is_final(self):
        self.credential.sudo().example_api_key = "wrong"
        self.credential._invalidate_access_token()
        job = self.credential._enqueue_job("example.push_order", payload={"reference": "X"})
        self._run(job)
        self.assertEqual(job.state, "failed")
        self.assertTrue(job.auth_refreshed)
        self.assertEqual(job.error_kind, "auth")
        self.assertIn("401", job.last_error)
        self.assertNotIn("wrong", job.last_error)

    def test_failing_job_does_not_roll_back_its_neighbours(self):
        good_before = self.Job._enqueue("noop", name="before")
        bad = self.credential._enqueue_job("example.fail", payload={"message": "boom"})
        order_job = self.credential._enqueue_job("example.push_order", payload={"reference": "N"})
        partner = self.env["res.partner"].create({"name": "Survivor"})
        self._run(good_before | bad | order_job)
        self.assertEqual(good_before.state, "done")
        self.assertEqual(bad.state, "failed")
        self.assertEqual(order_job.state, "done")
        self.assertTrue(partner.exists())

    def test_batch_past_its_time_budget_hands_unstarted_jobs_back(self):
        jobs = self.credential.env["sync.job"]._enqueue_many([
            {"operation": "example.push_order", "credential": self.credential,
             "payload": {"reference": f"B{i}"}} for i in range(3)])
        jobs.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
        self.credential._invalidate_access_token()
        self.sim.inject("slow", seconds=1.0, path="/orders")
        done = self.Job._run_due_jobs(batch_size=50, time_budget=0.5, max_jobs=3)
        jobs.invalidate_recordset()
        self.assertEqual(done, 1, "the budget ran out during the first job")
        self.assertEqual(jobs.mapped("state"), ["done", "pending", "pending"])
        self.assertEqual(jobs[1:].mapped("attempts"), [0, 0], "an unstarted job used no attempt")
        self.assertEqual(set(self.sim.orders), {"B0"})

    def test_stuck_running_job_is_recovered(self):
        job = self.Job._enqueue("noop")
        job.write({"state": "running", "attempts": 1, "worker": "dead-host:123",
                   "started_at": fields.Datetime.now() - timedelta(hours=2)})
        fresh = self.Job._enqueue("noop", name="fresh")
        fresh.write({"state": "running", "started_at": fields.Datetime.now()})
        recovered = self.Job._recover_stuck_jobs(timeout_seconds=900)
        self.assertEqual(recovered, job)
        self.assertEqual(job.state, "pending")
        self.assertEqual(job.error_kind, "stuck")
        self.assertIn("dead-host:123", job.last_error)
        self.assertEqual(fresh.state, "running")
        self._run(job)
        self.assertEqual(job.state, "done")

    def test_stuck_job_at_max_attempts_dead_letters(self):
        job = self.Job._enqueue("noop", max_attempts=2)
        job.write({"state": "running", "attempts": 2,
                   "started_at": fields.Datetime.now() - timedelta(hours=2)})
        self.Job._recover_stuck_jobs(timeout_seconds=900)
        self.assertEqual(job.state, "failed")

    def test_cron_never_raises_and_reports_progress(self):
        jobs = self.Job._enqueue_many([{"operation": "noop"} for _ in range(5)])
        jobs.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
        done = self.Job._cron_run_jobs(batch_size=2, time_budget=20)
        self.assertGreaterEqual(done, 5)
        self.assertEqual(set(jobs.mapped("state")), {"done"})

    def test_buttons_retry_cancel_and_requeue(self):
        job = self.credential._enqueue_job("example.fail", payload={"message": "nope"})
        self._run(job)
        self.assertEqual(self.credential.job_failed_count, 1)
        self.credential.action_requeue_failed_jobs()
        self.assertEqual((job.state, job.attempts), ("pending", 0))
        job.action_cancel()
        self.assertEqual(job.state, "cancelled")
        job.action_retry_now()
        self.assertEqual(job.state, "pending")

    def test_import_moves_cursor_with_the_data(self):
        product = self.env["product.product"].create({"name": "Gadget", "default_code": "G-1"})
        for number in range(1, 151):
            self.sim.add_order({"reference": f"O-{number}", "lines": [{"sku": "G-1", "qty": 2}],
                                "customer": {"name": f"Buyer {number % 7}", "country": "US"}})
        stream = self.credential._channel_stream("orders")
        job = stream._queue_run()
        self._run(job)
        self.Job._run_due_jobs(batch_size=50, time_budget=30)  # the follow-up pages
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(stream.run_state, "idle", stream.last_error)
        orders = self.env["sale.order"].search([("channel_credential_id", "=", self.credential.id)])
        self.assertEqual(len(orders), 150)
        self.assertEqual(orders[0].order_line.product_id, product)
        self.assertEqual(self.credential._get_cursor("orders").value, "150")
        # Idempotent: a second run imports nothing new.
        again = stream._queue_run()
        self._run(again)
        self.assertEqual(again.state, "done", again.last_error)
        self.assertEqual((stream.run_created, stream.run_items_done), (0, 0))

    def test_cursor_does_not_move_when_import_fails(self):
        self.sim.add_order({"reference": "BAD", "lines": [{"sku": "UNKNOWN-SKU", "qty": 1}]})
        stream = self.credential._channel_stream("orders")
        job = stream._queue_run()
        self._run(job)
        self.assertEqual(job.state, "failed")
        self.assertIn("UNKNOWN-SKU", job.last_error)
        self.assertEqual(stream.run_state, "failed")
        self.assertIn("UNKNOWN-SKU", stream.last_error)
        self.assertFalse(self.credential._get_cursor("orders"))
