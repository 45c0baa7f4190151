"""Purchase orders of a brand: the stock the brand announces to the 3PL's warehouse.

A small model of its own, not Odoo's ``purchase.order``: the brand is not the 3PL's
vendor and the 3PL buys nothing; a ShipHero PO is an advance shipping notice the brand
(a portal user) writes. Confirming sends ``purchase_order_create``, later edits
``purchase_order_update``; PO Update webhooks bring back status and received quantities.
"""

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.channel_base.exceptions import PermanentError

from .. import const, mapping, queries
from ..client import ShipheroClient

PO_STATES = [("draft", "Draft"), ("sent", "Sent to ShipHero"), ("closed", "Received"),
             ("cancel", "Cancelled")]


class ShipheroPurchaseOrder(models.Model):
    _name = "shiphero.purchase.order"
    _description = "Brand Purchase Order (ShipHero)"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char("PO Number", required=True, copy=False, tracking=True,
                       default=lambda self: self.env._("New"))
    credential_id = fields.Many2one("integration.credential", "Account", required=True,
                                    domain=[("platform", "=", const.PLATFORM)], index=True)
    brand_id = fields.Many2one(related="credential_id.shiphero_brand_id", store=True, index=True)
    company_id = fields.Many2one(related="credential_id.company_id", store=True)
    expected_date = fields.Date("Expected Arrival")
    note = fields.Text()
    state = fields.Selection(PO_STATES, default="draft", required=True, tracking=True)
    line_ids = fields.One2many("shiphero.purchase.order.line", "order_id", "Lines", copy=True)
    shiphero_id = fields.Char("ShipHero PO ID", readonly=True, copy=False, index=True)
    shiphero_legacy_id = fields.Char("ShipHero PO Number ID", readonly=True, copy=False)
    shiphero_status = fields.Char("ShipHero Status", readonly=True, copy=False)
    sync_error = fields.Text(readonly=True, copy=False)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                number = self.env["ir.sequence"].sudo().next_by_code("shiphero.po") or "1"
                vals["name"] = f"PO-{number}"
        return super().create(vals_list)

    @api.constrains("credential_id")
    def _check_portal_brand(self):
        """A brand user (portal) writes purchase orders for its own brand's account only:
        the record rule checks the PO before a write, not the account it is moved to."""
        if self.env.su or not self.env.user.share:
            return
        brand = self.env.user.partner_id.shiphero_brand_id
        for po in self.sudo():
            if not brand or po.credential_id.shiphero_brand_id != brand:
                raise ValidationError(self.env._(
                    "A purchase order can only go to your own brand's ShipHero account."))

    def write(self, vals):
        result = super().write(vals)
        if not self.env.context.get("shiphero_from_sync") and (
                {"line_ids", "note", "expected_date"} & set(vals)):
            self.filtered(lambda po: po.state == "sent")._shiphero_queue_push()
        return result

    def action_confirm(self):
        for po in self:
            if not po.line_ids:
                raise UserError(self.env._("Add at least one line."))
        self.filtered(lambda po: po.state == "draft").write({"state": "sent"})
        self._shiphero_queue_push()
        return True

    def _shiphero_queue_push(self):
        for po in self:
            po.credential_id.sudo()._enqueue_job(
                const.OP_PO_UPDATE if po.shiphero_id else const.OP_PO_CREATE, record=po,
                dedup_key=f"shiphero.po:{po.id}", priority=8)

    def _shiphero_values(self):
        return {"po_number": self.name, "warehouse_id": self.credential_id.shiphero_warehouse_ref,
                "po_date": self.expected_date and f"{self.expected_date}T00:00:00",
                "note": self.note,
                "lines": [{"sku": line.product_id.default_code, "quantity": line.quantity,
                           "price": line.price_unit, "name": line.product_id.name}
                          for line in self.line_ids]}


