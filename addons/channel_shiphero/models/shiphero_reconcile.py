"""Hourly reconciliation (streams.ShipheroReconcileImport): every open order again, with
its shipments; what a lost webhook or a failed import missed is corrected and counted."""

from odoo import fields, models

from .. import mapping


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _shiphero_reconcile_orders(self, nodes):
        """Apply each open order node; new ones are imported. Counters name what changed."""
        existing = self._shiphero_orders_by_id([mapping.order_id(node) for node in nodes])
        missing = [node for node in nodes if mapping.order_id(node) not in existing]
        result = self._shiphero_import_orders(missing, source="reconciliation") if missing \
            else {"created": 0, "failed": 0}
        corrected = {"status": 0, "allocation": 0, "shipments": 0, "cancellation": 0}
        changed_orders = 0
        for node in nodes:
            sale = existing.get(mapping.order_id(node))
            if not sale:
                continue
            before = (sale.shiphero_fulfillment_status, len(sale.shiphero_allocation_ids),
                      len(sale.shiphero_shipment_ids), sale.state)
            sale._shiphero_apply_order_node(node, "reconciliation")
            after = (sale.shiphero_fulfillment_status, len(sale.shiphero_allocation_ids),
                     len(sale.shiphero_shipment_ids), sale.state)
            corrected["status"] += before[0] != after[0]
            corrected["allocation"] += before[1] != after[1]
            corrected["shipments"] += before[2] != after[2]
            corrected["cancellation"] += before[3] != after[3] and after[3] == "cancel"
            changed_orders += before != after
        seen = [sale.id for sale in existing.values()] + list(
            result.get("records", {}).get("sale.order", []))
        self.env["sale.order"].browse(seen).write(
            {"shiphero_reconciled_at": fields.Datetime.now()})
        return {"created": result["created"], "failed": result["failed"],
                "updated": changed_orders, "skipped": len(existing) - changed_orders,
                "details": {f"corrected_{key}": value for key, value in corrected.items()}}
