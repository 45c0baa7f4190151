from odoo import api, fields, models

from ..exceptions import PermanentError
from ..paged_import import PAGE_OPERATION, POLL_OPERATION


class IntegrationCredential(models.Model):
    """Declared periodic streams and resumable paged imports (docs/streams.md,
    docs/paged_import.md)."""

    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    stream_ids = fields.One2many("channel.stream", "credential_id", string="Streams")
    stream_running_count = fields.Integer(compute="_compute_stream_counts")
    stream_failed_count = fields.Integer(compute="_compute_stream_counts")

    @api.depends("stream_ids.run_state")
    def _compute_stream_counts(self):
        for credential in self:
            states = credential.stream_ids.mapped("run_state")
            credential.stream_running_count = states.count("running")
            credential.stream_failed_count = states.count("failed")

    @api.model_create_multi
    def create(self, vals_list):
        credentials = super().create(vals_list)
        self.env["channel.stream"].sudo()._sync_declarations(credentials)
        return credentials

    def write(self, vals):
        result = super().write(vals)
        if "platform" in vals or vals.get("active"):
            self.env["channel.stream"].sudo()._sync_declarations(self)
        return result

    def _channel_stream_specs(self):
        """The periodic streams this account offers: a list of ``paged_import.StreamSpec``.
        Platforms override it behind ``if self.platform != "<key>": return super()...``."""
        return []

    def _channel_stream(self, code):
        """This account's stream record ``code`` (declared ones are created on demand)."""
        self.ensure_one()
        Stream = self.env["channel.stream"].sudo()
        stream = Stream.search([("credential_id", "=", self.id), ("code", "=", code)])
        if not stream:
            Stream._sync_declarations(self)
            stream = Stream.search([("credential_id", "=", self.id), ("code", "=", code)])
        return stream.with_env(self.env)

    def _execute_sync_job(self, job):
        if job.operation not in (PAGE_OPERATION, POLL_OPERATION):
            return super()._execute_sync_job(job)
        stream = job._target()
        if not stream or stream._name != "channel.stream":
            raise PermanentError(self.env._("Page job %s has no stream.", job.display_label))
        if job.operation == POLL_OPERATION:
            return stream._run_poll(job)
        return stream._run_page(job)

    def action_open_streams(self):
        self.ensure_one()
        return self._open_records_action(
            "channel.stream", self.env._("Streams"), [("credential_id", "=", self.id)])
