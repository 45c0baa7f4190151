import json

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..exceptions import ChannelError

OPEN_STATES = ("failed", "ignored")
INBOX_RETRY_OPERATION = "channel.inbox_retry"


class ChannelInboxItem(models.Model):
    """An inbound item (an order, a shipment, a feed entry) that could not be imported,
    kept with its payload exactly as received so nothing is lost.

    A platform records the failure in the job that read the item and moves on; a person
    fixes the cause (a product, a mapping) and retries the item from here, or ignores it.
    At most one open (failed or ignored) item exists per account, stream and external id;
    once the item is imported it is done, and a later failure of the same id opens a new
    one, so the history of an id stays readable.
    """

    _name = "channel.inbox.item"
    _description = "Inbound Item Needing Attention"
    _inherit = ["mail.thread"]
    _order = "last_attempt_at desc, id desc"
    _rec_name = "external_id"

    credential_id = fields.Many2one(
        "integration.credential", "Account", required=True, ondelete="cascade", index=True,
        readonly=True)
    company_id = fields.Many2one(related="credential_id.company_id", store=True)
    platform = fields.Selection(related="credential_id.platform")
    stream = fields.Char(required=True, readonly=True, index=True,
                         help="What kind of item this is, e.g. orders, shipments, feed.")
    external_id = fields.Char("External ID", required=True, readonly=True, index=True)
    payload = fields.Text(readonly=True, help="The item exactly as the platform sent it.")
    payload_format = fields.Selection(
        [("json", "JSON"), ("xml", "XML"), ("text", "Text")], default="json", required=True,
        readonly=True)
    error = fields.Text("Last Error", readonly=True)
    attempts = fields.Integer(default=1, readonly=True)
    first_attempt_at = fields.Datetime(readonly=True, default=fields.Datetime.now)
    last_attempt_at = fields.Datetime(readonly=True, default=fields.Datetime.now, index=True)
    state = fields.Selection(
        [("failed", "To Fix"), ("ignored", "Ignored"), ("done", "Done")],
        default="failed", required=True, readonly=True, tracking=True, index=True)
    res_model = fields.Char("Resulting Model", readonly=True)
    res_id = fields.Many2oneReference("Resulting Record", model_field="res_model", readonly=True)
    retry_job_id = fields.Many2one("sync.job", readonly=True, ondelete="set null")

    def init(self):
        # The upsert of _record_failure relies on this index (ON CONFLICT): two workers
        # failing the same item at once update one row instead of creating twins.
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS channel_inbox_item_open_uniq
                   ON channel_inbox_item (credential_id, stream, external_id)
                WHERE state IN ('failed', 'ignored')""")

    @api.depends("stream", "external_id")
    def _compute_display_name(self):
        for item in self:
            item.display_name = f"{item.stream} {item.external_id}"

    # ------------------------------------------------------------------ platform API

    @api.model
    def _record_failure(self, credential, stream, external_id, payload, error,
                        payload_format="json"):
        """Record (or update) the open item of ``external_id``: the newest payload and
        error win, attempts count up. Call it after rolling back the item's own work
        (a savepoint), in the transaction of the job that read the item."""
        self.flush_model()
        now = fields.Datetime.now()
        self.env.cr.execute(
            """INSERT INTO channel_inbox_item (credential_id, company_id, stream, external_id,
                       payload, payload_format, error, attempts, first_attempt_at,
                       last_attempt_at, state, create_uid, create_date, write_uid, write_date)
               VALUES (%(credential)s, %(company)s, %(stream)s, %(external_id)s, %(payload)s,
                       %(format)s, %(error)s, 1, %(now)s, %(now)s, 'failed', %(uid)s, %(now)s,
                       %(uid)s, %(now)s)
               ON CONFLICT (credential_id, stream, external_id)
                    WHERE state IN ('failed', 'ignored')
               DO UPDATE SET payload = EXCLUDED.payload, error = EXCLUDED.error,
                       payload_format = EXCLUDED.payload_format,
                       attempts = channel_inbox_item.attempts + 1,
                       last_attempt_at = EXCLUDED.last_attempt_at,
                       write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
               RETURNING id""",
            {"credential": credential.id, "company": credential.company_id.id or None,
             "stream": stream, "external_id": str(external_id),
             "payload": _payload_text(payload), "format": payload_format,
             "error": _error_text(error), "now": now, "uid": self.env.uid})
        item = self.browse(self.env.cr.fetchone()[0])
        item.invalidate_recordset()
        item.message_post(body=item.error)
        return item

    @api.model
    def _resolve(self, credential, stream, records_by_external_id):
        """Mark the open items of these external ids done, linked to their records."""
        if not records_by_external_id:
            return self.browse()
        items = self.search(self._open_domain(credential, stream, records_by_external_id))
        for item in items:
            record = records_by_external_id[item.external_id]
            item.write({"state": "done", "res_model": record._name if record else False,
                        "res_id": record.id if record else False})
        return items

    @api.model
    def _open_external_ids(self, credential, stream, external_ids):
        """{external id: open item} among ``external_ids`` (failed or ignored ones)."""
        items = self.search(self._open_domain(credential, stream, external_ids))
        return {item.external_id: item for item in items}

    @api.model
    def _open_domain(self, credential, stream, external_ids):
        return [("credential_id", "=", credential.id), ("stream", "=", stream),
                ("external_id", "in", [str(external_id) for external_id in external_ids]),
                ("state", "in", OPEN_STATES)]

    def _payload(self):
        """The stored payload, parsed when it is JSON."""
        self.ensure_one()
        if self.payload_format == "json" and self.payload:
            return json.loads(self.payload)
        return self.payload

    # ------------------------------------------------------------------ retry (job side)

    def _run_retry(self):
        """Re-import this item from its payload (the body of its retry job). A data error
        is recorded on the item, which stays the one place to look; an outage is raised
        so the queue retries it with backoff."""
        self.ensure_one()
        if self.state == "done":
            return {"skipped": "done"}
        credential = self.credential_id.with_company(self.credential_id.company_id)
        try:
            with self.env.cr.savepoint():
                record = credential._inbox_retry(self)
        except ChannelError as error:
            if error.kind != "permanent":
                raise
            return self._note_retry_failure(error)
        except (UserError, ValueError, KeyError, TypeError) as error:
            return self._note_retry_failure(error)
        self.write({"state": "done", "res_model": record._name if record else False,
                    "res_id": record.id if record else False})
        return {"done": self.id}

    def _note_retry_failure(self, error):
        self.write({"state": "failed", "error": _error_text(error),
                    "attempts": self.attempts + 1, "last_attempt_at": fields.Datetime.now()})
        self.message_post(body=self.error)
        return {"failed": self.id}

    # ------------------------------------------------------------------ actions

    def action_retry(self):
        """Queue one retry job per open item; it runs in its account's lane."""
        self.check_access("write")
        items = self.filtered(lambda item: item.state != "done")
        for credential in items.credential_id:
            credential._inbox_check_retryable(items.filtered(
                lambda item, c=credential: item.credential_id == c))
        for item in items:
            item.retry_job_id = self.env["sync.job"]._enqueue(
                INBOX_RETRY_OPERATION, credential=item.credential_id, record=item,
                dedup_key=f"inbox:{item.id}",
                name=self.env._("Retry %(item)s", item=item.display_name))
        return True

    def action_ignore(self):
        self.check_access("write")
        self.filtered(lambda item: item.state == "failed").write({"state": "ignored"})
        return True

    def action_reopen(self):
        self.check_access("write")
        self.filtered(lambda item: item.state == "ignored").write({"state": "failed"})
        return True

    def action_open_record(self):
        self.ensure_one()
        if not self.res_model or not self.res_id:
            raise UserError(self.env._("%s has no resulting record.", self.display_name))
        return {"type": "ir.actions.act_window", "res_model": self.res_model,
                "res_id": self.res_id, "view_mode": "form"}


def _payload_text(payload):
    if payload is None or isinstance(payload, str):
        return payload
    if isinstance(payload, bytes):
        return payload.decode("utf-8", "replace")
    return json.dumps(payload, default=str)


def _error_text(error):
    if isinstance(error, ChannelError):
        return error.message
    if isinstance(error, UserError):
        return error.args[0] if error.args else str(error)
    if isinstance(error, Exception):
        return f"{type(error).__name__}: {error}"
    return str(error or "")
