import json
import logging
import os
import socket
import threading
from datetime import UTC, datetime, timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..exceptions import ChannelError, PermanentError, TransientError, WindowWaitError
from ..http_client import max_wait_hint
from ..job_context import running_job
from ..tools import backoff_delay, without_nul

_logger = logging.getLogger(__name__)

WEBHOOK_OPERATION = "webhook.process"
NOOP_OPERATION = "noop"
LANE_CREDENTIAL_PREFIX = "credential:"
LANE_SYSTEM = "system"
LANE_LOCK_PREFIX = "sync.job lane "
#: Rows one claim looks at (and locks for a moment): enough to step over a full lane.
CLAIM_CANDIDATES = 8
#: Columns the claim returns for the cache: what running a job reads first.
CLAIM_PREFETCH = ("operation", "credential_id", "res_model", "res_id", "payload", "state",
                  "attempts", "max_attempts", "auth_refreshed", "name", "worker",
                  "started_at", "lane", "parent_id")
RUNNER_CRON_XMLIDS = [f"channel_base.ir_cron_sync_job_runner{suffix}"
                      for suffix in ("", "_2", "_3", "_4")]
STATES = [
    ("waiting", "Waiting for parent"),
    ("pending", "Pending"),
    ("running", "Running"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
]


def precise_now():
    """Naive UTC now to the microsecond, like the claim's clock_timestamp() start stamp
    (``fields.Datetime.now()`` drops the microseconds, so a job's duration was off by up
    to a second). Written by SQL: an ORM write would round it to the second again."""
    return datetime.now(UTC).replace(tzinfo=None)


#: One row of attempt history (sync.job.attempt), appended to the outcome's own statement.
ATTEMPT_INSERT = ("INSERT INTO sync_job_attempt (job_id, attempt, started_at, finished_at, "
                  "duration_ms, outcome, error_kind, error, wait_seconds) "
                  "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)")
ERROR_KINDS = [
    ("transient", "Temporary (network, timeout, server error)"),
    ("rate_limited", "Rate limited"),
    ("auth", "Authentication"),
    ("permanent", "Permanent (data or validation)"),
    ("stuck", "Worker stopped while running"),
    ("parent", "Parent job failed"),
]


def _in_test_mode():
    return getattr(threading.current_thread(), "testing", False)


class SyncJob(models.Model):
    """The durable work queue every connector goes through.

    Producers enqueue with a dedup key (a unique partial index keeps one pending twin at
    most, whatever the concurrency); the cron runner claims due jobs with
    ``FOR UPDATE SKIP LOCKED`` so any number of workers on any number of hosts drain it
    without double work, runs each job in its own savepoint, and classifies failures
    into retry-with-backoff or the dead-letter ``failed`` state.
    """

    _name = "sync.job"
    _description = "Sync Job"
    _order = "priority desc, next_attempt_at, id"
    _rec_name = "display_label"

    display_label = fields.Char(compute="_compute_display_label")
    name = fields.Char()
    credential_id = fields.Many2one(
        "integration.credential", "Account", ondelete="cascade", index=True, readonly=True
    )
    platform = fields.Selection(related="credential_id.platform", store=True)
    company_id = fields.Many2one(related="credential_id.company_id", store=True)
    operation = fields.Char(required=True, index=True, readonly=True)
    res_model = fields.Char("Record Model", readonly=True)  # sync_job_res_idx covers it
    res_id = fields.Many2oneReference("Record ID", model_field="res_model", readonly=True)
    payload = fields.Json(readonly=True)
    payload_text = fields.Text("Payload (JSON)", compute="_compute_payload_text")
    dedup_key = fields.Char(readonly=True, copy=False)
    lane = fields.Char(
        readonly=True, default=LANE_SYSTEM,
        help="Jobs of one lane share its capacity (by default the account's 'Parallel "
        "jobs'): a slow or rate-limited account never delays another one.")
    parent_id = fields.Many2one(
        "sync.job", "Parent Job", readonly=True, index="btree_not_null", ondelete="set null",
        help="This job waits until its parent is done, and is cancelled if it fails.")
    child_ids = fields.One2many("sync.job", "parent_id", "Follow-up Jobs")
    state = fields.Selection(STATES, default="pending", required=True, index=True, readonly=True)
    priority = fields.Integer(default=10, help="Higher runs first.")
    attempts = fields.Integer(readonly=True)
    max_attempts = fields.Integer(default=5)
    next_attempt_at = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    started_at = fields.Datetime(readonly=True)
    finished_at = fields.Datetime(readonly=True)
    worker = fields.Char(readonly=True)
    worker_pid = fields.Integer(
        "Worker Connection", readonly=True, copy=False,
        help="PostgreSQL backend of the worker running the job: once that connection is "
        "gone, the worker is dead and the job is recovered.")
    error_kind = fields.Selection(ERROR_KINDS, readonly=True)
    last_error = fields.Text(readonly=True)
    result = fields.Text(readonly=True)
    auth_refreshed = fields.Boolean(readonly=True, copy=False)

    def init(self):
        # One pending job per dedup key, enforced by PostgreSQL: a search-before-insert
        # would let two concurrent producers create twins.
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS sync_job_pending_dedup_uniq "
            "ON sync_job (dedup_key) WHERE state = 'pending' AND dedup_key IS NOT NULL"
        )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS sync_job_due_idx "
            "ON sync_job (priority DESC, next_attempt_at, id) WHERE state = 'pending'"
        )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS sync_job_res_idx ON sync_job (res_model, res_id)"
        )
        # Every index costs each claim and each outcome; these two were never searched.
        self.env.cr.execute(
            "DROP INDEX IF EXISTS sync_job__res_model_index, sync_job__lane_index")

    @api.depends("name", "operation", "res_model", "res_id")
    def _compute_display_label(self):
        for job in self:
            job.display_label = job.name or (
                f"{job.operation} {job.res_model or ''} {job.res_id or ''}".strip()
            )

    @api.depends("payload")
    def _compute_payload_text(self):
        for job in self:
            job.payload_text = (
                json.dumps(job.payload, indent=2, ensure_ascii=False, default=str)
                if job.payload is not None else ""
            )

    # ------------------------------------------------------------------ enqueue

    @api.model
    def _enqueue(self, operation, credential=None, record=None, payload=None, dedup_key=None,
                 **values):
        return self._enqueue_many([dict(
            values, operation=operation, credential=credential, record=record,
            payload=payload, dedup_key=dedup_key,
        )])

    @api.model
    def _enqueue_many(self, specs):
        """Insert jobs in one statement; a spec whose dedup key already has a pending job
        returns that job instead of a twin."""
        if not specs:
            return self.browse()
        policies = {}
        now = fields.Datetime.now()
        rows = [self._job_row(spec, policies, now) for spec in specs]
        self.flush_model()
        ids = self._insert_job_rows(rows)
        keys = [row[6] for row in rows if row[6]]
        if len(ids) < len(rows) and keys:
            self.env.cr.execute(
                "SELECT id FROM sync_job WHERE state = 'pending' AND dedup_key = ANY(%s)",
                (keys,),
            )
            ids = list(dict.fromkeys(ids + [row[0] for row in self.env.cr.fetchall()]))
        self._trigger_runner()
        return self.browse(ids)

    @api.model
    def _job_row(self, spec, policies, now):
        """The INSERT values of one enqueue spec (columns of ``_insert_job_rows``)."""
        operation = spec["operation"]
        if operation not in policies:
            policies[operation] = self.env["sync.job.policy"]._for_operation(operation)
        record = spec.get("record")
        credential = spec.get("credential")
        parent = spec.get("parent")
        if parent:
            self._parents_with_children().add(parent.id)
        payload = spec.get("payload")
        return (
            spec.get("name") or None,
            credential.id if credential else None,
            operation,
            record._name if record else None,
            record.id if record else None,
            json.dumps(without_nul(payload), default=str) if payload is not None else None,
            spec.get("dedup_key") or None,
            spec.get("priority", 10),
            spec.get("max_attempts") or policies[operation]["max_attempts"],
            now + timedelta(seconds=spec.get("delay_seconds") or 0),
            spec.get("lane") or (f"{LANE_CREDENTIAL_PREFIX}{credential.id}" if credential
                                 else LANE_SYSTEM),
            parent.id if parent else None,
            "waiting" if parent and parent.state != "done" else "pending",
            self.env.uid, now, self.env.uid, now,
        )

    @api.model
    def _insert_job_rows(self, rows):
        """One INSERT for every row; ids of the rows inserted (a pending twin: none)."""
        placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s, "
                                  "%s, %s, %s, 0, %s, %s, %s, %s)"] * len(rows))
        self.env.cr.execute(
            f"""INSERT INTO sync_job (name, credential_id, operation, res_model, res_id,
                    payload, dedup_key, priority, max_attempts, next_attempt_at, lane,
                    parent_id, state, attempts, create_uid, create_date, write_uid,
                    write_date)
                VALUES {placeholders}
                ON CONFLICT (dedup_key) WHERE state = 'pending' AND dedup_key IS NOT NULL
                DO NOTHING
                RETURNING id""",  # noqa: S608 - placeholders only
            [value for row in rows for value in row],
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _trigger_runner(self):
        """Wake every runner cron: one that is busy (its row locked by a cron thread) is
        passed over by the others, so a new job never waits for a long batch."""
        if _in_test_mode() or self.env.cr.postcommit.data.get("sync_job_runners_triggered"):
            return  # once per transaction is enough, however many jobs it queues
        crons = self.env["ir.cron"].sudo().browse()
        for xmlid in RUNNER_CRON_XMLIDS:
            crons |= self.env.ref(xmlid, raise_if_not_found=False) or crons.browse()
        crons = crons.filtered("active")
        if not crons:
            return
        now = fields.Datetime.now()
        self.env["ir.cron.trigger"].sudo().create(
            [{"cron_id": cron.id, "call_at": now} for cron in crons])
        # One notification wakes every cron thread of every host, after our commit.
        self.env.cr.postcommit.add(crons[0]._notifydb)
        self.env.cr.postcommit.data["sync_job_runners_triggered"] = True

    # ------------------------------------------------------------------ runner

    @api.model
    def _cron_run_jobs(self, batch_size=None, time_budget=None):
        """Cron entry point (several runner crons share it, so every cron thread of every
        host can drain at once). Never raises: Odoo deactivates a cron that fails 5 times."""
        params = self.env["ir.config_parameter"].sudo()
        batch_size = batch_size or int(params.get_param("channel_base.job_batch_size", 50))
        time_budget = time_budget or int(params.get_param("channel_base.job_time_budget", 50))
        done = 0
        try:
            self._recover_stuck_jobs()
            self._release_orphans()
            self._commit()
            done = self._run_due_jobs(batch_size=batch_size, time_budget=time_budget)
        except Exception:
            _logger.exception("sync.job runner stopped early; the next run resumes")
            self.env.cr.rollback()
        remaining = self.search_count(
            [("state", "=", "pending"), ("next_attempt_at", "<=", fields.Datetime.now())]
        )
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    @api.model
    def _run_due_jobs(self, batch_size=50, time_budget=50.0, max_jobs=None):
        """Claim and run due jobs one at a time, each in its own transaction, until the
        queue is empty or ``time_budget`` seconds are spent. ``batch_size`` is how many
        candidates one claim looks at (jobs of full lanes are passed over)."""
        import time

        deadline = time.monotonic() + time_budget
        worker = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        done = 0
        lane_slot = None  # given back by the next claim's statement: one round trip less
        try:
            while time.monotonic() < deadline and (max_jobs is None or done < max_jobs):
                claimed = self._claim_next_job(worker, min(batch_size, CLAIM_CANDIDATES),
                                               release=lane_slot)
                lane_slot = None
                if not claimed:
                    break
                job, lane_slot = claimed
                job._run_one()
                done += 1
        finally:
            self._release_lane_slot(lane_slot)
        return done

    # ------------------------------------------------------------------ claiming

    @api.model
    def _claim_next_job(self, worker, candidates=CLAIM_CANDIDATES, job_ids=None, release=None):
        """Claim one due job whose lane has a free slot: ``(job, lane_slot)`` or None.

        One statement in a short read-committed transaction of its own (under Odoo's
        default repeatable read, a row another worker claimed after our snapshot would
        raise a serialization failure instead of being skipped), committed before the job
        runs. The lane slot is a session advisory lock, so a lane's capacity holds across
        every worker and host, and a worker that dies gives its slot back with its
        connection. When every candidate's lane is full, those lanes are passed over and
        the next candidates are tried.
        """
        cr = self.env.cr
        system_capacity = max(int(self.env["ir.config_parameter"].sudo().get_param(
            "channel_base.system_lane_capacity", 4)), 1)
        self.env.flush_all()
        if not _in_test_mode():
            cr.commit()  # pylint: disable=invalid-commit
        skip_lanes = set()
        try:
            for round_number in range(50):
                claimed = self._claim_statement(
                    cr, worker, candidates, skip_lanes, job_ids, system_capacity,
                    first=not round_number, release=None if round_number else release)
                if claimed:
                    job_id, lane, slot, has_children, *values = claimed
                    job = self.browse(job_id)
                    job._cache_claimed_values(values)
                    if has_children:
                        job = job.with_context(sync_job_has_children=True)
                    return job, (lane, slot)
                full = self._candidate_lanes(cr, candidates, skip_lanes, job_ids)
                if not full:
                    return None
                skip_lanes |= full
            return None
        finally:
            if not _in_test_mode():
                cr.commit()  # pylint: disable=invalid-commit
            self.invalidate_model(["state", "attempts", "started_at", "worker", "worker_pid"])

    def _cache_claimed_values(self, values):
        """What the claim returned is what running the job reads first: put it in the
        cache instead of reading the row again."""
        for name, value in zip(CLAIM_PREFETCH, values, strict=True):
            field = self._fields[name]
            self.env.cache.update(self, field, [field.convert_to_cache(value, self,
                                                                       validate=False)])

    def _candidate_filter(self, skip_lanes, job_ids):
        """WHERE clause (over alias ``j``) and its parameters for claimable jobs."""
        if job_ids is not None:
            clause = "j.state IN ('pending', 'failed') AND j.id = ANY(%s)"
            params = [list(job_ids)]
        else:
            clause = "j.state = 'pending' AND j.next_attempt_at <= %s"
            params = [fields.Datetime.now()]
        clause += f" AND NOT (COALESCE(j.lane, '{LANE_SYSTEM}') = ANY(%s))"
        params.append(sorted(skip_lanes))
        return clause, params

    @api.model
    def _claim_prefix(self, first, release):
        """Statements sent ahead of the claim, in the same round trip: the transaction's
        settings, and the release of the lane slot the previous job held."""
        prefix, params = "", []
        if first and not _in_test_mode():
            # A claim lost in a crash only leaves the job pending: no need to wait for
            # the disk on this commit (the outcome's commit is durable as ever).
            prefix = ("SET TRANSACTION ISOLATION LEVEL READ COMMITTED; "
                      "SET LOCAL synchronous_commit TO OFF; ")
        if release:
            prefix += "SELECT pg_advisory_unlock(hashtext(%s), %s); "
            params = [LANE_LOCK_PREFIX + release[0], release[1]]
        return prefix, params

    @api.model
    def _claim_statement(self, cr, worker, candidates, skip_lanes, job_ids, system_capacity,
                         first=True, release=None):
        where, params = self._candidate_filter(skip_lanes, job_ids)
        prefix, prefix_params = self._claim_prefix(first, release)
        # LIMIT 1 pulls the lateral slot search row by row: exactly one lock is taken.
        cr.execute(
            f"""{prefix}
            WITH candidate AS (
                SELECT j.id, COALESCE(j.lane, '{LANE_SYSTEM}') AS lane, j.credential_id
                  FROM sync_job j
                 WHERE {where}
              ORDER BY j.priority DESC, j.next_attempt_at, j.id
                 LIMIT %s
            FOR UPDATE SKIP LOCKED
            ), pick AS (
                SELECT candidate.id, candidate.lane, slot.n AS slot
                  FROM candidate
            CROSS JOIN LATERAL (
                       SELECT n FROM generate_series(0, COALESCE(
                                  (SELECT GREATEST(COALESCE(c.job_concurrency, 1), 1)
                                     FROM integration_credential c
                                    WHERE c.id = candidate.credential_id), %s) - 1) AS n
                        WHERE pg_try_advisory_lock(hashtext(%s || candidate.lane), n)
                        LIMIT 1) AS slot
                 LIMIT 1
            )
            UPDATE sync_job
               SET state = 'running', attempts = attempts + 1,
                   started_at = clock_timestamp() AT TIME ZONE 'UTC', finished_at = NULL,
                   worker = %s, worker_pid = pg_backend_pid(),
                   write_date = now() AT TIME ZONE 'UTC'
              FROM pick
             WHERE sync_job.id = pick.id
         RETURNING sync_job.id, pick.lane, pick.slot,
                   EXISTS(SELECT 1 FROM sync_job child WHERE child.parent_id = sync_job.id
                             AND child.state = 'waiting'),
                   {", ".join(f"sync_job.{name}" for name in CLAIM_PREFETCH)}""",  # noqa: S608 - fixed fragments
            [*prefix_params, *params, candidates, system_capacity, LANE_LOCK_PREFIX, worker],
        )
        return cr.fetchone()

    @api.model
    def _candidate_lanes(self, cr, candidates, skip_lanes, job_ids):
        """The lanes of the next candidates: all full when the claim found no slot."""
        where, params = self._candidate_filter(skip_lanes, job_ids)
        cr.execute(
            f"""SELECT DISTINCT lane FROM (
                    SELECT COALESCE(j.lane, '{LANE_SYSTEM}') AS lane FROM sync_job j
                     WHERE {where}
                  ORDER BY j.priority DESC, j.next_attempt_at, j.id LIMIT %s) AS head""",  # noqa: S608
            [*params, candidates],
        )
        return {row[0] for row in cr.fetchall()}

    @api.model
    def _claim_due_job_ids(self, cr, limit, worker):
        """Mark up to ``limit`` due jobs running for this worker, ignoring lanes (used by
        tools that inspect claiming itself); concurrent claimers skip each other's rows."""
        if cr is self.env.cr:
            self.env.flush_all()
        now = fields.Datetime.now()
        cr.execute(
            """WITH claimed AS (
               UPDATE sync_job
                  SET state = 'running', attempts = attempts + 1, started_at = %s,
                      worker = %s, write_date = %s
                WHERE id IN (
                      SELECT id FROM sync_job
                       WHERE state = 'pending' AND next_attempt_at <= %s
                    ORDER BY priority DESC, next_attempt_at, id
                       LIMIT %s
                  FOR UPDATE SKIP LOCKED)
            RETURNING id, priority, next_attempt_at)
            -- RETURNING comes in no particular order: run the batch in queue order.
            SELECT id FROM claimed ORDER BY priority DESC, next_attempt_at, id""",
            (now, worker, now, now, limit),
        )
        ids = [row[0] for row in cr.fetchall()]
        self.invalidate_model(["state", "attempts", "started_at", "worker"])
        return ids

    # ------------------------------------------------------------------ lanes

    @api.model
    def _release_lane_slot(self, lane_slot):
        if lane_slot:
            lane, slot = lane_slot
            self.env.cr.execute(
                "SELECT pg_advisory_unlock(hashtext(%s), %s)", (LANE_LOCK_PREFIX + lane, slot)
            )

    # ------------------------------------------------------------------ running

    def _run_one(self):
        """Run this claimed job and record its outcome. In production the outcome is
        committed at once (one transaction per job: a crash loses at most this job, and
        no lock a job takes outlives it); tests run it in a savepoint instead."""
        self.ensure_one()
        with running_job(self.id):  # the API log links the calls it makes to this job
            if _in_test_mode():
                return self._run_one_in_savepoint()
            return self._run_one_committed()

    def _run_one_in_savepoint(self):
        try:
            with self.env.cr.savepoint():
                result = self._execute()
                self._target_hook("_on_sync_job_done")
        except Exception as error:  # noqa: BLE001 - every failure is classified and recorded
            self._record_failure(error)
            return
        self._mark_done(result)

    def _run_one_committed(self):
        cr = self.env.cr
        try:
            result = self._execute()
            self._target_hook("_on_sync_job_done")
            self._mark_done(result)
            self.env.flush_all()
            cr.commit()  # pylint: disable=invalid-commit
            return
        except Exception as error:  # noqa: BLE001 - every failure is classified and recorded
            failure = error
            cr.rollback()
        try:
            cr.execute("SELECT state FROM sync_job WHERE id = %s FOR UPDATE", (self.id,))
            if (cr.fetchone() or [None])[0] == "running":  # not recovered meanwhile
                self.invalidate_recordset()
                self._record_failure(failure)
            self.env.flush_all()
            cr.commit()  # pylint: disable=invalid-commit
        except Exception:  # noqa: BLE001 - never leave the job running because a hook broke
            _logger.exception("sync.job %s: recording its failure failed", self.id)
            cr.rollback()
            cr.execute(
                "UPDATE sync_job SET state = 'failed', error_kind = 'permanent', "
                "last_error = %s, finished_at = clock_timestamp() AT TIME ZONE 'UTC' "
                "WHERE id = %s AND state = 'running'",
                (f"{type(failure).__name__}: {failure}", self.id),
            )
            cr.commit()  # pylint: disable=invalid-commit

    def _mark_done(self, result):
        # One plain UPDATE: this runs once per job, and the ORM write costs more than the
        # job's own bookkeeping is worth.
        self.flush_recordset()
        now = precise_now()
        # The error of an earlier attempt is history now (kept in the attempt rows): a
        # done job shows no stale error. The attempt row rides on the same round trip.
        self.env.cr.execute(
            "UPDATE sync_job SET state = 'done', finished_at = %s, result = %s, "  # noqa: S608 - constant SQL
            "error_kind = NULL, last_error = NULL, write_date = %s, write_uid = %s "
            "WHERE id = %s; " + ATTEMPT_INSERT,
            (now, result if isinstance(result, str) else (
                json.dumps(result, default=str) if result is not None else None),
             now, self.env.uid, self.id, *self._attempt_row(now, "done")))
        self.invalidate_recordset(["state", "finished_at", "result", "error_kind",
                                   "last_error", "write_date", "write_uid"])
        self._release_children()

    def _execute(self):
        self.ensure_one()
        if self.operation == NOOP_OPERATION:
            return "noop"
        if self.operation == WEBHOOK_OPERATION:
            return self._target()._process()
        credential = self.credential_id
        if not credential:
            raise PermanentError(self.env._("Operation %s needs an account.", self.operation))
        if not credential.active:
            raise PermanentError(self.env._("Account %s is archived.", credential.name))
        credential = credential.with_company(credential.company_id)
        return credential._execute_sync_job(self.with_env(credential.env))

    def _target(self):
        self.ensure_one()
        if not self.res_model or not self.res_id or self.res_model not in self.env:
            return None
        return self.env[self.res_model].browse(self.res_id).exists()

    def _target_hook(self, method_name):
        target = self._target()
        hook = getattr(target, method_name, None) if target else None
        if hook:
            hook(self)

    # ------------------------------------------------------------------ chains

    def _parents_with_children(self):
        """Jobs given follow-ups in this transaction, so that a job without any (known at
        its claim, or enqueued while it ran) costs no query when it is done. The runner's
        sweep (``_release_orphans``) catches whatever this misses."""
        return self.env.cr.precommit.data.setdefault("sync_job_parents_with_children", set())

    def _release_children(self):
        """The parent is done: its follow-ups may run now."""
        if not (self.env.context.get("sync_job_has_children")
                or self.id in self._parents_with_children()):
            return
        self.env.cr.execute(
            "UPDATE sync_job SET state = 'pending', next_attempt_at = %s "
            "WHERE parent_id = %s AND state = 'waiting' RETURNING id",
            (fields.Datetime.now(), self.id))
        if self.env.cr.fetchall():
            self.invalidate_model(["state", "next_attempt_at"])
            self._trigger_runner()

    @api.model
    def _release_orphans(self):
        """Follow-ups whose parent is done but that were not released with it."""
        self.flush_model()
        self.env.cr.execute(
            """UPDATE sync_job child SET state = 'pending', next_attempt_at = %s
                 FROM sync_job parent
                WHERE child.parent_id = parent.id AND child.state = 'waiting'
                  AND parent.state = 'done'""",
            (fields.Datetime.now(),))
        if self.env.cr.rowcount:
            self.invalidate_model(["state", "next_attempt_at"])

    def _cancel_children(self):
        """The parent failed for good: its follow-ups would act on work never done."""
        waiting = self.child_ids.filtered(lambda child: child.state == "waiting")
        if waiting:
            waiting.write({
                "state": "cancelled", "error_kind": "parent",
                "last_error": self.env._("Parent job %(job)s failed: %(error)s",
                                         job=self.display_label, error=self.last_error),
            })
            waiting._cancel_children()

    # ------------------------------------------------------------------ failures

    def _record_failure(self, error):
        kind, message, wait = self._classify(error)
        if wait:
            # Whoever raised it (client or platform code), no hint parks a job for a day.
            wait = min(wait, max_wait_hint(self.env))
        self._log_failure(error, kind, message)
        vals = {"error_kind": kind, "last_error": message, "finished_at": precise_now()}
        vals.update(self._failure_outcome(error, kind, message, wait))
        # finished_at is stamped with the attempt row (an ORM write rounds it to the second).
        self.write({name: value for name, value in vals.items() if name != "finished_at"})
        self._insert_attempt(vals, kind, stamp_finished=True)
        if vals["state"] == "failed":
            self._after_dead_letter(kind, message)

    def _log_failure(self, error, kind, message):
        if kind == "permanent" and not isinstance(error, (ChannelError, UserError)):
            _logger.exception("sync.job %s (%s) failed", self.id, self.operation)
        else:
            _logger.info("sync.job %s (%s) %s: %s", self.id, self.operation, kind, message)

    def _failure_outcome(self, error, kind, message, wait):
        """The state values of a failed attempt: postponed, retried, or dead-lettered."""
        now = fields.Datetime.now()
        if isinstance(error, WindowWaitError):
            # Waiting for our own allowance is no failure: postpone to the moment the
            # window allows the call, without using an attempt or holding the worker.
            return {"state": "pending", "attempts": max(self.attempts - 1, 0),
                    "next_attempt_at": now + timedelta(seconds=max(wait or 1.0, 0.5))}
        if (kind == "auth" and not self.auth_refreshed and self.credential_id
                and getattr(error, "refresh_helps", True)):
            # The client already discarded the token a 401 refused; clearing the store
            # here would wipe a token another worker just obtained.
            if getattr(error, "failed_token", None):
                self.credential_id._discard_access_token(error.failed_token)
            return {"state": "pending", "auth_refreshed": True, "next_attempt_at": now}
        retryable = kind in ("transient", "rate_limited")
        if retryable and self.attempts < self.max_attempts:
            policy = self.env["sync.job.policy"]._for_operation(self.operation)
            delay = backoff_delay(
                self.attempts, policy["backoff_base_seconds"], policy["backoff_max_seconds"],
                wait_hint=wait,
            )
            return {"state": "pending", "next_attempt_at": now + timedelta(seconds=delay)}
        if retryable:
            return {"state": "failed", "last_error": self.env._(
                "Gave up after %(attempts)s attempts. Last error: %(error)s",
                attempts=self.attempts, error=message)}
        return {"state": "failed"}

    def _after_dead_letter(self, kind, message):
        if kind == "auth" and self.credential_id:
            self.credential_id._mark_reconnect_needed(message)
        self._cancel_children()
        with self.env.cr.savepoint():
            self._target_hook("_on_sync_job_failed")

    def _attempt_row(self, finished_at, outcome, kind=None, error=None, wait_seconds=None):
        """Values for ATTEMPT_INSERT: this attempt as the claim left it in the cache."""
        started_at = self.started_at or finished_at
        duration_ms = max(int((finished_at - started_at).total_seconds() * 1000), 0)
        return (self.id, self.attempts, started_at, finished_at, duration_ms, outcome, kind,
                error, wait_seconds)

    def _insert_attempt(self, vals, kind, stamp_finished=False):
        """One history row for the failure ``vals`` just recorded (``stamp_finished``: and
        the job's ``finished_at``, which an ORM write would round to the second)."""
        if kind == "stuck":
            outcome = "stuck"
        elif vals["state"] == "failed":
            outcome = "failed"
        else:
            outcome = "postponed" if vals.get("attempts") is not None else "retry"
        wait = None
        if vals["state"] == "pending" and vals.get("next_attempt_at"):
            wait = max(round((vals["next_attempt_at"] - vals["finished_at"]).total_seconds()), 0)
        row = self._attempt_row(vals["finished_at"], outcome, kind, vals.get("last_error"), wait)
        if not stamp_finished:
            self.env.cr.execute(ATTEMPT_INSERT, row)
            return
        # The job's end to the microsecond, on the attempt row's round trip.
        self.flush_recordset()
        self.env.cr.execute(
            "UPDATE sync_job SET finished_at = %s WHERE id = %s; "  # noqa: S608 - constant SQL
            + ATTEMPT_INSERT, (vals["finished_at"], self.id, *row))
        self.invalidate_recordset(["finished_at"])

    def _classify(self, error):
        """(kind, readable message, wait hint) for any exception a job can raise."""
        if isinstance(error, ChannelError):
            return error.kind, error.message, error.wait
        if isinstance(error, (UserError, ValidationError)):
            return "permanent", str(error.args[0] if error.args else error), None
        if isinstance(error, psycopg2.errors.SerializationFailure | psycopg2.errors.LockNotAvailable
                      | psycopg2.errors.DeadlockDetected):
            message = self.env._("Database busy (%s), will retry.", type(error).__name__)
            return "transient", message, None
        if isinstance(error, TransientError | TimeoutError | ConnectionError):
            return "transient", str(error), None
        return "permanent", f"{type(error).__name__}: {error}", None

    @api.model
    def _recover_stuck_jobs(self, timeout_seconds=None):
        """Jobs left running by a worker that died go back to the queue. A worker is dead
        when the database connection that claimed the job is gone (a killed process
        closes it; PostgreSQL lists every live backend of every host); a job running for
        longer than the timeout on a live connection is left alone."""
        if timeout_seconds is None:
            timeout_seconds = int(self.env["ir.config_parameter"].sudo().get_param(
                "channel_base.job_running_timeout", 60))
        cutoff = fields.Datetime.now() - timedelta(seconds=timeout_seconds)
        self.flush_model()
        self.env.cr.execute(
            """SELECT j.id FROM sync_job j
                WHERE j.state = 'running' AND j.started_at < %s
                  AND NOT EXISTS (
                      SELECT 1 FROM pg_stat_activity a
                       WHERE a.pid = j.worker_pid
                         AND a.backend_start <= j.started_at AT TIME ZONE 'UTC')
             FOR UPDATE OF j SKIP LOCKED""",
            (cutoff,),
        )
        stuck = self.browse([row[0] for row in self.env.cr.fetchall()])
        for job in stuck:
            message = self.env._(
                "The worker %(worker)s stopped while running this job (started %(started)s).",
                worker=job.worker or "?", started=job.started_at,
            )
            retry = job.attempts < job.max_attempts
            vals = {
                "state": "pending" if retry else "failed",
                "error_kind": "stuck",
                "last_error": message,
                "next_attempt_at": fields.Datetime.now(),
            }
            job.write(vals)
            job._insert_attempt(dict(vals, finished_at=vals["next_attempt_at"]), "stuck")
            if not retry:
                job._cancel_children()
                job._target_hook("_on_sync_job_failed")
        return stuck

    def _commit(self):
        # Production commits between steps, so a killed worker loses at most one job;
        # tests run inside one transaction.
        if not _in_test_mode():
            self.env.cr.commit()  # pylint: disable=invalid-commit

    # ------------------------------------------------------------------ actions

    def _refuse_unless(self, states, action):
        refused = self.filtered(lambda job: job.state not in states)
        if refused:
            raise UserError(self.env._(
                "%(action)s is only for %(states)s jobs; %(jobs)s is %(state)s.",
                action=action, states=" / ".join(states), jobs=refused[0].display_label,
                state=dict(STATES)[refused[0].state]))

    def action_retry_now(self):
        self._refuse_unless(("failed", "cancelled", "pending"), self.env._("Retry Now"))
        self.env.flush_all()
        # Claimed like the runner: a job a worker has just taken is skipped, not reset.
        self.env.cr.execute(
            """UPDATE sync_job SET state = 'pending', attempts = 0, auth_refreshed = false,
                      next_attempt_at = %s, write_date = %s, write_uid = %s
                WHERE id IN (SELECT id FROM sync_job WHERE id = ANY(%s)
                               AND state IN ('failed', 'cancelled', 'pending')
                             FOR UPDATE SKIP LOCKED)
            RETURNING id""",
            (fields.Datetime.now(), fields.Datetime.now(), self.env.uid, self.ids),
        )
        retried = self.browse([row[0] for row in self.env.cr.fetchall()])
        self.invalidate_model()
        cancelled_children = self.search(
            [("parent_id", "in", retried.ids), ("state", "=", "cancelled"),
             ("error_kind", "=", "parent")])
        cancelled_children.write({"state": "waiting", "error_kind": False, "last_error": False})
        self._trigger_runner()
        return True

    def action_cancel(self):
        self._refuse_unless(("pending", "failed", "waiting", "cancelled"), self.env._("Cancel"))
        jobs = self.filtered(lambda j: j.state in ("pending", "failed", "waiting"))
        jobs.write({"state": "cancelled"})
        for job in jobs:
            job._cancel_children()
        return True

    def action_run_now(self):
        """Run the selected pending/failed jobs in this request (for support staff),
        claimed exactly as the runner claims them."""
        self.check_access("write")
        self._refuse_unless(("pending", "failed"), self.env._("Run Now"))
        worker = f"manual:{self.env.user.login}"
        # A person asking again gets a full set of attempts, as with Retry Now.
        self.filtered(lambda j: j.state == "failed").write(
            {"attempts": 0, "auth_refreshed": False})
        for job in self:
            claimed = self._claim_next_job(worker, job_ids=job.ids)
            if not claimed:
                raise UserError(self.env._(
                    "%(job)s cannot run now: a worker has it, or its account already runs "
                    "as many jobs as it may.", job=job.display_label))
            claimed_job, lane_slot = claimed
            try:
                claimed_job._run_one()
            finally:
                self._release_lane_slot(lane_slot)
        return True

    def action_open_target(self):
        self.ensure_one()
        target = self._target()
        if not target:
            raise UserError(self.env._("The record of this job no longer exists."))
        return {
            "type": "ir.actions.act_window",
            "res_model": target._name,
            "res_id": target.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------ retention

    @api.model
    def _cron_vacuum(self):
        days = int(self.env["ir.config_parameter"].sudo().get_param(
            "channel_base.retention_days", 30))
        cutoff = fields.Datetime.now() - timedelta(days=days)
        removed = {}
        for model, domain_sql in (
            ("sync_job", "state IN ('done', 'cancelled') AND write_date < %s"),
            ("channel_webhook_event", "state = 'processed' AND write_date < %s"),
            ("channel_api_log", "create_date < %s"),
            ("channel_webhook_refusal", "create_date < %s"),
        ):
            removed[model] = self._delete_in_batches(model, domain_sql, cutoff)
        _logger.info("channel_base retention removed %s", removed)
        return removed

    def _delete_in_batches(self, table, condition, cutoff, batch=5000):
        total = 0
        while True:
            self.env.cr.execute(
                f"DELETE FROM {table} WHERE id IN "  # noqa: S608 - constant table names
                f"(SELECT id FROM {table} WHERE {condition} LIMIT %s)",
                (cutoff, batch),
            )
            deleted = self.env.cr.rowcount
            total += deleted
            self._commit()
            if deleted < batch:
                return total
