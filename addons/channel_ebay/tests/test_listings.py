from odoo.tests import TransactionCase, tagged

from .. import const
from .common import EbayAccountMixin


@tagged("post_install", "-at_install")
class TestEbayListings(EbayAccountMixin, TransactionCase):
    ebay_account_name = "eBay listings"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.categ = cls.env["product.category"].create({"name": "Brake parts"})
        cls.env["ebay.category.map"].create({"categ_id": cls.categ.id,
                                             "ebay_category_id": "33564"})
        make = cls.env["product.attribute"].create({"name": "Make", "create_variant": "no_variant",
                                                    "value_ids": [(0, 0, {"name": "Ford"})]})
        cls.make = make

    def _products(self, count, prefix="LST", **values):
        products = self.env["product.product"].create([{
            "name": f"Brake pad {number}", "default_code": f"{prefix}-{number:03d}",
            "is_storable": True, "list_price": 10.0 + number, "categ_id": self.categ.id,
            "ebay_image_urls": "https://img.example/pad.jpg", **values,
        } for number in range(count)])
        for product in products:
            self.env["stock.quant"]._update_available_quantity(product, self.stock_location, 7)
        return products

    def _list(self, products):
        self.credential._ebay_queue_listings(products)
        self.drain()

    def _bindings(self, products):
        return self.env["channel.product.binding"].search(
            [("credential_id", "=", self.credential.id), ("product_id", "in", products.ids)],
            order="id")

    def test_thirty_products_listed_with_three_bulk_calls_per_25(self):
        products = self._products(30)
        products[0].product_tmpl_id.attribute_line_ids = [(0, 0, {
            "attribute_id": self.make.id, "value_ids": [(6, 0, self.make.value_ids.ids)]})]
        self._list(products)
        calls = {path: len(self.sim.calls(const.INVENTORY + path)) for path in (
            "/bulk_create_or_replace_inventory_item", "/bulk_create_offer", "/bulk_publish_offer")}
        self.assertEqual(calls, dict.fromkeys(calls, 2), "25 + 5 SKUs: two calls of each")
        bindings = self._bindings(products)
        self.assertEqual(set(bindings.mapped("sync_state")), {"synced"})
        self.assertEqual(set(bindings.mapped("ebay_listing_api")), {"inventory"})
        self.assertTrue(all(bindings.mapped("external_id")))
        self.assertEqual(products[0].product_tmpl_id.ebay_item_id, bindings[0].external_id)
        item = self.sim.inventory_items["LST-000"]
        self.assertEqual(item["product"]["aspects"], {"Make": ["Ford"]})
        self.assertEqual(item["condition"], "NEW")
        self.assertEqual(item["availability"]["shipToLocationAvailability"]["quantity"], 7)
        offer = next(o for o in self.sim.offers.values() if o["sku"] == "LST-000")
        self.assertEqual((offer["categoryId"], offer["merchantLocationKey"],
                          offer["listingPolicies"]["returnPolicyId"], offer["listingDuration"],
                          offer["pricingSummary"]["price"]), (
            "33564", "warehouse-1", "R1", "GTC", {"value": "10.00", "currency": "USD"}))

    def test_per_sku_errors_recorded_on_the_binding_the_rest_listed(self):
        good = self._products(2)
        no_image = self._products(1, prefix="NOIMG", ebay_image_urls=False)
        root = self._products(1, prefix="ROOT", ebay_category_id="6000")
        used = self._products(1, prefix="USED", ebay_condition="USED_EXCELLENT")
        self._list(good | no_image | root | used)
        self.assertEqual(self._bindings(good | used).mapped("sync_state"), ["synced"] * 3)
        self.assertEqual(self.sim.inventory_items["USED-000"]["condition"], "USED_EXCELLENT")
        self.assertIn("at least one image", self._bindings(no_image).last_error)
        self.assertNotIn("NOIMG-000", self.sim.inventory_items, "refused before any call")
        binding = self._bindings(root)
        self.assertEqual(binding.sync_state, "error")
        self.assertIn("25005", binding.last_error)
        self.assertIn("not a leaf category", binding.last_error)
        self.assertTrue(binding.ebay_offer_id, "the offer is kept: fixing the category publishes")

    def test_quantity_updates_coalesced_per_sku_25_a_call(self):
        products = self._products(30)
        self._list(products)
        for _change in range(3):  # three stock changes of every product: one job
            self.env["integration.credential"]._ebay_quantities_changed(products)
        jobs = self.env["sync.job"].search([("operation", "=", const.OP_PUSH_QUANTITIES),
                                            ("state", "=", "pending")])
        self.assertEqual(len(jobs), 1)
        self.env["stock.quant"]._update_available_quantity(products[0], self.stock_location, 5)
        self.drain()
        calls = self.sim.calls(const.INVENTORY + "/bulk_update_price_quantity")
        self.assertEqual([len(c.json["requests"]) for c in calls], [25, 5])
        skus = [entry["sku"] for call in calls for entry in call.json["requests"]]
        self.assertEqual(len(skus), len(set(skus)), "each SKU once")
        self.assertEqual(self.sim.inventory_items["LST-000"]["availability"][
            "shipToLocationAvailability"]["quantity"], 12)
        self.assertFalse(self._bindings(products).filtered("ebay_quantity_dirty"))

    def test_inventory_adjustment_queues_the_quantity_update(self):
        products = self._products(1)
        self._list(products)
        quant = self.env["stock.quant"].search([("product_id", "=", products.id),
                                                ("location_id", "=", self.stock_location.id)])
        quant.inventory_quantity = 3
        quant.action_apply_inventory()
        self.drain()
        self.assertEqual(self.sim.inventory_items["LST-000"]["availability"][
            "shipToLocationAvailability"]["quantity"], 3)

    def test_trading_only_listings_detected_and_revised_four_per_call(self):
        products = self._products(6, prefix="TRD")
        for number, product in enumerate(products):
            item_id = f"1100000{number:05d}"
            product.product_tmpl_id.ebay_item_id = item_id
            self.sim.add_trading_item(item_id, product.default_code, quantity=1)
        self._list(products)
        bindings = self._bindings(products)
        self.assertEqual(set(bindings.mapped("ebay_listing_api")), {"trading"})
        self.assertEqual(self.sim.trading_calls, ["ReviseFixedPriceItem"] * 6)
        self.assertFalse(self.sim.calls(const.INVENTORY + "/bulk_create_offer"))
        self.assertEqual(self.sim.trading_items["110000000000"]["quantity"], 7)
        self.env["integration.credential"]._ebay_quantities_changed(products)
        self.env["stock.quant"]._update_available_quantity(products[5], self.stock_location, 2)
        self.drain()
        revise = [r for r in self.sim.calls(const.TRADING_PATH)
                  if r.headers["X-EBAY-API-CALL-NAME"] == "ReviseInventoryStatus"]
        self.assertEqual([r.body.count(b"<InventoryStatus>") for r in revise], [4, 2])
        self.assertEqual(revise[0].headers["X-EBAY-API-COMPATIBILITY-LEVEL"], "1451")
        self.assertTrue(revise[0].headers["X-EBAY-API-IAF-TOKEN"])
        self.assertEqual(self.sim.trading_items["110000000005"]["quantity"], 9)

    def test_listing_with_an_inventory_offer_is_detected_as_inventory(self):
        products = self._products(1, prefix="INV")
        self._list(products)
        binding = self._bindings(products)
        binding.unlink()
        self._list(products)  # the ItemID is known, the offer is found again
        binding = self._bindings(products)
        self.assertEqual(binding.ebay_listing_api, "inventory")
        self.assertEqual(len(self.sim.offers), 1)
        self.assertFalse(self.sim.trading_calls)

    def test_trading_failure_is_recorded(self):
        products = self._products(1, prefix="GONE")
        products.product_tmpl_id.ebay_item_id = "999"  # no such item on eBay
        self._list(products)
        job = self.env["sync.job"].search([("operation", "=", const.OP_PUSH_LISTINGS),
                                           ("credential_id", "=", self.credential.id)])
        self.assertEqual(job.state, "failed")
        self.assertIn("ReviseFixedPriceItem failed: 17", job.last_error)

    def test_daily_trading_budget_postpones_instead_of_failing(self):
        products = self._products(1, prefix="BDG")
        products.product_tmpl_id.ebay_item_id = "110000099999"
        self.sim.add_trading_item("110000099999", "BDG-000")
        # getRateLimits said nothing remains today
        self.credential.write({"ebay_call_limit": 5000, "ebay_call_remaining": 0})
        self.credential._ebay_queue_listings(products)
        self.drain(make_due=False)
        job = self.env["sync.job"].search([("operation", "=", const.OP_PUSH_LISTINGS),
                                           ("credential_id", "=", self.credential.id)])
        self.assertEqual(job.state, "pending", "postponed to the next budget day")
        self.assertIn("daily call budget", job.last_error or job.attempt_ids[:1].error or "")
        self.assertFalse(self.sim.trading_calls)

    def test_truncated_trading_answer_retried_hostile_one_refused(self):
        products = self._products(2, prefix="XML")
        for number, product in enumerate(products):
            product.product_tmpl_id.ebay_item_id = f"11000077{number}"
            self.sim.add_trading_item(f"11000077{number}", product.default_code)
        self.sim.inject("malformed", path=const.TRADING_PATH,
                        body=b"<ReviseFixedPriceItemResponse xmlns=")
        self.credential._ebay_queue_listings(products[0])
        self.drain(make_due=False)
        job = self.env["sync.job"].search([("operation", "=", const.OP_PUSH_LISTINGS),
                                           ("credential_id", "=", self.credential.id)])
        self.assertEqual((job.state, job.error_kind), ("pending", "transient"))
        self.drain()
        self.assertEqual(job.state, "done", job.last_error)
        self.sim.inject("malformed", path=const.TRADING_PATH, body=(
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>'))
        self.credential._ebay_queue_listings(products[1])
        self.drain()
        hostile = self.env["sync.job"].search([("operation", "=", const.OP_PUSH_LISTINGS),
                                               ("credential_id", "=", self.credential.id)],
                                              order="id desc", limit=1)
        self.assertEqual(hostile.state, "failed")
        self.assertIn("DOCTYPE", hostile.last_error)

    def test_a_refused_quantity_update_is_recorded_and_not_resent_in_a_loop(self):
        products = self._products(2, prefix="QTY")
        self._list(products)
        del self.sim.inventory_items["QTY-001"]  # ended on eBay meanwhile
        self.env["integration.credential"]._ebay_quantities_changed(products)
        self.drain()
        self.drain()
        calls = self.sim.calls(const.INVENTORY + "/bulk_update_price_quantity")
        self.assertEqual(len(calls), 1)
        gone = self._bindings(products[1])
        self.assertEqual((gone.sync_state, gone.ebay_quantity_dirty), ("error", False))
        self.assertIn("25710", gone.last_error)
        self.assertEqual(self._bindings(products[0]).sync_state, "synced")
