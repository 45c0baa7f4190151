"""Tours in a real browser (Chromium, through Odoo's HttpCase): what a person does on
the screens, end to end."""

import json

from odoo.tests import HttpCase, tagged

from odoo.addons.channel_base.exceptions import PermanentError


@tagged("post_install", "-at_install")
class TestAccountTours(HttpCase):
    def test_create_an_account_from_the_form_and_receive_its_first_webhook(self):
        self.start_tour("/odoo", "channel_account_create", login="admin")
        account = self.env["integration.credential"].search(
            [("name", "=", "Tour example account")])
        self.assertEqual(account.platform, "example")
        self.assertTrue(account.sudo().webhook_secret, "an account from the form gets a secret")
        delivery = {"id": "tour-delivery-1", "order": {"id": "TOUR-ORDER-1", "lines": []}}
        response = self.url_open(
            account.sudo().webhook_url.removeprefix(self.base_url()),
            data=json.dumps(delivery).encode(), headers={"Content-Type": "application/json"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(account.env["channel.webhook.event"].search(
            [("credential_id", "=", account.id)]).delivery_id, "tour-delivery-1")
        self.start_tour(f"/odoo/action-channel_base.action_integration_credential/{account.id}",
                        "channel_account_first_webhook", login="admin")


@tagged("post_install", "-at_install")
class TestToFixTour(HttpCase):
    def test_dashboard_to_fix_leads_to_the_failed_job_and_retry(self):
        account = self.env["integration.credential"].create(
            {"name": "Tour fix account", "platform": "example", "api_base_url": "http://127.0.0.1:9",
             "responsible_user_id": self.env.ref("base.user_admin").id})
        job = account._enqueue_job("example.fail", payload={"message": "broken on purpose"})
        job._record_failure(PermanentError("broken on purpose"))
        self.assertEqual(job.state, "failed")
        self.assertTrue(account._alert_activity("failed_jobs"))
        self.start_tour("/odoo", "channel_to_fix_retry", login="admin")
        job.invalidate_recordset()
        self.assertEqual((job.state, job.attempts), ("pending", 0))
        self.assertFalse(account._alert_activity("failed_jobs"), "the retry closed the alert")
