from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.exceptions import PermanentError


@tagged("post_install", "-at_install")
class TestPartnerMapping(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mapping = cls.env["channel.mapping"]

    def test_new_customer_with_delivery_child(self):
        match = self.mapping._find_or_create_partner({
            "name": "Jane Roe", "email": "JANE@example.com", "phone": "(512) 555-0147",
            "street": "1 Main St", "city": "Austin", "zip": "78701", "state": "TX",
            "country": "US",
        })
        self.assertEqual(match.warnings, [])
        self.assertEqual(match.partner.phone, "+15125550147")
        self.assertEqual(match.partner.state_id.code, "TX")
        self.assertEqual(match.partner.country_id.code, "US")
        self.assertEqual(match.shipping, match.partner)
        # Same email, another address: same customer, a delivery child for the new address.
        again = self.mapping._find_or_create_partner({
            "name": "Jane Roe", "email": "jane@example.com", "street": "9 Dock Rd",
            "city": "Houston", "zip": "77001", "state": "Texas", "country": "United States",
        })
        self.assertEqual(again.partner, match.partner)
        self.assertEqual(again.shipping.parent_id, match.partner)
        self.assertEqual(again.shipping.type, "delivery")
        self.assertEqual(again.shipping.state_id.code, "TX")
        third = self.mapping._find_or_create_partner({
            "name": "Jane Roe", "email": "jane@example.com", "street": "9 Dock Rd",
            "city": "Houston", "zip": "77001", "state": "TX", "country": "US",
        })
        self.assertEqual(third.shipping, again.shipping)

    def test_unknown_country_state_and_bad_phone_are_reported_not_lost(self):
        match = self.mapping._find_or_create_partner({
            "name": "Atlantis Traders", "phone": "not a phone", "street": "Deep 1",
            "city": "Poseidonia", "state": "Nowhere", "country": "Atlantis",
        })
        self.assertEqual(len(match.warnings), 3, match.warnings)
        self.assertIn("Atlantis", match.warnings[0])
        self.assertIn("Nowhere", match.warnings[1])
        self.assertEqual(match.partner.phone, "not a phone")
        self.assertEqual(match.partner.street, "Deep 1")
        self.assertFalse(match.partner.country_id)

    def test_state_code_resolved_within_its_country(self):
        match = self.mapping._find_or_create_partner({
            "name": "Ontario Shop", "state": "ON", "country": "CA", "phone": "416 555 0199",
        })
        self.assertEqual(match.partner.state_id.country_id.code, "CA")
        self.assertEqual(match.partner.phone, "+14165550199")

    def test_products_by_sku(self):
        product = self.env["product.product"].create({"name": "Widget", "default_code": "W-1"})
        found = self.mapping._require_products_by_sku(["W-1", "W-1"])
        self.assertEqual(found["W-1"], product)
        with self.assertRaisesRegex(PermanentError, "Unknown SKU: NOPE, ALSO-NOPE"):
            self.mapping._require_products_by_sku(["W-1", "NOPE", "ALSO-NOPE"])


@tagged("post_install", "-at_install")
class TestLookupsAreLiteralAndScoped(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mapping = cls.env["channel.mapping"]
        cls.company = cls.env.company
        cls.other_company = cls.env["res.company"].create({"name": "Other Co"})

    def test_email_wildcards_match_only_themselves(self):
        johnx = self.env["res.partner"].create({"name": "John X", "email": "johnXdoe@x.com"})
        match = self.mapping._find_or_create_partner({"name": "John Doe",
                                                      "email": "john_doe@x.com"})
        self.assertNotEqual(match.partner, johnx, "'_' is not a wildcard")
        self.assertEqual(match.partner.email, "john_doe@x.com")
        percent = self.mapping._find_or_create_partner({"name": "Percent",
                                                        "email": "%@x.com"})
        self.assertNotIn(percent.partner, johnx | match.partner, "'%' is not a wildcard")
        again = self.mapping._find_or_create_partner({"name": "John Doe",
                                                      "email": "JOHN_DOE@X.COM"})
        self.assertEqual(again.partner, match.partner, "still case-insensitive")

    def test_partner_of_another_company_is_not_matched(self):
        Partner = self.env["res.partner"]
        theirs = Partner.create({"name": "Theirs", "email": "buyer@x.com",
                                 "company_id": self.other_company.id})
        match = self.mapping._find_or_create_partner(
            {"name": "Buyer", "email": "buyer@x.com"}, company=self.company)
        self.assertNotEqual(match.partner, theirs)
        self.assertIn(match.partner.company_id, (self.company, self.env["res.company"]))
        # The other company finds its own customer.
        self.assertEqual(self.mapping._find_or_create_partner(
            {"name": "Buyer", "email": "buyer@x.com"}, company=self.other_company).partner,
            theirs)
        # Without an explicit company, the current company's scope applies.
        scoped = self.mapping.with_company(self.other_company)._find_or_create_partner(
            {"name": "Buyer", "email": "buyer@x.com"})
        self.assertEqual(scoped.partner, theirs)

    def test_same_address_of_another_company_is_not_matched(self):
        address = {"name": "Walk In", "street": "1 Road", "city": "Town", "zip": "1000"}
        theirs = self.env["res.partner"].create(dict(address, company_id=self.other_company.id))
        match = self.mapping._find_or_create_partner(address, company=self.company)
        self.assertNotEqual(match.partner, theirs)

    def test_shared_partner_is_matched_by_every_company(self):
        shared = self.env["res.partner"].create({"name": "Shared", "email": "shared@x.com"})
        for company in (self.company, self.other_company):
            self.assertEqual(self.mapping._find_or_create_partner(
                {"name": "Shared", "email": "shared@x.com"}, company=company).partner, shared)

    def test_product_of_another_company_is_not_found(self):
        Product = self.env["product.product"]
        theirs = Product.create({"name": "Theirs", "default_code": "CO-1",
                                 "company_id": self.other_company.id})
        shared = Product.create({"name": "Shared", "default_code": "SH-1"})
        self.assertFalse(self.mapping._find_product_by_sku("CO-1"))
        with self.assertRaisesRegex(PermanentError, "Unknown SKU: CO-1"):
            self.mapping._require_products_by_sku(["SH-1", "CO-1"])
        other = self.mapping.with_company(self.other_company)
        self.assertEqual(other._find_product_by_sku("CO-1"), theirs)
        self.assertEqual(other._find_product_by_sku("SH-1"), shared)
        self.assertEqual(self.mapping._find_product_by_sku("SH-1"), shared)

    def test_company_domain_for_batched_lookups(self):
        Partner = self.env["res.partner"]
        ours = Partner.create({"name": "Ours", "company_id": self.company.id})
        shared = Partner.create({"name": "Shared batch"})
        theirs = Partner.create({"name": "Theirs batch", "company_id": self.other_company.id})
        found = Partner.search([("id", "in", (ours | shared | theirs).ids)]
                               + self.mapping._company_domain(self.company))
        self.assertEqual(found, ours | shared)
