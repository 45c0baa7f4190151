"""Shopify GraphQL payloads to Odoo values and back: pure functions, no ORM.

Field names are those of the Admin API objects ``Order``, ``LineItem``, ``ShippingLine``,
``MailingAddress``, ``Customer`` (https://shopify.dev/docs/api/admin-graphql/2025-01/objects/Order)
and of the inputs ``ProductSetInput``, ``InventoryQuantityInput``, ``MetafieldsSetInput``.
"""

import json
from collections import defaultdict

from . import const

GID_PREFIX = "gid://shopify/"


def gid(kind, number):
    return f"{GID_PREFIX}{kind}/{number}"


def gid_number(value):
    """``gid://shopify/Order/123`` -> ``"123"`` (a number stays a string of it)."""
    return str(value or "").rsplit("/", 1)[-1]


def money(money_set):
    return float(((money_set or {}).get("shopMoney") or {}).get("amount") or 0.0)


def nodes(connection):
    """The nodes of a connection, whether ``edges { node }`` or already a list."""
    if isinstance(connection, list):
        return connection
    return [edge["node"] for edge in (connection or {}).get("edges") or []]


# ------------------------------------------------------------------ orders in

def order_id(order):
    return gid_number(order.get("id"))


def has_more_lines(order):
    lines = order.get("lineItems")
    return isinstance(lines, dict) and bool((lines.get("pageInfo") or {}).get("hasNextPage"))


def order_skus(order):
    return [line.get("sku") for line in nodes(order.get("lineItems")) if _kept(line)]


def _kept(line):
    """Lines still on the order (a line removed by an edit or refund keeps quantity but
    its currentQuantity is 0)."""
    return (line.get("currentQuantity") if line.get("currentQuantity") is not None
            else line.get("quantity") or 0) > 0


def order_problem(order, unknown_skus):
    """Why ``order`` cannot become a sale order as it is, or None."""
    if not order_id(order):
        return "Order without an id."
    address = order.get("shippingAddress") or {}
    if not address.get("address1") or not address.get("city") or not address.get("countryCodeV2"):
        return (f"Order {order.get('name') or order_id(order)} has no complete shipping "
                "address (address1, city, country).")
    if not order_skus(order):
        return f"Order {order.get('name') or order_id(order)} has no lines."
    unknown = [sku for sku in order_skus(order) if sku in unknown_skus or not sku]
    if unknown:
        return "Unknown SKU: " + ", ".join(str(sku) if sku else "(empty)" for sku in unknown)
    return None


def address_of(order):
    """The shipping address in channel.mapping's address form."""
    address = order.get("shippingAddress") or {}
    customer = order.get("customer") or {}
    return {
        "name": address.get("name") or " ".join(
            filter(None, [address.get("firstName"), address.get("lastName")])),
        "company_name": address.get("company"),
        "email": order.get("email") or customer.get("email"),
        "phone": address.get("phone") or order.get("phone") or customer.get("phone"),
        "street": address.get("address1"),
        "street2": address.get("address2"),
        "city": address.get("city"),
        "zip": address.get("zip"),
        "state": address.get("provinceCode"),
        "country": address.get("countryCodeV2"),
    }


def is_cancelled(order):
    return bool(order.get("cancelledAt"))


def refunded_amount(order):
    return money(order.get("totalRefundedSet"))


def line_values(line, product_ids):
    price = money(line.get("originalUnitPriceSet"))
    taxes = [f"{tax.get('title')} {float(tax.get('rate') or 0) * 100:g}%: "
             f"{money(tax.get('priceSet')):.2f}" for tax in line.get("taxLines") or []]
    return {
        "product_id": product_ids[line["sku"]],
        "product_uom_qty": line.get("currentQuantity") if line.get("currentQuantity")
        is not None else line.get("quantity") or 0,
        "price_unit": price,
        "tax_id": [(6, 0, [])],  # Shopify computed the taxes: kept as text, not recomputed
        "shopify_line_id": gid_number(line.get("id")),
        "shopify_sku": line.get("sku"),
        "shopify_tax_text": "; ".join(taxes) or False,
    }


def shipping_line_values(shipping_line, shipping_product_id):
    return {
        "product_id": shipping_product_id,
        "name": shipping_line.get("title") or "Shipping",
        "product_uom_qty": 1,
        "price_unit": money(shipping_line.get("originalPriceSet")),
        "tax_id": [(6, 0, [])],
    }


def sale_order_values(order, credential_id, partner_id, shipping_id, product_ids,
                      shipping_product_id):
    lines = [(0, 0, line_values(line, product_ids))
             for line in nodes(order.get("lineItems")) if _kept(line)]
    lines += [(0, 0, shipping_line_values(line, shipping_product_id))
              for line in nodes(order.get("shippingLines"))]
    return {
        "partner_id": partner_id,
        "partner_shipping_id": shipping_id,
        "channel_credential_id": credential_id,
        "channel_external_id": order_id(order),
        "channel_external_ref": order.get("name"),
        "client_order_ref": order.get("name"),
        "channel_sync_state": "synced",
        "shopify_updated_at": order.get("updatedAt"),
        "shopify_financial_status": order.get("displayFinancialStatus"),
        "shopify_total_tax": money(order.get("totalTaxSet")),
        "shopify_refunded": refunded_amount(order),
        "order_line": lines,
    }


def fulfilled_tracking(order):
    """[(fulfilment id, [tracking numbers])] of the order's successful fulfilments."""
    return [(gid_number(f.get("id")), [t.get("number") for t in f.get("trackingInfo") or []
                                       if t.get("number")])
            for f in order.get("fulfillments") or [] if f.get("status") == "SUCCESS"]


