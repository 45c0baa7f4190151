from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.shipment_events import Shipment
from odoo.addons.channel_base.tests.push_kit import PushIdempotencyKit
from odoo.addons.channel_base.tests.shipment_events_kit import ShipmentEventsKit

from .common import SKU, ShopifyAccountMixin


def shipment_report(job):
    payload = job.payload
    return {"kind": payload["event"], "picking": job.res_id, "tracking": payload["tracking"],
            "numbers": payload["numbers"] or None,
            "shipped": {int(key): value for key, value in payload["shipped"].items()},
            "dispatch": payload["dispatch"]}


class ShopifyFulfilsMixin(ShopifyAccountMixin):
    """An account on which Odoo fulfils the Shopify orders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.credential.shopify_odoo_fulfils = True
        cls.ups = cls.env["delivery.carrier"].create({
            "name": "UPS", "product_id": cls.env["product.product"].create(
                {"name": "UPS shipping (Shopify test)", "type": "service"}).id})

    def fulfilment_jobs(self, pickings):
        return self.env["sync.job"].search([
            ("credential_id", "=", self.credential.id),
            ("operation", "=", "shopify.push_fulfillment"),
            ("res_model", "=", "stock.picking"), ("res_id", "in", pickings.ids)], order="id")

    def imported_picking(self, quantity=2):
        order = self.sim.add_order(sku=SKU, quantity=quantity)
        self.run_orders_stream()
        return order, self.shopify_orders().picking_ids

    def ship(self, picking, tracking, quantity=None):
        picking.carrier_id = self.ups
        quantities = {self.product: quantity} if quantity else None
        outcome = self.env["stock.picking"]._channel_apply_shipments(
            [Shipment(picking, (tracking,), carrier=self.ups, quantities=quantities)])[0]
        self.drain()
        return outcome


@tagged("post_install", "-at_install")
class TestShopifyShipmentEventsKit(ShipmentEventsKit, ShopifyFulfilsMixin, TransactionCase):
    shopify_account_name = "Shopify shipment kit"

    def _shipment_kit_credential(self):
        return self.credential

    def _shipment_kit_ready_picking(self, lines):
        return self._shipment_kit_sale_picking(self.credential, lines)

    def _shipment_kit_reports(self, pickings):
        return [shipment_report(job) for job in self.fulfilment_jobs(pickings)]


@tagged("post_install", "-at_install")
class TestShopifyFulfilmentOut(ShopifyFulfilsMixin, TransactionCase):
    shopify_account_name = "Shopify fulfilments"

    def test_done_delivery_becomes_a_fulfilment_with_tracking(self):
        order, picking = self.imported_picking(quantity=2)
        self.ship(picking, "1ZODOO0001")
        self.assertEqual(len(self.sim.fulfillments), 1)
        sent = self.sim.fulfillments[0]
        self.assertEqual(sent["trackingInfo"], {"numbers": ["1ZODOO0001"], "company": "UPS"})
        group = sent["lineItemsByFulfillmentOrder"][0]
        self.assertEqual(group["fulfillmentOrderId"], order["fulfillmentOrders"][0]["id"])
        self.assertEqual(group["fulfillmentOrderLineItems"][0]["quantity"], 2)
        self.assertTrue(picking.shopify_fulfillment_gid)
        self.assertEqual(self.sim.orders[order["id"]]["fulfillmentOrders"][0]["status"],
                         "CLOSED")

    def test_partial_shipment_sends_what_shipped_then_the_rest(self):
        order, picking = self.imported_picking(quantity=5)
        outcome = self.ship(picking, "TRK-PART-1", quantity=2)
        self.ship(outcome.backorder, "TRK-PART-2")
        quantities = [f["lineItemsByFulfillmentOrder"][0]["fulfillmentOrderLineItems"][0]
                      ["quantity"] for f in self.sim.fulfillments]
        self.assertEqual(quantities, [2, 3])
        del order

    def test_for_visibility_nothing_is_sent(self):
        self.credential.shopify_odoo_fulfils = False
        _order, picking = self.imported_picking(quantity=1)
        self.ship(picking, "TRK-NOT-SENT")
        self.assertFalse(self.sim.fulfillments)
        self.assertIn("for visibility", str(self.fulfilment_jobs(picking).result))
        self.credential.shopify_odoo_fulfils = True


@tagged("post_install", "-at_install")
class TestShopifyFulfilmentPushKit(PushIdempotencyKit, ShopifyFulfilsMixin, TransactionCase):
    """A fulfilment pushed, the worker killed before our commit: the recovered job sees
    nothing left open on Shopify and sends no second fulfilment."""

    shopify_account_name = "Shopify push kit"

    def _push_kit_job(self):
        _order, picking = self.imported_picking(quantity=1)
        picking.carrier_id = self.ups
        self.env["stock.picking"]._channel_apply_shipments(
            [Shipment(picking, ("1ZKIT",), carrier=self.ups)])
        self.picking = picking
        return self.fulfilment_jobs(picking).filtered(
            lambda job: job.payload["event"] == "done")

    def _push_kit_remote_copies(self, job):
        return len(self.sim.fulfillments)


@tagged("post_install", "-at_install")
class TestShopifyShipStationSetting(ShopifyAccountMixin, TransactionCase):
    shopify_account_name = "Shopify ShipStation setting"

    def test_odoo_fulfils_joins_the_shipstation_accounts(self):
        Credential = self.env["integration.credential"]
        if "shipstation_source_credential_ids" not in Credential._fields:
            self.skipTest("channel_shipstation is not installed")  # CI installs every addon
        shipstation = Credential.create({"name": "ShipStation (Shopify test)",
                                         "platform": "shipstation"})
        self.assertNotIn(self.credential, shipstation.shipstation_source_credential_ids,
                         "for visibility: ShipStation gets Shopify's orders directly")
        self.credential.shopify_odoo_fulfils = True
        self.assertIn(self.credential, shipstation.shipstation_source_credential_ids)
        self.credential.shopify_odoo_fulfils = False
        self.assertNotIn(self.credential, shipstation.shipstation_source_credential_ids)
