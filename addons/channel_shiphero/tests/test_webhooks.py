import json

from odoo.tests import HttpCase, tagged

from odoo.addons.channel_base.tests.webhook_kit import WebhookKit

from .. import const
from .common import ShipheroAccountMixin

KIT_SECRET = "kit-shared-signature-secret-0001"


class _WebhookAccount(ShipheroAccountMixin):
    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", self.base_url())

    def deliveries_to_odoo(self):
        return [status for _name, _id, status in self.sim.deliveries]


@tagged("post_install", "-at_install")
class TestShipheroWebhookKit(WebhookKit, _WebhookAccount, HttpCase):
    shiphero_account_name = "ShipHero webhook kit"

    def setUp(self):
        super().setUp()
        self.env["shiphero.webhook.subscription"].sudo().create({
            "credential_id": self.credential.id, "name": const.EVENT_ALLOCATED,
            "shop_name": "odoo", "secret": KIT_SECRET})
        order = self.sim.add_order((("SKU-1", 1),), number="MO-KIT")
        self.credential._shiphero_import_orders([self._node(order)])
        self.kit_order = self.order_of(order)

    def _node(self, order):
        view = self.sim.order_view(order)
        view["line_items"] = {"edges": [{"node": line} for line in order["line_items"]]}
        view["shipments"] = []
        return view

    def _webhook_kit_event_body(self, event_id):
        return json.dumps({
            "webhook_type": "Order Allocated", "allocation_reference": event_id,
            "order_uuid": self.kit_order.channel_external_id,
            "order_number": self.kit_order.channel_external_ref,
            "allocated_at": "2026-11-30T10:00:00"}).encode()

    def _webhook_kit_authenticate(self, body):
        try:
            message_id = json.loads(body)["allocation_reference"]
        except ValueError:
            message_id = "kit-malformed"
        return ({"Content-Type": "application/json",
                 "X-ShipHero-HMAC-SHA256": self.sim.sign(KIT_SECRET, body),
                 "X-Shiphero-Message-ID": message_id}, {})

    def _webhook_kit_forge(self, body):
        headers, query = self._webhook_kit_authenticate(body)
        headers["X-ShipHero-HMAC-SHA256"] = self.sim.sign("a-forged-secret", body)
        return headers, query

    def _webhook_kit_malformed_body(self):
        return b'{"webhook_type": "Order Allocated", "order_uuid": '

    def _webhook_kit_processed_count(self, event_id):
        return self.env["shiphero.allocation.event"].search_count([
            ("order_id", "=", self.kit_order.id), ("reference", "=", event_id)])


