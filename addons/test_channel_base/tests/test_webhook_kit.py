"""The shared webhook kit on the example platform, in both of its authentication modes."""

from odoo.tests import HttpCase, tagged

from odoo.addons.channel_base.tests.common import CommittedCredentialMixin
from odoo.addons.channel_base.tests.webhook_kit import WebhookKit

from tests.simulators.example import WEBHOOK_SIGNATURE_HEADER, ExampleSimulator

KIT_SKU = "KIT-HOOK-1"


class ExampleWebhookKitMixin(CommittedCredentialMixin):
    example_webhook_mode = None

    @classmethod
    def setUpClass(cls):
        cls.credential_id = cls.create_committed_credential({
            "name": f"Example webhook kit ({cls.example_webhook_mode})", "platform": "example",
            "example_webhook_mode": cls.example_webhook_mode})
        super().setUpClass()
        cls.credential = cls.env["integration.credential"].browse(cls.credential_id)
        cls.secret = cls.credential.sudo().webhook_secret
        cls.env["product.product"].create({"name": "Kit hook", "default_code": KIT_SKU})

    def _webhook_kit_event_body(self, event_id):
        body, _headers = ExampleSimulator.webhook_delivery(self._order_event(event_id))
        return body

    def _order_event(self, event_id):
        return {"id": event_id, "event": "order.created",
                "order": {"id": f"kit-{event_id}", "reference": f"R-{event_id}",
                          "lines": [{"sku": KIT_SKU, "qty": 1}],
                          "customer": {"name": "Kit Buyer", "email": "kit@example.com"}}}

    def _webhook_kit_malformed_body(self):
        return b'{"id": "kit-broken", "order": '

    def _webhook_kit_processed_count(self, event_id):
        return self.env["sale.order"].search_count([
            ("channel_credential_id", "=", self.credential.id),
            ("channel_external_id", "=", f"kit-{event_id}")])


@tagged("post_install", "-at_install")
class TestExampleWebhookKitUrlToken(ExampleWebhookKitMixin, WebhookKit, HttpCase):
    example_webhook_mode = "token"

    def _webhook_kit_authenticate(self, body):
        return {"Content-Type": "application/json"}, {"token": self.secret}

    def _webhook_kit_forge(self, body):
        return {"Content-Type": "application/json"}, {"token": "forged-" + self.secret[:8]}

    def test_webhook_url_carries_the_token(self):
        self.assertFalse(self.credential._webhook_is_signed())
        self.assertTrue(self.credential.sudo().webhook_url.endswith(f"?token={self.secret}"))


@tagged("post_install", "-at_install")
class TestExampleWebhookKitSigning(ExampleWebhookKitMixin, WebhookKit, HttpCase):
    example_webhook_mode = "signing"

    def _webhook_kit_authenticate(self, body):
        return dict(ExampleSimulator.sign_webhook(body, self.secret),
                    **{"Content-Type": "application/json"}), {}

    def _webhook_kit_forge(self, body):
        return dict(ExampleSimulator.sign_webhook(body, "not-the-" + self.secret),
                    **{"Content-Type": "application/json"}), {}

    def test_signing_account_ignores_the_url_token(self):
        """The token alone does not authenticate a signing account: the signature must."""
        body = self._webhook_kit_event_body("kit-token-only")
        response = self._webhook_kit_post(body, {"Content-Type": "application/json"},
                                          {"token": self.secret})
        self.assertEqual(response.status_code, 401)
        self.assertEqual(self._webhook_kit_refusals(), [(401, "bad_signature")])
        self.assertNotIn("?token=", self.credential.sudo().webhook_url)

    def test_signature_header_name_is_matched_case_insensitively(self):
        body = self._webhook_kit_event_body("kit-case")
        (signature,) = ExampleSimulator.sign_webhook(body, self.secret).values()
        response = self._webhook_kit_post(body, {
            WEBHOOK_SIGNATURE_HEADER.lower(): signature,
            "Content-Type": "application/json"}, {})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(len(self._webhook_kit_events("kit-case")), 1)

    def test_no_secret_configured_refuses_even_a_matching_signature(self):
        self.credential.sudo().webhook_secret = False
        body = self._webhook_kit_event_body("kit-no-secret")
        response = self._webhook_kit_post(body, dict(
            ExampleSimulator.sign_webhook(body, ""), **{"Content-Type": "application/json"}),
            {})
        self.assertEqual(response.status_code, 401)
        self._webhook_kit_assert_nothing_stored("kit-no-secret")
