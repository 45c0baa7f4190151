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


def order_fingerprint(so, shipped_statuses=None):
    """Hash of everything we import from an SO, to tell a changed order from a re-read one:
    ``<content hash>``, followed by ``:<hash of the shipped line ids>`` when some lines
    already shipped (so an order whose lines ship in IQR is a changed order, and
    :func:`same_content` tells that change from a change of the content)."""
    header = {name: so.get(name) for name in IMPORTED_HEADER_FIELDS}
    lines = [
        {name: line.get(name) for name in IMPORTED_LINE_FIELDS}
        for line in (so.get("SODetails") or []) if isinstance(line, dict)
    ]
    content = _digest([header, lines])
    shipped = sorted(str(line.get("sodetailid") or line.get("line"))
                     for line in shipped_details(so, shipped_statuses))
    return f"{content}:{_digest(shipped)}" if shipped else content


def same_content(fingerprint, other):
    """Whether two fingerprints differ at most in which lines already shipped."""
    return bool(fingerprint and other) and fingerprint.split(":")[0] == other.split(":")[0]


def _digest(value):
    canonical = json.dumps(value, sort_keys=True, default=str)
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


# --------------------------------------------------------------------------- line status

# Line statuses meaning the goods left (IQR_ORDER_STRUCTURE.md shows "Invoiced" on lines;
# the full list is not documented, so the credential can change it).
DEFAULT_SHIPPED_LINE_STATUSES = "Shipped, Invoiced, Closed"


def line_shipped(detail, shipped_statuses=None):
    """Whether an SODetails line already shipped in IQR: its status is one of
    ``shipped_statuses`` (a set of lowercased names; the default list when None), or it
    carries a ship date (``shipdate``; the planned one is ``scheduledshipdate``)."""
    if not isinstance(detail, dict):
        return False
    if shipped_statuses is None:
        shipped_statuses = parse_status_list(DEFAULT_SHIPPED_LINE_STATUSES)
    status = str(detail.get("status") or "").strip().lower()
    return status in shipped_statuses or bool(_text(detail.get("shipdate")))


def shipped_details(so, shipped_statuses=None):
    details = so.get("SODetails") if isinstance(so, dict) else None
    return [detail for detail in details or [] if line_shipped(detail, shipped_statuses)]


def everything_shipped(so, shipped_statuses=None):
    """An SO with lines, all of them shipped already: nothing left for Odoo to ship."""
    details = so.get("SODetails") if isinstance(so, dict) else None
    return bool(details) and all(line_shipped(detail, shipped_statuses) for detail in details)


def shipped_line_summary(details):
    """'2 x THINKPAD T450 (line 1, shipped 3/6/2026)' per shipped line, for the note line
    that keeps on the Odoo order what IQR shipped before the import."""
    summaries = []
    for detail in details:
        quantity = _number(detail.get("quantity"))
        text = f"{quantity:g} x {_text(detail.get('item')) or '?'}" if quantity is not None \
            else _text(detail.get("item")) or "?"
        facts = [f"line {detail.get('line')}"] if detail.get("line") not in (None, "") else []
        shipdate = _text(detail.get("shipdate"))
        facts.append(f"shipped {shipdate}" if shipdate
                     else _text(detail.get("status")) or "shipped")
        summaries.append(f"{text} ({', '.join(facts)})")
    return summaries


def order_lines_from_so(so, shipped_statuses=None):
    """[{detail_id, sku, quantity, price_unit, description}] of the SODetails still to
    ship (lines already shipped in IQR are left out: see :func:`line_shipped`)."""
    details = so.get("SODetails")
    if not isinstance(details, list) or not details:
        raise OrderDataError(f"IQR {order_label(so)} has no lines (SODetails)")
    lines = []
    for detail in details:
        if not isinstance(detail, dict):
            raise OrderDataError(f"IQR {order_label(so)}: malformed line {detail!r}")
        if line_shipped(detail, shipped_statuses):
            continue
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
    lines: list  # order_lines_from_so: what is still to ship
    shipped: list = ()  # SODetails already shipped in IQR (kept as a note on the order)

    @property
    def label(self):
        return order_label(self.so)

    @property
    def skus(self):
        return [line["sku"] for line in self.lines]


def parse_order(so, timezone, fingerprint=None, shipped_statuses=None):
    """ParsedOrder of one SO; OrderDataError naming the order when it cannot be imported."""
    return ParsedOrder(
        so=so,
        soid=order_id(so),
        fingerprint=fingerprint or order_fingerprint(so, shipped_statuses),
        sale_date=parse_sale_date(so, timezone),
        lines=order_lines_from_so(so, shipped_statuses),
        shipped=shipped_details(so, shipped_statuses),
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


def tracking_values(shipments):
    """What IQR's tracking fields hold for these shipments: every live tracking number,
    carrier, ship date and service, each once, joined with ', '. An empty list (every
    label voided) gives empty strings, which clear the fields."""
    return {
        "tracking": join_unique(number for shipment in shipments
                                for number in shipment["numbers"]),
        "carrier": join_unique(shipment["carrier"] for shipment in shipments),
        "ship_date": join_unique(shipment["ship_date"] for shipment in shipments),
        "service": join_unique(shipment["service"] for shipment in shipments),
    }


def tracking_numbers(shipments):
    return list(dict.fromkeys(number for shipment in shipments or []
                              for number in shipment["numbers"]))


def tracking_entry(soid, shipments, field_map, updated_by):
    """The SO entry to write: the current set of live shipments, all of them (a later
    shipment adds to the fields, a voided label leaves them).

    ``field_map`` maps 'tracking', 'carrier', 'ship_date', 'service' to an IQR field name
    (or a falsy value to skip that piece)."""
    values = tracking_values(shipments)
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
