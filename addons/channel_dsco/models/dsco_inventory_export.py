"""Inventory out: for the SKUs whose catalog DSCO accepted, the free quantity of each
mapped warehouse under its DSCO warehouse code, only where it changed since last sent
(0 delists), in small batches of up to 5 MB (updateInventorySmallBatch); on the
``inventory`` stream's schedule and right after a stock move is done."""

from odoo import api, fields, models

from odoo.addons.channel_base.exceptions import PermanentError

from .. import const, mapping
from ..client import DscoClient
from .dsco_catalog_export import JSON_HEADERS, _json_array


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _dsco_queue_inventory_push(self):
        return self._enqueue_job(const.OP_PUSH_INVENTORY, payload={},
                                 dedup_key=f"dsco.inventory:{self.id}", priority=9)

    def _dsco_quantities(self, products):
        """{product id: {DSCO warehouse code: free quantity}} of the mapped warehouses."""
        if not self.dsco_warehouse_code_ids:
            raise PermanentError(self.env._(
                "Account %s: map at least one Odoo warehouse to a DSCO warehouse code "
                "before sending inventory.", self.display_name))
        quantities = {product.id: {} for product in products}
        for row in self.dsco_warehouse_code_ids:
            for product in products.with_context(warehouse_id=row.warehouse_id.id):
                by_code = quantities[product.id]
                by_code[row.code] = by_code.get(row.code, 0) + max(int(product.free_qty), 0)
        return quantities

    def _dsco_push_inventory(self, job):
        """Changed quantities of the listed SKUs (all with ``full``); a product no longer
        published is sent 0 once (delisted) and its binding archived."""
        Binding = self.env["channel.product.binding"].sudo()
        bindings = Binding.search([("credential_id", "=", self.id),
                                   ("sync_state", "=", "synced")])
        published = set(self.dsco_product_ids.ids)
        quantities = self._dsco_quantities(bindings.product_id)
        full = bool((job.payload or {}).get("full"))
        todo = []
        for binding in bindings:
            by_code = quantities[binding.product_id.id]
            if binding.product_id.id not in published or not binding.product_id.active:
                by_code = dict.fromkeys(by_code, 0)
            if full or binding.dsco_inventory_sent != by_code:
                todo.append((binding, by_code))
        if not todo:
            return {"sent": 0}
        client = DscoClient(self)
        items = {binding.id: mapping.inventory_item(binding.external_sku, by_code)
                 for binding, by_code in todo}
        requests = []
        for batch in mapping.batches_by_bytes(list(items.values()), const.SMALL_BATCH_MAX_BYTES):
            answer = client.call("POST", const.INVENTORY_SMALL_BATCH_PATH,
                                 data=_json_array(batch), headers=JSON_HEADERS)
            requests.append(answer["requestId"])
            self._dsco_queue_log_poll("inventory", answer["requestId"])
        for binding, by_code in todo:
            values = {"dsco_inventory_sent": by_code, "last_sync_at": fields.Datetime.now()}
            if binding.product_id.id not in published or not binding.product_id.active:
                values["active"] = False
            binding.write(values)
        return {"sent": len(todo), "requests": len(requests),
                "delisted": sum(1 for item in items.values() if not item["quantityAvailable"])}

    def _dsco_apply_inventory_outcomes(self, outcomes):
        """A refused inventory line is kept on the binding and sent again next time."""
        bindings = self.env["channel.product.binding"].sudo().with_context(
            active_test=False).search([("credential_id", "=", self.id),
                                       ("external_sku", "in", list(outcomes))])
        failed = 0
        for binding in bindings:
            status, message = outcomes[binding.external_sku]
            if status == "failure":
                binding.write({"dsco_inventory_error": message, "dsco_inventory_sent": False})
                failed += 1
            elif binding.dsco_inventory_error:
                binding.dsco_inventory_error = False
        return {"checked": len(bindings), "failed": failed}

    def action_dsco_push_inventory(self):
        self.ensure_one()
        self._channel_stream(const.INVENTORY_STREAM).action_run_now()
        return self._notification(self.env._("Inventory push queued."))


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        self._dsco_queue_inventory_after_moves(moves)
        return moves

    @api.model
    def _dsco_queue_inventory_after_moves(self, moves):
        """Stock moved for a product listed on DSCO: its accounts push inventory now."""
        products = moves.filtered(lambda move: move.state == "done").product_id
        if not products:
            return
        bindings = self.env["channel.product.binding"].sudo().search([
            ("platform", "=", const.PLATFORM), ("product_id", "in", products.ids),
            ("sync_state", "=", "synced")])
        for credential in bindings.credential_id:
            credential._dsco_queue_inventory_push()
