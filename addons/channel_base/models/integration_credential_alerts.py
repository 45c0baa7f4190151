"""Alerts to the people who must act (``docs/alerts.md``): one activity per cause on the
account, for its responsible user; a second failure of the same cause updates the open
activity, resolving the cause marks it done."""

from datetime import timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models

#: cause -> xml id of its activity type (data/channel_alert_data.xml)
ALERT_ACTIVITY_TYPES = {
    "failed_jobs": "channel_base.mail_activity_type_channel_failed_jobs",
    "webhook_refused": "channel_base.mail_activity_type_channel_webhook_refused",
    "reconnect": "channel_base.mail_activity_type_channel_reconnect",
    "overdue_orders": "channel_base.mail_activity_type_channel_overdue_orders",
}
#: refusals of one account within an hour that open the "webhook refused" alert
REFUSALS_PER_HOUR_ALERT = 3


class IntegrationCredential(models.Model):
    _name = "integration.credential"
    _inherit = ["integration.credential", "mail.activity.mixin"]  # pylint: disable=consider-merging-classes-inherited

    responsible_user_id = fields.Many2one(
        "res.users", "Responsible", default=lambda self: self.env.user, tracking=True,
        help="Who gets this account's alerts (failed jobs, refused webhooks, reconnect "
        "needed, overdue orders) as activities, and the optional daily digest.")
    alert_overdue_hours = fields.Integer(
        "Overdue After (hours)", default=24,
        help="A sale order of this account whose delivery is still not shipped this many "
        "hours after its scheduled date opens an alert; 0 turns the check off.")
    alert_digest = fields.Boolean(
        "Daily Alert Digest", default=False,
        help="Email the responsible user a summary of this account's open alerts every day.")

    # ------------------------------------------------------------------ open / close

    def _alert_user(self):
        return self.responsible_user_id or self.create_uid or self.env.user

    def _alert_activity(self, cause):
        """The open activity of ``cause`` on this account (at most one)."""
        self.ensure_one()
        return self.env["mail.activity"].sudo().search([
            ("res_model", "=", self._name), ("res_id", "=", self.id),
            ("activity_type_id", "=", self.env.ref(ALERT_ACTIVITY_TYPES[cause]).id),
        ], limit=1)

    def _alert_raise(self, cause, summary, detail, count=None):
        """Open the alert of ``cause``, or update the open one: its note tells the latest
        ``detail`` and how many times (``count``, or one more than before) it happened."""
        for credential in self.sudo():
            activity = credential._alert_activity(cause)
            total = count if count is not None else (activity.channel_alert_count or 0) + 1
            note = credential._alert_note(detail, total)
            if activity:
                activity.write({"note": note, "summary": summary, "channel_alert_count": total})
                continue
            activity = credential.activity_schedule(
                ALERT_ACTIVITY_TYPES[cause], summary=summary, note=note,
                user_id=credential._alert_user().id)
            activity.channel_alert_count = total

    def _alert_note(self, detail, count):
        return Markup("<p>%s</p><p>%s</p>") % (
            escape(detail), self.env._("Occurrences: %(count)s (last %(when)s UTC)",
                                       count=count, when=fields.Datetime.now()))

    def _alert_resolve(self, cause, feedback):
        """The cause is gone: mark its open activity done (kept in the chatter)."""
        for credential in self.sudo():
            activity = credential._alert_activity(cause)
            if activity:
                activity.action_feedback(feedback=feedback)

    def _alert_open_activities(self):
        """Open alert activities of these accounts, for the digest."""
        type_ids = [self.env.ref(xml_id).id for xml_id in ALERT_ACTIVITY_TYPES.values()]
        return self.env["mail.activity"].sudo().search([
            ("res_model", "=", self._name), ("res_id", "in", self.ids),
            ("activity_type_id", "in", type_ids)])

    # ------------------------------------------------------------------ causes

    def _alert_failed_job(self, job):
        """A job of this account landed in the dead letter (Failed)."""
        self._alert_raise("failed_jobs", self.env._("Failed sync jobs"), self.env._(
            "%(job)s failed: %(error)s", job=job.display_label, error=job.last_error or ""))

    def _alert_check_failed_jobs(self):
        """Close the failed-jobs alert of accounts with no failed job left."""
        failing = {credential.id for credential, in self.env["sync.job"].sudo()._read_group(
            [("credential_id", "in", self.ids), ("state", "=", "failed")], ["credential_id"])}
        self.filtered(lambda c: c.id not in failing)._alert_resolve(
            "failed_jobs", self.env._("No failed job left (retried or cancelled)."))

    def _alert_refusals(self, count):
        self._alert_raise(
            "webhook_refused", self.env._("Webhook deliveries refused"),
            self.env._("%(count)s webhook deliveries refused within the last hour: the "
                       "platform may hold an old URL or secret (see Refused Deliveries).",
                       count=count), count=count)

    def _mark_reconnect_needed(self, reason):
        flagged = self.filtered(lambda c: not c.reconnect_needed)
        result = super()._mark_reconnect_needed(reason)
        flagged._alert_raise("reconnect", self.env._("Reconnect needed"), self.env._(
            "The platform refused the credentials: %(reason)s. Scheduled syncs are paused.",
            reason=reason))
        return result

    def _clear_reconnect_needed(self):
        needing = self.filtered("reconnect_needed")
        result = super()._clear_reconnect_needed()
        needing._alert_resolve("reconnect", self.env._("Reconnected: credentials changed or "
                                                       "Test Connection succeeded."))
        return result

    def write(self, vals):
        result = super().write(vals)
        if "webhook_secret" in vals:
            self._alert_resolve("webhook_refused", self.env._("Webhook secret changed."))
        return result

    # ------------------------------------------------------------------ overdue orders

    def _overdue_pickings(self):
        """Outgoing transfers of this account's sale orders not shipped
        ``alert_overdue_hours`` after their scheduled date."""
        self.ensure_one()
        cutoff = fields.Datetime.now() - timedelta(hours=self.alert_overdue_hours)
        return self.env["stock.picking"].sudo().search([
            ("sale_id.channel_credential_id", "=", self.id),
            ("picking_type_code", "=", "outgoing"),
            ("state", "not in", ("draft", "done", "cancel")),
            ("scheduled_date", "<", cutoff),
        ], order="scheduled_date")

    @api.model
    def _cron_alert_overdue_orders(self):
        for credential in self.sudo().search([("alert_overdue_hours", ">", 0)]):
            credential._alert_check_overdue_orders()

    def _alert_check_overdue_orders(self):
        self.ensure_one()
        pickings = self._overdue_pickings()
        if not pickings:
            self._alert_resolve("overdue_orders", self.env._("Every overdue order shipped."))
            return
        orders = pickings.sale_id
        self._alert_raise("overdue_orders", self.env._("Orders not shipped in time"), self.env._(
            "%(count)s orders not shipped %(hours)s hours after their scheduled date: "
            "%(names)s", count=len(orders), hours=self.alert_overdue_hours,
            names=", ".join(orders[:20].mapped("name"))), count=len(orders))

    # ------------------------------------------------------------------ digest

    @api.model
    def _cron_send_alert_digest(self):
        template = self.env.ref("channel_base.mail_template_channel_alert_digest")
        for credential in self.sudo().search([("alert_digest", "=", True)]):
            if credential._alert_open_activities() and credential._alert_user().email:
                template.send_mail(credential.id)
