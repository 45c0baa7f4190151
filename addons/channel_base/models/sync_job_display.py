from odoo import api, fields, models
from odoo.exceptions import UserError

from ..job_display import humanize_operation, result_records, result_sentence


class SyncJob(models.Model):
    """What the job screens show: the job in words, its result as a sentence, the
    records it names, its attempts, its duration and the API calls it made."""

    _inherit = "sync.job"  # pylint: disable=consider-merging-classes-inherited

    operation_label = fields.Char("Operation in Words", compute="_compute_operation_label")
    result_summary = fields.Char("Outcome", compute="_compute_result_summary")
    result_record_count = fields.Integer(compute="_compute_result_summary")
    duration_seconds = fields.Float("Duration (s)", compute="_compute_duration",
                                    digits=(16, 2))
    attempt_ids = fields.One2many("sync.job.attempt", "job_id", "Attempt History", readonly=True)
    api_log_count = fields.Integer("API Calls", compute="_compute_api_log_count")

    def _compute_operation_label(self):
        labels = self.env["integration.credential"]._sync_job_operation_labels()
        for job in self:
            job.operation_label = labels.get(job.operation) or humanize_operation(job.operation)

    @api.depends("name", "operation", "res_model", "res_id")
    def _compute_display_label(self):
        targets = self._target_names()
        labels = self.env["integration.credential"]._sync_job_operation_labels()
        for job in self:
            if job.name:
                job.display_label = job.name
                continue
            label = labels.get(job.operation) or humanize_operation(job.operation)
            target = targets.get((job.res_model, job.res_id))
            job.display_label = f"{label}: {target}" if target else label

    def _target_names(self):
        """{(model, id): display name} of the jobs' records, one read per model."""
        ids_by_model = {}
        for job in self:
            if job.res_model in self.env and job.res_id:
                ids_by_model.setdefault(job.res_model, set()).add(job.res_id)
        names = {}
        for model, ids in ids_by_model.items():
            # Names only, as superuser: a job list must not fail on a record of another
            # company, and the job already tells which record it is by id.
            for record in self.env[model].sudo().browse(ids).exists():
                names[(model, record.id)] = record.display_name
        return names

    @api.depends("result", "res_model", "res_id")
    def _compute_result_summary(self):
        for job in self:
            job.result_summary = result_sentence(job.result, job._result_noun())
            job.result_record_count = sum(len(ids) for ids in result_records(job.result).values())

    def _result_noun(self):
        """What the counted items are: a stream's name ('orders'), else nothing."""
        if self.res_model == "channel.stream" and self.res_id:
            stream = self.env["channel.stream"].sudo().browse(self.res_id).exists()
            return (stream.name or "").lower()
        return ""

    @api.depends("started_at", "finished_at")
    def _compute_duration(self):
        for job in self:
            if job.started_at and job.finished_at and job.finished_at >= job.started_at:
                job.duration_seconds = (job.finished_at - job.started_at).total_seconds()
            else:
                job.duration_seconds = 0.0

    def _compute_api_log_count(self):
        counts = dict(self.env["channel.api.log"]._read_group(
            [("job_ref", "in", self.ids)], ["job_ref"], ["__count"]))
        for job in self:
            job.api_log_count = counts.get(job.id, 0)

    def action_open_result_records(self):
        """The records the result names (created or sent): one form, or a list."""
        self.ensure_one()
        records = result_records(self.result)
        if not records:
            raise UserError(self.env._("This job's result names no records."))
        model, ids = next(iter(records.items()))
        if model not in self.env:
            raise UserError(self.env._("Records of %s cannot be opened here.", model))
        action = {"type": "ir.actions.act_window", "res_model": model,
                  "name": self.env._("Records of %s", self.display_label)}
        if len(ids) == 1:
            return dict(action, res_id=ids[0], view_mode="form")
        return dict(action, view_mode="list,form", domain=[("id", "in", ids)])

    def action_open_api_logs(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "channel.api.log",
                "name": self.env._("API calls of %s", self.display_label),
                "view_mode": "list,form", "domain": [("job_ref", "=", self.id)]}