@tagged("post_install", "-at_install")
class TestShipheroWebhooks(_WebhookAccount, HttpCase):
    shiphero_account_name = "ShipHero webhooks"

    def setUp(self):
        super().setUp()
        self.credential.action_shiphero_register_webhooks()

    def imported(self, lines=(("SKU-1", 2), ("SKU-2", 1)), number=None):
        order = self.sim.add_order(lines, number=number)
        self.run_stream(const.ORDERS_STREAM)
        return order, self.order_of(order)

    def test_register_webhooks_and_subscriptions_health(self):
        names = sorted(hook["name"] for hook in self.sim.webhooks.values())
        self.assertEqual(names, sorted(const.WEBHOOK_EVENTS))
        subscriptions = self.credential.sudo().shiphero_subscription_ids
        self.assertEqual(len(subscriptions), 5)
        self.assertTrue(all(subscriptions.mapped("secret")), "each secret kept (answered once)")
        self.assertIn("Healthy", self.credential.shiphero_webhook_state)
        self.sim.webhooks.pop((const.EVENT_CANCELED, "odoo"))
        self.credential.action_shiphero_check_subscriptions()
        self.assertIn(const.EVENT_CANCELED, self.credential.shiphero_webhook_state)
        creates = len(self.sim.executed("WebhookCreate"))
        self.credential.action_shiphero_repair_subscriptions()
        self.assertEqual(len(self.sim.executed("WebhookCreate")), creates + 1,
                         "only the missing one")
        self.assertIn("Healthy", self.credential.shiphero_webhook_state)

    def test_allocation_history_and_ready_to_ship_since(self):
        order, sale = self.imported()
        self.assertFalse(sale.shiphero_ready_since)
        self.sim.allocate(order["id"])
        first_at = self.clock.now
        self.clock.advance(600)
        self.sim.deallocate(order["id"])
        self.drain()
        self.assertFalse(sale.shiphero_ready_since, "deallocated: not ready to ship")
        self.clock.advance(600)
        hook = self.sim.webhook(const.EVENT_ALLOCATED)
        payload = self.sim.allocate(order["id"], notify=False)
        self.sim.post_delivery(hook, payload, duplicates=1)  # delivered twice
        self.drain()
        self.assertEqual(sale.shiphero_allocation_ids.mapped("kind"),
                         ["allocated", "deallocated", "allocated"], "every event kept once")
        self.assertEqual(sale.shiphero_ready_since.timestamp(), int(self.clock.now))
        self.assertNotEqual(sale.shiphero_ready_since.timestamp(), int(first_at))
        self.assertTrue(sale.shiphero_ship_by, "the late clock started")
        self.assertEqual(self.deliveries_to_odoo(), [200] * 4)

    def test_answer_body_is_shipheros(self):
        order, _sale = self.imported()
        hook = self.sim.webhook(const.EVENT_ALLOCATED)
        response = self.sim.post_delivery(hook, self.sim.allocate(order["id"], notify=False))
        self.assertEqual(response.json(), const.WEBHOOK_ANSWER)

    def test_partial_then_full_shipment(self):
        order, sale = self.imported()
        self.sim.ship(order["id"], lines={"SKU-1": 1}, tracking="1ZPART", carrier="FedEx",
                      method="Ground")
        self.drain()
        shipment = sale.shiphero_shipment_ids
        self.assertEqual((shipment.tracking_numbers, shipment.carrier, shipment.method),
                         ("1ZPART", "FedEx", "Ground"), "packages' carrier, not the legacy one")
        self.assertEqual(shipment.line_summary, "SKU-1 × 1")
        self.assertEqual(shipment.picking_id.state, "done")
        self.assertNotEqual(sale.shiphero_fulfillment_status, "fulfilled")
        backorder = sale.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.assertEqual(sorted(backorder.move_ids.mapped("product_uom_qty")), [1.0, 1.0])
        self.sim.ship(order["id"], tracking="1ZREST")
        self.drain()
        self.assertEqual(len(sale.shiphero_shipment_ids), 2, "kept per shipment")
        self.assertEqual(sale.shiphero_fulfillment_status, "fulfilled")
        self.assertTrue(all(p.state == "done" for p in sale.picking_ids))

    def test_order_canceled(self):
        order, sale = self.imported()
        self.sim.cancel(order["id"])
        self.drain()
        self.assertEqual(sale.state, "cancel")
        self.assertTrue(all(p.state == "cancel" for p in sale.picking_ids))
        self.assertTrue(any("Cancelled in ShipHero" in (m.body or "") for m in sale.message_ids))

    def test_purchase_order_create_update_and_po_update_webhook(self):
        po = self.env["shiphero.purchase.order"].create({
            "credential_id": self.credential.id,
            "line_ids": [(0, 0, {"product_id": self.products[0].id, "quantity": 10,
                                 "price_unit": 4.5})]})
        po.action_confirm()
        self.drain()
        self.assertTrue(po.shiphero_id)
        remote = self.sim.purchase_orders[po.shiphero_id]
        self.assertEqual(remote["po_number"], po.name)
        self.assertEqual(remote["line_items"][0]["price"], "4.50", "money as strings")
        po.line_ids.quantity = 12
        self.drain()
        self.assertEqual(remote["line_items"][0]["quantity"], 12, "the edit was sent")
        self.assertEqual(len(self.sim.purchase_orders), 1, "updated, not created again")
        self.sim.receive_po(po.shiphero_id, {"SKU-1": 12})
        self.drain()
        self.assertEqual(po.line_ids.quantity_received, 12)
        self.assertEqual(po.state, "closed")

    def test_webhook_for_an_order_not_imported_yet_reads_it(self):
        order = self.sim.add_order((("SKU-3", 1),), number="MO-EARLY")
        self.sim.allocate(order["id"])
        self.drain()
        sale = self.order_of(order)
        self.assertTrue(sale, "read with order(id) and imported")
        self.assertTrue(sale.shiphero_ready_since)

    def test_delivery_for_an_unknown_order_fails_with_its_reason(self):
        hook = self.sim.webhook(const.EVENT_CANCELED)
        response = self.sim.post_delivery(hook, {
            "webhook_type": "Order Canceled", "order_uuid": "T3JkZXI6OTk5", "order_id": 999,
            "order_number": "MO-NOWHERE", "fulfillment-status": "canceled"})
        self.assertEqual(response.status_code, 200)
        self.drain()
        event = self.env["channel.webhook.event"].search(
            [("credential_id", "=", self.credential.id)], order="id desc", limit=1)
        self.assertEqual(event.state, "failed")
        self.assertIn("MO-NOWHERE", event.error)
