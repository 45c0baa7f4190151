"""Brand portal: /my/shiphero/... pages for a brand user's own brand only (record rules
do the filtering: every read below runs as the portal user)."""

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class ShipheroPortal(CustomerPortal):

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "shiphero_order_count" in counters:
            values["shiphero_order_count"] = request.env["sale.order"].search_count(
                [("shiphero_brand_id", "!=", False)]) if _is_brand_user() else 0
        return values

    def _shiphero_render(self, template, values):
        return request.render(template, {**self._prepare_portal_layout_values(), **values})

    @http.route("/my/shiphero/orders", type="http", auth="user", website=True)
    def shiphero_orders(self, **_kw):
        orders = request.env["sale.order"].search([("shiphero_brand_id", "!=", False)],
                                                  limit=200)
        return self._shiphero_render("channel_shiphero.portal_orders", {
            "orders": orders, "page_name": "shiphero_orders"})

    @http.route("/my/shiphero/orders/<int:order_id>", type="http", auth="user", website=True)
    def shiphero_order(self, order_id, **_kw):
        try:
            order = request.env["sale.order"].browse(order_id)
            order.check_access("read")
            order.read(["name"])
        except (AccessError, MissingError):
            return request.not_found()
        return self._shiphero_render("channel_shiphero.portal_order", {
            "order": order, "page_name": "shiphero_orders"})

    @http.route("/my/shiphero/shipments", type="http", auth="user", website=True)
    def shiphero_shipments(self, **_kw):
        shipments = request.env["shiphero.shipment"].search([], limit=200)
        return self._shiphero_render("channel_shiphero.portal_shipments", {"shipments": shipments})

    @http.route("/my/shiphero/products", type="http", auth="user", website=True)
    def shiphero_products(self, **_kw):
        rows = request.env["shiphero.inventory"].search([], limit=500)
        return self._shiphero_render("channel_shiphero.portal_products", {"rows": rows})

    @http.route("/my/shiphero/purchase-orders", type="http", auth="user", website=True)
    def shiphero_purchase_orders(self, **_kw):
        pos = request.env["shiphero.purchase.order"].search([], limit=200)
        return self._shiphero_render("channel_shiphero.portal_purchase_orders", {"pos": pos})

    @http.route("/my/shiphero/purchase-orders/new", type="http", auth="user",
                methods=["POST"], website=True)
    def shiphero_purchase_order_create(self, sku, quantity, expected_date=None, note=None,
                                       **_kw):
        """A brand user announces incoming stock: one line per submit (edit adds more)."""
        user = request.env.user
        credential = user.partner_id.shiphero_brand_id.sudo().shiphero_credential_ids[:1]
        product = request.env["shiphero.inventory"].search(
            [("sku", "=", sku)], limit=1).product_id
        if not credential or not product:
            return request.redirect("/my/shiphero/purchase-orders?error=unknown_sku")
        po = request.env["shiphero.purchase.order"].sudo().create({
            "credential_id": credential.id, "expected_date": expected_date or False,
            "note": note, "line_ids": [(0, 0, {"product_id": product.id,
                                               "quantity": int(quantity or 1)})]})
        po.action_confirm()
        return request.redirect("/my/shiphero/purchase-orders")


    @http.route("/my/shiphero/purchase-orders/<int:po_id>/lines/<int:line_id>", type="http",
                auth="user", methods=["POST"], website=True)
    def shiphero_purchase_order_line_edit(self, po_id, line_id, quantity, **_kw):
        """A brand user edits a line's quantity (sent as purchase_order_update), as
        themselves: the record rules refuse another brand's line."""
        try:
            line = request.env["shiphero.purchase.order.line"].browse(line_id)
            if line.order_id.id != po_id:
                return request.not_found()
            line.quantity = max(int(quantity), 0)
        except (AccessError, MissingError, ValueError):
            return request.not_found()
        return request.redirect("/my/shiphero/purchase-orders")


def _is_brand_user():
    return bool(request.env.user.partner_id.shiphero_brand_id)
