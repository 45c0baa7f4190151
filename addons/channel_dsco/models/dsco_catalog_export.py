"""Catalog out: the published products become ItemCatalog objects sent in one small batch
(everyday changes, up to 5 MB) or one large batch (dataUrl + PUT of JSON Lines, up to
2 GB); the catalog change log of that requestId is then read until DSCO says COMPLETED,
and each SKU's outcome is written on its product binding."""

from odoo import fields, models

from odoo.addons.channel_base.exceptions import PermanentError

from .. import const, mapping
from ..client import DscoClient

JSON_HEADERS = {"Content-Type": "application/json"}


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ bindings

    def _dsco_bindings(self, products):
        """The product binding of each of ``products`` on this account (created if missing)."""
        Binding = self.env["channel.product.binding"].sudo().with_context(active_test=False)
        existing = Binding.search([("credential_id", "=", self.id),
                                   ("product_id", "in", products.ids)])
        missing = products - existing.product_id
        created = Binding.create([{
            "credential_id": self.id, "product_id": product.id,
            "external_sku": product.default_code, "sync_state": "pending",
        } for product in missing])
        (existing.filtered(lambda b: not b.active)).active = True
        return existing | created

    def _dsco_product_values(self, product):
        template = product.product_tmpl_id
        return {
            "sku": product.default_code,
            "title": product.with_context(display_default_code=False).display_name,
            "description": template.description_sale or None,
            "cost": product.standard_price or None,
            "msrp": product.lst_price or None,
            "brand": template.dsco_brand or None,
            "barcode": product.barcode or None,
            "currency": self.company_id.currency_id.name,
            "category_path": self._dsco_category_path(product.categ_id),
            "image_urls": [line.strip() for line in (template.dsco_image_urls or "").splitlines()
                           if line.strip()],
            "active": product.active,
        }

    # ------------------------------------------------------------------ the push

    def _dsco_push_catalog(self, job):
        """Send the catalog items that changed since DSCO last accepted them (all with
        ``full``); refuse, on their binding, products that cannot be listed."""
        bindings = self._dsco_bindings(self.dsco_product_ids)
        full = bool((job.payload or {}).get("full"))
        todo, refused = [], 0
        for binding in bindings:
            values = self._dsco_product_values(binding.product_id)
            problem = mapping.catalog_problem(values)
            if problem:
                binding.write({"sync_state": "error", "last_error": problem,
                               "last_sync_at": fields.Datetime.now()})
                refused += 1
                continue
            item = mapping.catalog_item(values)
            digest = mapping.item_hash(item)
            if full or binding.dsco_catalog_hash != digest or binding.sync_state == "error":
                todo.append((binding, item, digest))
        if not todo:
            return {"sent": 0, "refused": refused}
        requests = self._dsco_send_catalog([item for _binding, item, _digest in todo])
        for (binding, item, digest), request_id in zip(todo, requests, strict=True):
            binding.write({"sync_state": "pending", "dsco_request_id": request_id,
                           "dsco_catalog_hash": digest, "external_sku": item["sku"],
                           "last_sync_at": fields.Datetime.now()})
        for request_id in dict.fromkeys(requests):
            self._dsco_queue_log_poll("catalog", request_id)
        return {"sent": len(todo), "refused": refused, "requests": len(set(requests))}

    def _dsco_send_catalog(self, items):
        """Send ``items``; return the requestId of each item, in order."""
        client = DscoClient(self)
        size = sum(len(mapping.encoded(item).encode()) + 1 for item in items) + 1
        if size <= const.CATALOG_SMALL_MAX_BYTES:
            answer = client.call("POST", const.CATALOG_SMALL_BATCH_PATH,
                                 data=_json_array(items), headers=JSON_HEADERS)
            return [answer["requestId"]] * len(items)
        request_ids = []
        for batch in mapping.batches_by_bytes(items, const.LARGE_BATCH_MAX_BYTES):
            answer = client.call("POST", const.CATALOG_LARGE_BATCH_PATH)
            if answer.get("status") != "success" or not answer.get("dataUrl"):
                raise PermanentError(self.env._(
                    "DSCO refused the large catalog batch: %s", answer.get("messages")))
            # "HTTP PUT content to the destination URL ... with the same HTTP headers"
            client.call("PUT", answer["dataUrl"], data=mapping.json_lines(batch),
                        headers=JSON_HEADERS)
            request_ids += [answer["requestId"]] * len(batch)
        return request_ids

    # ------------------------------------------------------------------ the change log

    def _dsco_queue_log_poll(self, log, request_id, polls=0):
        return self._enqueue_job(
            const.OP_POLL_LOG, payload={"log": log, "requestId": request_id, "polls": polls},
            dedup_key=f"dsco.log:{self.id}:{log}:{request_id}", priority=12,
            delay_seconds=const.LOG_POLL_DELAY_SECONDS)

    def _dsco_poll_change_log(self, job):
        """Read the change log of one batch request; while DSCO is PROCESSING it, read
        again later; when COMPLETED, write each SKU's outcome on its binding."""
        log, request_id = job.payload["log"], job.payload["requestId"]
        path = const.CATALOG_LOG_PATH if log == "catalog" else const.INVENTORY_LOG_PATH
        client = DscoClient(self)
        answer = client.call("GET", path, params={"requestId": request_id}) or {}
        if answer.get("status") != "COMPLETED" or any(
                entry.get("status") == "pending" for entry in answer.get("logs") or []):
            polls = job.payload.get("polls", 0) + 1
            if polls >= const.LOG_POLL_MAX:
                raise PermanentError(self.env._(
                    "DSCO still processing %(log)s request %(request)s after %(polls)s reads.",
                    log=log, request=request_id, polls=polls))
            self._dsco_queue_log_poll(log, request_id, polls)
            return {"processing": request_id, "polls": polls}
        logs = list(answer.get("logs") or [])
        while answer.get("scrollId") and answer.get("logs"):
            answer = client.call("GET", path, params={"scrollId": answer["scrollId"]}) or {}
            logs += answer.get("logs") or []
        outcomes = mapping.log_outcomes(logs, "message" if log == "catalog" else None)
        if log == "catalog":
            return self._dsco_apply_catalog_outcomes(request_id, outcomes)
        return self._dsco_apply_inventory_outcomes(outcomes)

    def _dsco_apply_catalog_outcomes(self, request_id, outcomes):
        bindings = self.env["channel.product.binding"].sudo().search([
            ("credential_id", "=", self.id), ("dsco_request_id", "=", request_id)])
        counts = {"synced": 0, "error": 0}
        for binding in bindings:
            status, message = outcomes.get(binding.external_sku, (None, None))
            if status == "success":
                binding.write({"sync_state": "synced", "last_error": False})
                counts["synced"] += 1
            else:
                binding.write({"sync_state": "error", "dsco_catalog_hash": False,
                               "last_error": message or self.env._(
                                   "DSCO's change log has no entry for this SKU.")})
                counts["error"] += 1
        if counts["synced"]:
            self._dsco_queue_inventory_push()
        return counts

    def action_dsco_push_catalog(self):
        self.ensure_one()
        self._channel_stream(const.CATALOG_STREAM).action_run_now()
        return self._notification(self.env._("Catalog push queued."))

    def action_dsco_push_full_catalog(self):
        self.ensure_one()
        self._enqueue_job(const.OP_PUSH_CATALOG, payload={"full": True},
                          dedup_key=f"dsco.catalog.full:{self.id}")
        return self._notification(self.env._("Full catalog push queued."))


def _json_array(items):
    return ("[" + ",".join(mapping.encoded(item) for item in items) + "]").encode()
