"""Fulfilments out, only when the account's "Odoo Fulfils Shopify Orders" is on: a done
delivery of a Shopify order (channel_base's shipment events) becomes fulfillmentCreate
on the order's open fulfillment orders, with the tracking numbers. Off (the default,
"for visibility"), Shopify fulfils and its fulfilment validates the delivery instead
(shopify_order_import.py).
https://shopify.dev/docs/api/admin-graphql/2025-01/mutations/fulfillmentCreate
"""

import uuid

from odoo import fields, models

from odoo.addons.channel_base.exceptions import PermanentError
from odoo.addons.channel_base.shipment_events import split_tracking_refs

from .. import const, mapping
from ..client import ShopifyClient, raise_user_errors
from ..queries import FULFILLMENT_CREATE, FULFILLMENT_ORDERS


class StockPicking(models.Model):
    _inherit = "stock.picking"

    shopify_fulfillment_gid = fields.Char("Shopify Fulfilment", copy=False, readonly=True)


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _on_pickings_done(self, pickings, backorders):
        if self.platform != const.PLATFORM:
            return super()._on_pickings_done(pickings, backorders)
        return self._shopify_queue_fulfillments("done", pickings)

    def _on_tracking_added(self, pickings, new_refs):
        if self.platform != const.PLATFORM:
            return super()._on_tracking_added(pickings, new_refs)
        return self._shopify_queue_fulfillments("tracking_added", pickings, new_refs)

    def _on_tracking_removed(self, pickings, old_refs):
        if self.platform != const.PLATFORM:
            return super()._on_tracking_removed(pickings, old_refs)
        return self._shopify_queue_fulfillments("tracking_removed", pickings, old_refs)

    def _on_backorders_cancelled(self, pickings):
        if self.platform != const.PLATFORM:
            return super()._on_backorders_cancelled(pickings)
        return self._shopify_queue_fulfillments("backorder_cancelled", pickings)

    def _on_pickings_cancelled(self, pickings):
        if self.platform != const.PLATFORM:
            return super()._on_pickings_cancelled(pickings)
        return self._shopify_queue_fulfillments("cancelled", pickings)

    def _shopify_queue_fulfillments(self, event, pickings, numbers=None):
        """One job per transfer and event (all in one statement), whatever the setting:
        the job says why it sends nothing, so the history is readable."""
        dispatch = uuid.uuid4().hex
        return self.env["sync.job"]._enqueue_many([{
            "operation": const.OP_PUSH_FULFILLMENT, "credential": self, "record": picking,
            "payload": {"event": event, "dispatch": dispatch,
                        "numbers": (numbers or {}).get(picking.id) or [],
                        "tracking": split_tracking_refs(picking.carrier_tracking_ref),
                        "shipped": _shipped_by_product(picking)},
        } for picking in pickings])

    def _shopify_push_fulfillment(self, job):
        picking = job._target()
        if not self.shopify_odoo_fulfils:
            return {"skipped": "Shopify fulfils this account's orders (for visibility)"}
        if job.payload.get("event") not in ("done", "tracking_added"):
            return {"skipped": f"{job.payload.get('event')}: not sent to Shopify"}
        if picking.shopify_fulfillment_gid:
            return {"skipped": "already fulfilled on Shopify"}
        tracking = split_tracking_refs(picking.carrier_tracking_ref)
        if picking.state != "done" or not tracking:
            return {"skipped": "waiting for a tracking number"}
        order_gid = mapping.gid("Order", picking.sale_id.channel_external_id)
        client = ShopifyClient(self)
        order = client.execute(FULFILLMENT_ORDERS, {"id": order_gid}).get("order")
        if not order:
            raise PermanentError(self.env._("Shopify order %s not found.", order_gid))
        fulfillment = mapping.fulfillment_input(
            mapping.nodes(order.get("fulfillmentOrders")), _shipped_by_sku(picking), tracking,
            company=picking.carrier_id.name if picking.carrier_id else None)
        if not fulfillment["lineItemsByFulfillmentOrder"]:
            return {"skipped": "nothing left to fulfil on Shopify"}  # a redo after a crash
        payload = client.execute(FULFILLMENT_CREATE,
                                 {"fulfillment": fulfillment})["fulfillmentCreate"]
        raise_user_errors(payload, f"the fulfilment of {picking.name}")
        picking.shopify_fulfillment_gid = payload["fulfillment"]["id"]
        return {"sent": tracking[0], "fulfillment": payload["fulfillment"]["id"]}


def _shipped_by_product(picking):
    shipped = {}
    for move in picking.move_ids.filtered(lambda m: m.state == "done"):
        key = str(move.product_id.id)
        shipped[key] = shipped.get(key, 0) + move.quantity
    return shipped


def _shipped_by_sku(picking):
    shipped = {}
    for move in picking.move_ids.filtered(lambda m: m.state == "done" and m.quantity):
        sku = move.sale_line_id.shopify_sku or move.product_id.default_code
        shipped[sku] = shipped.get(sku, 0) + int(move.quantity)
    return shipped
