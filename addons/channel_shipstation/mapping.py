"""Pure mapping between Odoo values and ShipStation payloads: no ORM in here.

The models extract plain dicts from pickings and partners; these functions turn them into
the V1 JSON ShipStation expects, and turn V1 shipment payloads into one ``Shipment`` (a V2
event is only a hint of which order to read back from V1: its body is never applied).
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from odoo.addons.channel_base.tools import format_local, parse_timestamp

from .const import SHIPSTATION_TZ, TRACKING_STATUS_CODES

# --------------------------------------------------------------------------- time


def to_pacific_text(moment_utc):
    """A naive-UTC datetime as the Pacific wall-clock text V1 filters and orders expect."""
    return format_local(moment_utc, SHIPSTATION_TZ, "%Y-%m-%d %H:%M:%S")


def parse_pacific(value):
    """A V1 timestamp (Pacific, usually without offset) as naive UTC; None if empty.

    In the autumn overlap a wall-clock time is ambiguous; it is read as its first
    occurrence, like ShipStation reads our filters, so a window can only grow, never miss.
    """
    return parse_timestamp(value, SHIPSTATION_TZ)


def parse_ship_date(value):
    """The calendar day of a ship date. V1 sends Pacific wall-clock text ("2024-03-10" or
    "2024-03-10T03:05:00.0000000"): its date part is the day, no conversion. V2 sends UTC
    with an offset: the day is the Pacific day of that moment."""
    if not value:
        return None
    text = str(value).strip()
    if re.search(r"(Z|[+-]\d\d:?\d\d)$", text) and "T" in text:
        moment = parse_timestamp(text)
        return format_local_date(moment)
    return date.fromisoformat(text[:10])


def format_local_date(moment_utc):
    aware = moment_utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(SHIPSTATION_TZ))
    return aware.date()


# --------------------------------------------------------------------------- orders out


def make_order_key(database_uuid, picking_id):
    """Deterministic and unique per picking and database: a resend upserts the same order."""
    return f"odoo-{(database_uuid or 'db')[:8]}-{picking_id}"


def whole_quantity(quantity, label):
    """ShipStation item quantities are whole numbers; refuse to round silently."""
    rounded = round(quantity)
    if abs(quantity - rounded) > 1e-6:
        raise ValueError(f"{label}: quantity {quantity:g} is not a whole number")
    return int(rounded)


def address_payload(address):
    """ShipStation address from a plain dict (name, company, street, street2, city,
    state_code, zip, country_code, phone, email)."""
    return {
        "name": address.get("name") or "",
        "company": address.get("company") or None,
        "street1": address.get("street") or "",
        "street2": address.get("street2") or None,
        "street3": None,
        "city": address.get("city") or "",
        "state": address.get("state_code") or None,
        "postalCode": address.get("zip") or "",
        "country": address.get("country_code") or None,
        "phone": address.get("phone") or None,
        "residential": None,
    }


def weight_payload(value, units):
    if not value:
        return None
    return {"value": round(value, 4), "units": units}


def item_payload(line, units):
    return {
        "lineItemKey": line["line_item_key"],
        "sku": line.get("sku") or None,
        "name": line["name"],
        "quantity": whole_quantity(line["quantity"], line["name"]),
        "unitPrice": round(line.get("unit_price") or 0.0, 4),
        "weight": weight_payload(line.get("unit_weight"), units),
        "warehouseLocation": line.get("location") or None,
    }


def order_payload(order):
    """The whole ShipStation order (V1 has no partial updates) from a plain dict."""
    units = order["weight_units"]
    payload = {
        "orderNumber": order["order_number"],
        "orderKey": order["order_key"],
        "orderDate": to_pacific_text(order["order_date"]),
        "orderStatus": order["status"],
        "customerUsername": order.get("customer_email") or None,
        "customerEmail": order.get("customer_email") or None,
        "billTo": address_payload(order["bill_to"]),
        "shipTo": address_payload(order["ship_to"]),
        "items": [item_payload(line, units) for line in order["lines"]],
        "customerNotes": order.get("customer_notes") or None,
        "internalNotes": order.get("internal_notes") or None,
        "requestedShippingService": order.get("requested_service") or None,
        "carrierCode": order.get("carrier_code") or None,
        "serviceCode": order.get("service_code") or None,
        "weight": weight_payload(order.get("total_weight"), units),
        "advancedOptions": {
            "storeId": int_or_none(order.get("store_id")),
            "customField1": order.get("custom_field1") or None,
            "customField2": order.get("custom_field2") or None,
        },
    }
    if order.get("order_id"):
        # Known on resends: helps ShipStation avoid a duplicate (the key is what upserts).
        payload["orderId"] = int_or_none(order["order_id"])
    if order.get("ship_by_date"):
        payload["shipByDate"] = to_pacific_text(order["ship_by_date"])
    return payload


def results_by_order_key(answer):
    """{orderKey: (success, orderId, errorMessage)} of a /orders/createorders answer."""
    results = {}
    for result in (answer or {}).get("results") or []:
        if isinstance(result, dict) and result.get("orderKey"):
            results[result["orderKey"]] = (
                bool(result.get("success")),
                result.get("orderId") or None,
                result.get("errorMessage") or None,
            )
    return results


def chunked(items, size):
    items = list(items)
    return [items[start:start + size] for start in range(0, len(items), size)]


# --------------------------------------------------------------------------- shipments in


@dataclass
class ShipmentItem:
    line_item_key: str
    sku: str
    quantity: float


@dataclass
class Shipment:
    """One label, from a V1 shipment."""

    shipment_id: str
    order_id: str = None
    #: The store of the shipment's order when the shipment shows it (advancedOptions.storeId
    #: or storeId; UNCONFIRMED that V1 shipments carry it), else None.
    store_id: int = None
    order_key: str = None
    order_number: str = None
    tracking_number: str = None
    carrier_code: str = None
    service_code: str = None
    ship_date: date = None
    shipped_at: datetime = None
    voided: bool = False
    voided_at: datetime = None
    cost: float = 0.0
    #: None when the payload did not list the items (the label covers what is left);
    #: an empty list for an extra package carrying nothing but a tracking number.
    items: list = field(default=None)


def _items(raw_items, key_name, sku_name, quantity_name):
    if raw_items is None:
        return None
    return [
        ShipmentItem(
            line_item_key=str(item[key_name]) if item.get(key_name) not in (None, "") else None,
            sku=item.get(sku_name) or None,
            quantity=float(item.get(quantity_name) or 0),
        )
        for item in raw_items if isinstance(item, dict)
    ]


def shipment_from_v1(data):
    """A V1 shipment (camelCase, Pacific timestamps). Raises ValueError if unusable."""
    if not isinstance(data, dict) or data.get("shipmentId") in (None, ""):
        raise ValueError("shipment without shipmentId")
    return Shipment(
        shipment_id=str(data["shipmentId"]),
        order_id=_text(data.get("orderId")),
        store_id=shipment_store_id(data),
        order_key=_text(data.get("orderKey")),
        order_number=_text(data.get("orderNumber")),
        tracking_number=_text(data.get("trackingNumber")),
        carrier_code=_text(data.get("carrierCode")),
        service_code=_text(data.get("serviceCode")),
        ship_date=parse_ship_date(data.get("shipDate")),
        shipped_at=parse_pacific(data.get("createDate")),
        voided=bool(data.get("voided")),
        voided_at=parse_pacific(data.get("voidDate")),
        cost=float(data.get("shipmentCost") or 0.0),
        items=_items(data.get("shipmentItems"), "lineItemKey", "sku", "quantity"),
    )


def shipment_store_id(data):
    """The store id a V1 shipment shows (``advancedOptions.storeId``, or a top-level
    ``storeId``), or None: the shipment docs do not promise either."""
    advanced = data.get("advancedOptions")
    store = advanced.get("storeId") if isinstance(advanced, dict) else None
    return int_or_none(store if store not in (None, "") else data.get("storeId"))


def v2_event_order_number(payload):
    """The order number a FULFILLMENT_SHIPPED_V2 event names, or None. Only a hint of which
    order to read back from V1: the body (tracking, items) is never applied, since every
    ShipStation customer's deliveries are signed with the same keys."""
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, dict):
        return None
    number = (_text(data.get("order_number")) or "").strip()
    return number[:50] or None


