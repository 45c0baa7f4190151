from odoo import fields, models

from odoo.addons.channel_base.exceptions import PermanentError
from odoo.addons.channel_base.paged_import import StreamSpec

from ..client import ExampleClient
from ..paged_orders import ExampleOrdersImport


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"

    platform = fields.Selection(
        selection_add=[("example", "Example (tests)")], ondelete={"example": "cascade"}
    )
    example_api_key = fields.Char(groups="channel_base.group_integration_manager")
    example_rate_limit = fields.Integer(help="Requests per minute; 0 = no limit.")

    def _default_api_base_url(self):
        if self.platform == "example":
            return "http://127.0.0.1:8070"
        return super()._default_api_base_url()

    def _execute_sync_job(self, job):
        if self.platform != "example":
            return super()._execute_sync_job(job)
        handlers = {
            "example.push_order": self._example_push_order,
            "example.fail": self._example_fail,
        }
        if job.operation not in handlers:
            return super()._execute_sync_job(job)
        return handlers[job.operation](job)

    def _example_push_order(self, job):
        answer = ExampleClient(self).upsert_order(job.payload)
        return {"id": answer["id"]}

    def _channel_stream_specs(self):
        if self.platform != "example":
            return super()._channel_stream_specs()
        return [*super()._channel_stream_specs(),
                StreamSpec("orders", "Orders", interval_minutes=10,
                           paged_import=ExampleOrdersImport)]

    def _example_import_order(self, order):
        SaleOrder = self.env["sale.order"]
        if SaleOrder.search_count([("channel_credential_id", "=", self.id),
                                   ("channel_external_id", "=", str(order["id"]))]):
            return 0
        mapping = self.env["channel.mapping"]
        match = mapping._find_or_create_partner(order.get("customer") or {"name": "Anonymous"},
                                                company=self.company_id)
        products = mapping._require_products_by_sku(
            [line["sku"] for line in order.get("lines", [])], self
        )
        SaleOrder.create({
            "partner_id": match.partner.id,
            "partner_shipping_id": match.shipping.id,
            "channel_credential_id": self.id,
            "channel_external_id": str(order["id"]),
            "channel_external_ref": order.get("reference"),
            "channel_sync_state": "synced",
            "order_line": [
                (0, 0, {"product_id": products[line["sku"]].id, "product_uom_qty": line["qty"]})
                for line in order.get("lines", [])
            ],
        })
        return 1

    def _example_fail(self, job):
        raise PermanentError(job.payload.get("message", "failed on purpose"))

    # ------------------------------------------------------------------ webhooks

    def _webhook_delivery_id(self, payload, raw_body, headers):
        if self.platform == "example" and isinstance(payload, dict) and payload.get("id"):
            return str(payload["id"])
        return super()._webhook_delivery_id(payload, raw_body, headers)

    def _process_webhook_event(self, event):
        if self.platform != "example":
            return super()._process_webhook_event(event)
        payload = event._payload()
        imported = self._example_import_order(payload["order"])
        return {"imported": imported}

    def _test_connection(self):
        if self.platform != "example":
            return super()._test_connection()
        ExampleClient(self).fetch_orders_page(1, page_size=1)
        return "Example API reachable."
