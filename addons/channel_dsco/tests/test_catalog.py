from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged

from .. import const
from .common import DscoCatalogMixin


@tagged("post_install", "-at_install")
class TestDscoCatalog(DscoCatalogMixin, TransactionCase):
    dsco_account_name = "DSCO catalog"

    def test_small_batch_then_change_log_marks_each_sku(self):
        self.push_catalog()
        posts = self.calls("POST", const.CATALOG_SMALL_BATCH_PATH)
        self.assertEqual(len(posts), 1, "one small batch for everyday changes")
        self.assertFalse(self.calls("POST", const.CATALOG_LARGE_BATCH_PATH))
        jacket = self.sim.catalog["POSH-JACKET"]
        self.assertEqual(jacket["categories"], {"default": ["Apparel||Tops||Jackets"]})
        self.assertEqual(jacket["images"], [{"name": "image_1",
                                             "reference": "https://cdn.example.com/jacket-front.jpg"}])
        self.assertEqual((jacket["title"], jacket["productStatus"], jacket["brand"]),
                         ("Poshmark jacket", "active", "Closet"))
        self.assertEqual(self.sim.catalog["POSH-BOOTS"]["categories"],
                         {"default": ["Apparel||Shoes"]}, "unmapped: the Odoo category's names")
        binding = self.binding(self.product)
        self.assertEqual((binding.sync_state, binding.external_sku, binding.dsco_request_id),
                         ("synced", "POSH-JACKET", posts[0].json and self.sim_request_id()))
        reads = self.calls("GET", const.CATALOG_LOG_PATH)
        self.assertEqual(reads[0].query, {"requestId": binding.dsco_request_id})
        self.assertGreaterEqual(len(reads), 2, "read again while DSCO answered PROCESSING")

    def sim_request_id(self):
        return next(iter(self.sim.batch_requests))

    def test_per_sku_errors_of_the_change_log_are_kept_on_the_binding(self):
        self.sim.options["catalog_reject_skus"] = ("POSH-BOOTS",)
        self.push_catalog()
        boots = self.binding(self.boots)
        self.assertEqual(boots.sync_state, "error")
        self.assertIn("DUPLICATE_SKU: Duplicate supplierSku: POSH-BOOTS", boots.last_error)
        self.assertEqual(self.binding(self.product).sync_state, "synced")
        # the refused SKU is sent again by the next push, the accepted one is not
        self.sim.options["catalog_reject_skus"] = ()
        self.push_catalog()
        resent = self.calls("POST", const.CATALOG_SMALL_BATCH_PATH)[-1].json
        self.assertEqual([item["sku"] for item in resent], ["POSH-BOOTS"])
        self.assertEqual(self.binding(self.boots).sync_state, "synced")

    def test_only_changed_products_are_sent_again(self):
        self.push_catalog()
        self.push_catalog()
        self.assertEqual(len(self.calls("POST", const.CATALOG_SMALL_BATCH_PATH)), 1,
                         "nothing changed: nothing sent")
        self.boots.name = "Poshmark boots, brown"
        self.push_catalog()
        last = self.calls("POST", const.CATALOG_SMALL_BATCH_PATH)[-1].json
        self.assertEqual([(item["sku"], item["title"]) for item in last],
                         [("POSH-BOOTS", "Poshmark boots, brown")])

    def test_images_must_be_public_https_urls(self):
        self.boots.dsco_image_urls = "http://cdn.example.com/boots.jpg"
        self.product.dsco_image_urls = "https://localhost/jacket.jpg"
        self.push_catalog()
        for product in (self.boots, self.product):
            binding = self.binding(product)
            self.assertEqual(binding.sync_state, "error")
            self.assertIn("is not", binding.last_error)
        self.assertIn("public HTTPS URL", self.binding(self.boots).last_error)
        self.assertFalse(self.calls("POST", const.CATALOG_SMALL_BATCH_PATH), "nothing sent")

    def test_product_without_sku_refused_and_category_path_checked(self):
        self.boots.default_code = False
        self.push_catalog()
        self.assertIn("Internal Reference", self.binding(self.boots).last_error)
        with self.assertRaises(ValidationError):
            self.credential.dsco_category_path_ids[0].path = "Apparel|Tops"
        with self.assertRaises(ValidationError):
            self.credential.dsco_category_path_ids[0].path = "Apparel||||Tops"

    def test_big_push_goes_as_one_large_batch_in_two_steps(self):
        # three descriptions of 2 MB: 6 MB, over the small batch's five megabytes
        text = "x" * (2 * 1024 * 1024)
        extra = self.env["product.product"].create({
            "name": "Big", "default_code": "POSH-BIG", "description_sale": text,
            "categ_id": self.tops.id})
        (self.product | self.boots).write({"description_sale": text})
        self.credential.dsco_product_ids = [(4, extra.id)]
        self.push_catalog()
        self.assertFalse(self.calls("POST", const.CATALOG_SMALL_BATCH_PATH))
        self.assertEqual(len(self.calls("POST", const.CATALOG_LARGE_BATCH_PATH)), 1)
        puts = [r for r in self.sim.requests if r.method == "PUT" and r.path.startswith("/upload/")]
        self.assertEqual(len(puts), 1)
        self.assertEqual(len(puts[0].body.splitlines()), 3, "JSON Lines, one item a line")
        self.assertTrue(puts[0].headers.get("Authorization", "").lower().startswith("bearer "),
                        "the PUT carries the same headers")
        self.assertEqual(set(self.sim.catalog), {"POSH-JACKET", "POSH-BOOTS", "POSH-BIG"})
        self.assertEqual(self.binding(extra).sync_state, "synced")

    def test_change_log_pages_are_all_read(self):
        self.sim.options["log_page_size"] = 1
        self.push_catalog()
        scrolls = [r for r in self.calls("GET", const.CATALOG_LOG_PATH) if "scrollId" in r.query]
        self.assertEqual(len(scrolls), 2, "page 2 and the empty page that ends the scroll")
        self.assertEqual({self.binding(p).sync_state for p in (self.product, self.boots)},
                         {"synced"})

    def test_change_log_still_processing_reads_again_then_gives_up(self):
        self.sim.options["log_processing_reads"] = 3
        self.push_catalog()
        reads = [r for r in self.calls("GET", const.CATALOG_LOG_PATH) if "requestId" in r.query]
        self.assertEqual(len(reads), 4, "3 PROCESSING answers, then COMPLETED")
        self.assertEqual(self.binding(self.product).sync_state, "synced")
        # DSCO never completing: the reads stop, the job fails with a clear error
        self.sim.options["log_processing_reads"] = 10**6
        self.boots.name = "Boots never processed"
        self.credential.action_dsco_push_catalog()
        self.drain_all(rounds=const.LOG_POLL_MAX + 2)
        job = self.env["sync.job"].search([("operation", "=", const.OP_POLL_LOG),
                                           ("credential_id", "=", self.credential.id),
                                           ("state", "=", "failed")]
                                          ).filtered(lambda j: j.payload["log"] == "catalog")
        self.assertEqual(len(job), 1)
        self.assertIn("still processing catalog request", job.last_error)
        self.assertEqual(self.binding(self.boots).sync_state, "pending", "not marked synced")

    def test_full_resend_button_sends_everything(self):
        self.push_catalog()
        self.credential.action_dsco_push_full_catalog()
        self.drain_all()
        last = self.calls("POST", const.CATALOG_SMALL_BATCH_PATH)[-1].json
        self.assertEqual({item["sku"] for item in last}, {"POSH-JACKET", "POSH-BOOTS"})
