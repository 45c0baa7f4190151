"""ShipHero payloads to Odoo values and back: pure functions, no ORM."""

from odoo.addons.channel_base.tools import parse_timestamp

from . import const

# ShipHero's timestamps carry no zone and are UTC ("2021-07-24T02:03:01",
# developer.shiphero.com/webhooks); ISODateTime values of the API likewise.
SHIPHERO_TZ = "UTC"


def nodes(connection):
    """The nodes of a Relay connection (``{edges: [{node}]}``), None-safe."""
    return [edge["node"] for edge in ((connection or {}).get("edges") or [])
            if edge and edge.get("node")]


def page_info(connection):
    info = (connection or {}).get("pageInfo") or {}
    return bool(info.get("hasNextPage")), info.get("endCursor")


def timestamp(value):
    """Naive UTC datetime of a ShipHero timestamp, or None."""
    return parse_timestamp(value, SHIPHERO_TZ) if value else None


def order_id(order):
    return str(order["id"])


def lines_truncated(order):
    """True when ShipHero holds more line items than the node carries."""
    return page_info(order.get("line_items"))[0]


def lines_wanted(orders, most):
    """The nested ``first`` for the next page: the most lines an order of this page had
    (at least 1, at most ``most``)."""
    return min(max([len(nodes(order.get("line_items"))) for order in orders] + [1]), most)


def order_skus(order):
    return [line.get("sku") for line in nodes(order.get("line_items"))]


def address_of(order):
    """The shipping address as channel.mapping's address dict."""
    address = order.get("shipping_address") or {}
    name = " ".join(part for part in (address.get("first_name"), address.get("last_name"))
                    if part).strip()
    return {
        "name": name or address.get("company") or "", "company_name": address.get("company"),
        "email": address.get("email") or order.get("email"), "phone": address.get("phone"),
        "street": address.get("address1"), "street2": address.get("address2"),
        "city": address.get("city"), "zip": address.get("zip"),
        "state": address.get("state_code") or address.get("state"),
        "country": address.get("country_code") or address.get("country"),
    }


def order_problem(order, unknown_skus):
    """Why an order cannot be imported (a text for the inbox), or None."""
    lines = nodes(order.get("line_items"))
    if not lines:
        return "Order {} has no line items.".format(order.get("order_number"))
    missing = [sku or "(empty)" for sku in order_skus(order) if not sku or sku in unknown_skus]
    if missing:
        return "Unknown SKU: {} (import the products first)".format(", ".join(missing))
    address = address_of(order)
    if not (address["street"] and address["city"] and address["country"]):
        return "Order {} has no complete shipping address.".format(order.get("order_number"))
    return None


def sale_order_values(order, credential_id, brand_id, partner_id, shipping_id, product_ids):
    return {
        "partner_id": partner_id,
        "partner_shipping_id": shipping_id,
        "client_order_ref": order.get("partner_order_id") or order.get("order_number"),
        "date_order": timestamp(order.get("order_date")),
        "channel_credential_id": credential_id,
        "channel_external_id": order_id(order),
        "channel_external_ref": order.get("order_number"),
        "shiphero_brand_id": brand_id,
        "shiphero_legacy_id": str(order.get("legacy_id") or ""),
        "shiphero_fulfillment_status": order.get("fulfillment_status") or const.UNFULFILLED,
        "order_line": [(0, 0, {
            "product_id": product_ids[line["sku"]],
            "product_uom_qty": line.get("quantity") or 0,
            "price_unit": float(line.get("price") or 0.0),
            "shiphero_line_id": line.get("id"),
        }) for line in nodes(order.get("line_items"))],
    }


def allocation_events(order):
    """``[(kind, at, reference)]`` of an order node's current allocations."""
    return [("allocated", timestamp(allocation.get("allocated_at")),
             str(allocation.get("allocation_reference") or ""))
            for allocation in order.get("allocations") or [] if allocation.get("allocated_at")]


def ready_since(events):
    """The time an order became ready to ship: its latest allocation not followed by a
    deallocation; ``events`` are ``(kind, at)`` in any order. None when not allocated."""
    latest = None
    for kind, at in sorted(events, key=lambda event: (event[1], event[0] == "allocated")):
        latest = at if kind == "allocated" else None
    return latest


# ---------------------------------------------------------------------- shipments

