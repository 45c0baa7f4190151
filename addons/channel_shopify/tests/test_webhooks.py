import json

from odoo.tests import HttpCase, tagged

from odoo.addons.channel_base.tests.webhook_kit import WebhookKit

from tests.simulators.shopify import ShopifySimulator

from .. import const
from .common import APP_SECRET, SKU, ShopifyAccountMixin


class ShopifyWebhookMixin(ShopifyAccountMixin):
    def webhook_path(self):
        return f"/channel/webhook/shopify/{self.credential.id}"

    def post(self, topic, payload, **options):
        body, headers = self.sim.webhook_delivery(topic, payload, **options)
        return self.url_open(self.webhook_path(), data=body, headers=headers)

    def process_webhooks(self):
        self.drain()

    def events(self):
        return self.env["channel.webhook.event"].search(
            [("credential_id", "=", self.credential.id)], order="id")


@tagged("post_install", "-at_install")
class TestShopifyWebhookKit(WebhookKit, ShopifyWebhookMixin, HttpCase):
    shopify_account_name = "Shopify webhook kit"

    def setUp(self):
        super().setUp()
        self._kit_events = {}

    def _webhook_kit_event_body(self, event_id):
        order = self.sim.add_order(sku=SKU)
        body = json.dumps(ShopifySimulator.order_webhook_payload(order)).encode()
        self._kit_events[body] = (event_id, order["id"].rsplit("/", 1)[1])
        return body

    def _kit_headers(self, body, secret):
        event_id = self._kit_events.get(body, ("kit-malformed", None))[0]
        _body, headers = self.sim.webhook_delivery("orders/create", body, event_id=event_id,
                                                   secret=secret)
        return headers

    def _webhook_kit_authenticate(self, body):
        return self._kit_headers(body, APP_SECRET), {}

    def _webhook_kit_forge(self, body):
        return self._kit_headers(body, "not-the-app-secret"), {}

    def _webhook_kit_malformed_body(self):
        return b'{"id": 123, "name": '

    def _webhook_kit_delivery_id(self, event_id):
        return f"{event_id}:orders/create"

    def _webhook_kit_processed_count(self, event_id):
        number = next(n for e, n in self._kit_events.values() if e == event_id)
        return self.env["sale.order"].search_count([
            ("channel_credential_id", "=", self.credential.id),
            ("channel_external_id", "=", number)])


