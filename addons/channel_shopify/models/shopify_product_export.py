"""Products out: each published template becomes one Shopify product through productSet
(upsert by handle ``odoo-<template id>``, so a repeated push updates the same product);
variants from the attribute lines (SKU = internal reference, price, weight, barcode);
collections from the product category; metafields from the configured fields, 25 per
metafieldsSet call. productSet replaces the list fields it is given (variants, options,
collections): what Odoo does not list is removed on Shopify.
https://shopify.dev/docs/api/admin-graphql/2025-01/mutations/productSet
"""

from odoo import fields, models

from odoo.addons.channel_base.exceptions import PermanentError

from .. import const, mapping
from ..client import ShopifyClient, raise_user_errors
from ..queries import COLLECTION_BY_HANDLE, COLLECTION_CREATE, METAFIELDS_SET, PRODUCT_SET


class ChannelProductBinding(models.Model):
    _inherit = "channel.product.binding"

    shopify_product_gid = fields.Char("Shopify Product ID", readonly=True)
    shopify_inventory_item_gid = fields.Char("Shopify Inventory Item ID", readonly=True)


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def action_shopify_push_products(self):
        self.ensure_one()
        jobs = self.env["sync.job"]._enqueue_many([{
            "operation": const.OP_PUSH_PRODUCT, "credential": self, "record": template,
            "dedup_key": f"shopify.product:{self.id}:{template.id}", "priority": 12,
        } for template in self.with_context(active_test=False).shopify_product_ids])
        return self._notification(self.env._("%s product(s) queued.", len(jobs)))

    def _shopify_push_product(self, job):
        template = job._target().with_context(active_test=False)
        missing = template.product_variant_ids.filtered(lambda p: not p.default_code)
        if missing:
            raise PermanentError(self.env._(
                "Variants without an internal reference (the Shopify SKU): %s",
                ", ".join(missing.mapped("display_name"))))
        client = ShopifyClient(self)
        published = template.active and template in self.shopify_product_ids
        values = mapping.product_set_input(
            self._shopify_template_values(client, template),
            [self._shopify_variant_values(variant) for variant in template.product_variant_ids],
            status="ACTIVE" if published else "ARCHIVED")
        payload = client.execute(PRODUCT_SET, {
            "input": values, "identifier": {"handle": values["handle"]}})["productSet"]
        raise_user_errors(payload, f"product {template.display_name}")
        product = payload["product"]
        self._shopify_bind_variants(template, product)
        self._shopify_set_metafields(client, template, product["id"])
        return {"sent": 1, "product": product["id"], "status": product.get("status")}

    def _shopify_template_values(self, client, template):
        options = [(line.attribute_id.name, line.value_ids.mapped("name"))
                   for line in template.attribute_line_ids if line.value_ids]
        return {
            "title": template.name, "handle": f"odoo-{template.id}",
            "description": template.description_sale or "",
            "product_type": template.categ_id.name or "",
            "vendor": template.company_id.name or self.company_id.name,
            "options": options or None,
            "collections": [self._shopify_collection(client, template.categ_id)]
            if template.categ_id else [],
        }

    @staticmethod
    def _shopify_variant_values(variant):
        return {
            "sku": variant.default_code, "price": variant.lst_price,
            "barcode": variant.barcode, "weight": variant.weight,
            "options": [(value.attribute_id.name, value.name) for value in
                        variant.product_template_attribute_value_ids.product_attribute_value_id]
            or None,
        }

    def _shopify_collection(self, client, category):
        """The custom collection of a product category (found by handle, else created)."""
        handle = mapping.collection_handle(category.complete_name)
        found = client.execute(COLLECTION_BY_HANDLE, {"handle": handle}).get("collectionByHandle")
        if found:
            return found["id"]
        payload = client.execute(COLLECTION_CREATE, {"input": {
            "title": category.name, "handle": handle}})["collectionCreate"]
        raise_user_errors(payload, f"collection {category.name}")
        return payload["collection"]["id"]

    def _shopify_bind_variants(self, template, product):
        Binding = self.env["channel.product.binding"].with_context(active_test=False)
        by_sku = {variant.default_code: variant for variant in template.product_variant_ids}
        for node in mapping.nodes(product.get("variants")):
            variant = by_sku.get(node.get("sku"))
            if not variant:
                continue
            values = {"external_id": node["id"], "external_sku": node.get("sku"),
                      "shopify_product_gid": product["id"],
                      "shopify_inventory_item_gid": (node.get("inventoryItem") or {}).get("id"),
                      "sync_state": "synced", "last_sync_at": fields.Datetime.now()}
            binding = Binding.search([("credential_id", "=", self.id),
                                      ("product_id", "=", variant.id)], limit=1)
            if binding:
                binding.write(values)
            else:
                Binding.create(dict(values, credential_id=self.id, product_id=variant.id))
            self._shopify_ensure_levels(variant, values["shopify_inventory_item_gid"])

    def _shopify_ensure_levels(self, variant, inventory_item):
        Level = self.env["shopify.inventory.level"]
        for mapped in self.shopify_location_ids:
            if inventory_item and not Level.search_count([
                    ("credential_id", "=", self.id), ("inventory_item_gid", "=", inventory_item),
                    ("location_gid", "=", mapped.location_gid)]):
                Level.create({"credential_id": self.id, "product_id": variant.id,
                              "inventory_item_gid": inventory_item,
                              "location_gid": mapped.location_gid, "quantity": 0})

    def _shopify_set_metafields(self, client, template, product_gid):
        values = [(field.name, template[field.name]) for field in self.shopify_metafield_ids]
        inputs = mapping.metafield_inputs(product_gid, values)
        for batch in mapping.chunks(inputs, const.METAFIELDS_PER_CALL):
            payload = client.execute(METAFIELDS_SET, {"metafields": batch})["metafieldsSet"]
            raise_user_errors(payload, "the metafields")
        return len(inputs)
