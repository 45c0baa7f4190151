from odoo.tests import TransactionCase, tagged

from .. import mapping
from .test_products import ShopifyCatalogueMixin


@tagged("post_install", "-at_install")
class TestShopifyInventoryOut(ShopifyCatalogueMixin, TransactionCase):
    shopify_account_name = "Shopify inventory"

    def setUp(self):
        super().setUp()
        self.push_products()

    def push_products(self):
        self.credential.action_shopify_push_products()
        self.drain()
        variants = self.template.product_variant_ids
        self.variant_s = variants.filtered(lambda v: v.default_code == "TEE-S")
        self.variant_m = variants.filtered(lambda v: v.default_code == "TEE-M")
        self.item_s = self.binding(self.variant_s).shopify_inventory_item_gid

    def binding(self, variant):
        return self.env["channel.product.binding"].search(
            [("credential_id", "=", self.credential.id), ("product_id", "=", variant.id)])

    def set_stock(self, variant, quantity):
        self.env["stock.quant"]._update_available_quantity(
            variant, self.warehouse.lot_stock_id, quantity)

    def push_inventory(self):
        self.credential.action_shopify_push_inventory()
        self.drain()
        return self.env["sync.job"].search([
            ("credential_id", "=", self.credential.id),
            ("operation", "=", "shopify.push_inventory")], order="id desc", limit=1)

    def test_only_changed_quantities_sent_with_compare_and_swap(self):
        self.set_stock(self.variant_s, 7)
        job = self.push_inventory()
        self.assertEqual(job.state, "done", job.last_error)
        call = self.sim.inventory_calls[-1]
        self.assertEqual((call["name"], call["reason"]), ("available", "correction"))
        self.assertEqual(call["quantities"], [{
            "inventoryItemId": self.item_s, "locationId": "gid://shopify/Location/1",
            "quantity": 7, "compareQuantity": 0}])
        self.assertEqual(self.sim.inventory[self.item_s, "gid://shopify/Location/1"], 7)
        calls = len(self.sim.inventory_calls)
        self.push_inventory()
        self.assertEqual(len(self.sim.inventory_calls), calls, "nothing changed: nothing sent")

    def test_reserved_stock_is_not_published(self):
        self.set_stock(self.variant_s, 5)
        self.sim.add_order(sku="TEE-S", quantity=2)
        self.run_orders_stream()
        sale = self.shopify_orders()
        self.assertEqual(sale.picking_ids.state, "assigned", sale.picking_ids.move_ids.mapped(
            "state"))
        self.push_inventory()
        self.assertEqual(self.sim.inventory[self.item_s, "gid://shopify/Location/1"], 3)

    def test_compare_conflict_rereads_and_retries(self):
        self.set_stock(self.variant_s, 9)
        self.sim.stale_compare()  # a sale on Shopify moved the value since we read it
        job = self.push_inventory()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(len(self.sim.inventory_calls), 2)
        self.assertEqual(self.sim.inventory_calls[1]["quantities"][0]["compareQuantity"], 1,
                         "the retry compares with the value re-read")
        self.assertEqual(self.sim.inventory[self.item_s, "gid://shopify/Location/1"], 9)
        self.assertIn("compare_retries", job.result)

    def test_batches_of_250(self):
        changes = [(f"gid://shopify/InventoryItem/{n}", "gid://shopify/Location/1", n, 0)
                   for n in range(600)]
        batches = mapping.chunks(changes, 250)
        self.assertEqual([len(batch) for batch in batches], [250, 250, 100])
        body = mapping.inventory_input(batches[0], "gid://odoo/x/1")
        self.assertEqual(len(body["quantities"]), 250)

    def test_newer_api_version_uses_change_from_quantity(self):
        self.assertEqual(mapping.compare_field("2025-01"), "compareQuantity")
        self.assertEqual(mapping.compare_field("2026-01"), "changeFromQuantity")
        self.credential.shopify_api_version = "2026-01"
        self.set_stock(self.variant_m, 4)
        job = self.push_inventory()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self.sim.inventory_calls[-1]["quantities"][0]["changeFromQuantity"], 0)
        self.credential.shopify_api_version = "2025-01"

    def test_inventory_webhook_updates_the_compare_value(self):
        self.credential._process_webhook_event  # noqa: B018 - exists
        number = self.item_s.rsplit("/", 1)[1]
        self.sim.inventory[self.item_s, "gid://shopify/Location/1"] = 4
        self.credential._shopify_webhook_inventory(
            {"inventory_item_id": int(number), "location_id": 1, "available": 4})
        level = self.env["shopify.inventory.level"].search([
            ("credential_id", "=", self.credential.id), ("inventory_item_gid", "=", self.item_s)])
        self.assertEqual(level.quantity, 4)
        self.drain()
        self.assertEqual(self.sim.inventory[self.item_s, "gid://shopify/Location/1"], 0,
                         "Odoo's quantity (0) is published again, compared with 4")

    def test_inventory_stream_sends_what_changed(self):
        self.set_stock(self.variant_m, 6)
        self.credential._channel_stream("inventory").action_run_now()
        self.drain()
        item_m = self.binding(self.variant_m).shopify_inventory_item_gid
        self.assertEqual(self.sim.inventory[item_m, "gid://shopify/Location/1"], 6)
