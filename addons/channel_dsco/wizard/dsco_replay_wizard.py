"""Replay the order stream from a chosen position (a button on the account): the stored
position is set back, then the stream is read from there. Orders already imported are
found by their DSCO order id and skipped, so a replay only fills what is missing."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.channel_base.paged_import import PagedImport

from .. import const


class DscoReplayWizard(models.TransientModel):
    _name = "dsco.replay.wizard"
    _description = "Replay the DSCO Order Stream"

    credential_id = fields.Many2one("integration.credential", "Account", required=True,
                                    ondelete="cascade")
    current_position = fields.Char(readonly=True)
    position = fields.Char("Replay From Position", required=True, default=const.START_POSITION,
                           help="An event id of the order stream: the events after it are "
                           "read again. 0 replays the whole stream DSCO still keeps.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        credential = self.env["integration.credential"].browse(
            values.get("credential_id") or self.env.context.get("active_id"))
        if credential:
            values["credential_id"] = credential.id
            values["current_position"] = PagedImport.load_cursor(
                credential._get_cursor(const.ORDERS_STREAM).value) or ""
        return values

    def action_replay(self):
        self.ensure_one()
        credential = self.credential_id
        stream = credential._channel_stream(const.ORDERS_STREAM)
        if stream.run_state == "running":
            raise UserError(self.env._("The order stream is being read: replay when it is idle."))
        position = (self.position or "").strip()
        if not position:
            raise UserError(self.env._("Give the position to replay from."))
        credential._set_cursor(const.ORDERS_STREAM, PagedImport.dump_cursor(position))
        credential.message_post(body=self.env._(
            "Order stream replayed from position %(position)s (was %(previous)s).",
            position=position, previous=self.current_position or "-"))
        stream.action_run_now()
        return credential._notification(self.env._(
            "Order stream replay from %s queued.", position))