class ShipheroPurchaseOrderLine(models.Model):
    _name = "shiphero.purchase.order.line"
    _description = "Brand Purchase Order Line"

    order_id = fields.Many2one("shiphero.purchase.order", required=True, ondelete="cascade",
                               index=True)
    brand_id = fields.Many2one(related="order_id.brand_id", store=True)
    product_id = fields.Many2one("product.product", required=True)
    quantity = fields.Integer(default=1, required=True)
    price_unit = fields.Float("Unit Price")
    quantity_received = fields.Integer("Received", readonly=True)

    @api.constrains("order_id")
    def _check_portal_brand(self):
        """A brand user cannot attach a line to another brand's purchase order."""
        if self.env.su or not self.env.user.share:
            return
        brand = self.env.user.partner_id.shiphero_brand_id
        for line in self.sudo():
            if not brand or line.order_id.brand_id != brand:
                raise ValidationError(self.env._(
                    "A purchase order line can only belong to your own brand's order."))

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._shiphero_push_edits()
        return lines

    def write(self, vals):
        result = super().write(vals)
        if {"product_id", "quantity", "price_unit"} & set(vals):
            self._shiphero_push_edits()
        return result

    def _shiphero_push_edits(self):
        """An edit of a PO already at ShipHero is sent (purchase_order_update)."""
        if not self.env.context.get("shiphero_from_sync"):
            self.order_id.filtered(lambda po: po.state == "sent")._shiphero_queue_push()


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _shiphero_push_purchase_order(self, job):
        """Create the PO at ShipHero the first time, update it afterwards (the stored id
        decides, so a push that ran twice does not create two)."""
        po = job._target()
        if not po:
            return {"skipped": 1}
        if not self.shiphero_warehouse_ref:
            raise PermanentError(self.env._("Set the ShipHero Warehouse ID on the account."))
        client = ShipheroClient(self)
        account = self.shiphero_customer_account_id
        if po.shiphero_id:
            client.execute(queries.PURCHASE_ORDER_UPDATE, {
                "data": mapping.purchase_order_update_input(
                    po.shiphero_id, po._shiphero_values(), account)})
            return {"updated": 1}
        data = client.execute(queries.PURCHASE_ORDER_CREATE, {
            "data": mapping.purchase_order_create_input(po._shiphero_values(), account)})
        remote = (data.get("purchase_order_create") or {}).get("purchase_order") or {}
        po.with_context(shiphero_from_sync=True).write({
            "shiphero_id": remote.get("id"),
            "shiphero_legacy_id": str(remote.get("legacy_id") or ""),
            "shiphero_status": remote.get("fulfillment_status"), "sync_error": False})
        return {"created": 1, "records": {"shiphero.purchase.order": [po.id]}}

    def _shiphero_on_po_update(self, payload):
        remote = payload.get("purchase_order") or {}
        POs = self.env["shiphero.purchase.order"]
        po = POs.search([("credential_id", "=", self.id), "|",
                         ("shiphero_id", "=", remote.get("po_uuid") or "-"),
                         ("shiphero_legacy_id", "=", str(remote.get("id") or "-"))], limit=1) or \
            POs.search([("credential_id", "=", self.id),
                        ("name", "=", remote.get("po_number") or "-")], limit=1)
        if not po:
            raise PermanentError(self.env._("No purchase order %s of this account.",
                                            remote.get("po_number")))
        lines = mapping.po_update_lines(payload)
        for line in po.line_ids.with_context(shiphero_from_sync=True):
            if line.product_id.default_code in lines:
                line.quantity_received = lines[line.product_id.default_code][1]
        status = remote.get("fulfillment_status")
        values = {"shiphero_status": status or po.shiphero_status}
        if status == "closed" or (po.line_ids and all(
                line.quantity_received >= line.quantity for line in po.line_ids)):
            values["state"] = "closed"
        po.with_context(shiphero_from_sync=True).write(values)
        return {"updated": 1, "records": {"shiphero.purchase.order": [po.id]}}
