"""Listings out. ``ebay.push_listings`` (≤ 25 products a job): inventory items with
bulkCreateOrReplaceInventoryItem, offers with bulkCreateOffer, publication with
bulkPublishOffer, one call each per 25 SKUs; every SKU's answer is recorded on its
binding. Products listed only in the Trading API (an ItemID and no offer) are revised
with ReviseFixedPriceItem instead. ``ebay.push_quantities``: the bindings marked dirty,
coalesced per SKU in one pending job, sent 25 per bulkUpdatePriceQuantity (Inventory
listings) or 4 per ReviseInventoryStatus (Trading listings)."""

from odoo import fields, models

from odoo.addons.channel_base.exceptions import PermanentError

from .. import const, mapping
from ..client import EbayClient

#: bulkCreateOffer: "Offer entity already exists" (a retried job, or a listing made elsewhere).
OFFER_EXISTS = 25002
QUANTITY_SKUS_PER_JOB = 500


def _succeeded(response):
    return 200 <= int(response.get("statusCode") or 500) < 300


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ queueing

    def _ebay_queue_listings(self, products):
        self.ensure_one()
        products = products.filtered("default_code")
        by_template = {}
        for product in products:  # a template's variants stay in one job (one group)
            by_template.setdefault(product.product_tmpl_id.id, []).append(product.id)
        return self.env["sync.job"]._enqueue_many([{
            "operation": const.OP_PUSH_LISTINGS, "credential": self,
            "payload": {"product_ids": chunk},
            "dedup_key": f"ebay.listings:{self.id}:{chunk[0]}:{len(chunk)}",
        } for chunk in mapping.group_chunks(by_template.values())])

    def _ebay_quantities_changed(self, products):
        """Mark the eBay bindings of ``products`` dirty and queue one coalesced job per
        account (its dedup key keeps one pending job whatever the number of changes)."""
        bindings = self.env["channel.product.binding"].sudo().search([
            ("platform", "=", const.PLATFORM), ("product_id", "in", products.ids),
            ("ebay_listing_api", "!=", False)])
        if not bindings:
            return
        bindings.write({"ebay_quantity_dirty": True})
        for credential in bindings.credential_id:
            credential._enqueue_job(const.OP_PUSH_QUANTITIES, payload={},
                                    dedup_key=f"ebay.quantities:{credential.id}", priority=15)

    # ------------------------------------------------------------------ listings

    def _ebay_category_of(self, categ, cache):
        """The eBay category mapped to ``categ`` or its nearest mapped parent."""
        if categ.id not in cache:
            mapped = {row.categ_id.id: row.ebay_category_id
                      for row in self.env["ebay.category.map"].search(
                          [("categ_id", "parent_of", categ.id)])}
            cache[categ.id] = next((mapped[parent] for parent in reversed(
                [int(part) for part in (categ.parent_path or "").split("/") if part])
                if parent in mapped), False)
        return cache[categ.id]

    def _ebay_listing(self, product, cache=None):
        template = product.product_tmpl_id
        category = template.ebay_category_id or self._ebay_category_of(
            template.categ_id, {} if cache is None else cache)
        pairs = [(value.attribute_id.name, value.name)
                 for value in product.product_template_attribute_value_ids]
        pairs += [(line.attribute_id.name, line.value_ids.name)
                  for line in template.attribute_line_ids if len(line.value_ids) == 1]
        return {"sku": product.default_code, "title": product.name,
                "description": template.description_sale or product.name,
                "aspects": mapping.aspects_of(pairs), "condition": template.ebay_condition,
                "image_urls": [url.strip() for url in (template.ebay_image_urls or "").split()
                               if url.strip()],
                "category_id": category, "listing_duration": template.ebay_listing_duration,
                "quantity": int(product.free_qty), "price": product.lst_price,
                "item_id": template.ebay_item_id,
                "group_key": self._ebay_group_key(template)}

    def _ebay_listing_settings(self):
        return {"marketplace_id": self.ebay_marketplace_id or "EBAY_US",
                "currency": const.MARKETPLACE_CURRENCY.get(self.ebay_marketplace_id, "USD"),
                "fulfillment_policy_id": self.ebay_fulfillment_policy_id or "",
                "payment_policy_id": self.ebay_payment_policy_id or "",
                "return_policy_id": self.ebay_return_policy_id or "",
                "merchant_location_key": self.ebay_merchant_location_key or ""}

    def _ebay_bindings(self, products):
        """{product id: binding}, the missing ones created in one call."""
        Binding = self.env["channel.product.binding"].sudo()
        found = {binding.product_id.id: binding for binding in Binding.search(
            [("credential_id", "=", self.id), ("product_id", "in", products.ids)])}
        missing = products.filtered(lambda product: product.id not in found)
        for binding in Binding.create([{"credential_id": self.id, "product_id": product.id,
                                        "external_sku": product.default_code}
                                       for product in missing]):
            found[binding.product_id.id] = binding
        return found

    def _ebay_push_listings(self, job):
        products = self.env["product.product"].browse(job.payload["product_ids"]).exists()
        client = EbayClient(self)
        todo, stats = {}, {"sent": 0, "failed": 0, "skipped": 0}
        bindings, categories = self._ebay_bindings(products), {}
        products.mapped("free_qty")  # one stock query for the page, not one per product
        for product in products:
            listing, binding = self._ebay_listing(product, categories), bindings[product.id]
            problem = mapping.listing_problem(listing)
            if problem:
                self._ebay_binding_error(binding, problem)
                stats["failed"] += 1
            elif not listing["group_key"] and (binding.ebay_listing_api == "trading" or (
                    listing["item_id"] and not binding.ebay_listing_api
                    and self._ebay_detect_api(client, binding, listing) == "trading")):
                self._ebay_revise_trading_item(client, binding, listing)
                stats["sent"] += 1
            else:
                todo[listing["sku"]] = (listing, binding)
        ok = self._ebay_put_inventory_items(client, todo)
        ok = self._ebay_create_offers(client, ok)
        singles = {sku: entry for sku, entry in ok.items() if not entry[0]["group_key"]}
        published = self._ebay_publish_offers(client, singles)
        published.update(self._ebay_publish_groups(client, todo, ok))
        stats["sent"] += len(published)
        stats["failed"] += len(todo) - len(published)
        return stats

    def _ebay_detect_api(self, client, binding, listing):
        """An ItemID we did not list: an Inventory API offer for the SKU says Inventory,
        none says the listing lives in the Trading API only."""
        answer = self._ebay_offers_of_sku(client, listing["sku"])
        offers = answer.get("offers") or []
        values = {"ebay_listing_api": "inventory" if offers else "trading"}
        if offers:
            values["ebay_offer_id"] = offers[0].get("offerId")
        binding.write(values)
        return values["ebay_listing_api"]

    def _ebay_offers_of_sku(self, client, sku):
        try:
            return client.call("GET", const.INVENTORY + "/offer", params={"sku": sku}) or {}
        except PermanentError as error:
            if error.status == 404:  # no offer for this SKU (errorId 25713)
                return {}
            raise

    def _ebay_revise_trading_item(self, client, binding, listing):
        self._ebay_spend_trading(1)
        client.trading("ReviseFixedPriceItem", mapping.revise_fixed_price_item(
            listing["item_id"], title=listing["title"], quantity=listing["quantity"],
            price=listing["price"]))
        binding.write({"external_id": listing["item_id"], "sync_state": "synced",
                       "last_error": False, "last_sync_at": fields.Datetime.now(),
                       "ebay_sent_quantity": listing["quantity"]})

    def _ebay_put_inventory_items(self, client, todo):
        if not todo:
            return {}
        locale, ok = client.locale(), {}
        for chunk in mapping.chunks(list(todo.values())):  # a group may hold more than 25
            answer = client.call(
                "POST", const.INVENTORY + "/bulk_create_or_replace_inventory_item",
                json={"requests": [mapping.inventory_item_request(listing, locale)
                                   for listing, _binding in chunk]}) or {}
            ok.update(self._ebay_per_sku({entry[0]["sku"]: entry for entry in chunk}, answer))
        return ok

    def _ebay_per_sku(self, todo, answer):
        """The entries of ``todo`` whose ``responses[]`` entry succeeded; the others get
        the answer's errors on their binding."""
        ok = {}
        for response in answer.get("responses") or []:
            entry = todo.get(response.get("sku"))
            if entry is None:
                continue
            if _succeeded(response):
                ok[response["sku"]] = entry
            else:
                self._ebay_binding_error(entry[1], mapping.errors_text(response.get("errors")))
        return ok

    def _ebay_create_offers(self, client, items):
        settings = self._ebay_listing_settings()
        existing = [entry for entry in items.values() if entry[1].ebay_offer_id]
        missing = [entry for entry in items.values() if not entry[1].ebay_offer_id]
        for chunk in mapping.chunks(missing):
            by_sku = {entry[0]["sku"]: entry for entry in chunk}
            answer = client.call("POST", const.INVENTORY + "/bulk_create_offer", json={
                "requests": [mapping.offer_body(listing, settings)
                             for listing, _binding in chunk]}) or {}
            for response in answer.get("responses") or []:
                entry = by_sku.get(response.get("sku"))
                if entry is None:
                    continue
                offer_id = response.get("offerId") or self._ebay_existing_offer(
                    client, response)
                if offer_id:
                    entry[1].write({"ebay_offer_id": offer_id, "ebay_listing_api": "inventory",
                                    "ebay_offer_hash": mapping.offer_fingerprint(
                                        mapping.update_offer_body(entry[0], settings))})
                else:
                    self._ebay_binding_error(entry[1], mapping.errors_text(response.get("errors")))
        refused = {listing["sku"] for listing, binding in existing  # changed offers: updateOffer
                   if self._ebay_update_offer(client, binding, listing, settings) == "failed"}
        return {sku: entry for sku, entry in items.items()
                if entry[1].ebay_offer_id and sku not in refused}

    def _ebay_existing_offer(self, client, response):
        """A retried job meets the offer it created before the crash: adopt it."""
        if not any(error.get("errorId") == OFFER_EXISTS for error in response.get("errors") or []):
            return None
        offers = self._ebay_offers_of_sku(client, response["sku"]).get("offers") or []
        return offers[0].get("offerId") if offers else None

    def _ebay_publish_offers(self, client, items):
        if not items:
            return {}
        by_offer = {entry[1].ebay_offer_id: entry for entry in items.values()}
        answer = client.call("POST", const.INVENTORY + "/bulk_publish_offer", json={
            "requests": [{"offerId": offer_id} for offer_id in by_offer]}) or {}
        published = {}
        for response in answer.get("responses") or []:
            entry = by_offer.get(response.get("offerId"))
            if entry is None:
                continue
            listing, binding = entry
            if _succeeded(response):
                binding.write({"external_id": response.get("listingId"), "sync_state": "synced",
                               "last_error": False, "last_sync_at": fields.Datetime.now(),
                               "ebay_sent_quantity": listing["quantity"]})
                binding.product_id.product_tmpl_id.ebay_item_id = response.get("listingId")
                published[listing["sku"]] = entry
            else:
                self._ebay_binding_error(binding, mapping.errors_text(response.get("errors")))
        return published

    def _ebay_binding_error(self, binding, message):
        binding.write({"sync_state": "error", "last_error": message or "eBay refused it",
                       "last_sync_at": fields.Datetime.now()})

    # ------------------------------------------------------------------ quantities

    def _ebay_push_quantities(self, job):
        after_id = (job.payload or {}).get("after_id") or 0
        bindings = self.env["channel.product.binding"].sudo().search([
            ("credential_id", "=", self.id), ("ebay_quantity_dirty", "=", True),
            ("id", ">", after_id)], limit=QUANTITY_SKUS_PER_JOB, order="id")
        client = EbayClient(self)
        inventory = bindings.filtered(lambda b: b.ebay_listing_api == "inventory")
        trading = bindings.filtered(lambda b: b.ebay_listing_api == "trading")
        sent = self._ebay_bulk_quantities(client, inventory)
        sent += self._ebay_revise_statuses(client, trading)
        if len(bindings) == QUANTITY_SKUS_PER_JOB:  # more dirty SKUs: the next job goes on
            self._enqueue_job(const.OP_PUSH_QUANTITIES, payload={"after_id": bindings[-1].id},
                              dedup_key=f"ebay.quantities:{self.id}:{bindings[-1].id}",
                              priority=15)
        return {"sent": sent, "failed": len(bindings) - sent}

    def _ebay_bulk_quantities(self, client, bindings):
        currency = const.MARKETPLACE_CURRENCY.get(self.ebay_marketplace_id, "USD")
        sent = 0
        for chunk in mapping.chunks(bindings):
            by_sku = {binding.external_sku: binding for binding in chunk}
            quantities = {b.external_sku: int(b.product_id.free_qty) for b in chunk}
            answer = client.call("POST", const.INVENTORY + "/bulk_update_price_quantity", json={
                "requests": [mapping.price_quantity_request(
                    b.external_sku, quantities[b.external_sku], b.ebay_offer_id,
                    b.product_id.lst_price, currency) for b in chunk]}) or {}
            for response in answer.get("responses") or []:
                binding = by_sku.get(response.get("sku"))
                if binding is None:
                    continue
                if _succeeded(response):
                    binding.write({"ebay_quantity_dirty": False, "sync_state": "synced",
                                   "last_error": False,
                                   "ebay_sent_quantity": quantities[binding.external_sku]})
                    sent += 1
                else:  # recorded; sent again at the SKU's next change, not in a loop
                    self._ebay_binding_error(binding, mapping.errors_text(response.get("errors")))
                    binding.ebay_quantity_dirty = False
        return sent

    def _ebay_revise_statuses(self, client, bindings):
        sent = 0
        chunks = mapping.chunks(bindings, const.REVISE_STATUS_MAX)
        if chunks:
            self._ebay_spend_trading(len(chunks))
        for chunk in chunks:
            entries = [{"item_id": b.external_id or b.product_id.ebay_item_id,
                        "sku": b.external_sku, "quantity": int(b.product_id.free_qty),
                        "price": b.product_id.lst_price} for b in chunk]
            client.trading("ReviseInventoryStatus", mapping.revise_inventory_status(entries))
            for binding, entry in zip(chunk, entries, strict=True):
                binding.write({"ebay_quantity_dirty": False, "sync_state": "synced",
                               "last_error": False, "ebay_sent_quantity": entry["quantity"]})
            sent += len(chunk)
        return sent
