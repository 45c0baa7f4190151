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
