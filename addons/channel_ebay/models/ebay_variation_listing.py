"""Multi-variation listings (Sell Inventory API): a product template with several variants
is one inventory item group. Its variants go through ``ebay.push_listings`` like single
products (bulkCreateOrReplaceInventoryItem and bulkCreateOffer, 25 a call, one offer per
variant SKU); then the group is sent whole with createOrReplaceInventoryItemGroup
(``variantSKUs``, the ``aspects`` every variant shares, ``variesBy`` from the template's
attribute lines) and published with publishOfferByInventoryItemGroup: one listing id for
every variant, kept on the template (eBay Item ID) and on each variant's binding (*Group
Listing ID*: a binding's External ID is unique per account, so it stays the SKU's own).
A later listing re-sends the group (the listing is revised);
withdrawOfferByInventoryItemGroup ends it."""

from urllib.parse import quote

from odoo import fields, models

from odoo.addons.channel_base.exceptions import PermanentError

from .. import const, mapping
from ..client import EbayClient

#: Attribute names whose values change the pictures (``aspectsImageVariesBy``).
IMAGE_ASPECTS = ("color", "colour")


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _ebay_group_key(self, template):
        """The template's inventoryItemGroupKey when its variants make a multi-variation
        listing (two or more with a SKU), else False."""
        if len(template.product_variant_ids.filtered("default_code")) < 2:
            return False
        return template.ebay_group_key or f"ODOO-TMPL-{template.id}"

    def _ebay_group(self, template, key, skus):
        """The group as mapping.inventory_item_group_body takes it."""
        varying = template.attribute_line_ids.filtered(
            lambda line: line.attribute_id.create_variant != "no_variant"
            and len(line.value_ids) > 1)
        variants = template.product_variant_ids.filtered(lambda p: p.default_code in skus)
        specifications = {}
        for line in varying:
            used = variants.product_template_attribute_value_ids.filtered(
                lambda value, line=line: value.attribute_line_id == line)
            specifications[line.attribute_id.name[:40]] = [
                value.name[:50] for value in line.value_ids
                if value in used.product_attribute_value_id]
        common = [(line.attribute_id.name, line.value_ids.name)
                  for line in template.attribute_line_ids if len(line.value_ids) == 1]
        image_aspect = next((name for name in specifications
                             if name.lower() in IMAGE_ASPECTS), None)
        return {"key": key, "title": template.name,
                "description": template.description_sale or template.name,
                "image_urls": [url.strip() for url in (template.ebay_image_urls or "").split()
                               if url.strip()],
                "variant_skus": [sku for sku in skus if sku in variants.mapped("default_code")],
                "aspects": mapping.aspects_of(common), "specifications": specifications,
                "image_aspect": image_aspect}

    def _ebay_publish_groups(self, client, todo, ok):
        """One createOrReplaceInventoryItemGroup and one publishOfferByInventoryItemGroup
        per group of this job; a group waits until every variant has its offer."""
        groups = {}
        for sku, (listing, _binding) in todo.items():
            if listing["group_key"]:
                groups.setdefault(listing["group_key"], []).append(sku)
        published = {}
        for key, skus in groups.items():
            entries = [todo[sku] for sku in skus]
            refused = [sku for sku in skus if sku not in ok]
            if refused:
                for listing, binding in entries:
                    if listing["sku"] in ok:
                        self._ebay_binding_error(binding, self.env._(
                            "Multi-variation listing %(key)s waits for its variants "
                            "%(skus)s.", key=key, skus=", ".join(refused)))
                continue
            template = entries[0][1].product_id.product_tmpl_id
            published.update(self._ebay_publish_group(client, template, key, entries))
        return published

    def _ebay_publish_group(self, client, template, key, entries):
        group = self._ebay_group(template, key, [listing["sku"] for listing, _b in entries])
        bindings = self.env["channel.product.binding"].union(*[b for _l, b in entries])
        problem = mapping.group_problem(group)
        try:
            if problem:
                raise PermanentError(problem)
            client.call("PUT", f"{const.INVENTORY}/inventory_item_group/{quote(key, safe='')}",
                        json=mapping.inventory_item_group_body(group))
            answer = client.call("POST", const.INVENTORY + const.PUBLISH_BY_GROUP, json={
                "inventoryItemGroupKey": key,
                "marketplaceId": self.ebay_marketplace_id or "EBAY_US"}) or {}
        except PermanentError as error:  # eBay's errors[] for this group only
            for binding in bindings:
                self._ebay_binding_error(binding, error.message)
            return {}
        listing_id = answer.get("listingId")
        for listing, binding in entries:
            binding.write({"ebay_listing_id": listing_id, "sync_state": "synced",
                           "last_error": False, "last_sync_at": fields.Datetime.now(),
                           "ebay_sent_quantity": listing["quantity"], "ebay_group_key": key})
        template.write({"ebay_item_id": listing_id, "ebay_group_key": key})
        return {listing["sku"]: (listing, binding) for listing, binding in entries}

    # ------------------------------------------------------------------ withdraw

    def _ebay_queue_withdraw(self, template):
        self.ensure_one()
        return self._enqueue_job(const.OP_WITHDRAW_GROUP, payload={"template_id": template.id},
                                 dedup_key=f"ebay.withdraw:{self.id}:{template.id}")

    def _ebay_withdraw_group(self, job):
        template = self.env["product.template"].browse(job.payload["template_id"]).exists()
        if not template.ebay_group_key:
            raise PermanentError(self.env._("%s is not a multi-variation eBay listing.",
                                            template.display_name))
        EbayClient(self).call(
            "POST", const.INVENTORY + "/offer/withdraw_by_inventory_item_group",
            json={"inventoryItemGroupKey": template.ebay_group_key,
                  "marketplaceId": self.ebay_marketplace_id or "EBAY_US"})
        bindings = self.env["channel.product.binding"].sudo().search([
            ("credential_id", "=", self.id), ("product_tmpl_id", "=", template.id)])
        bindings.write({"ebay_listing_id": False, "sync_state": "pending", "last_error": False,
                        "last_sync_at": fields.Datetime.now()})
        template.ebay_item_id = False
        return {"sent": len(bindings)}

    def _ebay_regroup(self, templates):
        """A listed group's template changed: list its variants again (the group re-sent)."""
        bindings = self.env["channel.product.binding"].sudo().search([
            ("platform", "=", const.PLATFORM), ("product_tmpl_id", "in", templates.ids)])
        for credential in bindings.credential_id:
            credential._ebay_queue_listings(templates.product_variant_ids)
