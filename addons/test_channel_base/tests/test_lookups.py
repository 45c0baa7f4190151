from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.exceptions import PermanentError


@tagged("post_install", "-at_install")
class TestBatchedLookups(TransactionCase):
    """Partners and products for a whole batch in a constant number of queries."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mapping = cls.env["channel.mapping"]
        cls.company = cls.env.company
        cls.other_company = cls.env["res.company"].create({"name": "Other (lookups)"})
        cls.credential = cls.env["integration.credential"].create(
            {"name": "Lookups", "platform": "example"})
        Partner = cls.env["res.partner"]
        cls.customers = Partner.create([
            {"name": f"Buyer {number}", "email": f"Buyer{number}@Shop.example"}
            for number in range(20)
        ])
        Product = cls.env["product.product"]
        cls.products = Product.create([
            {"name": f"Gadget {number}", "default_code": f"LK-{number}"} for number in range(20)
        ])

    def _addresses(self, count):
        return [{"name": f"Buyer {number}", "email": f"buyer{number}@shop.example"}
                for number in range(count)]

    def _queries(self, function):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        result = function()
        return result, self.env.cr.sql_log_count - before

    def test_partner_queries_do_not_grow_with_the_batch(self):
        _matches, one = self._queries(
            lambda: self.mapping._partners_for_addresses(self._addresses(1), self.company))
        matches, twenty = self._queries(
            lambda: self.mapping._partners_for_addresses(self._addresses(20), self.company))
        self.assertEqual(twenty, one)
        self.assertEqual([match.partner for match in matches], list(self.customers))
        self.assertEqual([match.shipping for match in matches], list(self.customers))

    def test_email_match_is_exact_and_case_insensitive(self):
        lookalike = self.env["res.partner"].create(
            {"name": "Look alike", "email": "johnXdoe@shop.example"})
        matches = self.mapping._partners_for_addresses(
            [{"name": "John", "email": "john_doe@shop.example"},
             {"name": "Buyer 3", "email": "BUYER3@shop.EXAMPLE"}], self.company)
        self.assertNotEqual(matches[0].partner, lookalike)
        self.assertEqual(matches[0].partner.email, "john_doe@shop.example")
        self.assertEqual(matches[1].partner, self.customers[3])

    def test_missing_partners_are_created_once_per_email_in_input_order(self):
        Partner = self.env["res.partner"]
        before = Partner.search_count([])
        matches = self.mapping._partners_for_addresses([
            {"name": "New One", "email": "new1@shop.example", "city": "Austin"},
            {"name": "Buyer 0", "email": "buyer0@shop.example"},
            {"name": "New One", "email": "NEW1@shop.example", "city": "Dallas"},
            {"name": "New Two", "email": "new2@shop.example", "phone": "not a phone"},
        ], self.company)
        self.assertEqual(Partner.search_count([]), before + 3)  # 2 customers + 1 delivery
        self.assertEqual(matches[0].partner, matches[2].partner)
        self.assertEqual(matches[1].partner, self.customers[0])
        self.assertEqual(matches[2].shipping.city, "Dallas")
        self.assertEqual(matches[2].shipping.type, "delivery")
        self.assertEqual(matches[3].partner.name, "New Two")
        self.assertIn("could not be parsed", matches[3].warnings[0])

    def test_customer_of_the_company_wins_over_a_shared_one(self):
        own = self.env["res.partner"].create(
            {"name": "Own", "email": "buyer5@shop.example", "company_id": self.company.id})
        other = self.env["res.partner"].create({"name": "Other", "email": "only@other.example",
                                                "company_id": self.other_company.id})
        matches = self.mapping._partners_for_addresses(
            [{"name": "Own", "email": "buyer5@shop.example"},
             {"name": "Other", "email": "only@other.example"}], self.company)
        self.assertEqual(matches[0].partner, own)
        self.assertNotEqual(matches[1].partner, other)

    def test_single_partner_helper_gives_the_batch_answer(self):
        match = self.mapping._find_or_create_partner(
            {"name": "Buyer 7", "email": "BUYER7@shop.example", "country": "Atlantis"})
        self.assertEqual(match.partner, self.customers[7])
        self.assertIn("Unknown country", match.warnings[0])

    def test_product_query_does_not_grow_with_the_skus(self):
        _found, one = self._queries(
            lambda: self.mapping._products_by_skus(["LK-0"], self.company))
        found, twenty = self._queries(
            lambda: self.mapping._products_by_skus([f"LK-{n}" for n in range(20)], self.company))
        self.assertEqual(twenty, one)
        self.assertEqual(one, 1)
        self.assertEqual(list(found.products.values()), list(self.products))
        self.assertEqual(found.unknown, [])

    def test_unknown_skus_are_listed_in_input_order(self):
        found = self.mapping._products_by_skus(["NOPE-2", "LK-1", "", "NOPE-1"], self.credential)
        self.assertEqual(found.products, {"LK-1": self.products[1]})
        self.assertEqual(found.unknown, ["NOPE-2", "", "NOPE-1"])
        with self.assertRaisesRegex(PermanentError, r"Unknown SKU: NOPE-2, \(empty\), NOPE-1"):
            self.mapping._require_products_by_sku(["NOPE-2", "LK-1", "", "NOPE-1"])

    def test_products_are_company_scoped_and_listings_win(self):
        other = self.env["product.product"].create(
            {"name": "Other", "default_code": "LK-OTHER", "company_id": self.other_company.id})
        listed = self.env["product.product"].create({"name": "Listed", "default_code": "X"})
        self.env["channel.product.binding"].create({
            "credential_id": self.credential.id, "product_id": listed.id,
            "external_sku": "LK-2"})
        found = self.mapping._products_by_skus(["LK-OTHER", "LK-2"], self.credential)
        self.assertEqual(found.unknown, ["LK-OTHER"])
        self.assertEqual(found.products["LK-2"], listed)
        self.assertEqual(
            self.mapping._products_by_skus(["LK-OTHER"], self.other_company).products,
            {"LK-OTHER": other})
        self.assertEqual(self.mapping._find_product_by_sku("LK-2", self.credential), listed)
