from odoo import fields, models

from .sync_job import ERROR_KINDS

ATTEMPT_OUTCOMES = [
    ("done", "Done"),
    ("retry", "Failed, will retry"),
    ("postponed", "Postponed (rate window)"),
    ("failed", "Failed for good"),
    ("stuck", "Worker stopped"),
]


class SyncJobAttempt(models.Model):
    """One run of a job: when, how long, how it ended, and how long it then waited.

    Written by the runner with one INSERT per attempt (no ORM, no log columns): the
    history must cost the queue next to nothing.
    """

    _name = "sync.job.attempt"
    _description = "Sync Job Attempt"
    _order = "id desc"
    _log_access = False

    job_id = fields.Many2one("sync.job", required=True, ondelete="cascade", index=True,
                             readonly=True)
    attempt = fields.Integer(readonly=True)
    started_at = fields.Datetime("Started", readonly=True)
    finished_at = fields.Datetime("Finished", readonly=True)
    duration_ms = fields.Integer("Duration (ms)", readonly=True)
    outcome = fields.Selection(ATTEMPT_OUTCOMES, readonly=True)
    error_kind = fields.Selection(ERROR_KINDS, readonly=True)
    error = fields.Text(readonly=True)
    wait_seconds = fields.Integer(
        "Wait (s)", readonly=True, help="How long the job then waited before its next attempt.")
