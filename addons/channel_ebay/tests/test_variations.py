import requests

from odoo.tests import TransactionCase, tagged

from .. import const, mapping
from .common import EbayAccountMixin

GROUP_PATH = const.INVENTORY + "/inventory_item_group/"


@tagged("post_install", "-at_install")
class TestEbayVariations(EbayAccountMixin, TransactionCase):
    """A template with several variants: one inventory item group, one listing."""

    ebay_account_name = "eBay variations"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.categ = cls.env["product.category"].create({"name": "Shirts"})
        cls.env["ebay.category.map"].create({"categ_id": cls.categ.id,
                                             "ebay_category_id": "57990"})
        Attribute = cls.env["product.attribute"]
        cls.color = Attribute.create({"name": "Color", "value_ids": [
            (0, 0, {"name": "Red"}), (0, 0, {"name": "Blue"})]})
        cls.size = Attribute.create({"name": "Size", "value_ids": [
            (0, 0, {"name": "S"}), (0, 0, {"name": "M"})]})
        cls.brand = Attribute.create({"name": "Brand", "create_variant": "no_variant",
                                      "value_ids": [(0, 0, {"name": "Acme"})]})

    def _template(self, name="Shirt", lines=None, **values):
        template = self.env["product.template"].create({
            "name": name, "is_storable": True, "list_price": 15.0, "categ_id": self.categ.id,
            "ebay_image_urls": "https://img.example/shirt.jpg", **values,
            "attribute_line_ids": lines or [
                (0, 0, {"attribute_id": a.id, "value_ids": [(6, 0, a.value_ids.ids)]})
                for a in (self.color, self.size, self.brand)]})
        for number, variant in enumerate(template.product_variant_ids):
            variant.default_code = f"{name.upper()}-{number:02d}"
            self.env["stock.quant"]._update_available_quantity(variant, self.stock_location, 4)
        return template

    def _list(self, template):
        self.credential._ebay_queue_listings(template.product_variant_ids)
        self.drain()

    def _bindings(self, template):
        return self.env["channel.product.binding"].search(
            [("credential_id", "=", self.credential.id),
             ("product_tmpl_id", "=", template.id)], order="id")

    def _group_calls(self):
        with self.sim.lock:
            return [r for r in self.sim.requests if r.path.startswith(GROUP_PATH)]

    def test_template_listed_as_one_inventory_item_group(self):
        template = self._template()
        self._list(template)
        skus = template.product_variant_ids.mapped("default_code")
        items = self.sim.calls(const.INVENTORY + "/bulk_create_or_replace_inventory_item")
        offers = self.sim.calls(const.INVENTORY + "/bulk_create_offer")
        self.assertEqual([len(c.json["requests"]) for c in items + offers], [4, 4])
        self.assertFalse(self.sim.calls(const.INVENTORY + "/bulk_publish_offer"),
                         "a variant is not published on its own")
        [put] = self._group_calls()
        key = f"ODOO-TMPL-{template.id}"
        self.assertEqual((put.method, put.path), ("PUT", GROUP_PATH + key))
        self.assertEqual(sorted(put.json["variantSKUs"]), sorted(skus))
        self.assertEqual(put.json["aspects"], {"Brand": ["Acme"]}, "common to every variant")
        self.assertEqual(put.json["variesBy"], {
            "specifications": [{"name": "Color", "values": ["Red", "Blue"]},
                               {"name": "Size", "values": ["S", "M"]}],
            "aspectsImageVariesBy": ["Color"]})
        self.assertEqual(put.json["imageUrls"], ["https://img.example/shirt.jpg"])
        [publish] = self.sim.calls(const.INVENTORY + const.PUBLISH_BY_GROUP)
        self.assertEqual(publish.json, {"inventoryItemGroupKey": key, "marketplaceId": "EBAY_US"})
        bindings = self._bindings(template)
        self.assertEqual(set(bindings.mapped("sync_state")), {"synced"})
        self.assertEqual(len(set(bindings.mapped("ebay_listing_id"))), 1, "one listing")
        self.assertEqual(template.ebay_item_id, bindings[0].ebay_listing_id)
        self.assertEqual((template.ebay_group_key, set(bindings.mapped("ebay_group_key"))),
                         (key, {key}))
        self.assertEqual({o["status"] for o in self.sim.offers.values()}, {"PUBLISHED"})
        red_small = template.product_variant_ids.filtered(
            lambda p: set(p.product_template_attribute_value_ids.mapped("name")) == {"Red", "S"})
        aspects = self.sim.inventory_items[red_small.default_code]["product"]["aspects"]
        self.assertEqual(aspects, {"Color": ["Red"], "Size": ["S"], "Brand": ["Acme"]})

    def test_thirty_variants_bulk_calls_of_25_one_group(self):
        many = self.env["product.attribute"].create({"name": "Length", "value_ids": [
            (0, 0, {"name": f"{n} cm"}) for n in range(30)]})
        template = self._template("Hose", lines=[(0, 0, {
            "attribute_id": many.id, "value_ids": [(6, 0, many.value_ids.ids)]})])
        self._list(template)
        for path in ("/bulk_create_or_replace_inventory_item", "/bulk_create_offer"):
            self.assertEqual([len(c.json["requests"]) for c in self.sim.calls(
                const.INVENTORY + path)], [25, 5], path)
        self.assertEqual(len(self._group_calls()), 1)
        self.assertEqual(len(self.sim.calls(const.INVENTORY + const.PUBLISH_BY_GROUP)), 1)
        self.assertEqual(len(set(self._bindings(template).mapped("ebay_listing_id"))), 1)
        put = self._group_calls()[0]
        self.assertEqual(put.json["variesBy"]["aspectsImageVariesBy"], [],
                         "Length is no picture aspect")

    def test_a_later_change_resends_the_group(self):
        template = self._template("Polo")
        self._list(template)
        listing_id = template.ebay_item_id
        template.write({"name": "Polo shirt", "description_sale": "Cotton polo"})
        self.drain()
        puts = self._group_calls()
        self.assertEqual(len(puts), 2)
        self.assertEqual((puts[1].json["title"], puts[1].json["description"]),
                         ("Polo shirt", "Cotton polo"))
        self.assertEqual(len(self.sim.calls(const.INVENTORY + const.PUBLISH_BY_GROUP)), 2)
        self.assertEqual(template.ebay_item_id, listing_id, "the same listing, revised")
        self.assertEqual(len(self.sim.calls(const.INVENTORY + "/bulk_create_offer")), 1,
                         "offers are created once")

    def test_group_refused_by_ebay_recorded_on_every_variant(self):
        template = self._template("Cap", ebay_category_id="6000")  # not a leaf category
        self._list(template)
        bindings = self._bindings(template)
        self.assertEqual(set(bindings.mapped("sync_state")), {"error"})
        self.assertTrue(all("25005" in error for error in bindings.mapped("last_error")))
        self.assertFalse(template.ebay_item_id)
        template.ebay_category_id = "57991"  # fixed: the offers are updated, then published
        self._list(template)
        self.assertEqual(set(self._bindings(template).mapped("sync_state")), {"synced"})
        self.assertEqual({o["categoryId"] for o in self.sim.offers.values()}, {"57991"})

    def test_withdraw_ends_the_group_listing(self):
        template = self._template("Scarf")
        self._list(template)
        template.action_ebay_withdraw()
        self.drain()
        [withdraw] = self.sim.calls(const.INVENTORY + "/offer/withdraw_by_inventory_item_group")
        self.assertEqual(withdraw.json["inventoryItemGroupKey"], template.ebay_group_key)
        self.assertEqual({o["status"] for o in self.sim.offers.values()}, {"UNPUBLISHED"})
        self.assertFalse(template.ebay_item_id)
        self.assertFalse(any(self._bindings(template).mapped("ebay_listing_id")))
        self.credential._ebay_queue_withdraw(template)  # nothing published: eBay refuses
        self.drain()
        job = self.env["sync.job"].search([("operation", "=", const.OP_WITHDRAW_GROUP)],
                                          order="id desc", limit=1)
        self.assertEqual(job.state, "failed")
        self.assertIn("25725", job.last_error)

    def test_jobs_never_split_a_template_variants(self):
        self.assertEqual(mapping.group_chunks([[1] * 10, [2] * 20, [3] * 30, [4] * 5, [5] * 3]),
                         [[1] * 10, [2] * 20, [3] * 30, [4] * 5 + [5] * 3])
        first, second = self._template("Sock"), self._template("Glove")
        jobs = self.credential._ebay_queue_listings(
            (first | second).product_variant_ids | self.product)
        payloads = [job.payload["product_ids"] for job in jobs]
        self.assertEqual([len(ids) for ids in payloads], [9], "4 + 4 + 1 fit in one job")

    def test_simulator_validates_groups_per_the_spec(self):
        self.sim.inventory_items["V-1"] = {"product": {"aspects": {"Color": ["Red"]}}}
        self.sim.inventory_items["V-2"] = {"product": {"aspects": {"Size": ["M"]}}}
        token = "variations-test-token"
        self.sim.access_tokens[token] = (self.sim._clock() + 600, "user")
        headers = {"Authorization": f"Bearer {token}", "Content-Language": "en-US"}

        def put(body):
            return requests.put(self.sim.url + GROUP_PATH + "G1", json=body, headers=headers,
                                timeout=5)
        color = {"specifications": [{"name": "Color", "values": ["Red", "Blue"]}]}
        unknown = put({"variantSKUs": ["V-1", "NOPE"], "variesBy": color})
        no_aspect = put({"variantSKUs": ["V-1", "V-2"], "variesBy": color})
        bad_image = put({"variantSKUs": ["V-1"], "variesBy": dict(
            color, aspectsImageVariesBy=["Size"])})
        for answer, text in ((unknown, "NOPE"), (no_aspect, "V-2"), (bad_image, "Size")):
            self.assertEqual(answer.status_code, 400)
            [error] = answer.json()["errors"]
            self.assertEqual((error["errorId"], error["domain"]), (25013, "API_INVENTORY"))
            self.assertIn(text, error["message"])
        self.assertEqual(put({"variantSKUs": ["V-1"], "variesBy": color}).status_code, 201)
        self.assertEqual(put({"variantSKUs": ["V-1"], "variesBy": color}).status_code, 204)
        publish = requests.post(self.sim.url + const.INVENTORY + const.PUBLISH_BY_GROUP, json={
            "inventoryItemGroupKey": "G1", "marketplaceId": "EBAY_US"}, headers=headers, timeout=5)
        self.assertEqual(publish.status_code, 400, "V-1 has no offer")
        self.assertEqual(publish.json()["errors"][0]["errorId"], 25013)