@dataclass
class TrackingUpdate:
    """The delivery status a tracking event (API_TRACK / TRACK_EVENT_V2) gives one label."""

    tracking_number: str
    status: str
    status_code: str = None
    description: str = None
    #: When the latest carrier event happened (naive UTC), None when the event lists none.
    occurred_at: datetime = None
    #: Where the latest carrier event happened ("OCEANSIDE CA"), or None.
    place: str = None


def tracking_update(payload):
    """The ``TrackingUpdate`` of a tracking event. Raises ValueError when it names no
    tracking number; an unknown status code gives the status "unknown". The latest event is
    ``events[0]`` ("beginning with the most recent event", ShipEngine's tracking webhooks);
    its ``occurred_at`` is UTC with an offset (``carrier_occurred_at`` is carrier-local
    wall-clock time, never used)."""
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, dict):
        raise ValueError("the tracking event has no data object")
    tracking_number = (_text(data.get("tracking_number")) or "").strip()
    if not tracking_number:
        raise ValueError("the tracking event names no tracking_number")
    code = (_text(data.get("status_code")) or "").strip().upper() or None
    events = data.get("events") if isinstance(data.get("events"), list) else []
    latest = events[0] if events and isinstance(events[0], dict) else {}
    description = _text(data.get("exception_description")) if code == "EX" else None
    description = description or _text(latest.get("description")) \
        or _text(data.get("status_description"))
    place = " ".join(str(latest[key]) for key in ("city_locality", "state_province")
                     if latest.get(key)) or None
    return TrackingUpdate(
        tracking_number=tracking_number[:100],
        status=TRACKING_STATUS_CODES.get(code, "unknown"),
        status_code=code,
        description=(description or "")[:250] or None,
        occurred_at=parse_timestamp(latest.get("occurred_at")) if latest.get(
            "occurred_at") else None,
        place=place,
    )


