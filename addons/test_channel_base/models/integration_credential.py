import uuid

from odoo import api, fields, models

from odoo.addons.channel_base.exceptions import PermanentError
from odoo.addons.channel_base.paged_import import StreamSpec

from ..client import ExampleClient
from ..paged_orders import ExampleOrdersImport

EXAMPLE_SIGNATURE_HEADER = "X-Example-Hmac-Sha256"


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"

    platform = fields.Selection(
        selection_add=[("example", "Example (tests)")], ondelete={"example": "cascade"}
    )
    example_api_key = fields.Char(groups="channel_base.group_integration_manager")
    example_rate_limit = fields.Integer(help="Requests per minute; 0 = no limit.")
    example_webhook_mode = fields.Selection(
        [("token", "URL token"), ("signing", "HMAC-SHA256 signature header")],
        default="token", required=True,
        help="Signature: deliveries carry the base64 HMAC-SHA256 of their body in "
        "X-Example-Hmac-Sha256, keyed with the webhook secret; URL token: ?token=<secret>.")
    # --- token store: secrets of the example token strategies (../token_clients.py)
    example_client_secret = fields.Char(groups="channel_base.group_integration_manager")
    example_password = fields.Char(groups="channel_base.group_integration_manager")
    example_refresh_token = fields.Char(
        groups="channel_base.group_integration_manager",
        help="Refresh token handed out by the user's consent.")
    # --- end token store

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

    # --- screens: the example platform's job labels and logo (issue 12)
    @api.model
    def _sync_job_operation_labels(self):
        return {**super()._sync_job_operation_labels(),
                "example.push_order": self.env._("Send order to Example")}

    def _platform_icon_module(self):
        if self.platform == "example":
            return "test_channel_base"
        return super()._platform_icon_module()
    # --- end screens

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
        self._example_create_sale_order(order, products, match)  # integration_credential_inbox
        return 1

    def _example_fail(self, job):
        raise PermanentError(job.payload.get("message", "failed on purpose"))

    # ------------------------------------------------------------------ webhooks

    def _webhook_signature_header(self):
        if self.platform == "example" and self.example_webhook_mode == "signing":
            return EXAMPLE_SIGNATURE_HEADER
        return super()._webhook_signature_header()

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

    # ------------------------------------------------------------------ shipment events
    # The example platform is told of each shipped, re-tracked or cancelled transfer by
    # one job per transfer (channel_base's shipment events call these once per change).

    def _on_pickings_done(self, pickings, backorders):
        if self.platform != "example":
            return super()._on_pickings_done(pickings, backorders)
        return self._example_queue_picking_jobs("example.push_shipment", pickings, {
            picking.id: {"backorders": backorders.filtered(
                lambda b, picking=picking: b.backorder_id == picking).mapped("name")}
            for picking in pickings})

    def _on_tracking_added(self, pickings, new_refs):
        if self.platform != "example":
            return super()._on_tracking_added(pickings, new_refs)
        return self._example_queue_picking_jobs("example.push_tracking", pickings, {
            picking_id: {"added": numbers} for picking_id, numbers in new_refs.items()})

    def _on_tracking_removed(self, pickings, old_refs):
        if self.platform != "example":
            return super()._on_tracking_removed(pickings, old_refs)
        return self._example_queue_picking_jobs("example.push_tracking", pickings, {
            picking_id: {"removed": numbers} for picking_id, numbers in old_refs.items()})

    def _on_backorders_cancelled(self, pickings):
        if self.platform != "example":
            return super()._on_backorders_cancelled(pickings)
        return self._example_queue_picking_jobs("example.push_cancel", pickings, {
            picking.id: {"backorder_of": picking.backorder_id.name} for picking in pickings})

    def _on_pickings_cancelled(self, pickings):
        if self.platform != "example":
            return super()._on_pickings_cancelled(pickings)
        return self._example_queue_picking_jobs("example.push_cancel", pickings, {})

    def _example_queue_picking_jobs(self, operation, pickings, extras):
        """One job per transfer, queued in one statement; the payload is what the example
        platform would be sent: tracking numbers and the quantities shipped. ``dispatch``
        ties the jobs of one hook call together (the tests count the calls by it)."""
        dispatch = uuid.uuid4().hex
        return self.env["sync.job"]._enqueue_many([{
            "operation": operation, "credential": self, "record": picking,
            "payload": dict(extras.get(picking.id, {}), dispatch=dispatch,
                            **picking._example_shipment_payload()),
        } for picking in pickings])
