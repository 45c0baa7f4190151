from odoo.tests import TransactionCase, tagged

from .. import const
from .common import DscoCatalogMixin


@tagged("post_install", "-at_install")
class TestDscoInventory(DscoCatalogMixin, TransactionCase):
    dsco_account_name = "DSCO inventory"

    def inventory_posts(self):
        return [r.json for r in self.calls("POST", const.INVENTORY_SMALL_BATCH_PATH)]

    def push_inventory(self):
        self.credential.action_dsco_push_inventory()
        self.drain_all()

    def test_inventory_follows_a_successful_catalog_only_changed_quantities(self):
        self.sim.options["catalog_reject_skus"] = ("POSH-BOOTS",)
        self.push_catalog()  # the accepted SKU's inventory is queued after the change log
        self.assertEqual(len(self.inventory_posts()), 1)
        self.assertEqual([item["sku"] for item in self.inventory_posts()[0]], ["POSH-JACKET"],
                         "not the SKU the catalog refused")
        item = self.sim.inventory["POSH-JACKET"]
        jacket_qty = int(self.product.with_context(warehouse_id=self.warehouse.id).free_qty)
        self.assertEqual(item["warehouses"], [{"code": "WH-01", "quantity": jacket_qty}])
        self.assertEqual((item["quantityAvailable"], item["status"]), (jacket_qty, "in-stock"))
        self.assertEqual(self.binding(self.product).dsco_inventory_sent, {"WH-01": jacket_qty})
        self.push_inventory()
        self.assertEqual(len(self.inventory_posts()), 1, "nothing changed: nothing sent")
        stream = self.credential._channel_stream(const.INVENTORY_STREAM)
        self.assertEqual(stream.interval_minutes, 15)

    def test_quantity_zero_delists_and_unpublished_products_are_delisted(self):
        self.push_catalog()
        self.env["stock.quant"]._update_available_quantity(
            self.boots, self.warehouse.lot_stock_id, -7)
        self.push_inventory()
        self.assertEqual(self.inventory_posts()[-1], [{
            "sku": "POSH-BOOTS", "quantityAvailable": 0, "status": "out-of-stock",
            "warehouses": [{"code": "WH-01", "quantity": 0}]}])
        self.credential.dsco_product_ids = [(3, self.product.id)]
        self.push_inventory()
        self.assertEqual([(i["sku"], i["quantityAvailable"]) for i in self.inventory_posts()[-1]],
                         [("POSH-JACKET", 0)])
        self.assertFalse(self.binding(self.product).active, "delisted, binding archived")

    def test_a_done_stock_move_pushes_inventory_right_away(self):
        self.push_catalog()
        before = len(self.inventory_posts())
        picking_type = self.warehouse.out_type_id
        picking = self.env["stock.picking"].create({
            "picking_type_id": picking_type.id,
            "location_id": self.warehouse.lot_stock_id.id,
            "location_dest_id": self.env.ref("stock.stock_location_customers").id,
            "move_ids": [(0, 0, {"name": "boots", "product_id": self.boots.id,
                                 "product_uom_qty": 2, "product_uom": self.boots.uom_id.id,
                                 "location_id": self.warehouse.lot_stock_id.id,
                                 "location_dest_id": self.env.ref(
                                     "stock.stock_location_customers").id})]})
        picking.action_confirm()
        picking.move_ids.quantity = 2
        picking.button_validate()
        job = self.env["sync.job"].search([("credential_id", "=", self.credential.id),
                                           ("operation", "=", const.OP_PUSH_INVENTORY),
                                           ("state", "=", "pending")])
        self.assertTrue(job, "queued by the done move")
        self.drain_all()
        self.assertEqual(len(self.inventory_posts()), before + 1)
        self.assertEqual(self.sim.inventory["POSH-BOOTS"]["quantityAvailable"], 5)

    def test_refused_inventory_is_kept_on_the_binding_and_sent_again(self):
        self.sim.options["warehouse_codes"] = ("WH-OTHER",)
        self.push_catalog()
        binding = self.binding(self.product)
        self.assertIn("Invalid warehouse code: WH-01", binding.dsco_inventory_error)
        self.assertFalse(binding.dsco_inventory_sent, "sent again next time")
        self.sim.options["warehouse_codes"] = ("WH-01",)
        self.push_inventory()
        self.assertFalse(self.binding(self.product).dsco_inventory_error)
        self.assertIn("POSH-JACKET", self.sim.inventory)

    def test_no_warehouse_mapping_is_a_clear_error(self):
        self.push_catalog()
        self.credential.dsco_warehouse_code_ids.unlink()
        self.credential.dsco_inventory_minutes = 30
        self.assertEqual(self.credential._channel_stream(const.INVENTORY_STREAM).interval_minutes,
                         30)
        self.push_inventory()
        job = self.env["sync.job"].search([("credential_id", "=", self.credential.id),
                                           ("operation", "=", const.OP_PUSH_INVENTORY)],
                                          order="id desc", limit=1)
        self.assertEqual(job.state, "failed")
        self.assertIn("map at least one Odoo warehouse", job.last_error)
