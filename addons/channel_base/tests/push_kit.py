"""The shared outbound-idempotency test kit every platform module runs on its pushes.

A worker can die after the platform answered 2xx and before our transaction committed:
the platform has the call, our database does not. The job is then recovered and runs
again, so every push must carry the platform's own idempotency key (an upsert key,
an idempotent mutation) or check the remote state before repeating itself. The kit
proves it on a real push through the platform's simulator.

Use it in a ``TransactionCase`` of the platform module::

    class TestShipStationPushKit(PushIdempotencyKit, ShipStationTestMixin, TransactionCase):
        def _push_kit_job(self):          # one queued push job whose call will succeed
            ...
        def _push_kit_remote_copies(self, job):   # copies the platform holds of it
            ...
"""

from datetime import timedelta

from odoo import fields


class _WorkerDied(Exception):
    """Stands for the worker process dying between the platform's answer and our commit."""


class PushIdempotencyKit:
    def _push_kit_job(self):
        raise NotImplementedError

    def _push_kit_remote_copies(self, job):
        raise NotImplementedError

    def _push_kit_run_until_done(self, job):
        Job = self.env["sync.job"]
        for _attempt in range(5):
            job.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
            Job._run_due_jobs(batch_size=50, time_budget=60, max_jobs=50)
            job.invalidate_recordset()
            if job.state != "pending":
                break
        return job

    def test_push_kit_crash_after_the_platform_answered(self):
        job = self._push_kit_job()
        self.assertEqual(job.state, "pending")
        job.write({"state": "running", "attempts": 1, "worker": "doomed",
                   "started_at": fields.Datetime.now() - timedelta(hours=1)})
        with self.assertRaises(_WorkerDied), self.env.cr.savepoint():
            job._execute()  # the platform answers 2xx ...
            raise _WorkerDied  # ... and the worker dies before our commit
        self.env.invalidate_all()
        self.assertEqual(self._push_kit_remote_copies(job), 1,
                         "the platform received the push before the crash")
        self.assertEqual(job.state, "running", "our side of the push was lost")
        recovered = self.env["sync.job"]._recover_stuck_jobs(timeout_seconds=0)
        self.assertIn(job, recovered)
        self.assertEqual(job.state, "pending")
        self._push_kit_run_until_done(job)
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self._push_kit_remote_copies(job), 1,
                         "after recovery the platform still holds exactly one copy")
