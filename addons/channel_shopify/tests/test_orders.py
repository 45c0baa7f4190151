from odoo.tests import TransactionCase, tagged

from .common import SKU, ShopifyAccountMixin


@tagged("post_install", "-at_install")
class TestShopifyOrdersIn(ShopifyAccountMixin, TransactionCase):
    shopify_account_name = "Shopify orders"

    def test_orders_imported_with_partner_lines_taxes_and_shipping(self):
        order = self.sim.add_order(sku=SKU, quantity=2, price=20.0)
        self.run_orders_stream()
        sale = self.shopify_orders()
        self.assertEqual(len(sale), 1)
        self.assertEqual(sale.channel_external_id, order["id"].rsplit("/", 1)[1])
        self.assertEqual(sale.client_order_ref, order["name"])
        self.assertEqual(sale.state, "sale", "confirmed: it reserves the stock")
        self.assertEqual(sale.picking_ids.state, "assigned")
        product_line = sale.order_line.filtered(lambda line: line.product_id == self.product)
        self.assertEqual((product_line.product_uom_qty, product_line.price_unit), (2, 20.0))
        self.assertIn("State tax 6.25%: 2.50", product_line.shopify_tax_text)
        shipping = sale.order_line - product_line
        self.assertEqual((shipping.name, shipping.price_unit), ("Standard", 5.0))
        self.assertAlmostEqual(sale.shopify_total_tax, 2.5)
        partner = sale.partner_shipping_id
        self.assertEqual((partner.street, partner.street2, partner.city, partner.zip),
                         ("1 Market St", "Suite 5", "Austin", "78701"))
        self.assertEqual(sale.partner_id.email, "jane@example.com")

    def test_second_run_imports_nothing_and_reads_from_the_overlap(self):
        self.sim.seed_orders(3, sku=SKU)
        self.run_orders_stream()
        self.assertEqual(len(self.shopify_orders()), 3)
        cursor = self.credential._get_cursor("orders")._value() if hasattr(
            self.credential._get_cursor("orders"), "_value") else None
        self.run_orders_stream()
        self.assertEqual(len(self.shopify_orders()), 3, "idempotent by order id")
        last_query = [r for r in self.sim.requests if r.json and "orders" in r.json["query"]][-1]
        newest = max(o["updatedAt"] for o in self.sim.orders.values())
        self.assertLess(last_query.json["variables"]["query"], f"updated_at:>='{newest}'",
                        "the next run starts before the newest update (overlap)")
        del cursor

    def test_unknown_sku_and_missing_address_parked_rest_imported(self):
        good = self.sim.add_order(sku=SKU)
        unknown = self.sim.add_order(sku="NO-SUCH-SKU")
        no_address = self.sim.add_order(sku=SKU, address={"name": "Nobody"})
        self.run_orders_stream()
        self.assertEqual(self.shopify_orders().mapped("channel_external_id"),
                         [good["id"].rsplit("/", 1)[1]])
        items = self.env["channel.inbox.item"].search(
            [("credential_id", "=", self.credential.id)], order="id")
        self.assertEqual(items.mapped("external_id"), [
            unknown["id"].rsplit("/", 1)[1], no_address["id"].rsplit("/", 1)[1]])
        self.assertIn("Unknown SKU: NO-SUCH-SKU", items[0].error)
        self.assertIn("no complete shipping address", items[1].error)
        # the product is created: Retry imports it
        self.env["product.product"].create({"name": "Now known", "default_code": "NO-SUCH-SKU"})
        items[0].action_retry()
        self.drain()
        self.assertEqual(len(self.shopify_orders()), 2)
        self.assertEqual(items[0].state, "done")

    def test_cancellation_and_refund_are_reflected_older_update_ignored(self):
        order = self.sim.add_order(sku=SKU)
        self.run_orders_stream()
        sale = self.shopify_orders()
        old_version = self.sim.update_order(order["id"])  # a version in between
        self.sim.refund_order(order["id"], 7.5)
        self.run_orders_stream()
        self.assertAlmostEqual(sale.shopify_refunded, 7.5)
        self.assertEqual(sale.shopify_financial_status, "PARTIALLY_REFUNDED")
        self.sim.cancel_order(order["id"])
        self.run_orders_stream()
        self.assertEqual(sale.state, "cancel")
        # an older version arriving late (out of order) changes nothing
        stats = self.credential._shopify_import_orders([dict(
            old_version, lineItems={"edges": [{"node": line} for line in old_version["lineItems"]]},
            shippingLines={"edges": []})])
        self.assertEqual(stats["skipped"], 1)
        self.assertEqual(sale.state, "cancel")
        self.assertAlmostEqual(sale.shopify_refunded, 7.5)

    def test_order_with_many_lines_is_read_whole(self):
        lines = [(SKU, 1, 1.0 + index) for index in range(14)]
        self.sim.add_order(lines=lines)
        self.run_orders_stream()
        sale = self.shopify_orders()
        mugs = sale.order_line.filtered(lambda line: line.product_id == self.product)
        self.assertEqual(len(mugs), 14)

    def test_fulfilment_on_shopify_validates_the_delivery_for_visibility(self):
        order = self.sim.add_order(sku=SKU, quantity=1)
        self.run_orders_stream()
        sale = self.shopify_orders()
        self.sim.fulfil_order(order["id"], tracking="1ZVISIBLE")
        self.run_orders_stream()
        self.assertEqual(sale.picking_ids.state, "done")
        self.assertEqual(sale.picking_ids.carrier_tracking_ref, "1ZVISIBLE")
        self.drain()
        self.assertFalse(self.sim.fulfillments, "nothing sent back: Shopify fulfilled it")

    def test_reconciliation_rereads_the_last_two_days(self):
        self.sim.seed_orders(2, sku=SKU)
        self.run_orders_stream("orders_reconcile")
        self.assertEqual(len(self.shopify_orders()), 2)
        query = [r for r in self.sim.requests if r.json and "orders(" in r.json["query"]][-1]
        self.assertIn("updated_at:>=", query.json["variables"]["query"])

    def test_bulk_import_groups_children_by_parent(self):
        first = self.sim.add_order(lines=[(SKU, 2, 10.0), (SKU, 1, 4.0)])
        self.sim.add_order(sku=SKU)
        self.sim.add_order(sku="UNKNOWN-BULK")
        self.credential.action_shopify_bulk_import()
        self.drain()
        self.drain()
        self.assertFalse(self.credential.shopify_bulk_operation_id)
        sales = self.shopify_orders()
        self.assertEqual(len(sales), 2)
        sale = sales.filtered(lambda s: s.channel_external_id == first["id"].rsplit("/", 1)[1])
        self.assertEqual(sorted(sale.order_line.mapped("product_uom_qty")), [1, 1, 2])
        self.assertEqual(self.env["channel.inbox.item"].search_count(
            [("credential_id", "=", self.credential.id)]), 1)
        # a second bulk import creates nothing new
        self.credential.action_shopify_bulk_import()
        self.drain()
        self.drain()
        self.assertEqual(len(self.shopify_orders()), 2)


