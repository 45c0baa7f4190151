"""DSCO payloads to Odoo values and back: pure functions, no ORM.

Field names are those of dsco-v3.yaml: ``Order`` (``dscoOrderId``, ``poNumber``,
``shipping``, ``lineItems``), the acknowledge item ``{id, type}``, ``singleShipment`` and
``cancelOrderItem`` bodies.
"""

import hashlib
import json

from . import const


def order_id(order):
    return str(order.get("dscoOrderId") or "")


def order_skus(order):
    return [line.get("sku") for line in order.get("lineItems") or []]


def orders_of_events(events):
    """The orders of a page of stream events, in order, each once (a stream is
    at-least-once and repeats an order for every change of it)."""
    seen, orders = set(), []
    for event in events:
        order = event.get("payload") or {}
        key = order_id(order)
        if key and key not in seen:
            seen.add(key)
            orders.append(order)
    return orders


def order_problem(order, unknown_skus):
    """Why ``order`` cannot become a sale order as it is, or None."""
    shipping = order.get("shipping") or {}
    if not order_id(order):
        return "Order without a dscoOrderId."
    if not (shipping.get("address") or shipping.get("address1")) or not shipping.get("city") \
            or not shipping.get("postal"):
        return f"Order {order_id(order)} has no complete shipping address (address, city, postal)."
    if not order.get("lineItems"):
        return f"Order {order_id(order)} has no lines."
    unknown = [sku for sku in order_skus(order) if sku in unknown_skus]
    if unknown:
        return "Unknown SKU: " + ", ".join(str(sku) if sku else "(empty)" for sku in unknown)
    return None


def address_of(order):
    """The shipping address in channel.mapping's address form. ``address`` is an array
    of street lines; ``address1``/``address2``/``state`` are its deprecated forms."""
    shipping = order.get("shipping") or {}
    lines = list(shipping.get("address") or [shipping.get("address1"), shipping.get("address2")])
    return {
        "name": shipping.get("name") or " ".join(
            filter(None, [shipping.get("firstName"), shipping.get("lastName")])),
        "company_name": shipping.get("company"),
        "email": shipping.get("email"),
        "phone": shipping.get("phone"),
        "street": lines[0] if lines else None,
        "street2": ", ".join(filter(None, lines[1:])) or None,
        "city": shipping.get("city"),
        "zip": shipping.get("postal"),
        "state": shipping.get("region") or shipping.get("state"),
        "country": shipping.get("country") or "US",
    }


def sale_order_values(order, credential_id, partner_id, shipping_id, product_ids):
    """``sale.order`` create values; ``product_ids`` maps SKU to product id."""
    return {
        "partner_id": partner_id,
        "partner_shipping_id": shipping_id,
        "channel_credential_id": credential_id,
        "channel_external_id": order_id(order),
        "channel_external_ref": order.get("poNumber"),
        "client_order_ref": order.get("poNumber"),
        "channel_sync_state": "synced",
        "order_line": [(0, 0, line_values(line, product_ids))
                       for line in order.get("lineItems") or []],
    }


def line_values(line, product_ids):
    values = {"product_id": product_ids[line["sku"]],
              "product_uom_qty": line.get("quantity") or 0,
              "dsco_line_number": line.get("lineNumber") or 0,
              "dsco_sku": line.get("sku")}
    price = line.get("consumerPrice", line.get("retailPrice"))
    if price is not None:
        values["price_unit"] = price
    return values


def acknowledge_body(dsco_order_ids):
    return [{"id": key, "type": const.ID_TYPE} for key in dsco_order_ids]


def stream_body():
    """createStream: an order stream of the orders to fulfil, one partition."""
    return {"objectType": "order", "description": const.STREAM_DESCRIPTION,
            "query": {"queryType": "order", "statuses": const.STREAM_STATUSES},
            "numPartitions": 1, "maxEvents": {"objectCount": const.EVENTS_PER_PAGE}}


def shipment_body(dsco_order_id, tracking_number, carrier_code, ship_date, lines,
                  service_code=None):
    """singleShipment; ``lines``: [(sku, line number, quantity shipped)]."""
    shipment = {
        "trackingNumber": tracking_number,
        "shipCarrier": carrier_code,
        "shipDate": ship_date,
        "lineItems": [dict({"sku": sku, "quantity": quantity},
                           **({"lineNumber": number} if number else {}))
                      for sku, number, quantity in lines if quantity > 0],
    }
    if service_code:
        shipment["shipMethod"] = service_code
    return {"dscoOrderId": dsco_order_id, "shipments": [shipment]}


