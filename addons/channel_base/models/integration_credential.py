import logging
import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..exceptions import PermanentError

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "channel_base.group_integration_manager"
WEBHOOK_ROUTE = "/channel/webhook/{platform}/{credential_id}"


def _tz_selection(self):
    import pytz

    return [(tz, tz) for tz in sorted(pytz.all_timezones)]


class IntegrationCredential(models.Model):
    """One platform account (a "backend"): where to call, how to authenticate, its state."""

    _name = "integration.credential"
    _description = "Integration Account"
    _inherit = ["mail.thread"]
    _order = "sequence, name, id"

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    platform = fields.Selection([], required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    environment = fields.Selection(
        [("sandbox", "Sandbox"), ("production", "Production")],
        default="production",
        required=True,
        tracking=True,
    )
    api_base_url = fields.Char(
        "API Base URL",
        help="Leave empty for the platform's production URL; set it to a sandbox or to the "
        "simulator to try every flow without a platform account.",
    )
    source_timezone = fields.Selection(
        _tz_selection,
        help="Timezone of timestamps the platform sends without an offset.",
    )
    request_timeout = fields.Integer(
        default=30, help="Seconds to wait for an answer before counting the call as failed."
    )
    debug_logging = fields.Boolean(
        default=False,
        help="Also keep the bodies of successful exchanges (masked) in the API log. Off, "
        "every call still gets a log line (method, URL, status, duration) and failed calls "
        "keep their bodies. Bodies hold customers' personal data: turn it on to investigate, "
        "then off again.",
    )
    webhook_secret = fields.Char(
        groups=MANAGER_GROUP,
        copy=False,
        help="Authenticates inbound webhooks: the HMAC key where the platform signs its "
        "deliveries, otherwise the token expected in the URL's 'token' parameter.",
    )
    webhook_url = fields.Char(compute="_compute_webhook_url", groups=MANAGER_GROUP)
    job_concurrency = fields.Integer(
        "Parallel Jobs", default=lambda self: self._default_job_concurrency(),
        help="How many of this account's jobs may run at once, across every worker and "
        "host. The account's jobs form one lane: a slow or rate-limited account never "
        "delays another one.",
    )
    reconnect_needed = fields.Boolean(
        readonly=True, copy=False, tracking=True,
        help="Set after the platform definitely refused the credentials: scheduled syncs of "
        "this account pause until the credentials change or Test Connection succeeds.",
    )
    reconnect_reason = fields.Char(readonly=True, copy=False)

    cursor_ids = fields.One2many("channel.sync.cursor", "credential_id", string="Sync Cursors")
    job_ids = fields.One2many("sync.job", "credential_id")
    job_pending_count = fields.Integer(compute="_compute_dashboard")
    job_failed_count = fields.Integer(compute="_compute_dashboard")
    webhook_today_count = fields.Integer(compute="_compute_dashboard")
    webhook_refused_today_count = fields.Integer(
        "Refused Today", compute="_compute_dashboard",
        help="Webhook deliveries refused today (bad token or signature, too large, ...).")
    api_call_count_24h = fields.Integer(compute="_compute_dashboard")
    api_error_rate_24h = fields.Float(compute="_compute_dashboard")
    last_sync_at = fields.Datetime(compute="_compute_dashboard")
    color = fields.Integer(compute="_compute_dashboard")

    # ------------------------------------------------------------------ defaults

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # The form sends webhook_secret=False: a missing key is not the only "no secret".
            if not vals.get("webhook_secret"):
                vals["webhook_secret"] = secrets.token_urlsafe(32)
        credentials = super().create(vals_list)
        for credential in credentials.filtered(lambda c: not c.api_base_url):
            credential.api_base_url = credential._default_api_base_url()
        return credentials

    def write(self, vals):
        result = super().write(vals)
        # New credentials deserve a new try: resume the syncs a refusal paused.
        if set(vals) & (set(self._secret_field_names()) - {"webhook_secret"} | {"api_base_url"}):
            self._clear_reconnect_needed()
        return result

    @api.model
    def _default_job_concurrency(self):
        """One job at a time per account unless the platform allows more (its limits are
        per account, so parallel jobs of one account would only race for the same window)."""
        return 1

    def _default_api_base_url(self):
        """The platform's production URL; platform modules override."""
        return False

    def _get_api_base_url(self):
        self.ensure_one()
        return (self.api_base_url or self._default_api_base_url() or "").rstrip("/")

    @api.depends("platform")
    def _compute_webhook_url(self):
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for credential in self:
            if not credential.id or not credential.platform:
                credential.webhook_url = False
                continue
            path = WEBHOOK_ROUTE.format(platform=credential.platform, credential_id=credential.id)
            url = base_url + path
            if credential._webhook_requires_url_token():
                url += "?token=" + (credential._secret("webhook_secret") or "")
            credential.webhook_url = url

    def _compute_dashboard(self):
        today = fields.Datetime.to_datetime(fields.Date.context_today(self))
        jobs = self._dashboard_job_counts()
        events = self._dashboard_counts("channel.webhook.event", today)
        refused = self._dashboard_counts("channel.webhook.refusal", today)
        calls = self._dashboard_call_counts(fields.Datetime.now() - timedelta(hours=24))
        last_sync = self._dashboard_last_successes()
        for credential in self:
            job_counts = jobs.get(credential.id, {})
            call_counts = calls.get(credential.id, {})
            total_calls = sum(call_counts.values())
            credential.job_pending_count = job_counts.get("pending", 0) + job_counts.get(
                "running", 0
            )
            credential.job_failed_count = job_counts.get("failed", 0)
            credential.webhook_today_count = events.get(credential.id, 0)
            credential.webhook_refused_today_count = refused.get(credential.id, 0)
            credential.api_call_count_24h = total_calls
            credential.api_error_rate_24h = (
                100.0 * call_counts.get(True, 0) / total_calls if total_calls else 0.0
            )
            credential.last_sync_at = last_sync.get(credential.id)
            credential.color = credential._dashboard_color(total_calls)

    def _dashboard_color(self, total_calls):
        """Red only when something failed and waits for a person."""
        failed = (self.job_failed_count or self.inbox_open_count
                  or self.stream_failed_count or self.reconnect_needed)
        return 1 if failed else (10 if total_calls else 0)

    def _dashboard_job_counts(self):
        """{credential id: {state: count}} of the jobs still to run or to fix."""
        jobs = {}
        for credential, state, count in self.env["sync.job"]._read_group(
            [("credential_id", "in", self.ids), ("state", "in", ("pending", "running", "failed"))],
            ["credential_id", "state"],
            ["__count"],
        ):
            jobs.setdefault(credential.id, {})[state] = count
        return jobs

    def _dashboard_counts(self, model, since):
        """{credential id: count} of ``model`` rows created since ``since``."""
        return {
            credential.id: count
            for credential, count in self.env[model]._read_group(
                [("credential_id", "in", self.ids), ("create_date", ">=", since)],
                ["credential_id"],
                ["__count"],
            )
        }

    def _dashboard_call_counts(self, since):
        """{credential id: {is_error: count}} of the API calls since ``since``."""
        calls = {}
        for credential, is_error, count in self.env["channel.api.log"]._read_group(
            [("credential_id", "in", self.ids), ("create_date", ">=", since)],
            ["credential_id", "is_error"],
            ["__count"],
        ):
            calls.setdefault(credential.id, {})[is_error] = count
        return calls

    def _dashboard_last_successes(self):
        """The true last success per account: a stream's cursor or its last run that did
        not fail (integration_credential_dashboard.py), whichever is later."""
        last_sync = {}
        for (credential_id, _stream), moment in self._stream_last_successes().items():
            last_sync[credential_id] = max(last_sync.get(credential_id) or moment, moment)
        return last_sync

    # ------------------------------------------------------------------ secrets

    def _secret_field_names(self):
        """Every field readable only by integration managers holds a secret."""
        return [
            name
            for name, field in self._fields.items()
            if field.type == "char" and field.groups and MANAGER_GROUP in field.groups
            and name != "webhook_url"
        ]

    def _secret_values(self):
        self.ensure_one()
        record = self.sudo()
        return [record[name] for name in self._secret_field_names() if record[name]]

    def action_regenerate_webhook_secret(self):
        self.check_access("write")
        for credential in self:
            credential.sudo().webhook_secret = secrets.token_urlsafe(32)
            credential.message_post(body=self.env._("Webhook secret regenerated."))

    # ------------------------------------------------------------------ cursors

    def _get_cursor(self, stream):
        self.ensure_one()
        return self.env["channel.sync.cursor"]._get(self, stream)

    def _set_cursor(self, stream, value=None, success_at=None):
        """Move a stream position in the caller's transaction, so it is committed with the
        data it covers and rolled back with it."""
        self.ensure_one()
        return self.env["channel.sync.cursor"]._set(self, stream, value, success_at)

    # ------------------------------------------------------------------ jobs

    def _enqueue_job(self, operation, record=None, payload=None, dedup_key=None, **values):
        self.ensure_one()
        return self.env["sync.job"]._enqueue(
            operation, credential=self, record=record, payload=payload, dedup_key=dedup_key,
            **values,
        )

    def _execute_sync_job(self, job):
        """Run one job of this credential's platform. Platform modules override this with
        a guard on ``self.platform`` and an explicit table of their operations."""
        raise PermanentError(
            self.env._("No handler for operation %(operation)s on platform %(platform)s",
              operation=job.operation, platform=self.platform)
        )

    # ------------------------------------------------------------------ webhooks

    # _webhook_is_signed / _webhook_authenticate: integration_credential_verification.py

    def _webhook_parse(self, raw_body, headers):
        """Decode an authenticated body into a payload; raise ValueError if malformed."""
        import json

        try:
            return json.loads(raw_body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise ValueError(f"Malformed JSON body: {error}") from None

    def _webhook_delivery_id(self, payload, raw_body, headers):
        """A platform's delivery id; by default a hash of the body, so an identical
        redelivery is recognised."""
        import hashlib

        return "sha256:" + hashlib.sha256(raw_body).hexdigest()

    def _webhook_success_body(self, message):
        """The JSON body a platform expects in a 200 answer to an accepted (or duplicate)
        delivery, or None for channel_base's ``{"status": 200, "message": ...}``."""

    def _webhook_event_type(self, payload, headers):
        if isinstance(payload, dict):
            return payload.get("resource_type") or payload.get("event") or payload.get("topic")
        return False

    def _on_sync_job_failed(self, job):
        """A job whose target is the credential itself (a feed import, a batch export) has
        failed for good; platform modules add what their users need to see."""

    def _process_webhook_event(self, event):
        raise PermanentError(
            self.env._("No webhook handler for platform %(platform)s", platform=self.platform)
        )

    # ------------------------------------------------------------------ reconnect

    @api.model
    def _scheduled_sync_credentials(self, platform):
        """The accounts of ``platform`` whose scheduled syncs may run: active and not
        waiting for a person to fix their credentials. Every platform cron uses this."""
        return self.sudo().search(
            [("platform", "=", platform), ("reconnect_needed", "=", False)]
        )

    def _mark_reconnect_needed(self, reason):
        """The platform definitely refused these credentials: pause scheduled syncs (so a
        wrong password is not tried again every poll, locking the account) and show it."""
        for credential in self.filtered(lambda c: not c.reconnect_needed):
            credential.sudo().write({"reconnect_needed": True, "reconnect_reason": reason})
            credential.message_post(body=self.env._(
                "Reconnect needed: %(reason)s. Scheduled syncs are paused until the "
                "credentials are changed or Test Connection succeeds.", reason=reason))

    def _clear_reconnect_needed(self):
        needing = self.filtered("reconnect_needed")
        if needing:
            needing.sudo().write({"reconnect_needed": False, "reconnect_reason": False})

    # ------------------------------------------------------------------ actions

    def action_requeue_failed_jobs(self):
        jobs = self.env["sync.job"].search(
            [("credential_id", "in", self.ids), ("state", "=", "failed")]
        )
        jobs.action_retry_now()
        return self._notification(self.env._("%s failed jobs requeued.", len(jobs)))

    def action_test_connection(self):
        """Run the platform's connection test. Success and failure are both kept on the
        account and in its chatter (integration_credential_connection_test.py) and
        answered as a notification: a failure does not raise, so its record survives."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                message = self._test_connection()
        except Exception as error:  # noqa: BLE001 - shown to the user, who needs to see it
            return self._record_connection_test(False, self._connection_error_text(error))
        self._clear_reconnect_needed()
        return self._record_connection_test(True, message or self.env._("Connection OK."))

    def _test_connection(self):
        raise UserError(self.env._("This platform offers no connection test."))

    def _notification(self, message, kind="success"):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"message": message, "type": kind, "sticky": False},
        }

    def _open_records_action(self, model, name, domain):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "list,form",
            "domain": domain,
            "context": {"search_default_credential_id": self.id},
        }

    def action_open_jobs(self):
        self.ensure_one()
        return self._open_records_action(
            "sync.job", self.env._("Jobs"), [("credential_id", "=", self.id)]
        )

    def action_open_failed_jobs(self):
        self.ensure_one()
        return self._open_records_action(
            "sync.job", self.env._("Failed Jobs"),
            [("credential_id", "=", self.id), ("state", "=", "failed")],
        )

    def action_open_webhook_events(self):
        self.ensure_one()
        return self._open_records_action(
            "channel.webhook.event", self.env._("Webhook Events"),
            [("credential_id", "=", self.id)],
        )

    def action_open_webhook_refusals(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "channel_base.action_channel_webhook_refusal")
        action["domain"] = [("credential_id", "=", self.id)]
        action["context"] = {"search_default_today": 1}
        return action

    def action_open_api_logs(self):
        self.ensure_one()
        return self._open_records_action(
            "channel.api.log", self.env._("API Log"), [("credential_id", "=", self.id)]
        )

    # ------------------------------------------------------------------ helpers

    def _lock_for_update(self):
        """Row lock that serialises work on one credential across workers."""
        self.env.cr.execute(
            SQL("SELECT id FROM integration_credential WHERE id IN %s FOR NO KEY UPDATE",
                tuple(self.ids))
        )

    # ------------------------------------------------------------------ tokens

    def _invalidate_access_token(self):
        self.env["channel.access.token"]._forget(self.ids)

    def unlink(self):
        self.env["channel.access.token"]._forget(self.ids)
        self.env["channel.rate.limit"]._forget(self.ids)
        return super().unlink()
