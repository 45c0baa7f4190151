"""Bulk import of orders, for a first import or a large catch-up: bulkOperationRunQuery
exports every order updated since the start date as JSONL (children on their own lines
with ``__parentId``), polled (or told by the bulk_operations/finish webhook), downloaded
and imported in chunks of orders, one job each.
https://shopify.dev/docs/api/usage/bulk-operations/queries
"""

from odoo import models

from odoo.addons.channel_base.exceptions import PermanentError, TransientError

from .. import const, mapping
from ..client import ShopifyClient, raise_user_errors
from ..orders_stream import _iso
from ..queries import BULK_NODE, BULK_RUN, bulk_orders_query

#: A bulk result may be far larger than an API answer.
MAX_BULK_BYTES = 1024 * 1024 * 1024


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def action_shopify_bulk_import(self):
        self.ensure_one()
        self._enqueue_job(const.OP_BULK_START, dedup_key=f"shopify.bulk_start:{self.id}",
                          priority=5)
        return self._notification(self.env._("Bulk order export started on Shopify."))

    def _shopify_bulk_start(self, job):
        since = _iso(self.shopify_order_start_date) if self.shopify_order_start_date \
            else "2000-01-01T00:00:00Z"
        answer = ShopifyClient(self).execute(
            BULK_RUN, {"query": bulk_orders_query(mapping.orders_search(since))})
        payload = answer["bulkOperationRunQuery"]
        raise_user_errors(payload, "the bulk export")
        operation = payload["bulkOperation"]["id"]
        self.sudo().shopify_bulk_operation_id = operation
        self._shopify_queue_bulk_poll(operation, job)
        return {"bulk_operation": operation, "since": since}

    def _shopify_queue_bulk_poll(self, operation, parent=None):
        return self._enqueue_job(const.OP_BULK_POLL, payload={"id": operation},
                                 dedup_key=f"shopify.bulk_poll:{self.id}", priority=5,
                                 delay_seconds=const.BULK_POLL_SECONDS)

    def _shopify_bulk_poll(self, job):
        operation_id = job.payload["id"]
        node = ShopifyClient(self).execute(BULK_NODE, {"id": operation_id}).get("node") or {}
        status = node.get("status")
        if status in ("CREATED", "RUNNING"):
            self._shopify_queue_bulk_poll(operation_id)
            return {"status": status, "objects": node.get("objectCount")}
        self.sudo().shopify_bulk_operation_id = False
        if status != "COMPLETED":
            raise PermanentError(self.env._(
                "Shopify bulk operation %(id)s ended %(status)s (%(code)s).", id=operation_id,
                status=status, code=node.get("errorCode") or "no error code"))
        if not node.get("url"):
            return {"status": status, "orders": 0}  # nothing matched
        content = ShopifyClient(self).download(node["url"], MAX_BULK_BYTES)
        try:
            orders = mapping.group_bulk_lines(content)
        except ValueError as error:
            raise TransientError(self.env._("Unreadable bulk result: %s", error)) from None
        chunks = mapping.chunks(orders, const.BULK_IMPORT_CHUNK)
        self.env["sync.job"]._enqueue_many([{
            "operation": const.OP_BULK_IMPORT, "credential": self, "priority": 6,
            "payload": {"operation": operation_id, "chunk": index, "orders": chunk},
            "dedup_key": f"shopify.bulk:{operation_id}:{index}",
        } for index, chunk in enumerate(chunks)])
        return {"status": status, "orders": len(orders), "jobs": len(chunks)}

    def _shopify_bulk_import(self, job):
        return self._shopify_import_orders(job.payload["orders"])
