import math
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..exceptions import PermanentError
from ..paged_import import PAGE_OPERATION, POLL_OPERATION, ImportStats, PagedImport

RUN_STATES = [
    ("idle", "Idle"),
    ("running", "Running"),
    ("failed", "Failed"),
]
#: Counters of the current (or last) run, reset when a new run starts.
RUN_COUNTERS = ("run_pages_done", "run_items_done", "run_created", "run_updated",
                "run_skipped", "run_failed")


class ChannelStream(models.Model):
    """A periodic stream a credential offers (orders import, shipments poll, ...).

    Declared by the platform in ``integration.credential._channel_stream_specs()``; the
    records only keep the schedule, the pause switch and how the current run is going.
    One cron (``_cron_queue_due_streams``) queues the due ones; it never imports itself.
    """

    _name = "channel.stream"
    _description = "Channel Stream"
    _order = "credential_id, code"

    credential_id = fields.Many2one(
        "integration.credential", "Account", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="credential_id.company_id", store=True)
    platform = fields.Selection(related="credential_id.platform", store=True)
    code = fields.Char(required=True, readonly=True)
    name = fields.Char("Stream", required=True, readonly=True)
    kind = fields.Selection([("paged", "Paged import"), ("job", "Job")], readonly=True)
    active = fields.Boolean(default=True, help="Off once the platform no longer declares it.")
    interval_minutes = fields.Integer("Every (minutes)", default=15, required=True)
    paused = fields.Boolean(help="Paused streams are not scheduled; Run Now still works.")
    last_run_at = fields.Datetime("Last Run Started", readonly=True)
    last_finished_at = fields.Datetime("Last Run Finished", readonly=True)
    next_run_at = fields.Datetime("Next Run", readonly=True)
    run_state = fields.Selection(RUN_STATES, default="idle", required=True, readonly=True)
    last_result = fields.Char(readonly=True)
    last_error = fields.Text(readonly=True)
    run_job_id = fields.Many2one("sync.job", "Current Job", readonly=True, ondelete="set null")
    run_started_at = fields.Datetime(readonly=True)
    run_pages_done = fields.Integer("Pages Done", readonly=True)
    run_items_done = fields.Integer("Items Done", readonly=True)
    run_created = fields.Integer("Created", readonly=True)
    run_updated = fields.Integer("Updated", readonly=True)
    run_skipped = fields.Integer("Skipped", readonly=True)
    run_failed = fields.Integer("Failed Items", readonly=True)
    run_pages_left = fields.Integer(
        "Pages Left (platform estimate)", readonly=True,
        help="-1: the platform gave no estimate.", default=-1)
    run_items_left = fields.Integer("Items Left (platform estimate)", readonly=True, default=-1)
    run_pages_total = fields.Integer("Pages (estimate)", compute="_compute_run_estimate")
    run_seconds_left = fields.Integer("Seconds Left (estimate)", compute="_compute_run_estimate")
    run_progress = fields.Float("Progress %", compute="_compute_run_estimate")
    cursor_value = fields.Char("Cursor", compute="_compute_cursor_value")

    _sql_constraints = [
        ("code_uniq", "unique(credential_id, code)", "One stream per credential and code."),
    ]

    @api.depends("run_pages_done", "run_pages_left", "run_items_done", "run_items_left",
                 "run_started_at", "run_state")
    def _compute_run_estimate(self):
        now = fields.Datetime.now()
        for stream in self:
            total = stream._estimated_pages_total()
            stream.run_pages_total = total
            done = stream.run_pages_done
            stream.run_progress = 100.0 * done / total if total else 0.0
            elapsed = (now - stream.run_started_at).total_seconds() if stream.run_started_at \
                else 0
            running = stream.run_state == "running"
            stream.run_seconds_left = (
                round(elapsed / done * (total - done)) if running and done and total else -1)

    def _estimated_pages_total(self):
        """Pages of the run: done + the platform's estimate of what is left, else derived
        from the items left at the run's own items-per-page rate; 0 when unknown."""
        if self.run_pages_left >= 0:
            return self.run_pages_done + self.run_pages_left
        if self.run_items_left >= 0 and self.run_pages_done and self.run_items_done:
            per_page = self.run_items_done / self.run_pages_done
            return self.run_pages_done + math.ceil(self.run_items_left / per_page)
        return 0

    def _compute_cursor_value(self):
        for stream in self:
            stream.cursor_value = stream.credential_id._get_cursor(stream.code).value or ""

    # ------------------------------------------------------------------ declaration

    @api.model
    def _sync_declarations(self, credentials):
        """Create / update / archive the stream records of ``credentials`` from what their
        platform declares; a person's interval and pause are kept."""
        for credential in credentials:
            specs = {spec.code: spec for spec in credential._channel_stream_specs()}
            existing = self.with_context(active_test=False).search(
                [("credential_id", "=", credential.id)])
            for stream in existing:
                declared = stream.code in specs
                if stream.active != declared:
                    stream.active = declared
            known = set(existing.mapped("code"))
            self.create([self._values_from_spec(credential, spec)
                         for code, spec in specs.items() if code not in known])

    @api.model
    def _values_from_spec(self, credential, spec):
        return {
            "credential_id": credential.id, "code": spec.code, "name": spec.label,
            "kind": "paged" if spec.paged_import else "job",
            "interval_minutes": spec.interval_minutes, "next_run_at": fields.Datetime.now(),
        }

    def _spec(self):
        self.ensure_one()
        for spec in self.credential_id._channel_stream_specs():
            if spec.code == self.code:
                return spec
        raise PermanentError(self.env._(
            "Stream %(stream)s is no longer offered by %(platform)s.",
            stream=self.code, platform=self.credential_id.platform))

    # ------------------------------------------------------------------ scheduling

    @api.model
    def _cron_queue_due_streams(self):
        """Every minute: queue the due streams of every schedulable account (active, no
        reconnect needed, stream not paused and no run of it in progress)."""
        credentials = self.env["integration.credential"].sudo().search([("active", "=", True)])
        self.sudo()._sync_declarations(credentials)
        self.sudo()._fail_interrupted_runs()
        due = self.sudo().search([
            ("paused", "=", False), ("run_state", "!=", "running"),
            ("credential_id", "in", credentials.filtered(
                lambda credential: not credential.reconnect_needed).ids),
            "|", ("next_run_at", "=", False), ("next_run_at", "<=", fields.Datetime.now()),
        ])
        queued = self.browse()
        for stream in due:
            if stream._queue_run():
                queued |= stream
        return queued

    def _queue_run(self):
        """Start a run (or resume a failed one at its committed cursor): queue its first
        job. Returns the job, or False when a run is already in progress."""
        self.ensure_one()
        if not self._lock_idle():
            return False
        resume = self.run_state == "failed" and self.kind == "paged"
        now = fields.Datetime.now()
        vals = {"run_state": "running", "last_run_at": now, "last_error": False,
                "next_run_at": now + timedelta(minutes=max(self.interval_minutes, 1))}
        if not resume:
            vals.update(dict.fromkeys(RUN_COUNTERS, 0), run_started_at=now,
                        run_pages_left=-1, run_items_left=-1)
        job = self._enqueue_run_job(first=not resume)
        vals["run_job_id"] = job.id
        self.write(vals)
        return job

    def _lock_idle(self):
        """Lock this stream's row unless a run is in progress or someone else holds it:
        a cron and a Run Now racing never start two walks."""
        self.flush_recordset()
        self.env.cr.execute(
            "SELECT id FROM channel_stream WHERE id = %s AND run_state != 'running' "
            "FOR UPDATE SKIP LOCKED", (self.id,))
        locked = bool(self.env.cr.fetchone())
        self.invalidate_recordset(["run_state"])
        return locked

    def _dedup_key(self):
        return f"channel.stream:{self.credential_id.id}:{self.code}"

    def _enqueue_run_job(self, first):
        spec = self._spec()
        if spec.paged_import:
            operation, payload = PAGE_OPERATION, {"stream": self.code, "first": first}
        else:
            operation, payload = spec.operation, dict(spec.payload, stream=self.code)
        return self.credential_id._enqueue_job(
            operation, record=self, payload=payload, dedup_key=self._dedup_key(),
            priority=spec.priority, name=f"{self.name} ({self.credential_id.name})")

    def _fail_interrupted_runs(self):
        """A run whose job was cancelled by hand (or removed) would stay 'running' and
        never be scheduled again: say so and let the next run resume."""
        running = self.search([("run_state", "=", "running")])
        for stream in running.filtered(
                lambda s: not s.run_job_id or s.run_job_id.state == "cancelled"):
            stream.write({"run_state": "failed", "last_error": self.env._(
                "The run's job was cancelled or removed; the next run resumes at the "
                "stream's cursor.")})

    # ------------------------------------------------------------------ paged runs

    def _run_page(self, job):
        """Run one page of this stream's paged import, in ``job``'s transaction: fetch,
        import, store the cursor after it and queue the next page's job, or finish."""
        self.ensure_one()
        if self.run_state != "running":  # Retry Now on a page job that had failed for good
            self.run_state = "running"
        importer = self._spec().paged_import()
        credential = self.credential_id
        stored = PagedImport.load_cursor(credential._get_cursor(self.code).value)
        cursor = importer.start_cursor(credential, stored) if job.payload.get("first") \
            else stored
        page = importer.fetch_page(credential, cursor)
        stats = importer.import_items(credential, page.items) or ImportStats()
        self._count_page(page, stats)
        if not page.has_more:
            credential._set_cursor(self.code, importer.dump_cursor(
                importer.finish(credential, page.next_cursor)))
            self._finish_run()
        elif importer.dump_cursor(page.next_cursor) == importer.dump_cursor(cursor):
            raise PermanentError(self.env._(
                "Stream %(stream)s: the platform gave the same cursor after a page (%(cursor)s);"
                " stopping instead of fetching it forever.", stream=self.code, cursor=cursor))
        else:
            credential._set_cursor(self.code, importer.dump_cursor(page.next_cursor))
            self.run_job_id = self._enqueue_run_job(first=False)
        result = {"items": len(page.items), "created": stats.created, "updated": stats.updated,
                  "skipped": stats.skipped, "failed": stats.failed, "more": page.has_more,
                  **stats.details}
        if stats.records:
            result["records"] = stats.records  # job_display.RESULT_RECORDS_KEY
        return result

    def _count_page(self, page, stats):
        self.write({
            "run_pages_done": self.run_pages_done + 1,
            "run_items_done": self.run_items_done + len(page.items),
            "run_created": self.run_created + stats.created,
            "run_updated": self.run_updated + stats.updated,
            "run_skipped": self.run_skipped + stats.skipped,
            "run_failed": self.run_failed + stats.failed,
            "run_pages_left": -1 if page.pages_left is None else page.pages_left,
            "run_items_left": -1 if page.items_left is None else page.items_left,
        })

    def _finish_run(self, result=None):
        self._queue_poll()
        self.write({
            "run_state": "idle", "last_finished_at": fields.Datetime.now(),
            "last_error": False, "run_pages_left": 0 if self.kind == "paged" else -1,
            "last_result": result or self.env._(
                "%(pages)s pages, %(items)s items: %(created)s created, %(updated)s updated, "
                "%(skipped)s skipped, %(failed)s failed",
                pages=self.run_pages_done, items=self.run_items_done, created=self.run_created,
                updated=self.run_updated, skipped=self.run_skipped, failed=self.run_failed),
        })

    # ------------------------------------------------------------------ polling under a minute

    def _queue_poll(self):
        """A stream declared with ``poll_seconds``: queue the job that starts its next run
        that many seconds from now, unless its schedule comes first (docs/streams.md)."""
        self.ensure_one()
        spec = next((spec for spec in self.credential_id._channel_stream_specs()
                     if spec.code == self.code), None)
        seconds = spec.poll_seconds if spec else 0
        soon = fields.Datetime.now() + timedelta(seconds=seconds)
        if not seconds or self.paused or (self.next_run_at and self.next_run_at <= soon):
            return self.env["sync.job"]
        payload = {"stream": self.code, "after_job": self.run_job_id.id}
        job = self.credential_id._enqueue_job(
            POLL_OPERATION, record=self, payload=payload,
            dedup_key=f"channel.stream.poll:{self.credential_id.id}:{self.code}",
            delay_seconds=seconds, priority=spec.priority,
            name=f"{self.name} ({self.credential_id.name}): next poll")
        if job.payload != payload:  # the pending poll of an earlier run: move it
            job.write({"payload": payload, "next_attempt_at": soon})
        return job

    def _run_poll(self, job):
        """The poll job is due: start a run unless one ran since the job was queued,
        one is running, the stream is paused or its account must be reconnected."""
        self.ensure_one()
        if self.paused or self.credential_id.reconnect_needed:
            return {"skipped": "paused or reconnect needed"}
        if self.run_job_id.id != job.payload.get("after_job"):
            return {"skipped": "the stream ran since this poll was queued"}
        run = self._queue_run()
        return {"queued": run.id} if run else {"skipped": "a run is in progress"}

    # ------------------------------------------------------------------ job hooks

    def _on_sync_job_done(self, job):
        if job.operation == POLL_OPERATION:
            return
        if job.operation != PAGE_OPERATION and self.run_state == "running":
            self._finish_run(result=self.env._("Job %s done.", job.display_label))

    def _on_sync_job_failed(self, job):
        if job.operation == POLL_OPERATION:
            return
        if job.operation == PAGE_OPERATION:
            message = self.env._(
                "Stopped at page %(page)s: %(error)s\nThe cursor stays after the last "
                "committed page (%(done)s done this run); the next run, Run Now or Retry Now "
                "on the job resumes there.",
                page=self.run_pages_done + 1, error=job.last_error, done=self.run_pages_done)
        else:
            message = job.last_error
        self.write({"run_state": "failed", "last_error": message,
                    "last_finished_at": fields.Datetime.now()})

    # ------------------------------------------------------------------ buttons

    def action_run_now(self):
        for stream in self:
            if not stream._queue_run():
                raise UserError(self.env._(
                    "%(stream)s of %(account)s is already running.",
                    stream=stream.name, account=stream.credential_id.name))
        return True

    def action_pause(self):
        self.write({"paused": True})
        return True

    def action_resume(self):
        self.write({"paused": False})
        return True

    def action_open_job(self):
        self.ensure_one()
        if not self.run_job_id:
            raise UserError(self.env._("This stream has not run yet."))
        return {"type": "ir.actions.act_window", "res_model": "sync.job",
                "res_id": self.run_job_id.id, "view_mode": "form"}