def combined_delivery_status(statuses):
    """One status for a transfer from its live labels' statuses (False: not heard of yet):
    an exception anywhere shows; delivered only when every label is; otherwise the
    furthest along (in transit at least once a label is delivered)."""
    if not any(statuses):
        return False
    if "exception" in statuses:
        return "exception"
    if all(status == "delivered" for status in statuses):
        return "delivered"
    pending = [status or "unknown" for status in statuses if status != "delivered"]
    if "delivered" in statuses:
        pending.append("in_transit")
    progress = ("unknown", "not_yet", "accepted", "in_transit", "attempted")
    return max(pending, key=progress.index)


def batch_reference(payload):
    """The batch a BATCH_PROCESSED_V2 event names: the last segment of its resource_url
    (``https://api.shipstation.com/v2/batches/se-1234567890``), or None."""
    url = _text(payload.get("resource_url")) if isinstance(payload, dict) else None
    if not url:
        return None
    segment = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    return segment[:100] or None


def _text(value):
    return None if value in (None, "") else str(value)


def int_or_none(value):
    try:
        return int(value) if value not in (None, "", False) else None
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- webhooks


def with_query(url, **params):
    """``url`` with these query parameters set (replacing any of the same name)."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
             if key not in params]
    query += [(key, str(value)) for key, value in params.items()]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))

