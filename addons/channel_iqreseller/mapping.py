"""Pure mapping between IQ Reseller sales orders (SO dicts) and plain values. No ORM here."""

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from odoo.addons.channel_base.tools import UTC, parse_timestamp

UDF_NAMES = tuple(f"userdefined{number}" for number in range(1, 6))

# IQR stores free-text countries; the usual spellings that are not ISO alpha-2 codes.
COUNTRY_ALIASES = {
    "USA": "US", "U.S.A.": "US", "U.S.": "US", "UNITED STATES OF AMERICA": "US",
    "CAN": "CA", "MEX": "MX", "GBR": "GB", "UK": "GB", "DEU": "DE", "FRA": "FR",
}

# What we import from an SO: a change elsewhere (line status, serial numbers, invoice
# dates, the tracking fields we write ourselves) is not a change of the order for Odoo.
IMPORTED_HEADER_FIELDS = (
    "so", "saledate", "clientid", "clientponumber", "shiptocompany", "shiptoname",
    "shiptocontact", "shiptoaddress1", "shiptoaddress2", "shiptoaddress3", "shiptocity",
    "shiptostate", "shiptopostalcode", "shiptocountry", "shiptoemail", "shiptophone",
)
IMPORTED_LINE_FIELDS = ("sodetailid", "item", "description", "quantity", "unitprice")


class OrderDataError(ValueError):
    """An SO that cannot become a sale order as it is (bad date, no lines, bad quantity)."""


# --------------------------------------------------------------------------- identity


def order_id(so):
    """The internal IQR id (``soid``) as text, or None when the SO has none."""
    soid = so.get("soid") if isinstance(so, dict) else None
    if isinstance(soid, bool) or not isinstance(soid, int | str) or not str(soid).strip():
        return None
    return str(soid).strip()


def order_label(so):
    """'order 38791 (soid 1813)' for messages a back-office user reads."""
    return f"order {so.get('so') or '?'} (soid {order_id(so) or '?'})"


def order_fingerprint(so):
    """Hash of everything we import from an SO, to tell a changed order from a re-read one."""
    header = {name: so.get(name) for name in IMPORTED_HEADER_FIELDS}
    lines = [
        {name: line.get(name) for name in IMPORTED_LINE_FIELDS}
        for line in (so.get("SODetails") or []) if isinstance(line, dict)
    ]
    canonical = json.dumps([header, lines], sort_keys=True, default=str)
    return hashlib.sha1(canonical.encode()).hexdigest()  # noqa: S324 - change detection only


# --------------------------------------------------------------------------- filters


def parse_status_list(text):
    return {part.strip().lower() for part in (text or "").split(",") if part.strip()}


def channel_field_found(so, channel_field, channel_value):
    """The SO field that holds ``channel_value`` (case and surrounding spaces ignored), or
    None. ``any_udf`` searches userdefined1..5, as the public connector does."""
    wanted = (channel_value or "").strip().upper()
    names = UDF_NAMES if channel_field == "any_udf" else (channel_field,)
    for name in names:
        if str(so.get(name) or "").strip().upper() == wanted:
            return name
    return None


def parse_sale_date(so, timezone):
    """``saledate`` ("3/6/2020 12:00:00 AM", IQR local time) as naive UTC."""
    value = so.get("saledate")
    if not value:
        raise OrderDataError(f"IQR {order_label(so)} has no sale date")
    try:
        return parse_timestamp(value, timezone)
    except ValueError as error:
        raise OrderDataError(f"IQR {order_label(so)}: {error}") from None


@dataclass
class OrderFilter:
    """Which SOs this connector imports; IQR offers no reliable server-side filter."""

    statuses: set
    channel_field: str
    channel_value: str
    window_start: datetime  # naive UTC
    timezone: str

    def rejection(self, so):
        """None when the SO is to be imported, else 'status', 'channel' or 'date'.
        An unreadable date is not a rejection: the import reports it on the order."""
        if self.statuses and str(so.get("status") or "").strip().lower() not in self.statuses:
            return "status"
        if self.channel_value and not channel_field_found(
                so, self.channel_field, self.channel_value):
            return "channel"
        sale_date = safe_sale_date(so, self.timezone)
        if sale_date and sale_date < self.window_start:
            return "date"
        return None

    def status_matches(self, so):
        return not self.statuses or str(so.get("status") or "").strip().lower() in self.statuses


def safe_sale_date(so, timezone):
    try:
        return parse_sale_date(so, timezone)
    except OrderDataError:
        return None


def oldest_sale_date(orders, timezone):
    dates = [date for date in (safe_sale_date(so, timezone) for so in orders) if date]
    return min(dates) if dates else None


# --------------------------------------------------------------------------- order values


