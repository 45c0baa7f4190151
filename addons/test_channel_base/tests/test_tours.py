"""Tours in a real browser (Chromium, through Odoo's HttpCase): what a person does on
the screens, end to end."""

import json

from odoo.tests import HttpCase, tagged


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
