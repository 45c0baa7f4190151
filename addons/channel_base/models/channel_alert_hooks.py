"""Where the alert causes happen: the queue's dead letter, retries and cancels, refused
webhook deliveries, accepted ones (``integration_credential_alerts.py``)."""

import logging

from odoo import api, fields, models

from .integration_credential_alerts import REFUSALS_PER_HOUR_ALERT

_logger = logging.getLogger(__name__)


class MailActivity(models.Model):
    _inherit = "mail.activity"

    channel_alert_count = fields.Integer(
        "Occurrences", help="How many times the cause of an integration alert happened.")


class SyncJob(models.Model):
    _inherit = "sync.job"

    def _record_failure(self, error):
        result = super()._record_failure(error)
        if self.state == "failed" and self.credential_id:
            self.credential_id._alert_failed_job(self)
        return result

    @api.model
    def _recover_stuck_jobs(self, timeout_seconds=None):
        stuck = super()._recover_stuck_jobs(timeout_seconds)
        for job in stuck.filtered(lambda j: j.state == "failed" and j.credential_id):
            job.credential_id._alert_failed_job(job)
        return stuck

    def action_retry_now(self):
        result = super().action_retry_now()
        self.credential_id._alert_check_failed_jobs()
        return result

    def action_cancel(self):
        result = super().action_cancel()
        self.credential_id._alert_check_failed_jobs()
        return result

    def action_run_now(self):
        result = super().action_run_now()
        self.credential_id._alert_check_failed_jobs()
        return result


class ChannelWebhookRefusal(models.Model):
    _inherit = "channel.webhook.refusal"

    def init(self):
        # The refusal path counts an account's last hour with this index alone.
        self.env.cr.execute("""CREATE INDEX IF NOT EXISTS channel_webhook_refusal_alert_idx
                               ON channel_webhook_refusal (credential_id, create_date)""")

    @api.model
    def _after_refusal_recorded(self, cr, credential_id):
        """One indexed count; the alert is written only once refusals repeat."""
        super()._after_refusal_recorded(cr, credential_id)
        if not credential_id:
            return
        cr.execute("""SELECT count(*) FROM channel_webhook_refusal
                       WHERE credential_id = %s
                         AND create_date > (now() at time zone 'utc') - interval '1 hour'""",
                   (credential_id,))
        count = cr.fetchone()[0]
        if count < REFUSALS_PER_HOUR_ALERT:
            return
        try:
            with cr.savepoint():
                env = api.Environment(cr, api.SUPERUSER_ID, {})
                env["integration.credential"].browse(credential_id).exists()._alert_refusals(
                    count)
                env.flush_all()
        except Exception as error:  # noqa: BLE001 - the refusal's trace matters more
            _logger.warning("Alert for refused webhooks of account %s not written: %s",
                            credential_id, type(error).__name__)


class ChannelWebhookEvent(models.Model):
    _inherit = "channel.webhook.event"

    def _process(self):
        # An accepted delivery proves the platform has the right URL and secret again;
        # checked in the processing job, not in the intake that must answer fast.
        result = super()._process()
        self.credential_id._alert_resolve(
            "webhook_refused", self.env._("A webhook delivery was accepted again."))
        return result