def shipment_of_node(shipment):
    """A ``shipments`` / ``order.shipments`` node as ``{id, order_id, tracking, carrier,
    method, lines: {sku: qty}, at}``; labels carry the accurate carrier and method."""
    labels = shipment.get("shipping_labels") or []
    lines = {}
    for line in nodes(shipment.get("line_items")):
        sku = (line.get("line_item") or {}).get("sku")
        if sku:
            lines[sku] = lines.get(sku, 0) + int(line.get("quantity") or 0)
    return {
        "id": str(shipment.get("id")), "order_id": str(shipment.get("order_id") or ""),
        "tracking": [label["tracking_number"] for label in labels
                     if label.get("tracking_number")],
        "carrier": next((label.get("carrier") for label in labels if label.get("carrier")), ""),
        "method": next((label.get("shipping_method") for label in labels
                        if label.get("shipping_method")), ""),
        "lines": lines, "at": timestamp(shipment.get("created_date")),
    }


def shipment_of_webhook(payload):
    """A Shipment Update delivery (developer.shiphero.com/webhooks/shipment-update-webhook)
    as the same dict; ``packages`` hold the accurate carrier/method, the top-level
    ``fulfillment`` ones are legacy and only a fallback."""
    fulfillment = payload.get("fulfillment") or {}
    packages = payload.get("packages") or []
    lines = {}
    for line in fulfillment.get("line_items") or []:
        sku = line.get("sku")
        if sku:
            lines[sku] = lines.get(sku, 0) + int(line.get("quantity") or 0)
    tracking = [package["tracking_number"] for package in packages
                if package.get("tracking_number")] or (
        [fulfillment["tracking_number"]] if fulfillment.get("tracking_number") else [])
    label = next((package.get("shipping_label") or package for package in packages), {})
    return {
        "id": str(fulfillment.get("shipment_uuid") or fulfillment.get("shipment_id") or ""),
        "order_uuid": fulfillment.get("order_uuid"),
        "order_number": fulfillment.get("order_number"),
        "partner_order_id": fulfillment.get("partner_order_id"),
        "tracking": tracking,
        "carrier": label.get("carrier") or label.get("shipping_carrier")
        or fulfillment.get("shipping_carrier") or "",
        "method": label.get("shipping_method") or fulfillment.get("shipping_method") or "",
        "lines": lines, "at": timestamp(fulfillment.get("created_at")),
    }


# ---------------------------------------------------------------------- webhooks

def event_type(payload):
    """``webhook_type``; a PO Update example carries none: dispatch on ``purchase_order``."""
    if not isinstance(payload, dict):
        return False
    if payload.get("webhook_type"):
        return payload["webhook_type"]
    if isinstance(payload.get("purchase_order"), dict):
        return const.EVENT_PO_UPDATE
    return False


def webhook_order_keys(payload):
    """Identifiers of the order a delivery concerns: (uuid, legacy id, order number)."""
    return (payload.get("order_uuid"), str(payload.get("order_id") or ""),
            payload.get("order_number"))


# ---------------------------------------------------------------------- purchase orders

def purchase_order_create_input(po, customer_account_id=None):
    """``CreatePurchaseOrderInput`` (money values are strings) from a plain dict
    ``{po_number, warehouse_id, po_date, note, lines: [{sku, quantity, price, name}]}``."""
    subtotal = sum(line["quantity"] * line["price"] for line in po["lines"])
    data = {
        "po_number": po["po_number"], "warehouse_id": po["warehouse_id"],
        "subtotal": f"{subtotal:.2f}", "shipping_price": "0.00", "total_price": f"{subtotal:.2f}",
        "po_date": po.get("po_date"), "po_note": po.get("note") or "",
        "line_items": [{"sku": line["sku"], "quantity": int(line["quantity"]),
                        "expected_weight_in_lbs": "0", "price": f"{line['price']:.2f}",
                        "product_name": line.get("name") or line["sku"]}
                       for line in po["lines"]],
    }
    if customer_account_id:
        data["customer_account_id"] = customer_account_id
    return {key: value for key, value in data.items() if value is not None}


def purchase_order_update_input(po_id, po, customer_account_id=None):
    data = {"po_id": po_id, "po_note": po.get("note") or "",
            "line_items": [{"sku": line["sku"], "quantity": int(line["quantity"]),
                            "price": f"{line['price']:.2f}"} for line in po["lines"]]}
    if customer_account_id:
        data["customer_account_id"] = customer_account_id
    return data


def po_update_lines(payload):
    """``{sku: (quantity, quantity_received)}`` of a PO Update delivery."""
    lines = {}
    for line in (payload.get("purchase_order") or {}).get("line_items") or []:
        if line.get("sku"):
            lines[line["sku"]] = (int(line.get("quantity") or 0),
                                  int(line.get("quantity_received") or 0))
    return lines
