"""Inventory out: the quantity of each published variant per mapped location, sent with
inventorySetQuantities, compare-and-swap against the last quantity Shopify confirmed;
only changed quantities, 250 per call; a stale compare re-reads the level and retries.
https://shopify.dev/docs/api/admin-graphql/2025-01/mutations/inventorySetQuantities
"""

from odoo import models

from odoo.addons.channel_base.exceptions import PermanentError

from .. import const, mapping
from ..client import ShopifyClient, raise_user_errors
from ..queries import INVENTORY_LEVELS, INVENTORY_SET


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def action_shopify_push_inventory(self):
        self.ensure_one()
        self._shopify_queue_inventory_push()
        return self._notification(self.env._("Inventory push queued."))

    def _shopify_queue_inventory_push(self):
        return self._enqueue_job(const.OP_PUSH_INVENTORY, dedup_key=f"shopify.inventory:{self.id}",
                                 priority=12)

    def _shopify_inventory_changes(self):
        """[(level record, new quantity)] whose quantity differs from the last confirmed."""
        Level = self.env["shopify.inventory.level"]
        levels = Level.search([("credential_id", "=", self.id)])
        by_key = {(level.product_id.id, level.location_gid): level for level in levels}
        changes = []
        for mapped in self.shopify_location_ids:
            products = levels.product_id.with_context(warehouse_id=mapped.warehouse_id.id)
            for product in products:
                level = by_key.get((product.id, mapped.location_gid))
                if not level:
                    continue
                quantity = max(int(product[self.shopify_inventory_source]), 0)
                if quantity != level.quantity:
                    changes.append((level, quantity))
        return changes

    def _shopify_push_inventory(self, job):
        changes = self._shopify_inventory_changes()
        client, sent, retried = ShopifyClient(self), 0, 0
        for batch in mapping.chunks(changes, const.INVENTORY_PER_CALL):
            retried += self._shopify_set_quantities(client, batch, job)
            sent += len(batch)
        return {"sent": sent, "compare_retries": retried}

    def _shopify_set_quantities(self, client, batch, job):
        """One inventorySetQuantities call; on a stale compare value re-read the levels
        and try again (another writer changed Shopify's value since we last saw it)."""
        for attempt in range(const.INVENTORY_COMPARE_RETRIES + 1):
            payload = client.execute(INVENTORY_SET, {"input": mapping.inventory_input(
                [(level.inventory_item_gid, level.location_gid, quantity, level.quantity)
                 for level, quantity in batch], f"gid://odoo-channel/SyncJob/{job.id}",
                self.shopify_api_version)}
            )["inventorySetQuantities"]
            errors = payload.get("userErrors") or []
            if not errors:
                for level, quantity in batch:
                    level.quantity = quantity
                return attempt
            if not all(error.get("code") == "COMPARE_QUANTITY_STALE" for error in errors):
                raise_user_errors(payload, "the inventory quantities")
            self._shopify_reread_levels(client, [level for level, _q in batch])
        raise PermanentError(self.env._(
            "Shopify quantities kept changing during %s compare-and-swap attempts.",
            const.INVENTORY_COMPARE_RETRIES + 1))

    def _shopify_reread_levels(self, client, levels):
        by_location = {}
        for level in levels:
            by_location.setdefault(level.location_gid, []).append(level)
        for location, located in by_location.items():
            data = client.execute(INVENTORY_LEVELS, {
                "ids": [level.inventory_item_gid for level in located], "locationId": location})
            actual = {}
            for node in data.get("nodes") or []:
                quantities = ((node or {}).get("inventoryLevel") or {}).get("quantities") or []
                actual[node["id"]] = next((q["quantity"] for q in quantities
                                           if q["name"] == const.INVENTORY_NAME), 0)
            for level in located:
                level.quantity = actual.get(level.inventory_item_gid, level.quantity)
