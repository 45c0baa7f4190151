import json
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from .sync_job import WEBHOOK_OPERATION

_logger = logging.getLogger(__name__)

EVENT_STATES = [
    ("queued", "Queued"),
    ("processed", "Processed"),
    ("failed", "Failed"),
]


class ChannelWebhookEvent(models.Model):
    """A raw inbound delivery, stored before any business processing so nothing a
    platform sent is ever lost: it can be inspected and replayed."""

    _name = "channel.webhook.event"
    _description = "Channel Webhook Event"
    _order = "id desc"
    _rec_name = "delivery_id"

    credential_id = fields.Many2one(
        "integration.credential", "Account", required=True, ondelete="cascade", index=True,
        readonly=True)
    platform = fields.Selection(related="credential_id.platform", store=True)
    company_id = fields.Many2one(related="credential_id.company_id", store=True)
    delivery_id = fields.Char(required=True, readonly=True)
    event_type = fields.Char(readonly=True, index=True)
    headers = fields.Text(readonly=True, help="Request headers, secrets masked.")
    body = fields.Text(readonly=True)
    state = fields.Selection(EVENT_STATES, default="queued", required=True, index=True)
    error = fields.Text(readonly=True)
    duplicate_count = fields.Integer(
        readonly=True, help="Redeliveries received after the first, answered 200 and ignored."
    )
    job_id = fields.Many2one("sync.job", ondelete="set null", readonly=True)
    processed_at = fields.Datetime(readonly=True)

    _sql_constraints = [
        ("delivery_uniq", "unique(credential_id, delivery_id)",
         "A delivery is stored once per credential."),
    ]

    @api.model
    def _store_delivery(self, credential, delivery_id, event_type, headers, body, state="queued",
                        error=None):
        """Insert the event unless this delivery is known; returns (event, is_new).

        One statement, so two concurrent deliveries of the same id cannot both insert.
        """
        now = fields.Datetime.now()
        self.env.cr.execute(
            """INSERT INTO channel_webhook_event
                   (credential_id, platform, company_id, delivery_id, event_type, headers, body,
                    state, error, duplicate_count, create_uid, create_date, write_uid,
                    write_date)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 0, %s, %s, %s, %s)
               ON CONFLICT (credential_id, delivery_id)
               DO UPDATE SET duplicate_count = channel_webhook_event.duplicate_count + 1
               RETURNING id, (xmax = 0) AS inserted""",
            (credential.id, credential.platform, credential.company_id.id, delivery_id,
             event_type or None, json.dumps(headers), body, state, error,
             self.env.uid, now, self.env.uid, now),
        )
        event_id, inserted = self.env.cr.fetchone()
        return self.browse(event_id), inserted

    def _enqueue_processing(self):
        for event in self:
            job = event.credential_id._enqueue_job(
                WEBHOOK_OPERATION, record=event, dedup_key=f"webhook:{event.id}",
                name=self.env._("Process %(type)s event %(delivery)s",
                       type=event.event_type or "webhook", delivery=event.delivery_id),
                priority=20,
            )
            event.job_id = job

    def _payload(self):
        self.ensure_one()
        return self.credential_id._webhook_parse(
            (self.body or "").encode(), json.loads(self.headers or "{}")
        )

    def _process(self):
        self.ensure_one()
        result = self.credential_id._process_webhook_event(self)
        self.write({"state": "processed", "processed_at": fields.Datetime.now(), "error": False})
        return result

    def _on_sync_job_failed(self, job):
        self.write({"state": "failed", "error": job.last_error})

    def action_replay(self):
        """Process the stored body again (after fixing data or configuration)."""
        self.check_access("write")
        if any(event.state == "queued" and event.job_id.state in ("pending", "running")
               for event in self):
            raise UserError(self.env._("This event is already waiting to be processed."))
        self.write({"state": "queued", "error": False})
        self._enqueue_processing()
        return True
