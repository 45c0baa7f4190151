from odoo import fields, models


class ChannelSyncCursor(models.Model):
    """Where an incremental import of one stream stands for one credential.

    Written in the importing transaction only: a cursor can never run ahead of the data
    it covers, because both commit or roll back together.
    """

    _name = "channel.sync.cursor"
    _description = "Channel Sync Cursor"
    _order = "credential_id, stream"

    credential_id = fields.Many2one(
        "integration.credential", "Account", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="credential_id.company_id", store=True)
    stream = fields.Char(required=True, help="e.g. orders, shipments, feed, stream:<id>")
    value = fields.Char(help="Stream position, feed marker or timestamp, as the platform needs.")
    last_success_at = fields.Datetime("Last Successful Sync")

    _sql_constraints = [
        ("stream_uniq", "unique(credential_id, stream)", "One cursor per credential and stream."),
    ]

    def _get(self, credential, stream):
        return self.search(
            [("credential_id", "=", credential.id), ("stream", "=", stream)], limit=1
        )

    def _set(self, credential, stream, value, success_at):
        cursor = self._get(credential, stream)
        vals = {"last_success_at": success_at or fields.Datetime.now()}
        if value is not None:
            vals["value"] = value
        if cursor:
            cursor.write(vals)
            return cursor
        return self.create(dict(vals, credential_id=credential.id, stream=stream))
