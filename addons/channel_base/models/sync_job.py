import json
import logging
import os
import socket
import threading
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..exceptions import ChannelError, PermanentError, TransientError
from ..http_client import max_wait_hint
from ..tools import backoff_delay, without_nul

_logger = logging.getLogger(__name__)

WEBHOOK_OPERATION = "webhook.process"
NOOP_OPERATION = "noop"
STATES = [
    ("pending", "Pending"),
    ("running", "Running"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
]
ERROR_KINDS = [
    ("transient", "Temporary (network, timeout, server error)"),
    ("rate_limited", "Rate limited"),
    ("auth", "Authentication"),
    ("permanent", "Permanent (data or validation)"),
    ("stuck", "Worker stopped while running"),
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
        "integration.credential", ondelete="cascade", index=True, readonly=True
    )
    platform = fields.Selection(related="credential_id.platform", store=True)
    company_id = fields.Many2one(related="credential_id.company_id", store=True)
    operation = fields.Char(required=True, index=True, readonly=True)
    res_model = fields.Char("Record Model", index=True, readonly=True)
    res_id = fields.Many2oneReference("Record ID", model_field="res_model", readonly=True)
    payload = fields.Json(readonly=True)
    payload_text = fields.Text("Payload (JSON)", compute="_compute_payload_text")
    dedup_key = fields.Char(readonly=True, copy=False)
    state = fields.Selection(STATES, default="pending", required=True, index=True, readonly=True)
    priority = fields.Integer(default=10, help="Higher runs first.")
    attempts = fields.Integer(readonly=True)
    max_attempts = fields.Integer(default=5)
    next_attempt_at = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    started_at = fields.Datetime(readonly=True)
    finished_at = fields.Datetime(readonly=True)
    worker = fields.Char(readonly=True)
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
        rows = []
        for spec in specs:
            operation = spec["operation"]
            if operation not in policies:
                policies[operation] = self.env["sync.job.policy"]._for_operation(operation)
            record = spec.get("record")
            credential = spec.get("credential")
            delay = spec.get("delay_seconds") or 0
            rows.append((
                spec.get("name") or None,
                credential.id if credential else None,
                operation,
                record._name if record else None,
                record.id if record else None,
                json.dumps(without_nul(spec.get("payload")), default=str)
                if spec.get("payload") is not None else None,
                spec.get("dedup_key") or None,
                spec.get("priority", 10),
                spec.get("max_attempts") or policies[operation]["max_attempts"],
                now + timedelta(seconds=delay),
                self.env.uid, now, self.env.uid, now,
            ))
        self.flush_model()
        placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s, "
                                  "'pending', 0, %s, %s, %s, %s)"] * len(rows))
        params = [value for row in rows for value in row]
        self.env.cr.execute(
            f"""INSERT INTO sync_job (name, credential_id, operation, res_model, res_id,
                    payload, dedup_key, priority, max_attempts, next_attempt_at, state,
                    attempts, create_uid, create_date, write_uid, write_date)
                VALUES {placeholders}
                ON CONFLICT (dedup_key) WHERE state = 'pending' AND dedup_key IS NOT NULL
                DO NOTHING
                RETURNING id""",  # noqa: S608 - placeholders only
            params,
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        keys = [row[6] for row in rows if row[6]]
        if len(ids) < len(rows) and keys:
            self.env.cr.execute(
                "SELECT id FROM sync_job WHERE state = 'pending' AND dedup_key = ANY(%s)",
                (keys,),
            )
            ids = list(dict.fromkeys(ids + [row[0] for row in self.env.cr.fetchall()]))
        self._trigger_runner()
        return self.browse(ids)

    def _trigger_runner(self):
        cron = self.env.ref("channel_base.ir_cron_sync_job_runner", raise_if_not_found=False)
        if cron and not _in_test_mode():
            cron.sudo()._trigger()

    # ------------------------------------------------------------------ runner

    @api.model
    def _cron_run_jobs(self, batch_size=None, time_budget=None):
        """Cron entry point. Never raises: Odoo deactivates a cron that fails 5 times."""
        params = self.env["ir.config_parameter"].sudo()
        batch_size = batch_size or int(params.get_param("channel_base.job_batch_size", 50))
        time_budget = time_budget or int(params.get_param("channel_base.job_time_budget", 50))
        done = 0
        try:
            self._recover_stuck_jobs()
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
        import time

        deadline = time.monotonic() + time_budget
        worker = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        done = 0
        while time.monotonic() < deadline and (max_jobs is None or done < max_jobs):
            limit = batch_size if max_jobs is None else min(batch_size, max_jobs - done)
            job_ids = self._claim_in_own_transaction(limit, worker)
            if not job_ids:
                break
            ran = self.browse(job_ids)._run_claimed(deadline)
            self._commit()
            done += len(ran)
        return done

    def _claim_in_own_transaction(self, limit, worker):
        """Claim in a short read-committed transaction of its own: under Odoo's default
        repeatable read, a row another worker claimed and committed after our snapshot
        would raise a serialization failure instead of being skipped."""
        if _in_test_mode():
            return self._claim_due_job_ids(self.env.cr, limit, worker)
        self.env.flush_all()
        self._commit()
        self.env.cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        job_ids = self._claim_due_job_ids(self.env.cr, limit, worker)
        self._commit()
        return job_ids

    @api.model
    def _claim_due_job_ids(self, cr, limit, worker):
        """Mark up to ``limit`` due jobs running for this worker; concurrent claimers skip
        each other's rows instead of waiting or taking them twice."""
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

    def _run_claimed(self, deadline=None):
        """Run the claimed jobs; past ``deadline`` (time.monotonic), hand the ones not yet
        started back to the queue, so a slow batch never runs a cron worker into Odoo's
        time limits. Returns the jobs that ran."""
        import time

        # Hold the rows while they run: stuck-job recovery skips locked rows, so only the
        # jobs of a worker that really died (its connection and locks gone) are recovered.
        self.env.cr.execute("SELECT id FROM sync_job WHERE id IN %s FOR UPDATE", [tuple(self.ids)])
        for index, job in enumerate(self):
            if deadline is not None and index and time.monotonic() > deadline:
                self[index:]._release_unstarted()
                return self[:index]
            job._run_one()
        return self

    def _release_unstarted(self):
        for job in self:
            job.write({"state": "pending", "attempts": max(job.attempts - 1, 0),
                       "worker": False, "started_at": False})

    def _run_one(self):
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                result = self._execute()
                self._target_hook("_on_sync_job_done")
        except Exception as error:  # noqa: BLE001 - every failure is classified and recorded
            self._record_failure(error)
            return
        self.write({
            "state": "done",
            "finished_at": fields.Datetime.now(),
            "result": result if isinstance(result, str) else (
                json.dumps(result, default=str) if result is not None else False
            ),
            "error_kind": False,
        })

    def _execute(self):
        self.ensure_one()
        if self.operation == NOOP_OPERATION:
            return "noop"
        if self.operation == WEBHOOK_OPERATION:
            return self._target()._process()
        credential = self.credential_id
        if not credential:
            raise PermanentError(self.env._("Operation %s needs a credential.", self.operation))
        if not credential.active:
            raise PermanentError(self.env._("Credential %s is archived.", credential.name))
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

    # ------------------------------------------------------------------ failures

    def _record_failure(self, error):
        kind, message, wait = self._classify(error)
        if wait:
            # Whoever raised it (client or platform code), no hint parks a job for a day.
            wait = min(wait, max_wait_hint(self.env))
        if kind == "permanent" and not isinstance(error, (ChannelError, UserError)):
            _logger.exception("sync.job %s (%s) failed", self.id, self.operation)
        else:
            _logger.info("sync.job %s (%s) %s: %s", self.id, self.operation, kind, message)
        policy = self.env["sync.job.policy"]._for_operation(self.operation)
        vals = {"error_kind": kind, "last_error": message, "finished_at": fields.Datetime.now()}
        if kind == "auth" and not self.auth_refreshed and self.credential_id:
            self.credential_id._invalidate_access_token()  # shared cache, own cursor
            vals.update(state="pending", auth_refreshed=True, next_attempt_at=fields.Datetime.now())
        elif kind in ("transient", "rate_limited") and self.attempts < self.max_attempts:
            delay = backoff_delay(
                self.attempts, policy["backoff_base_seconds"], policy["backoff_max_seconds"],
                wait_hint=wait,
            )
            vals.update(
                state="pending",
                next_attempt_at=fields.Datetime.now() + timedelta(seconds=delay),
            )
        else:
            if kind in ("transient", "rate_limited"):
                vals["last_error"] = self.env._(
                    "Gave up after %(attempts)s attempts. Last error: %(error)s",
                    attempts=self.attempts, error=message,
                )
            vals["state"] = "failed"
        self.write(vals)
        if vals["state"] == "failed" and kind == "auth" and self.credential_id:
            self.credential_id._mark_reconnect_needed(message)
        if vals["state"] == "failed":
            with self.env.cr.savepoint():
                self._target_hook("_on_sync_job_failed")

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
        """Jobs left running by a worker that died go back to the queue."""
        if timeout_seconds is None:
            timeout_seconds = int(self.env["ir.config_parameter"].sudo().get_param(
                "channel_base.job_running_timeout", 900))
        cutoff = fields.Datetime.now() - timedelta(seconds=timeout_seconds)
        self.flush_model()
        self.env.cr.execute(
            "SELECT id FROM sync_job WHERE state = 'running' AND started_at < %s "
            "FOR UPDATE SKIP LOCKED",
            (cutoff,),
        )
        stuck = self.browse([row[0] for row in self.env.cr.fetchall()])
        for job in stuck:
            message = self.env._(
                "The worker %(worker)s stopped while running this job (started %(started)s).",
                worker=job.worker or "?", started=job.started_at,
            )
            retry = job.attempts < job.max_attempts
            job.write({
                "state": "pending" if retry else "failed",
                "error_kind": "stuck",
                "last_error": message,
                "next_attempt_at": fields.Datetime.now(),
            })
            if not retry:
                job._target_hook("_on_sync_job_failed")
        return stuck

    def _commit(self):
        # Commit per batch in production, so a killed worker loses at most one batch of
        # bookkeeping (the jobs go back to the queue); tests run inside one transaction.
        if not _in_test_mode():
            self.env.cr.commit()  # pylint: disable=invalid-commit

    # ------------------------------------------------------------------ actions

    def action_retry_now(self):
        jobs = self.filtered(lambda j: j.state in ("failed", "cancelled", "pending"))
        jobs.write({
            "state": "pending",
            "attempts": 0,
            "auth_refreshed": False,
            "next_attempt_at": fields.Datetime.now(),
        })
        self._trigger_runner()
        return True

    def action_cancel(self):
        running = self.filtered(lambda j: j.state == "running")
        if running:
            raise UserError(
                self.env._("A running job cannot be cancelled; wait for it to finish.")
            )
        self.filtered(lambda j: j.state in ("pending", "failed")).write({"state": "cancelled"})
        return True

    def action_run_now(self):
        """Run the selected pending/failed jobs in this request (for support staff)."""
        self.check_access("write")
        self.action_retry_now()
        for job in self:
            job.write({"state": "running", "attempts": job.attempts + 1,
                       "started_at": fields.Datetime.now(), "worker": "manual"})
            job._run_one()
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