def address_from_so(so, default_country=None):
    """Ship-to fields as the address dict of channel.mapping._find_or_create_partner."""
    company = _text(so.get("shiptocompany"))
    street2 = ", ".join(filter(None, (_text(so.get("shiptoaddress2")),
                                      _text(so.get("shiptoaddress3")))))
    return {
        "name": company or _text(so.get("shiptoname")) or _text(so.get("shiptocontact"))
        or _text(so.get("clientid")),
        "company_name": company,
        "email": _text(so.get("shiptoemail")),
        "phone": _text(so.get("shiptophone")),
        "street": _text(so.get("shiptoaddress1")),
        "street2": street2,
        "city": _text(so.get("shiptocity")),
        "zip": _text(so.get("shiptopostalcode")),
        "state": _text(so.get("shiptostate")),
        "country": country_code(so.get("shiptocountry")) or default_country,
    }


def country_code(value):
    text = _text(value)
    if not text:
        return None
    return COUNTRY_ALIASES.get(text.upper(), text)


def order_lines_from_so(so):
    """[{detail_id, sku, quantity, price_unit, description}] from SODetails."""
    details = so.get("SODetails")
    if not isinstance(details, list) or not details:
        raise OrderDataError(f"IQR {order_label(so)} has no lines (SODetails)")
    lines = []
    for detail in details:
        if not isinstance(detail, dict):
            raise OrderDataError(f"IQR {order_label(so)}: malformed line {detail!r}")
        quantity = _number(detail.get("quantity"))
        if quantity is None or quantity <= 0:
            raise OrderDataError(
                f"IQR {order_label(so)}: line {detail.get('line')} ({detail.get('item')}) "
                f"has quantity {detail.get('quantity')!r}"
            )
        lines.append({
            "detail_id": str(detail.get("sodetailid") or detail.get("line") or len(lines) + 1),
            "sku": _text(detail.get("item")),
            "quantity": quantity,
            "price_unit": _number(detail.get("unitprice")) or 0.0,
            "description": _text(detail.get("description")),
        })
    return lines


@dataclass
class ParsedOrder:
    """An SO checked for what stops an import before anything is written: readable sale
    date, lines with a positive quantity. SKUs are checked against products next."""

    so: dict
    soid: str
    fingerprint: str
    sale_date: datetime  # naive UTC
    lines: list  # order_lines_from_so

    @property
    def label(self):
        return order_label(self.so)

    @property
    def skus(self):
        return [line["sku"] for line in self.lines]


def parse_order(so, timezone, fingerprint=None):
    """ParsedOrder of one SO; OrderDataError naming the order when it cannot be imported."""
    return ParsedOrder(
        so=so,
        soid=order_id(so),
        fingerprint=fingerprint or order_fingerprint(so),
        sale_date=parse_sale_date(so, timezone),
        lines=order_lines_from_so(so),
    )


def unknown_skus(skus, known):
    """The SKUs of ``skus`` not in ``known``, each once, in order (an empty SKU is never
    known)."""
    return [sku for sku in dict.fromkeys(skus) if not sku or sku not in known]


# --------------------------------------------------------------------------- tracking


def split_tracking_numbers(value):
    """'1Z1, 1Z2;1Z3' -> ['1Z1', '1Z2', '1Z3'] (several packages in one reference)."""
    return [part for part in re.split(r"[,;\s]+", value or "") if part]


def join_unique(values):
    return ", ".join(dict.fromkeys(value for value in values if value))


def format_ship_date(value, timezone):
    """A date, or a naive-UTC datetime seen in ``timezone``, as IQR writes dates, day only:
    '3/6/2020'."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = value.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone or "UTC"))
    return f"{value.month}/{value.day}/{value.year}"


def new_shipments(shipments, sent_numbers):
    """Shipments with at least one tracking number not sent yet."""
    sent = set(sent_numbers)
    return [shipment for shipment in shipments if set(shipment["numbers"]) - sent]


def tracking_entry(soid, shipments, field_map, updated_by):
    """The SO entry to write: every shipment so far (appended, never overwritten).

    ``field_map`` maps 'tracking', 'carrier', 'ship_date', 'service' to an IQR field name
    (or a falsy value to skip that piece)."""
    values = {
        "tracking": join_unique(number for shipment in shipments
                                for number in shipment["numbers"]),
        "carrier": join_unique(shipment["carrier"] for shipment in shipments),
        "ship_date": join_unique(shipment["ship_date"] for shipment in shipments),
        "service": join_unique(shipment["service"] for shipment in shipments),
    }
    entry = {"soid": int(soid)}
    for piece, field_name in field_map.items():
        if field_name:
            entry[field_name] = values[piece]
    if updated_by:
        entry["lastupdatedby"] = updated_by
    return entry


# --------------------------------------------------------------------------- answers


def orders_from_answer(answer):
    """The SO list from a listing answer: a bare array (GetSOs) or {"Data": [...]}.
    None when the answer has neither shape."""
    if isinstance(answer, list):
        return answer
    if isinstance(answer, dict) and isinstance(answer.get("Data"), list):
        return answer["Data"]
    return None


def _text(value):
    return str(value).strip() if value not in (None, False) else ""


def _number(value):
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