def orders_search(since_iso):
    """The ``query`` argument of ``orders``: updated at or after ``since_iso``."""
    return f"updated_at:>='{since_iso}'"


def group_bulk_lines(jsonl):
    """Orders of a bulk-operation JSONL result, each with its ``lineItems`` and
    ``shippingLines`` children (lines carrying ``__parentId``, in any order)."""
    roots, children = {}, defaultdict(list)
    order_ids = []
    for raw in (jsonl or b"").splitlines():
        if not raw.strip():
            continue
        node = json.loads(raw)
        parent = node.pop("__parentId", None)
        if parent:
            children[parent].append(node)
        else:
            roots[node["id"]] = node
            order_ids.append(node["id"])
    orders = []
    for key in order_ids:
        order = roots[key]
        kids = children.get(key, [])
        order["lineItems"] = [kid for kid in kids if "/LineItem/" in kid.get("id", "")]
        order["shippingLines"] = [kid for kid in kids if "/LineItem/" not in kid.get("id", "")]
        orders.append(order)
    return orders


# ------------------------------------------------------------------ inventory out

def compare_field(api_version):
    """The compare-and-swap field of ``InventoryQuantityInput`` in ``api_version``:
    ``compareQuantity`` up to 2025-10, ``changeFromQuantity`` from 2026-01 (which removed
    the former; the 2025-01..2026-04 Admin schemas)."""
    return "changeFromQuantity" if (api_version or "") >= const.CHANGE_FROM_VERSION \
        else "compareQuantity"


def inventory_input(changes, reference, api_version=const.API_VERSION):
    """``InventorySetQuantitiesInput`` with compare-and-swap against the last known value:
    ``changes`` = [(inventory item gid, location gid, new quantity, last known quantity)]."""
    field = compare_field(api_version)
    return {
        "name": const.INVENTORY_NAME, "reason": const.INVENTORY_REASON,
        "referenceDocumentUri": reference,
        "quantities": [{"inventoryItemId": item, "locationId": location, "quantity": int(new),
                        field: int(known)} for item, location, new, known in changes],
    }


def chunks(items, size):
    return [items[start:start + size] for start in range(0, len(items), size)]


# ------------------------------------------------------------------ products out

def product_set_input(template, variants, status="ACTIVE"):
    """``ProductSetInput`` from plain values: ``template`` = {title, handle, description,
    vendor, product_type, tags (None: left alone), options: [(name, [values])],
    collections: [gid]};
    ``variants`` = [{sku, price, barcode, weight, options: [(name, value)], id?}].
    productSet replaces list fields: variants not listed are deleted on Shopify."""
    values = {
        "title": template["title"], "handle": template["handle"], "status": status,
        "descriptionHtml": template.get("description") or "",
        "productType": template.get("product_type") or "",
        "vendor": template.get("vendor") or "",
    }
    if template.get("tags") is not None:  # a list field: given, it replaces Shopify's
        values["tags"] = template["tags"]
    if template.get("collections") is not None:
        values["collections"] = template["collections"]
    options = template.get("options") or [("Title", ["Default Title"])]
    values["productOptions"] = [{"name": name, "values": [{"name": v} for v in option_values]}
                                for name, option_values in options]
    values["variants"] = [_variant_input(variant, options) for variant in variants]
    return values


def _variant_input(variant, options):
    chosen = variant.get("options") or [(options[0][0], options[0][1][0])]
    result = {
        "sku": variant.get("sku") or "",
        "price": f"{float(variant.get('price') or 0):.2f}",
        "optionValues": [{"optionName": name, "name": value} for name, value in chosen],
        "inventoryItem": {"tracked": True, "measurement": {"weight": {
            "value": float(variant.get("weight") or 0), "unit": "KILOGRAMS"}}},
    }
    if variant.get("barcode"):
        result["barcode"] = variant["barcode"]
    if variant.get("id"):
        result["id"] = variant["id"]
    return result


def metafield_inputs(owner_gid, values, namespace="odoo"):
    """``MetafieldsSetInput`` list, one per (key, value) given."""
    return [{"ownerId": owner_gid, "namespace": namespace, "key": key,
             "type": "single_line_text_field", "value": str(value)}
            for key, value in values if value not in (None, False, "")]


def collection_handle(name):
    return "odoo-" + "".join(ch if ch.isalnum() else "-" for ch in (name or "").lower()).strip("-")


# ------------------------------------------------------------------ fulfilment out

def fulfillment_input(fulfillment_orders, shipped_by_sku, tracking_numbers, company=None):
    """``FulfillmentInput`` for what shipped: ``shipped_by_sku`` {sku: quantity} spread over
    the open fulfillment order lines."""
    left = dict(shipped_by_sku)
    groups = []
    for fulfillment_order in fulfillment_orders:
        if fulfillment_order.get("status") not in ("OPEN", "IN_PROGRESS"):
            continue
        lines = []
        for line in nodes(fulfillment_order.get("lineItems")):
            sku = (line.get("lineItem") or {}).get("sku")
            take = min(left.get(sku, 0), line.get("remainingQuantity") or 0)
            if take > 0:
                lines.append({"id": line["id"], "quantity": int(take)})
                left[sku] -= take
        if lines:
            groups.append({"fulfillmentOrderId": fulfillment_order["id"],
                           "fulfillmentOrderLineItems": lines})
    tracking = {"numbers": list(tracking_numbers)}
    if company:
        tracking["company"] = company
    return {"lineItemsByFulfillmentOrder": groups, "trackingInfo": tracking,
            "notifyCustomer": True}
