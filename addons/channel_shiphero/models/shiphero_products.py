"""Products in: every ShipHero product of the brand by SKU (created or updated), with
on-hand / available / allocated per warehouse."""

from odoo import models


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _shiphero_import_products(self, products):
        products = [p for p in products if p.get("sku")]
        Binding = self.env["channel.product.binding"]
        bindings = {b.external_sku: b for b in Binding.search([
            ("credential_id", "=", self.id),
            ("external_sku", "in", [p["sku"] for p in products])])}
        created = updated = 0
        for product in products:
            binding = bindings.get(product["sku"])
            if binding:
                if binding.product_id.name != product.get("name"):
                    binding.product_id.name = product.get("name") or product["sku"]
                updated += 1
            else:
                binding = self._shiphero_bind_product(product)
                created += 1
            self._shiphero_store_inventory(binding.product_id, product)
        return {"created": created, "updated": updated}

    def _shiphero_bind_product(self, product):
        """The brand's product of this SKU: an existing one of the company, else new."""
        match = self.env["channel.mapping"]._products_by_skus([product["sku"]], self.company_id)
        record = match.products.get(product["sku"]) or self.env["product.product"].create({
            "name": product.get("name") or product["sku"], "default_code": product["sku"],
            "type": "consu", "barcode": product.get("barcode") or False,
            "company_id": self.company_id.id})
        return self.env["channel.product.binding"].create({
            "credential_id": self.id, "product_id": record.id,
            "external_id": product.get("id"), "external_sku": product["sku"],
            "sync_state": "synced"})

    def _shiphero_store_inventory(self, product, node):
        Inventory = self.env["shiphero.inventory"]
        rows = {row.warehouse_ref: row for row in Inventory.search([
            ("credential_id", "=", self.id), ("product_id", "=", product.id)])}
        for stock in node.get("warehouse_products") or []:
            values = {"on_hand": int(stock.get("on_hand") or 0),
                      "available": int(stock.get("available") or 0),
                      "allocated": int(stock.get("allocated") or 0),
                      "warehouse_name": stock.get("warehouse_identifier")}
            ref = stock.get("warehouse_id") or "?"
            if ref in rows:
                rows[ref].write(values)
            else:
                Inventory.create(dict(values, credential_id=self.id, product_id=product.id,
                                      warehouse_ref=ref))