def cancel_body(dsco_order_id, lines, code, reason):
    """cancelOrderItem; ``lines``: [(sku, line number, quantity cancelled)]."""
    return {"id": dsco_order_id, "type": const.ID_TYPE, "lineItems": [
        dict({"sku": sku, "cancelledQuantity": quantity, "cancelCode": code,
              "cancelledReason": reason}, **({"lineNumber": number} if number else {}))
        for sku, number, quantity in lines]}


# ---------------------------------------------------------------- catalog


def category_path(names):
    """A category path in DSCO's form ``A||B||C`` from its names, root first."""
    return const.CATEGORY_SEPARATOR.join(name.strip() for name in names if name and name.strip())


def category_path_problem(path):
    """Why ``path`` is not a DSCO category path (``A||B||C``: non-empty names), or None."""
    parts = (path or "").split(const.CATEGORY_SEPARATOR)
    if not path or any(not part.strip() or "|" in part for part in parts):
        return f"Invalid category path {path!r}: use the form 'Category||Subcategory||Item'."
    return None


def image_problem(url):
    """DSCO downloads the images itself: only public HTTPS URLs are accepted."""
    host = url.split("://", 1)[1].split("/", 1)[0].split(":")[0] if "://" in url else ""
    if not url.lower().startswith("https://") or not host:
        return f"Image {url!r} is not a public HTTPS URL."
    if host in ("localhost", "127.0.0.1") or host.endswith((".local", ".internal")):
        return f"Image {url!r} is not public (host {host})."
    return None


def catalog_item(product):
    """ItemCatalog of ``product``, a dict: sku, title, description, cost, msrp, brand,
    category_path, image_urls, active. Required by DSCO: sku, title, productStatus."""
    item = {
        "sku": product["sku"],
        "title": product["title"],
        "productStatus": "active" if product.get("active", True) else "discontinued",
        "currencyCode": product.get("currency") or "USD",
    }
    for key, field in (("description", "description"), ("cost", "cost"), ("msrp", "msrp"),
                       ("brand", "brand"), ("upc", "barcode")):
        if product.get(field) not in (None, False, ""):
            item[key] = product[field]
    if product.get("category_path"):
        item["categories"] = {"default": [product["category_path"]]}
    if product.get("image_urls"):
        item["images"] = [{"name": f"image_{number}", "reference": url}
                          for number, url in enumerate(product["image_urls"], start=1)]
    return item


def catalog_problem(product):
    """Why ``product`` cannot be listed as it is, or None."""
    if not product.get("sku"):
        return "The product has no Internal Reference (the DSCO sku)."
    if not product.get("title"):
        return "The product has no name (the DSCO title)."
    if product.get("category_path"):
        problem = category_path_problem(product["category_path"])
        if problem:
            return problem
    for url in product.get("image_urls") or ():
        problem = image_problem(url)
        if problem:
            return problem
    return None


def encoded(item):
    return json.dumps(item, separators=(",", ":"), sort_keys=True)


def item_hash(item):
    return hashlib.sha1(encoded(item).encode(), usedforsecurity=False).hexdigest()


def batches_by_bytes(items, max_bytes):
    """Split ``items`` into JSON arrays of at most ``max_bytes`` encoded bytes each."""
    batches, current, size = [], [], 2
    for item in items:
        length = len(encoded(item).encode()) + 1
        if current and size + length > max_bytes:
            batches.append(current)
            current, size = [], 2
        current.append(item)
        size += length
    if current:
        batches.append(current)
    return batches


def json_lines(items):
    """A large batch's body: one JSON object a line (jsonlines.org)."""
    return "".join(encoded(item) + "\n" for item in items).encode()


def log_outcomes(logs, payload_key=None):
    """{sku: (status, message)} of change log entries (the last entry of a sku wins).
    Catalog logs carry the item in ``payload.message``, inventory logs in ``payload``."""
    outcomes = {}
    for log in logs:
        payload = log.get("payload") or {}
        item = payload.get(payload_key) if payload_key else payload
        sku = (item or {}).get("sku") if isinstance(item, dict) else None
        if not sku:
            continue
        texts = [f"{result.get('code')}: {result.get('description')}"
                 for result in log.get("results") or [] if result.get("severity") != "info"]
        outcomes[sku] = (log.get("status"), "; ".join(texts))
    return outcomes


# ---------------------------------------------------------------- inventory


def inventory_item(sku, quantities):
    """ItemInventory of ``sku``; ``quantities`` maps DSCO warehouse code to quantity.
    quantityAvailable is their sum; 0 delists (status out-of-stock)."""
    warehouses = [{"code": code, "quantity": max(int(quantity), 0)}
                  for code, quantity in sorted(quantities.items())]
    total = sum(warehouse["quantity"] for warehouse in warehouses)
    return {"sku": sku, "quantityAvailable": total,
            "status": "in-stock" if total > 0 else "out-of-stock", "warehouses": warehouses}
