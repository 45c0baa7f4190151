"""The runner's lanes, postponed waits, chained jobs and manual actions, in one database
transaction (the real-process behaviour is in tests/test_runner_processes.py)."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import TransactionCase, tagged
from odoo.tests.common import get_db_name

from odoo.addons.channel_base.models.sync_job import LANE_LOCK_PREFIX
from odoo.addons.channel_base.tests.common import CommittedCredentialMixin, start_simulator

from tests.simulators.example import ExampleSimulator


class _LaneHolder:
    """Another worker (a real connection) running a job of ``lane`` in ``slot``."""

    def __init__(self, lane, slot=0):
        self.key = (LANE_LOCK_PREFIX + lane, slot)
        self.cr = Registry(get_db_name()).cursor()

    def __enter__(self):
        self.cr.execute("SELECT pg_advisory_lock(hashtext(%s), %s)", self.key)
        return self

    def __exit__(self, *exc):
        self.cr.execute("SELECT pg_advisory_unlock(hashtext(%s), %s)", self.key)
        self.cr.close()


@tagged("post_install", "-at_install")
class TestRunner(CommittedCredentialMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = start_simulator(cls, ExampleSimulator, api_key="example-key")
        vals = {"platform": "example", "api_base_url": cls.sim.url,
                "example_api_key": "example-key", "request_timeout": 2}
        cls.first_id = cls.create_committed_credential(dict(vals, name="Lane one"))
        cls.second_id = cls.create_committed_credential(dict(vals, name="Lane two"))
        super().setUpClass()
        Credential = cls.env["integration.credential"]
        cls.first = Credential.browse(cls.first_id)
        cls.second = Credential.browse(cls.second_id)
        cls.Job = cls.env["sync.job"]

    def setUp(self):
        super().setUp()
        self.sim.reset()
        for credential in self.first | self.second:
            credential._invalidate_access_token()
            self.env["channel.rate.limit"]._forget(credential.ids)

    def _push(self, credential, reference, **values):
        job = credential._enqueue_job("example.push_order", payload={"reference": reference},
                                      **values)
        job.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
        return job

    def _run(self, max_jobs=10):
        done = self.Job._run_due_jobs(batch_size=50, time_budget=30, max_jobs=max_jobs)
        self.Job.invalidate_model()
        return done

    # ------------------------------------------------------------------ lanes

    def test_jobs_get_their_account_lane(self):
        job = self._push(self.first, "L0")
        self.assertEqual(job.lane, f"credential:{self.first.id}")
        self.assertEqual(self.Job._enqueue("noop").lane, "system")
        self.assertEqual(self.first.job_concurrency, 1)

    def test_a_busy_lane_never_delays_another_account(self):
        blocked = self._push(self.first, "BUSY", priority=50)
        other = self._push(self.second, "FREE")
        with _LaneHolder(blocked.lane):
            self._run()
            self.assertEqual(other.state, "done", other.last_error)
            self.assertEqual(blocked.state, "pending")
            self.assertEqual(blocked.attempts, 0, "a job passed over used no attempt")
            self.assertEqual(set(self.sim.orders), {"FREE"})
        self._run()
        self.assertEqual(blocked.state, "done")

    def test_lane_capacity_is_the_accounts_parallel_jobs(self):
        self.first.job_concurrency = 2
        job = self._push(self.first, "SECOND-SLOT")
        with _LaneHolder(job.lane, slot=0):
            self._run()
        self.assertEqual(job.state, "done", "slot 1 was free")
        self.first.job_concurrency = 1
        job = self._push(self.first, "NO-SLOT")
        with _LaneHolder(job.lane, slot=0):
            self._run()
        self.assertEqual(job.state, "pending")

    def test_lane_slot_is_given_back_after_each_job(self):
        jobs = self._push(self.first, "S1") | self._push(self.first, "S2")
        self._run()
        self.assertEqual(jobs.mapped("state"), ["done", "done"])
        self.env.cr.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                            "AND pid = pg_backend_pid()")
        self.assertEqual(self.env.cr.fetchone()[0], 0)

    # ------------------------------------------------------------------ waiting

    def test_rate_window_wait_postpones_without_an_attempt_or_a_sleep(self):
        self.first.example_rate_limit = 2  # the token request and one order per minute
        first = self._push(self.first, "W1")
        second = self._push(self.first, "W2")
        other = self._push(self.second, "W3")
        before = fields.Datetime.now()
        self._run()
        self.assertEqual(first.state, "done")
        self.assertEqual(second.state, "pending", "the window was used up")
        self.assertEqual(second.attempts, 0)
        self.assertEqual(second.error_kind, "rate_limited")
        wait = (second.next_attempt_at - before).total_seconds()
        self.assertTrue(50 <= wait <= 62, f"postponed to the window's reset, not {wait}")
        self.assertEqual(other.state, "done", "the other account ran meanwhile")
        self.assertEqual(set(self.sim.orders), {"W1", "W3"})

    def test_platform_429_blocks_the_lane_and_postpones(self):
        job = self._push(self.first, "B1")
        self.first.example_rate_limit = 100
        self.sim.inject("rate_limit", retry_after=90, path="/orders")
        self._run(max_jobs=1)
        self.assertEqual(job.state, "pending")
        follower = self._push(self.first, "B2")
        requests_before = len(self.sim.requests)
        self._run(max_jobs=1)
        self.assertEqual(follower.state, "pending")
        self.assertEqual(follower.attempts, 0, "waiting for the platform's reset is free")
        self.assertEqual(len(self.sim.requests), requests_before, "nothing sent while blocked")
        self.assertGreater((follower.next_attempt_at - fields.Datetime.now()).total_seconds(), 60)

    # ------------------------------------------------------------------ chains

    def test_follow_up_waits_for_its_parent(self):
        parent = self._push(self.first, "P1")
        child = self.first._enqueue_job("example.push_order", payload={"reference": "C1"},
                                        parent=parent)
        self.assertEqual(child.state, "waiting")
        self.assertEqual(parent.child_ids, child)
        self._run(max_jobs=1)
        self.assertEqual(parent.state, "done")
        self.assertEqual(child.state, "pending")
        self._run()
        self.assertEqual(child.state, "done")
        self.assertEqual(list(self.sim.orders), ["P1", "C1"])

    def test_follow_up_of_a_failed_parent_is_cancelled_and_comes_back_on_retry(self):
        parent = self.first._enqueue_job("example.fail", payload={"message": "no"})
        parent.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
        child = self.first._enqueue_job("example.push_order", payload={"reference": "C2"},
                                        parent=parent)
        grandchild = self.first._enqueue_job("noop", parent=child)
        self._run()
        self.assertEqual(parent.state, "failed")
        self.assertEqual((child.state, grandchild.state), ("cancelled", "cancelled"))
        self.assertEqual(child.error_kind, "parent")
        self.assertNotIn("C2", self.sim.orders)
        parent.action_retry_now()
        self.assertEqual(child.state, "waiting")

    def test_follow_up_of_a_done_parent_is_due_at_once(self):
        parent = self._push(self.first, "P3")
        self._run()
        child = self.first._enqueue_job("noop", parent=parent)
        self.assertEqual(child.state, "pending")

    # ------------------------------------------------------------------ manual actions

    def test_run_now_refuses_done_and_running_jobs(self):
        done = self._push(self.first, "D1")
        self._run()
        self.assertEqual(done.state, "done")
        with self.assertRaises(UserError):
            done.action_run_now()
        running = self._push(self.first, "R1")
        running.write({"state": "running"})
        with self.assertRaises(UserError):
            running.action_run_now()
        with self.assertRaises(UserError):
            running.action_retry_now()
        with self.assertRaises(UserError):
            done.action_retry_now()
        self.assertEqual(list(self.sim.orders), ["D1"], "nothing ran twice")

    def test_run_now_runs_a_failed_job_in_its_lane(self):
        job = self.first._enqueue_job("example.push_order", payload={"reference": "F1"})
        job.write({"state": "failed", "attempts": 5})
        job.action_run_now()
        self.assertEqual(job.state, "done")
        self.assertEqual(job.worker, f"manual:{self.env.user.login}")
        busy = self.first._enqueue_job("example.push_order", payload={"reference": "F2"})
        with _LaneHolder(busy.lane), self.assertRaises(UserError):
            busy.action_run_now()
        self.assertNotIn("F2", self.sim.orders)