@tagged("post_install", "-at_install")
class TestShopifyBadInputs(ShopifyAccountMixin, TransactionCase):
    shopify_account_name = "Shopify bad inputs"

    def test_unparsable_phone_is_dropped_the_order_kept(self):
        self.sim.add_order(sku=SKU, address={
            "name": "Pat Phone", "address1": "2 Elm St", "city": "Reno", "zip": "89501",
            "provinceCode": "NV", "countryCodeV2": "US", "phone": "call me maybe"})
        self.run_orders_stream()
        sale = self.shopify_orders()
        self.assertEqual(len(sale), 1)
        self.assertIn("could not be parsed", " ".join(sale.message_ids.mapped("body")))

    def test_dropped_connection_is_retried_and_the_page_not_skipped(self):
        self.sim.seed_orders(2, sku=SKU)
        self.sim.inject("drop")
        self.credential._channel_stream("orders").action_run_now()
        self.drain()
        graphql = [r for r in self.sim.requests if r.path.endswith("/graphql.json")]
        self.assertEqual(len(graphql), 2, "the same page read again")
        self.assertEqual(graphql[0].json, graphql[1].json)
        self.assertEqual(len(self.shopify_orders()), 2)

    def test_graphql_errors_are_a_clear_permanent_error(self):
        from odoo.addons.channel_base.exceptions import PermanentError

        from ..client import ShopifyClient
        with self.assertRaises(PermanentError) as caught:
            ShopifyClient(self.credential).execute("query { shop { nameX } }")
        self.assertIn("Cannot query field 'nameX'", caught.exception.message)

    def test_malformed_bulk_result_is_transient(self):
        from .. import mapping
        with self.assertRaises(ValueError):
            mapping.group_bulk_lines(b'{"id": "gid://shopify/Order/1"}\n{"id": ')

    def test_orders_take_the_account_salesperson_and_team_and_log_their_number(self):
        seller = self.env["res.users"].create(
            {"name": "Channel Seller", "login": "shopify-seller@example.com"})
        team = self.env["crm.team"].create({"name": "Marketplace"})
        self.credential.write({"sale_user_id": seller.id, "sale_team_id": team.id})
        self.sim.add_order(sku=SKU, quantity=1, price=20.0)
        self.run_orders_stream()
        orders = self.shopify_orders()
        self.assertTrue(orders)
        self.assertEqual(orders.user_id, seller)
        self.assertEqual(orders.team_id, team)
        for order in orders:
            notes = order.message_ids.filtered(lambda m: "Imported from" in str(m.body))
            number = order.channel_external_ref or order.channel_external_id
            self.assertEqual(len(notes), 1)
            self.assertIn(f"order {number} (account {self.credential.name})",
                          notes.preview)
