from odoo.tests import TransactionCase, tagged

from .. import const
from .common import EbayAccountMixin

#: EbayOfferDetailsWithId: updateOffer replaces the offer, so every field is sent.
FULL_OFFER_KEYS = {"availableQuantity", "categoryId", "listingDescription", "listingDuration",
                   "listingPolicies", "merchantLocationKey", "pricingSummary"}


@tagged("post_install", "-at_install")
class TestEbayOfferUpdates(EbayAccountMixin, TransactionCase):
    ebay_account_name = "eBay offer updates"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.categ = cls.env["product.category"].create({"name": "Rotors"})
        cls.env["ebay.category.map"].create({"categ_id": cls.categ.id,
                                             "ebay_category_id": "33564"})

    def setUp(self):
        super().setUp()
        self.products = self.env["product.product"].create([{
            "name": f"Rotor {n}", "default_code": f"OFR-{self._testMethodName[-12:]}-{n}",
            "is_storable": True, "list_price": 40.0 + n, "categ_id": self.categ.id,
            "ebay_image_urls": "https://img.example/rotor.jpg"} for n in range(3)])
        self.credential._ebay_queue_listings(self.products)
        self.drain()

    def _updates(self):
        with self.sim.lock:
            return [r for r in self.sim.requests
                    if r.method == "PUT" and r.path.startswith(const.INVENTORY + "/offer/")]

    def _offer(self, product):
        return self.sim.offer_by_sku[product.default_code, "EBAY_US"]

    def _pending_offer_jobs(self):
        return self.env["sync.job"].search([("operation", "=", const.OP_PUSH_OFFERS),
                                            ("credential_id", "=", self.credential.id),
                                            ("state", "=", "pending")])

    def test_changes_coalesced_one_full_update_per_changed_offer(self):
        first, second, third = self.products
        for category in ("33565", "33566", "33567"):  # three changes of one SKU
            first.product_tmpl_id.ebay_category_id = category
        second.product_tmpl_id.write({"list_price": 55.5, "description_sale": "Drilled rotor"})
        self.assertEqual(len(self._pending_offer_jobs()), 1, "one coalesced job")
        self.drain()
        updates = self._updates()
        self.assertEqual(sorted(r.path.rsplit("/", 1)[1] for r in updates),
                         sorted([self._offer(first)["offerId"], self._offer(second)["offerId"]]))
        for update in updates:
            self.assertEqual(set(update.json), FULL_OFFER_KEYS, "the whole offer")
            self.assertNotIn("sku", update.json)
        self.assertEqual(self._offer(first)["categoryId"], "33567")
        self.assertEqual((self._offer(second)["pricingSummary"]["price"]["value"],
                          self._offer(second)["listingDescription"]), ("55.50", "Drilled rotor"))
        self.assertEqual(self._offer(first)["status"], "PUBLISHED", "still listed")
        self.assertEqual(self._offer(third)["categoryId"], "33564", "untouched")
        bindings = self.env["channel.product.binding"].search(
            [("product_id", "in", self.products.ids)])
        self.assertFalse(bindings.filtered("ebay_offer_dirty"))

    def test_policy_change_updates_every_offer_an_unchanged_one_is_not_sent(self):
        self.credential.ebay_return_policy_id = "R2"
        self.drain()
        mine = [r for r in self._updates() if r.path.rsplit("/", 1)[1] in {
            self._offer(product)["offerId"] for product in self.products}]
        self.assertEqual(len(mine), 3)
        self.assertEqual({self._offer(p)["listingPolicies"]["returnPolicyId"]
                          for p in self.products}, {"R2"})
        self.products[0].product_tmpl_id.name = "Rotor 0"  # same content: nothing to send
        self.drain()
        self.assertEqual(len(self._updates()), len(mine))
        self.credential.ebay_return_policy_id = "R1"
        self.drain()

    def test_category_mapping_change_updates_the_offers_of_its_products(self):
        mapping_row = self.env["ebay.category.map"].search([("categ_id", "=", self.categ.id)])
        mapping_row.ebay_category_id = "33570"
        self.drain()
        self.assertEqual(len(self._updates()), 3)
        self.assertEqual({self._offer(p)["categoryId"] for p in self.products}, {"33570"})

    def test_a_refused_update_is_recorded_not_resent_in_a_loop(self):
        gone = self.products[1]
        del self.sim.offers[self._offer(gone)["offerId"]]  # deleted on eBay meanwhile
        self.products.product_tmpl_id.write({"description_sale": "New text"})
        self.drain()
        self.drain()
        self.assertEqual(len(self._updates()), 3)
        binding = self.env["channel.product.binding"].search([("product_id", "=", gone.id)])
        self.assertEqual((binding.sync_state, binding.ebay_offer_dirty), ("error", False))
        self.assertIn("25713", binding.last_error)
        job = self.env["sync.job"].search([("operation", "=", const.OP_PUSH_OFFERS),
                                           ("credential_id", "=", self.credential.id)])
        self.assertEqual(job.state, "done")
        self.assertEqual(self._offer(self.products[0])["listingDescription"], "New text")
