"""Every request our client sends to the Sell Inventory and Fulfillment APIs, and every
answer the simulator gives, checked against eBay's OpenAPI files
(``shared/reference/openapi/ebay-sell-{inventory,fulfillment}-v1.json``) with
openapi-core, so neither the client nor the simulator drifts from the documented API."""

import json
from pathlib import Path

from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_core.validation.response.exceptions import InvalidData

from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.shipment_events import Shipment

from .. import const
from .common import EbayAccountMixin

SPEC_DIR = Path(__file__).resolve().parents[4] / "shared/reference/openapi"
if not SPEC_DIR.exists():  # a worktree beside the shared folder
    SPEC_DIR = Path("/work/shared/reference/openapi")
SPECS = {const.INVENTORY: "ebay-sell-inventory-v1.json",
         const.FULFILLMENT: "ebay-sell-fulfillment-v1.json"}


def load_openapi(server_url, base_path):
    spec = json.loads((SPEC_DIR / SPECS[base_path]).read_text())
    spec["servers"] = [{"url": server_url + base_path}]
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))


@tagged("post_install", "-at_install")
class TestEbayOpenApi(EbayAccountMixin, TransactionCase):
    ebay_account_name = "eBay OpenAPI"

    @classmethod
    def _ebay_account_values(cls):
        return {"ebay_fulfil_in_odoo": True}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.openapi = {base: load_openapi(cls.sim.url, base) for base in SPECS}
        cls.ups = cls.env["delivery.carrier"].create({
            "name": "UPS (eBay OpenAPI)", "product_id": cls.env["product.product"].create(
                {"name": "UPS shipping", "type": "service"}).id})
        cls.env["channel.carrier.map"].create({
            "platform": "ebay", "credential_id": cls.credential.id, "carrier_id": cls.ups.id,
            "carrier_code": "UPS"})

    def _spec_of(self, path):
        return next(api for base, api in self.openapi.items() if path.startswith(base))

    def _validate(self, recorded, status, body, content_type):
        headers = dict(recorded.headers)
        request = MockRequest(
            self.sim.url, recorded.method.lower(), recorded.path, args=recorded.query,
            data=recorded.body or None, headers=headers,
            content_type=headers.get("Content-Type", "application/json").split(";")[0])
        api = self._spec_of(recorded.path)
        api.validate_request(request)
        api.validate_response(request, MockResponse(
            body, status_code=status, content_type=content_type or "application/json"))

    def _validate_every_exchange(self):
        checked = set()
        for recorded, status, body, content_type in self.sim.exchanges:
            with self.subTest(call=f"{recorded.method} {recorded.path} -> {status}"):
                self._validate(recorded, status, body, content_type)
            checked.add((recorded.method, recorded.path.split("/")[4]))
        return checked

    def test_client_requests_and_simulator_answers_follow_the_specs(self):
        self.credential.action_test_connection()  # getInventoryLocations
        products = self.env["product.product"].create([{
            "name": f"Rotor {n}", "default_code": f"ROTOR-{n}", "is_storable": True,
            "list_price": 30.0, "ebay_category_id": "33564" if n else "6000",
            "ebay_image_urls": "https://img.example/rotor.jpg"} for n in range(3)])
        self.credential._ebay_queue_listings(products)
        self.drain()  # bulk inventory items, bulk offers, bulk publish (one refused: 207)
        self.env["integration.credential"]._ebay_quantities_changed(products)
        self.drain()  # bulkUpdatePriceQuantity
        order = self.add_order(sku="ROTOR-1")
        self.run_stream()  # getOrders
        picking = self.env["sale.order"].search(
            [("channel_external_id", "=", order["orderId"])]).picking_ids
        self.env["stock.picking"]._channel_apply_shipments(
            [Shipment(picking, ("1ZOPENAPI",), carrier=self.ups)])
        self.drain()  # getShippingFulfillments, createShippingFulfillment
        self.run_stream(const.OPEN_ORDERS_STREAM)  # getOrders by orderIds
        checked = self._validate_every_exchange()
        self.assertEqual({path for _method, path in checked}, {
            "location", "bulk_create_or_replace_inventory_item", "bulk_create_offer",
            "bulk_publish_offer", "bulk_update_price_quantity", "order"})
        statuses = {(r.path.rsplit("/", 1)[-1], status) for r, status, *_rest in self.sim.exchanges}
        self.assertIn(("bulk_publish_offer", 207), statuses)
        self.assertIn(("shipping_fulfillment", 201), statuses)

    def test_variation_group_and_offer_update_calls_follow_the_spec(self):
        color = self.env["product.attribute"].create({"name": "Color", "value_ids": [
            (0, 0, {"name": "Black"}), (0, 0, {"name": "Silver"})]})
        template = self.env["product.template"].create({
            "name": "Caliper", "is_storable": True, "list_price": 80.0,
            "ebay_category_id": "33564", "ebay_image_urls": "https://img.example/caliper.jpg",
            "attribute_line_ids": [(0, 0, {"attribute_id": color.id,
                                           "value_ids": [(6, 0, color.value_ids.ids)]})]})
        for number, variant in enumerate(template.product_variant_ids):
            variant.default_code = f"CALIPER-{number}"
        self.credential._ebay_queue_listings(template.product_variant_ids)
        self.drain()  # bulk items, bulk offers, createOrReplaceInventoryItemGroup, publish
        self.assertTrue(template.ebay_item_id)
        template.list_price = 85.0
        self.drain()  # updateOffer per variant
        template.action_ebay_withdraw()
        self.drain()  # withdrawOfferByInventoryItemGroup
        self._validate_every_exchange()
        calls = {(r.method, r.path.split("/v1", 1)[1].split("/CALIPER")[0], status)
                 for r, status, *_rest in self.sim.exchanges}
        key = template.ebay_group_key
        offer_ids = {self.sim.offer_by_sku[v.default_code, "EBAY_US"]["offerId"]
                     for v in template.product_variant_ids}
        self.assertLessEqual({("PUT", f"/inventory_item_group/{key}", 201),
                              ("POST", const.PUBLISH_BY_GROUP, 200),
                              ("POST", "/offer/withdraw_by_inventory_item_group", 204)} | {
            ("PUT", f"/offer/{offer_id}", 204) for offer_id in offer_ids}, calls)

    def test_a_drifted_answer_is_caught(self):
        """The check is real: an order page whose total is text fails it."""
        self.add_order()
        self.run_stream()
        recorded, status, _body, content_type = next(
            exchange for exchange in self.sim.exchanges if exchange[0].path.endswith("/order"))
        with self.assertRaises(InvalidData):
            self._validate(recorded, status, b'{"total": "many", "orders": "none"}', content_type)
