from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.tests.push_kit import PushIdempotencyKit

from .common import ShopifyAccountMixin


class ShopifyCatalogueMixin(ShopifyAccountMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["shopify.location"].create({
            "credential_id": cls.credential.id, "warehouse_id": cls.warehouse.id,
            "location_gid": "gid://shopify/Location/1", "name": "Main warehouse"})
        size = cls.env["product.attribute"].create({"name": "Size", "value_ids": [
            (0, 0, {"name": "S"}), (0, 0, {"name": "M"})]})
        cls.category = cls.env["product.category"].create({"name": "Mugs & Cups"})
        cls.template = cls.env["product.template"].create({
            "name": "Shopify tee", "is_storable": True, "list_price": 15.0,
            "categ_id": cls.category.id, "description_sale": "A soft tee",
            "attribute_line_ids": [(0, 0, {"attribute_id": size.id,
                                           "value_ids": [(6, 0, size.value_ids.ids)]})]})
        for variant, sku in zip(cls.template.product_variant_ids, ("TEE-S", "TEE-M"),
                                strict=True):
            variant.write({"default_code": sku, "barcode": f"0{sku}", "weight": 0.2})
        cls.credential.shopify_product_ids = [(6, 0, cls.template.ids)]

    def push(self):
        self.credential.action_shopify_push_products()
        self.drain()
        return self.env["sync.job"].search([
            ("credential_id", "=", self.credential.id), ("operation", "=", "shopify.push_product")],
            order="id desc", limit=1)


@tagged("post_install", "-at_install")
class TestShopifyProductsOut(ShopifyCatalogueMixin, TransactionCase):
    shopify_account_name = "Shopify products"

    def test_template_becomes_a_product_with_variants_collection_and_bindings(self):
        job = self.push()
        self.assertEqual(job.state, "done", job.last_error)
        product = self.sim.products[f"odoo-{self.template.id}"]
        sent = product["input"]
        self.assertEqual(sent["title"], "Shopify tee")
        self.assertEqual(sent["productOptions"], [{"name": "Size", "values": [
            {"name": "S"}, {"name": "M"}]}])
        self.assertEqual(sorted((v["sku"], v["price"], v["barcode"], v["optionValues"])
                                for v in sent["variants"]), [
            ("TEE-M", "15.00", "0TEE-M", [{"optionName": "Size", "name": "M"}]),
            ("TEE-S", "15.00", "0TEE-S", [{"optionName": "Size", "name": "S"}])])
        self.assertEqual(sent["variants"][0]["inventoryItem"]["measurement"]["weight"],
                         {"value": 0.2, "unit": "KILOGRAMS"})
        collection = self.sim.collections["odoo-mugs---cups"]
        self.assertEqual(sent["collections"], [collection["id"]])
        bindings = self.env["channel.product.binding"].search(
            [("credential_id", "=", self.credential.id)])
        self.assertEqual(sorted(bindings.mapped("external_sku")), ["TEE-M", "TEE-S"])
        self.assertEqual(set(bindings.mapped("shopify_product_gid")), {product["id"]})
        self.assertEqual(sorted(bindings.mapped("external_id")),
                         sorted(v["id"] for v in product["variants"]))

    def test_second_push_updates_the_same_product_and_archive(self):
        self.push()
        self.template.product_variant_ids[0].lst_price = 0  # noqa - price extra unchanged
        self.template.list_price = 18.0
        self.push()
        self.assertEqual(len(self.sim.products), 1, "upsert by handle, no twin")
        product = self.sim.products[f"odoo-{self.template.id}"]
        self.assertEqual(product["input"]["variants"][0]["price"], "18.00")
        self.assertEqual(len(self.sim.collections), 1)
        self.credential.shopify_product_ids = [(5,)]
        self.credential.shopify_product_ids = [(6, 0, [])]
        job = self.credential._enqueue_job("shopify.push_product", record=self.template)
        self.drain()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(product["status"], "ARCHIVED")

    def test_metafields_sent_25_per_call(self):
        fields = self.env["ir.model.fields"].search([
            ("model", "=", "product.template"), ("ttype", "in", ("char", "float", "integer")),
            ("store", "=", True)], limit=30)
        for field in fields:
            if field.ttype == "char" and field.name not in ("name",):
                continue
        self.credential.shopify_metafield_ids = [(6, 0, fields.ids)]
        self.push()
        metafield_calls = [r for r in self.sim.requests
                           if r.json and "metafieldsSet" in r.json["query"]]
        self.assertTrue(metafield_calls)
        self.assertTrue(all(len(r.json["variables"]["metafields"]) <= 25
                            for r in metafield_calls))
        self.assertIn((self.sim.products[f"odoo-{self.template.id}"]["id"], "odoo", "name"),
                      self.sim.metafields)
        self.credential.shopify_metafield_ids = [(5,)]

    def test_variant_without_sku_is_a_clear_error(self):
        medium = self.template.product_variant_ids.filtered(lambda v: v.default_code == "TEE-M")
        medium.default_code = False
        job = self.push()
        self.assertEqual(job.state, "failed")
        self.assertIn("without an internal reference", job.last_error)
        self.assertFalse(self.sim.products)
        medium.default_code = "TEE-M"

    def test_user_errors_are_reported(self):
        medium = self.template.product_variant_ids.filtered(lambda v: v.default_code == "TEE-M")
        medium.default_code = "TEE-S"
        job = self.push()
        self.assertEqual(job.state, "failed")
        self.assertIn("Variants must have unique SKUs", job.last_error)
        medium.default_code = "TEE-M"


@tagged("post_install", "-at_install")
class TestShopifyProductPushKit(PushIdempotencyKit, ShopifyCatalogueMixin, TransactionCase):
    """productSet upserts by handle: a push repeated after a crash updates the same product."""

    shopify_account_name = "Shopify product push kit"

    def _push_kit_job(self):
        return self.credential._enqueue_job("shopify.push_product", record=self.template)

    def _push_kit_remote_copies(self, job):
        return len(self.sim.products)
