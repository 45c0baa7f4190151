from odoo import fields, models
from odoo.exceptions import UserError

from ..exceptions import PermanentError
from .channel_inbox_item import INBOX_RETRY_OPERATION


class IntegrationCredential(models.Model):
    # One file per mechanism (issue 15), so parallel work on the credential merges cleanly.
    """The inbound inbox of an account: its failed items, and the hooks a platform
    implements to retry them."""

    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    inbox_open_count = fields.Integer("Inbox", compute="_compute_inbox_open_count",
                                      help="Inbound items that failed and wait for a person.")

    def _compute_inbox_open_count(self):
        counts = dict(self.env["channel.inbox.item"]._read_group(
            [("credential_id", "in", self.ids), ("state", "=", "failed")],
            ["credential_id"], ["__count"]))
        for credential in self:
            credential.inbox_open_count = counts.get(credential, 0)

    def action_open_inbox(self):
        self.ensure_one()
        action = self._open_records_action(
            "channel.inbox.item", self.env._("Inbox"), [("credential_id", "=", self.id)])
        action["context"] = dict(action["context"], search_default_to_fix=1)
        return action

    # ------------------------------------------------------------------ platform hooks

    def _inbox_retryable_streams(self):
        """Streams whose items this platform can re-import from their payload."""
        return ()

    def _inbox_retry(self, item):
        """Re-import ``item`` from ``item._payload()`` and return the resulting record;
        raise (PermanentError, UserError...) when it still fails. Platforms override."""
        raise UserError(self.env._(
            "%(platform)s items of stream %(stream)s cannot be retried from Odoo: fix the "
            "cause and import them again from the platform, or ignore them.",
            platform=self.platform, stream=item.stream))

    def _inbox_check_retryable(self, items):
        unsupported = items.filtered(
            lambda item: item.stream not in self._inbox_retryable_streams())
        if unsupported:
            self._inbox_retry(unsupported[0])  # raises the platform's explanation

    # ------------------------------------------------------------------ jobs

    def _execute_sync_job(self, job):
        if job.operation != INBOX_RETRY_OPERATION:
            return super()._execute_sync_job(job)
        item = job._target()
        if not item or item._name != "channel.inbox.item":
            raise PermanentError(self.env._("The inbox item of this retry no longer exists."))
        return item._run_retry()
