from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, tagged

from .common import ShipheroAccountMixin

PASSWORD = "alice-portal-pass-123"


@tagged("post_install", "-at_install")
class TestShipheroBrandPortal(ShipheroAccountMixin, HttpCase):
    """Brand users are portal users invited with Odoo's portal wizard; they see their own
    brand's orders, shipments, purchase orders and products only."""

    shiphero_account_name = "ShipHero portal"

    def setUp(self):
        super().setUp()
        self.other_brand = self.env["res.partner"].create(
            {"name": "Brand B", "is_company": True, "shiphero_is_brand": True})
        customer = self.env["res.partner"].create({"name": "End customer"})
        self.order_a, self.order_b = self.env["sale.order"].create([
            {"partner_id": customer.id, "shiphero_brand_id": brand.id,
             "order_line": [(0, 0, {"product_id": self.products[0].id})]}
            for brand in (self.brand, self.other_brand)])
        alice = self.env["res.partner"].create({
            "name": "Alice", "email": "alice@brand-a.example", "parent_id": self.brand.id,
            "shiphero_brand_id": self.brand.id})
        wizard = self.env["portal.wizard"].with_context(active_ids=[alice.id]).create({})
        wizard.user_ids.action_grant_access()
        self.user = alice.user_ids
        self.user.password = PASSWORD

    def test_invited_brand_user_is_a_portal_user(self):
        self.assertTrue(self.user._is_portal())

    def test_rpc_sees_own_brand_only(self):
        Orders = self.env["sale.order"].with_user(self.user)
        self.assertEqual(Orders.search([("shiphero_brand_id", "!=", False)]), self.order_a)
        self.order_a.with_user(self.user).read(["name"])
        with self.assertRaises(AccessError):
            self.order_b.with_user(self.user).read(["name"])

    def test_url_of_another_brands_order_is_not_found(self):
        self.authenticate(self.user.login, PASSWORD)
        own = self.url_open(f"/my/shiphero/orders/{self.order_a.id}")
        self.assertEqual(own.status_code, 200)
        self.assertIn(self.order_a.name, own.text)
        other = self.url_open(f"/my/shiphero/orders/{self.order_b.id}")
        self.assertEqual(other.status_code, 404)
        listing = self.url_open("/my/shiphero/orders")
        self.assertIn(self.order_a.name, listing.text)
        self.assertNotIn(self.order_b.name, listing.text)

    def test_json_rpc_read_of_another_brands_order_is_refused(self):
        self.authenticate(self.user.login, PASSWORD)
        response = self.url_open("/web/dataset/call_kw/sale.order/read", data=(
            '{"jsonrpc": "2.0", "method": "call", "params": {"model": "sale.order", '
            f'"method": "read", "args": [[{self.order_b.id}], ["name"]], "kwargs": {{}}}}}}'),
            headers={"Content-Type": "application/json"})
        self.assertIn("error", response.json())
        self.assertNotIn(self.order_b.name, response.text)

    def test_brand_user_creates_and_edits_a_purchase_order(self):
        self.env["shiphero.inventory"].create({
            "credential_id": self.credential.id, "product_id": self.products[1].id,
            "warehouse_ref": "W1", "on_hand": 3, "available": 3})
        self.authenticate(self.user.login, PASSWORD)
        page = self.url_open("/my/shiphero/products")
        self.assertIn("SKU-2", page.text)
        response = self.url_open("/my/shiphero/purchase-orders/new", data={
            "sku": "SKU-2", "quantity": "5", "csrf_token": self._csrf()})
        self.assertEqual(response.status_code, 200)
        po = self.env["shiphero.purchase.order"].search([("brand_id", "=", self.brand.id)])
        self.assertEqual((po.state, po.line_ids.quantity), ("sent", 5))
        jobs = self.env["sync.job"].search([("res_model", "=", "shiphero.purchase.order"),
                                            ("res_id", "=", po.id)])
        self.assertEqual(jobs.operation, "shiphero.purchase_order_create")
        self.url_open(f"/my/shiphero/purchase-orders/{po.id}/lines/{po.line_ids.id}",
                      data={"quantity": "7", "csrf_token": self._csrf()})
        po.invalidate_recordset()
        self.assertEqual(po.line_ids.quantity, 7)
        other = self.env["shiphero.purchase.order"].create({
            "credential_id": self.credential.id,
            "line_ids": [(0, 0, {"product_id": self.products[0].id, "quantity": 1})]})
        other_credential = self.env["integration.credential"].create({
            "name": "Brand B account", "platform": "shiphero", "api_base_url": self.sim.url,
            "shiphero_brand_id": self.other_brand.id})
        other.credential_id = other_credential
        refused = self.url_open(
            f"/my/shiphero/purchase-orders/{other.id}/lines/{other.line_ids.id}",
            data={"quantity": "99", "csrf_token": self._csrf()})
        self.assertEqual(refused.status_code, 404)
        self.assertEqual(other.line_ids.quantity, 1, "another brand's PO is not editable")

    def test_rpc_cannot_move_a_purchase_order_to_another_brand(self):
        other_credential = self.env["integration.credential"].create({
            "name": "Brand B account", "platform": "shiphero", "api_base_url": self.sim.url,
            "shiphero_brand_id": self.other_brand.id})
        POs = self.env["shiphero.purchase.order"].with_user(self.user)
        own = POs.create({"credential_id": self.credential.id,
                          "line_ids": [(0, 0, {"product_id": self.products[0].id})]})
        self.assertEqual(own.brand_id, self.brand)
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            own.write({"credential_id": other_credential.id})
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            POs.create({"credential_id": other_credential.id})
        theirs = self.env["shiphero.purchase.order"].create({
            "credential_id": other_credential.id})
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            own.line_ids.write({"order_id": theirs.id})
        own.invalidate_recordset()
        self.assertEqual((own.sudo().credential_id, own.sudo().brand_id),
                         (self.credential, self.brand))
        self.assertFalse(theirs.line_ids)
        self.authenticate(self.user.login, PASSWORD)
        response = self.url_open("/web/dataset/call_kw/shiphero.purchase.order/write", data=(
            '{"jsonrpc": "2.0", "method": "call", "params": {"model": '
            '"shiphero.purchase.order", "method": "write", "args": '
            f'[[{own.id}], {{"credential_id": {other_credential.id}}}], "kwargs": {{}}}}}}'),
            headers={"Content-Type": "application/json"})
        self.assertIn("error", response.json())
        own.invalidate_recordset()
        self.assertEqual(own.sudo().brand_id, self.brand)

    def _csrf(self):
        page = self.url_open("/my/shiphero/purchase-orders")
        marker = 'name="csrf_token" value="'
        start = page.text.index(marker) + len(marker)
        return page.text[start:page.text.index('"', start)]
