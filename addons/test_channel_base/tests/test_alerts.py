import json
from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.models.integration_credential_alerts import ALERT_ACTIVITY_TYPES

from .common import ExampleAccountMixin


def alerts_of(credential, cause):
    """Open alert activities of ``cause`` on ``credential``."""
    return credential.env["mail.activity"].sudo().search([
        ("res_model", "=", "integration.credential"), ("res_id", "=", credential.id),
        ("activity_type_id", "=", credential.env.ref(ALERT_ACTIVITY_TYPES[cause]).id)])


def _done_alert_messages(credential, cause):
    activity_type = credential.env.ref(ALERT_ACTIVITY_TYPES[cause])
    return credential.message_ids.filtered(lambda m: m.mail_activity_type_id == activity_type)


@tagged("post_install", "-at_install")
class TestAlerts(ExampleAccountMixin, TransactionCase):
    """One activity per cause for the account's responsible user, closed with the cause."""

    example_account_name = "Example alerts"

    def setUp(self):
        super().setUp()
        self.responsible = self.env["res.users"].create({
            "name": "Alice Operator", "login": "alice.alerts", "email": "alice@example.com",
            "groups_id": [(4, self.env.ref("channel_base.group_integration_manager").id)]})
        self.credential.responsible_user_id = self.responsible
        self.sim.options["api_key"] = self.example_api_key

    def _run_jobs(self):
        self.env["sync.job"].search([("state", "=", "pending")]).write(
            {"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
        self.env["sync.job"]._run_due_jobs(batch_size=10, time_budget=30)
        self.env.invalidate_all()

    def _fail(self, message):
        job = self.credential._enqueue_job("example.fail", payload={"message": message},
                                           dedup_key=f"fail:{message}")
        self._run_jobs()
        self.assertEqual(job.state, "failed")
        return job

    def test_responsible_defaults_to_the_creator(self):
        account = self.env["integration.credential"].with_user(self.responsible).sudo().create(
            {"name": "Example created by Alice", "platform": "example"})
        self.assertEqual(account.responsible_user_id, self.responsible)

    def test_dead_letters_open_one_activity_and_retry_closes_it(self):
        first = self._fail("bad address on order 7")
        self.assertFalse(alerts_of(self.credential, "failed_jobs").filtered(
            lambda a: a.channel_alert_count != 1))
        second = self._fail("unknown SKU ZZ-9")
        (activity,) = alerts_of(self.credential, "failed_jobs")
        self.assertEqual(activity.user_id, self.responsible)
        self.assertEqual(activity.channel_alert_count, 2)
        self.assertIn("unknown SKU ZZ-9", activity.note)
        self.assertIn("Occurrences: 2", activity.note)
        first.action_retry_now()
        self.assertTrue(alerts_of(self.credential, "failed_jobs"), "one failed job is left")
        second.action_cancel()
        self.assertFalse(alerts_of(self.credential, "failed_jobs"))
        self.assertTrue(_done_alert_messages(self.credential, "failed_jobs"),
                        "the activity was marked done, not deleted silently")

    def test_reconnect_needed_opens_an_alert_and_a_new_key_closes_it(self):
        self.sim.options["api_key"] = "rotated-on-the-platform"
        job = self.credential._enqueue_job("example.push_order", payload={"reference": "R-1"})
        self._run_jobs()
        self.assertEqual(job.state, "failed")
        self.assertTrue(self.credential.reconnect_needed)
        (activity,) = alerts_of(self.credential, "reconnect")
        self.assertIn("401", activity.note)
        self.assertNotIn(self.example_api_key, activity.note)
        self.assertEqual(len(alerts_of(self.credential, "failed_jobs")), 1)
        self.credential.sudo().example_api_key = "rotated-on-the-platform"
        self.assertFalse(alerts_of(self.credential, "reconnect"))
        self.assertTrue(_done_alert_messages(self.credential, "reconnect"))

    def _overdue_order(self, hours_late):
        product = self.env["product.product"].create({"name": "Alert widget", "type": "consu"})
        order = self.env["sale.order"].create({
            "partner_id": self.env["res.partner"].create({"name": "Late customer"}).id,
            "channel_credential_id": self.credential.id, "channel_external_id": "LATE-1",
            "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1})],
        })
        order.action_confirm()
        order.picking_ids.scheduled_date = fields.Datetime.now() - timedelta(hours=hours_late)
        return order

    def test_order_overdue_opens_an_alert_and_shipping_closes_it(self):
        self.credential.alert_overdue_hours = 24
        on_time = self._overdue_order(hours_late=2)
        self.env["integration.credential"]._cron_alert_overdue_orders()
        self.assertFalse(alerts_of(self.credential, "overdue_orders"), "2 h late is within 24 h")
        on_time.picking_ids.scheduled_date = fields.Datetime.now() - timedelta(hours=30)
        self.env["integration.credential"]._cron_alert_overdue_orders()
        (activity,) = alerts_of(self.credential, "overdue_orders")
        self.assertIn(on_time.name, activity.note)
        self.assertEqual(activity.channel_alert_count, 1)
        self.env["integration.credential"]._cron_alert_overdue_orders()
        self.assertEqual(len(alerts_of(self.credential, "overdue_orders")), 1, "not one per run")
        picking = on_time.picking_ids
        picking.move_ids.quantity = 1
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.env["integration.credential"]._cron_alert_overdue_orders()
        self.assertFalse(alerts_of(self.credential, "overdue_orders"))

    def test_overdue_check_off_when_hours_is_zero(self):
        self.credential.alert_overdue_hours = 0
        self._overdue_order(hours_late=300)
        self.env["integration.credential"]._cron_alert_overdue_orders()
        self.assertFalse(alerts_of(self.credential, "overdue_orders"))

    def test_digest_mails_open_alerts_only_when_asked(self):
        self._fail("digest failure")
        Mail = self.env["mail.mail"].sudo()
        before = Mail.search([]).ids
        self.env["integration.credential"]._cron_send_alert_digest()
        self.assertFalse(Mail.search([("id", "not in", before)]), "off by default")
        self.credential.alert_digest = True
        self.env["integration.credential"]._cron_send_alert_digest()
        (mail,) = Mail.search([("id", "not in", before)])
        self.assertIn("alice@example.com", mail.email_to)
        self.assertIn(self.credential.name, mail.subject)
        self.assertIn("digest failure", mail.body_html)

    def test_an_accepted_delivery_closes_the_refused_webhooks_alert(self):
        self.credential._alert_refusals(3)
        self.credential._alert_refusals(5)
        (activity,) = alerts_of(self.credential, "webhook_refused")
        self.assertEqual(activity.channel_alert_count, 5)
        event, _new = self.env["channel.webhook.event"]._store_delivery(
            self.credential, "accepted-1", "order", {},
            json.dumps({"id": "accepted-1", "order": {"id": "ACC-1", "lines": []}}))
        event._process()
        self.assertEqual(event.state, "processed")
        self.assertFalse(alerts_of(self.credential, "webhook_refused"))

    def test_form_shows_the_alert_settings(self):
        arch = self.env["integration.credential"].get_views([(False, "form")])["views"]["form"]
        for name in ("responsible_user_id", "alert_overdue_hours", "alert_digest"):
            self.assertIn(f'name="{name}"', arch["arch"])
