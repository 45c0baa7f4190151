import json

from odoo.tests import HttpCase, tagged

from odoo.addons.channel_base.models.sync_job import WEBHOOK_OPERATION


@tagged("post_install", "-at_install")
class TestWebhookRoute(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Credential = cls.env["integration.credential"]
        cls.credential = Credential.create({"name": "Example hooks", "platform": "example"})
        cls.secret = cls.credential.sudo().webhook_secret
        cls.product = cls.env["product.product"].create({"name": "Hook", "default_code": "HK-1"})

    def _post(self, body, credential=None, token=None, platform="example", headers=None):
        credential = credential or self.credential
        token = self.secret if token is None else token
        url = f"/channel/webhook/{platform}/{credential.id}"
        if token is not False:
            url += f"?token={token}"
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.url_open(url, data=raw, headers=dict(
            {"Content-Type": "application/json"}, **(headers or {})))

    def _order_event(self, event_id, sku="HK-1"):
        return {"id": event_id, "event": "order.created",
                "order": {"id": f"ext-{event_id}", "reference": f"R-{event_id}",
                          "lines": [{"sku": sku, "qty": 1}],
                          "customer": {"name": "Hook Buyer", "email": "hook@example.com"}}}

    def _events(self, delivery_id):
        return self.env["channel.webhook.event"].search([
            ("credential_id", "=", self.credential.id), ("delivery_id", "=", delivery_id)])

    def test_accepted_event_is_stored_and_queued_before_processing(self):
        response = self._post(self._order_event("evt-1"))
        self.assertEqual(response.status_code, 200, response.text)
        event = self._events("evt-1")
        self.assertEqual(event.state, "queued")
        self.assertEqual(event.event_type, "order.created")
        self.assertEqual(event.job_id.operation, WEBHOOK_OPERATION)
        self.assertEqual(event.job_id.state, "pending")
        self.assertNotIn(self.secret, event.headers + event.body)
        # Nothing was processed yet: no order exists until the job runs.
        orders = self.env["sale.order"].search([("channel_external_id", "=", "ext-evt-1")])
        self.assertFalse(orders)
        event.job_id._run_one()
        self.assertEqual(event.state, "processed")
        self.assertEqual(
            self.env["sale.order"].search_count([("channel_external_id", "=", "ext-evt-1")]), 1)

    def test_duplicate_delivery_answers_200_and_is_not_processed_twice(self):
        first = self._post(self._order_event("evt-dup"))
        second = self._post(self._order_event("evt-dup"))
        self.assertEqual((first.status_code, second.status_code), (200, 200))
        self.assertIn("Duplicate", second.text)
        event = self._events("evt-dup")
        self.assertEqual(len(event), 1)
        self.assertEqual(event.duplicate_count, 1)
        self.assertEqual(self.env["sync.job"].search_count([
            ("operation", "=", WEBHOOK_OPERATION), ("res_id", "=", event.id)]), 1)

    def test_bad_or_missing_token_is_401_and_stores_nothing(self):
        self.assertEqual(self._post(self._order_event("evt-bad"), token="forged").status_code, 401)
        self.assertEqual(self._post(self._order_event("evt-none"), token=False).status_code, 401)
        self.assertFalse(self._events("evt-bad") | self._events("evt-none"))

    def test_no_secret_configured_refuses_everything(self):
        credential = self.credential.copy({"name": "No secret"})
        credential.sudo().webhook_secret = False
        self.assertEqual(self._post(self._order_event("e"), credential=credential,
                                    token="").status_code, 401)

    def test_unknown_inactive_or_mismatched_credential_is_404(self):
        missing = self.env["integration.credential"].browse(999999)
        self.assertEqual(self._post({"id": "x"}, credential=missing).status_code, 404)
        self.assertEqual(self._post({"id": "x"}, platform="shopify").status_code, 404)
        archived = self.credential.copy({"name": "Archived"})
        token = archived.sudo().webhook_secret
        archived.active = False
        self.assertEqual(self._post({"id": "x"}, credential=archived, token=token).status_code,
                         404)

    def test_body_over_the_limit_is_413(self):
        self.env["ir.config_parameter"].sudo().set_param("channel_base.webhook_max_bytes", 1000)
        big = {"id": "big", "padding": "x" * 2000}
        self.assertEqual(self._post(big).status_code, 413)
        self.assertFalse(self._events("big"))
        self.assertEqual(self._post({"id": "small"}).status_code, 200)

    def test_malformed_body_after_authentication_is_stored_failed_400(self):
        response = self._post(b'{"id": "broken", "order": ')
        self.assertEqual(response.status_code, 400)
        event = self.env["channel.webhook.event"].search(
            [("credential_id", "=", self.credential.id), ("state", "=", "failed")])
        self.assertEqual(len(event), 1)
        self.assertIn("Malformed JSON", event.error)
        self.assertFalse(event.job_id)
        # Malformed and unauthenticated: 401, body never parsed nor stored.
        self.assertEqual(self._post(b"{not json", token="forged").status_code, 401)

    def test_nul_bytes_are_stored_not_fatal(self):
        # A raw NUL is invalid JSON: stored (NUL replaced) as failed, answered 400, not 500.
        response = self._post(b'{"id": "nul\x00", "order": {}}')
        self.assertEqual(response.status_code, 400)
        failed = self.env["channel.webhook.event"].search(
            [("credential_id", "=", self.credential.id), ("state", "=", "failed")])
        self.assertIn("nul\ufffd", failed.body)
        # An escaped NUL is valid JSON; the queued job's payload must still store.
        job = self.credential._enqueue_job("example.push_order",
                                           payload={"reference": "R\u0000X"})
        self.assertEqual(job.payload, {"reference": "R\ufffdX"})

    def test_processing_failure_leaves_event_for_replay(self):
        self._post(self._order_event("evt-sku", sku="NOT-YET"))
        event = self._events("evt-sku")
        event.job_id._run_one()
        self.assertEqual(event.job_id.state, "failed")
        self.assertEqual(event.state, "failed")
        self.assertIn("NOT-YET", event.error)
        self.env["product.product"].create({"name": "Late", "default_code": "NOT-YET"})
        event.action_replay()
        self.assertEqual(event.state, "queued")
        event.job_id._run_one()
        self.assertEqual(event.state, "processed", event.error)
        self.assertEqual(
            self.env["sale.order"].search_count([("channel_external_id", "=", "ext-evt-sku")]), 1)
