from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.exceptions import PermanentError


@tagged("post_install", "-at_install")
class TestImportStaysInTheAccountsCompany(TransactionCase):
    """An order imported for an account of one company never lands on another company's
    customer or product."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Company B (scope)"})
        Credential = cls.env["integration.credential"]
        cls.account_a = Credential.create({"name": "A", "platform": "example"})
        cls.account_b = Credential.create({"name": "B", "platform": "example",
                                           "company_id": cls.company_b.id})
        cls.product_b = cls.env["product.product"].create(
            {"name": "B only", "default_code": "B-ONLY", "company_id": cls.company_b.id})
        cls.customer_b = cls.env["res.partner"].create(
            {"name": "B customer", "email": "same@buyer.com", "company_id": cls.company_b.id})

    def _order(self, order_id, sku):
        return {"id": order_id, "lines": [{"sku": sku, "qty": 1}],
                "customer": {"name": "Same Buyer", "email": "same@buyer.com"}}

    def test_sku_of_another_company_is_unknown(self):
        with self.assertRaisesRegex(PermanentError, "Unknown SKU: B-ONLY"):
            self.account_a._example_import_order(self._order("A-1", "B-ONLY"))
        mapping = self.env["channel.mapping"]
        self.assertFalse(mapping._find_product_by_sku("B-ONLY", self.account_a))
        self.assertEqual(mapping._find_product_by_sku("B-ONLY", self.account_b), self.product_b)

    def test_customer_of_another_company_is_not_used(self):
        shared = self.env["product.product"].create({"name": "Shared", "default_code": "SH"})
        self.account_a._example_import_order(self._order("A-2", "SH"))
        self.account_b.with_company(self.company_b)._example_import_order(self._order("B-2", "SH"))
        orders = self.env["sale.order"].search(
            [("channel_external_id", "in", ("A-2", "B-2"))], order="channel_external_id")
        order_a, order_b = orders
        self.assertNotEqual(order_a.partner_id, self.customer_b)
        self.assertEqual(order_b.partner_id, self.customer_b)
        self.assertEqual(order_a.order_line.product_id, shared)