@tagged("post_install", "-at_install")
class TestShopifyWebhooks(ShopifyWebhookMixin, HttpCase):
    shopify_account_name = "Shopify webhooks"

    def test_hmac_is_base64_of_the_raw_body_with_the_app_secret(self):
        """The doc's self-computed vector (shared/docs/platforms/shopify.md)."""
        from odoo.addons.channel_base.verification import verify_hmac_sha256
        self.assertTrue(verify_hmac_sha256(
            "hush", b'{"id":1,"topic":"orders/create"}',
            "rlYwtxSz64KhPygOLXbekmzsjq0OqrcotnlUzAe2yuQ=", encoding="base64"))
        self.assertEqual(self.credential._webhook_signature_encoding(), "base64")
        self.assertNotIn("token=", self.credential.sudo().webhook_url)

    def test_duplicates_and_out_of_order_deliveries(self):
        order = self.sim.add_order(sku=SKU)
        created = ShopifySimulator.order_webhook_payload(order)
        self.sim.refund_order(order["id"], 3.0)
        updated = ShopifySimulator.order_webhook_payload(self.sim.orders[order["id"]])
        # the update arrives first, twice (same event id), then the older create
        for _copy in range(2):
            response = self.post("orders/updated", updated, event_id="evt-2",
                                 webhook_id="wh-2")
            self.assertEqual(response.status_code, 200)
        self.post("orders/create", created, event_id="evt-1")
        self.process_webhooks()
        events = self.events()
        self.assertEqual(len(events), 2)
        self.assertEqual(events[0].duplicate_count, 1)
        self.assertEqual(events[0].delivery_id, "evt-2:orders/updated")
        self.assertIn("wh-2", events[0].headers, "the delivery id is recorded")
        sale = self.shopify_orders()
        self.assertEqual(len(sale), 1, "imported once")
        self.assertAlmostEqual(sale.shopify_refunded, 3.0, msg="the newest state is kept")
        self.assertEqual(events.mapped("state"), ["processed", "processed"])

    def test_same_event_on_another_topic_is_another_delivery(self):
        order = self.sim.add_order(sku=SKU)
        payload = ShopifySimulator.order_webhook_payload(order)
        self.post("orders/create", payload, event_id="evt-9")
        self.post("orders/updated", payload, event_id="evt-9")
        self.assertEqual(len(self.events()), 2)

    def test_cancel_webhook_cancels_the_order(self):
        order = self.sim.add_order(sku=SKU)
        self.run_orders_stream()
        self.sim.cancel_order(order["id"])
        self.post("orders/cancelled", ShopifySimulator.order_webhook_payload(
            self.sim.orders[order["id"]]))
        self.process_webhooks()
        self.assertEqual(self.shopify_orders().state, "cancel")

    def test_app_uninstalled_pauses_the_account_until_a_new_token(self):
        self.post("app/uninstalled", {"id": 1, "domain": "test-shop.myshopify.com"})
        self.process_webhooks()
        self.assertTrue(self.credential.shopify_uninstalled)
        self.assertTrue(self.credential.reconnect_needed)
        self.assertNotIn(self.credential,
                         self.env["integration.credential"]._scheduled_sync_credentials("shopify"))
        self.credential.sudo().write({"shopify_access_token": self.sim.options["access_token"]})
        self.assertFalse(self.credential.shopify_uninstalled)
        self.assertFalse(self.credential.reconnect_needed)

    def test_compliance_webhooks_are_recorded_and_redaction_applied(self):
        order = self.sim.add_order(sku=SKU, email="gdpr@example.com")
        self.run_orders_stream()
        sale = self.shopify_orders()
        number = int(sale.channel_external_id)
        self.post("customers/data_request", {
            "shop_domain": "test-shop.myshopify.com", "customer": {"id": 1,
                                                                 "email": "gdpr@example.com"},
            "orders_requested": [number], "data_request": {"id": 9}})
        self.post("customers/redact", {
            "shop_domain": "test-shop.myshopify.com", "customer": {"id": 1,
                                                                 "email": "gdpr@example.com"},
            "orders_to_redact": [number]})
        self.process_webhooks()
        requests = self.env["shopify.compliance.request"].search(
            [("credential_id", "=", self.credential.id)], order="id")
        self.assertEqual(requests.mapped("topic"), ["customers/data_request",
                                                    "customers/redact"])
        self.assertIn(sale.name, requests[0].outcome)
        self.assertFalse(requests[1].customer_email, "the redaction record keeps no email")
        self.assertEqual(sale.partner_shipping_id.street, False)
        self.assertFalse(sale.partner_id.email)
        self.assertEqual(sale.partner_id.name, "Redacted Shopify customer")
        del order

    def test_forged_compliance_webhook_is_refused(self):
        body, headers = self.sim.webhook_delivery("shop/redact", {"shop_domain": "x"},
                                                  secret="forged")
        response = self.url_open(self.webhook_path(), data=body, headers=headers)
        self.assertEqual(response.status_code, 401)
        self.assertFalse(self.env["shopify.compliance.request"].search(
            [("credential_id", "=", self.credential.id)]))

    def test_register_webhooks_and_subscriptions_health(self):
        self.credential.action_shopify_check_webhooks()
        self.assertEqual(set(self.credential.shopify_webhooks_missing.split(", ")),
                         set(const.TOPICS))
        self.credential.action_shopify_register_webhooks()
        self.assertEqual(sorted(s["topic"] for s in self.sim.subscriptions.values()),
                         sorted(const.TOPICS.values()))
        self.assertEqual({s["callbackUrl"] for s in self.sim.subscriptions.values()},
                         {self.credential.sudo().webhook_url})
        self.credential.action_shopify_check_webhooks()
        self.assertFalse(self.credential.shopify_webhooks_missing)
        # Shopify deleted one after failed deliveries: the check says so, Repair re-adds it
        lost = next(key for key, s in self.sim.subscriptions.items()
                    if s["topic"] == "ORDERS_UPDATED")
        del self.sim.subscriptions[lost]
        self.credential.action_shopify_check_webhooks()
        self.assertEqual(self.credential.shopify_webhooks_missing, "orders/updated")
        self.credential.action_shopify_register_webhooks()
        self.assertEqual(len(self.sim.subscriptions), len(const.TOPICS))
        self.assertFalse(self.credential.shopify_webhooks_missing)

    def test_daily_health_stream_reports_a_deleted_subscription(self):
        self.credential.action_shopify_register_webhooks()
        lost = next(key for key, s in self.sim.subscriptions.items()
                    if s["topic"] == "ORDERS_CANCELLED")
        del self.sim.subscriptions[lost]
        self.credential._channel_stream("webhooks_health").action_run_now()
        self.drain()
        self.assertEqual(self.credential.shopify_webhooks_missing, "orders/cancelled")
        self.assertIn("orders/cancelled", self.credential.message_ids[0].body)

    def test_deliveries_from_the_simulator_reach_the_registered_url(self):
        self.credential.action_shopify_register_webhooks()
        order = self.sim.add_order(sku=SKU)
        base = self.base_url()
        for key, subscription in self.sim.subscriptions.items():
            subscription["callbackUrl"] = subscription["callbackUrl"].replace(
                subscription["callbackUrl"].split("/channel/")[0], base)
            del key
        statuses = self.sim.deliver("orders/create", ShopifySimulator.order_webhook_payload(
            order), duplicate=True)
        self.assertEqual(statuses, [200, 200])
        self.process_webhooks()
        self.assertEqual(len(self.shopify_orders()), 1)

    def test_bulk_finish_webhook_imports_the_result(self):
        self.sim.options["bulk_polls"] = 100  # only the webhook says it finished
        self.sim.add_order(sku=SKU)
        self.credential.action_shopify_bulk_import()
        self.drain()
        operation = self.credential.shopify_bulk_operation_id
        self.assertTrue(operation)
        self.sim.finish_bulk(operation)
        self.post("bulk_operations/finish", {"admin_graphql_api_id": operation,
                                             "status": "completed"})
        self.drain()
        self.drain()
        self.assertEqual(len(self.shopify_orders()), 1)
