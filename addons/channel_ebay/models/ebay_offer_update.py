"""Offer updates. A change of what an offer carries (category, business policies, merchant
location, price, description, listing duration) after the offer exists marks the SKU's
binding *offer dirty* and queues **one** pending ``ebay.push_offers`` job per account
(coalesced: three changes of a SKU are one call). The job sends updateOffer
(``PUT /offer/{offerId}``, ``EbayOfferDetailsWithId``) with every field, as eBay replaces
the whole offer, once per offer whose content differs from what was last sent (a digest
kept on the binding); the quantity is part of the body but not of the digest."""

from urllib.parse import quote

from odoo import fields, models

from odoo.addons.channel_base.exceptions import PermanentError

from .. import const, mapping
from ..client import EbayClient

#: product.template fields an offer is made of (a write of one marks its offers dirty).
OFFER_TEMPLATE_FIELDS = {"list_price", "description_sale", "ebay_category_id", "categ_id",
                         "ebay_listing_duration", "name"}
#: integration.credential fields an offer is made of.
OFFER_ACCOUNT_FIELDS = {"ebay_fulfillment_policy_id", "ebay_payment_policy_id",
                        "ebay_return_policy_id", "ebay_merchant_location_key"}


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def write(self, vals):
        result = super().write(vals)
        if OFFER_ACCOUNT_FIELDS & set(vals):
            ebay = self.filtered(lambda credential: credential.platform == const.PLATFORM)
            if ebay:
                self._ebay_mark_offers_dirty([("credential_id", "in", ebay.ids)])
        return result

    def _ebay_offers_changed(self, products):
        """The offers of ``products`` may differ from what eBay holds: queue their update."""
        self._ebay_mark_offers_dirty([("product_id", "in", products.ids)])

    def _ebay_mark_offers_dirty(self, domain):
        bindings = self.env["channel.product.binding"].sudo().search([
            ("platform", "=", const.PLATFORM), ("ebay_offer_id", "!=", False),
            ("ebay_listing_api", "=", "inventory"), *domain])
        if not bindings:
            return
        bindings.write({"ebay_offer_dirty": True})
        for credential in bindings.credential_id:
            credential._enqueue_job(const.OP_PUSH_OFFERS, payload={},
                                    dedup_key=f"ebay.offers:{credential.id}", priority=15)

    def _ebay_push_offers(self, job):
        after_id = (job.payload or {}).get("after_id") or 0
        bindings = self.env["channel.product.binding"].sudo().search([
            ("credential_id", "=", self.id), ("ebay_offer_dirty", "=", True),
            ("id", ">", after_id)], limit=const.OFFER_UPDATES_PER_JOB, order="id")
        client, settings, categories = EbayClient(self), self._ebay_listing_settings(), {}
        stats = {"sent": 0, "failed": 0, "skipped": 0}
        bindings.product_id.mapped("free_qty")
        for binding in bindings:
            listing = self._ebay_listing(binding.product_id, categories)
            outcome = self._ebay_update_offer(client, binding, listing, settings)
            stats[outcome] += 1
            binding.ebay_offer_dirty = False
        if len(bindings) == const.OFFER_UPDATES_PER_JOB:  # more dirty offers: the next job
            self._enqueue_job(const.OP_PUSH_OFFERS, payload={"after_id": bindings[-1].id},
                              dedup_key=f"ebay.offers:{self.id}:{bindings[-1].id}", priority=15)
        return stats

    def _ebay_update_offer(self, client, binding, listing, settings):
        """updateOffer when the offer's content changed: "sent", "skipped" or "failed"."""
        body = mapping.update_offer_body(listing, settings)
        digest = mapping.offer_fingerprint(body)
        if digest == binding.ebay_offer_hash:
            return "skipped"
        problem = mapping.listing_problem(listing)
        try:
            if problem:
                raise PermanentError(problem)
            client.call("PUT", f"{const.INVENTORY}/offer/{quote(binding.ebay_offer_id, safe='')}",
                        json=body)
        except PermanentError as error:  # recorded; sent again at the SKU's next change
            self._ebay_binding_error(binding, error.message)
            return "failed"
        binding.write({"ebay_offer_hash": digest, "last_error": False,
                       "sync_state": "synced" if binding.external_id else binding.sync_state,
                       "last_sync_at": fields.Datetime.now()})
        return "sent"
