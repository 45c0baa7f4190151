import logging

from odoo import api, fields, models

from ..db import independent_cursor

_logger = logging.getLogger(__name__)

REFUSAL_REASONS = [
    ("too_large", "Body too large"),
    ("unknown_credential", "Unknown account"),
    ("archived_credential", "Archived account"),
    ("platform_mismatch", "Platform mismatch"),
    ("bad_token", "Bad or missing token"),
    ("bad_signature", "Bad or missing signature"),
]


class ChannelWebhookRefusal(models.Model):
    """A webhook delivery the route refused (401, 404, 413), so a person sees that a
    platform is knocking with a wrong URL or secret instead of finding out from missing
    orders. Holds no token and no body: only what identifies the sender and the cause.

    Written on an independent cursor: the trace must survive whatever the request's own
    transaction does.
    """

    _name = "channel.webhook.refusal"
    _description = "Refused Webhook Delivery"
    _order = "id desc"
    _rec_name = "reason"

    credential_id = fields.Many2one(
        "integration.credential", "Account", ondelete="cascade", index=True, readonly=True,
        help="Empty when the URL names no existing account.")
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    platform = fields.Char(readonly=True, help="The platform named in the URL.")
    reason = fields.Selection(REFUSAL_REASONS, required=True, readonly=True, index=True)
    status_code = fields.Integer("HTTP Status", readonly=True)
    remote_addr = fields.Char("Source Address", readonly=True)
    path = fields.Char(readonly=True, help="The URL path, without its query (no token).")
    user_agent = fields.Char(readonly=True)

    @api.model
    def _record(self, reason, status_code, platform, httprequest, credential=None):
        """Store one refusal; a failure to record never changes the answer."""
        values = (
            (platform or "")[:64],
            reason,
            status_code,
            (httprequest.remote_addr or "")[:64] or None,
            httprequest.path[:512],
            (httprequest.user_agent.string or "")[:256] or None,
            self.env.uid,
            self.env.uid,
            credential.id if credential else None,
        )
        try:
            with independent_cursor(self.env) as cr:
                # The account and its company as this connection sees them: one deleted
                # (or not committed yet) meanwhile leaves the refusal recorded, unlinked.
                cr.execute(
                    """INSERT INTO channel_webhook_refusal
                           (credential_id, company_id, platform, reason, status_code,
                            remote_addr, path, user_agent,
                            create_date, write_date, create_uid, write_uid)
                       SELECT c.id, c.company_id, %s, %s, %s, %s, %s, %s,
                              now() at time zone 'utc', now() at time zone 'utc', %s, %s
                         FROM (SELECT %s::integer AS ref) AS given
                    LEFT JOIN integration_credential c ON c.id = given.ref""",
                    values,
                )
                self._after_refusal_recorded(cr, credential.id if credential else None)
        except Exception as error:  # noqa: BLE001 - the answer matters more than the trace
            _logger.warning("Webhook refusal (%s) not recorded: %s", reason,
                            type(error).__name__)

    @api.model
    def _after_refusal_recorded(self, cr, credential_id):
        """Hook run on the refusal's own cursor right after it is inserted (alerts count
        repeated refusals here). Keep it to a query or two: attackers can call it."""
