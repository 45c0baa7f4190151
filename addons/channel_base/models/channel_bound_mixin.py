from odoo import fields, models

SYNC_STATES = [
    ("pending", "Waiting"),
    ("synced", "Synced"),
    ("error", "Error"),
    ("flagged", "Needs Attention"),
]


class ChannelBoundMixin(models.AbstractModel):
    """Channel fields for an Odoo record that comes from, or is sent to, one platform
    account: which credential, its id there, how the last sync went."""

    _name = "channel.bound.mixin"
    _description = "Channel Binding Fields"

    channel_credential_id = fields.Many2one(
        "integration.credential", string="Channel", index=True, copy=False, readonly=True)
    channel_platform = fields.Selection(related="channel_credential_id.platform")
    channel_external_id = fields.Char("External ID", copy=False, readonly=True, index=True)
    # Read-only on screen: the platform owns its references, a person editing one would
    # only break the link (connectors write it through _channel_mark_synced).
    channel_external_ref = fields.Char("External Reference", copy=False, readonly=True)
    channel_sync_state = fields.Selection(SYNC_STATES, "Sync State", copy=False, readonly=True)
    channel_last_sync_at = fields.Datetime("Last Sync", copy=False, readonly=True)
    channel_last_error = fields.Text("Last Sync Error", copy=False, readonly=True)
    channel_job_count = fields.Integer(compute="_compute_channel_job_count")

    def _compute_channel_job_count(self):
        # Counted as superuser: the smart button is shown to integration users only, but
        # the form of a salesperson still computes it.
        counts = dict(self.env["sync.job"].sudo()._read_group(
            [("res_model", "=", self._name), ("res_id", "in", self.ids)],
            ["res_id"], ["__count"],
        ))
        for record in self:
            record.channel_job_count = counts.get(record.id, 0)

    def _channel_mark_synced(self, external_id=None, external_ref=None):
        vals = {
            "channel_sync_state": "synced",
            "channel_last_sync_at": fields.Datetime.now(),
            "channel_last_error": False,
        }
        if external_id is not None:
            vals["channel_external_id"] = external_id
        if external_ref is not None:
            vals["channel_external_ref"] = external_ref
        self.write(vals)

    def _channel_mark_error(self, message, state="error"):
        self.write({
            "channel_sync_state": state,
            "channel_last_error": message,
            "channel_last_sync_at": fields.Datetime.now(),
        })

    def _on_sync_job_failed(self, job):
        self._channel_mark_error(job.last_error)
        for record in self:
            if hasattr(record, "message_post"):
                record.message_post(body=self.env._(
                    "Sync to %(channel)s failed: %(error)s",
                    channel=job.credential_id.display_name or job.operation,
                    error=job.last_error,
                ))

    def action_open_channel_jobs(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Sync Jobs"),
            "res_model": "sync.job",
            "view_mode": "list,form",
            "domain": [("res_model", "=", self._name), ("res_id", "=", self.id)],
        }
