"""Reader of the iQmetrix dropship order feed (Atom, RFC 4287, with RFC 5005 archives).

Pure (no Odoo model), so it is unit-tested on its own. The feed comes from the network:
pages and stored entries are read with channel_base's hardened ``verification.parse_xml``
(a size limit, no DTD, no entity resolution, no network access; any DOCTYPE or entity
declaration refuses the whole page before it is parsed).
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from dateutil import parser as date_parser
from lxml import etree

from odoo.addons.channel_base import verification

ATOM_NS = "http://www.w3.org/2005/Atom"
DROPSHIP_NS = "urn:iQmetrix:dropship"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XSI_NIL = f"{{{XSI_NS}}}nil"

ORDER_CREATED = "order-created"
ORDER_STATUS_UPDATED = "order-status-updated"

MAX_FEED_BYTES = 5 * 1024 * 1024  # a page holds 50 entries: ~100 KiB in practice

#: The page as a whole cannot be used: refused without parsing (oversized, DOCTYPE, entity
#: declarations, not UTF-8: permanent) or malformed (not well-formed, not Atom: retried).
FeedError = verification.XmlDocumentError
FeedRefused = verification.XmlRefused
FeedMalformed = verification.XmlMalformed


class EntryError(ValueError):
    """One entry is unusable; the rest of the page is not affected."""


@dataclass(frozen=True)
class FeedEntry:
    entry_id: str
    updated: datetime | None  # aware, UTC
    title: str = ""
    kind: str | None = None  # local name of the content element, e.g. "order-created"
    payload: dict | None = None
    error: str | None = None  # why the entry cannot be used; payload is then None
    xml: str = ""  # the entry as received, kept to record and retry failures

    @property
    def order_id(self):
        return (self.payload or {}).get("order_id")


@dataclass(frozen=True)
class FeedPage:
    feed_id: str
    updated: datetime | None
    links: dict = field(default_factory=dict)  # rel -> href
    entries: tuple = ()  # document order: newest first

    @property
    def prev_archive(self):
        return self.links.get("prev-archive")


# --------------------------------------------------------------------------- parsing


def parse_feed(body, max_bytes=MAX_FEED_BYTES):
    """A FeedPage from the raw bytes of a feed page; FeedError if the page is unusable."""
    root = verification.parse_xml(body, max_bytes)
    if root.tag != f"{{{ATOM_NS}}}feed":
        raise FeedMalformed(f"Not an Atom feed: the root element is <{_local(root.tag)}>")
    links = {}
    for link in root.findall(f"{{{ATOM_NS}}}link"):
        rel, href = link.get("rel"), (link.get("href") or "").strip()
        if rel and href:
            links.setdefault(rel, href)
    entries = tuple(_read_entry(element) for element in root.findall(f"{{{ATOM_NS}}}entry"))
    return FeedPage(
        feed_id=_text(root, f"{{{ATOM_NS}}}id") or "",
        updated=_optional_timestamp(_text(root, f"{{{ATOM_NS}}}updated")),
        links=links,
        entries=entries,
    )


def parse_entry_xml(xml):
    """Read one stored <entry> again (to retry an entry that failed before)."""
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    root = verification.parse_xml(data, MAX_FEED_BYTES)
    if root.tag != f"{{{ATOM_NS}}}entry":
        raise FeedMalformed(f"Not an Atom entry: the root element is <{_local(root.tag)}>")
    return _read_entry(root)


def _read_entry(element):
    xml = etree.tostring(element, encoding="unicode")
    entry_id = _text(element, f"{{{ATOM_NS}}}id") or ""
    title = _text(element, f"{{{ATOM_NS}}}title") or ""
    try:
        updated = _timestamp(_text(element, f"{{{ATOM_NS}}}updated"), "updated")
        if not entry_id:
            raise EntryError("Entry without <id>")
        content = element.find(f"{{{ATOM_NS}}}content")
        body = content[0] if content is not None and len(content) else None
        if body is None:
            raise EntryError("Entry without XML <content>")
        if etree.QName(body).namespace != DROPSHIP_NS:
            raise EntryError(f"Content <{_local(body.tag)}> is not in the {DROPSHIP_NS} namespace")
        kind = _local(body.tag)
        reader = CONTENT_READERS.get(kind)
        payload = reader(body) if reader else None
    except EntryError as error:
        return FeedEntry(entry_id=entry_id, updated=_safe_timestamp(element), title=title,
                         error=str(error), xml=xml)
    return FeedEntry(entry_id=entry_id, updated=updated, title=title, kind=kind,
                     payload=payload, xml=xml)


# --------------------------------------------------------------------------- content


def read_order_created(element):
    order_id = _required(element, "order-id")
    items = [_read_order_item(item, order_id)
             for item in _children(element.find(_dropship("items")), "order-item")]
    if not items:
        raise EntryError(f"Order {order_id} has no items")
    return {
        "order_id": order_id,
        "items": items,
        "seller": _record(element.find(_dropship("seller"))),
        "ship_to_store": _boolean(_value(element, "ship-to-store"), "ship-to-store"),
        "shipping_address": _record(element.find(_dropship("shipping-address"))),
        "shipping_customer": _record(element.find(_dropship("shipping-customer"))),
        "shipping_method": _value(element, "shipping-method"),
        "supplier_id": _value(element, "supplier-id"),
    }


def read_order_status_updated(element):
    return {
        "order_id": _required(element, "order-id"),
        "company_id": _value(element, "company-id"),
        "supplier_id": _value(element, "supplier-id"),
        "items": [_record(item) for item in
                  _children(element.find(_dropship("items")), "item-information")],
    }


CONTENT_READERS = {
    ORDER_CREATED: read_order_created,
    ORDER_STATUS_UPDATED: read_order_status_updated,
}


def _read_order_item(element, order_id):
    item = _record(element)
    if not item.get("sku"):
        raise EntryError(f"Order {order_id} has an item without a SKU")
    item["quantity"] = _quantity(item.get("quantity"), item["sku"], order_id)
    item["selling_price"] = _price(item.get("selling_price"), item["sku"], order_id)
    return item


def _quantity(text, sku, order_id):
    try:
        quantity = Decimal(text or "")
    except InvalidOperation:
        raise EntryError(f"Order {order_id}: quantity {text!r} of SKU {sku} is not a number") \
            from None
    if quantity <= 0 or quantity != quantity.to_integral_value():
        raise EntryError(f"Order {order_id}: quantity {text!r} of SKU {sku} is not a positive "
                         "whole number")
    return int(quantity)


def _price(text, sku, order_id):
    if text in (None, ""):
        return None
    try:
        price = Decimal(text)
    except InvalidOperation:
        raise EntryError(f"Order {order_id}: selling-price {text!r} of SKU {sku} is not a "
                         "number") from None
    if not price.is_finite() or price < 0:
        raise EntryError(f"Order {order_id}: selling-price {text!r} of SKU {sku} is invalid")
    return float(price)


# --------------------------------------------------------------------------- helpers


def _dropship(name):
    return f"{{{DROPSHIP_NS}}}{name}"


def _local(tag):
    return etree.QName(tag).localname if isinstance(tag, str) else str(tag)


def _children(parent, name):
    return [] if parent is None else parent.findall(_dropship(name))


def _record(element):
    """Child elements as a dict: dashed names become underscored, i:nil and blanks None."""
    if element is None:
        return {}
    record = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        record[_local(child.tag).replace("-", "_")] = _element_text(child)
    return record


def _element_text(element):
    if element.get(XSI_NIL) == "true":
        return None
    text = (element.text or "").strip()
    return text or None


def _value(element, name):
    child = element.find(_dropship(name))
    return None if child is None else _element_text(child)


def _required(element, name):
    value = _value(element, name)
    if not value:
        raise EntryError(f"<{name}> is missing")
    return value


def _boolean(text, name):
    if text is None:
        return False
    lowered = text.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise EntryError(f"<{name}> {text!r} is not a boolean")


def _text(element, tag):
    child = element.find(tag)
    return (child.text or "").strip() if child is not None and child.text else None


def _timestamp(text, name):
    if not text:
        raise EntryError(f"Entry without <{name}>")
    try:
        moment = date_parser.isoparse(text)
    except (ValueError, OverflowError):
        raise EntryError(f"<{name}> {text!r} is not an ISO 8601 timestamp") from None
    if moment.tzinfo is None:
        raise EntryError(f"<{name}> {text!r} has no timezone")
    return moment.astimezone(UTC)


def _optional_timestamp(text):
    try:
        return _timestamp(text, "updated") if text else None
    except EntryError:
        return None


def _safe_timestamp(element):
    return _optional_timestamp(_text(element, f"{{{ATOM_NS}}}updated"))


# --------------------------------------------------------------------------- walking


def marker_reached(entry, marker_id, marker_updated, not_before=None):
    """Whether the walk back through the feed stops at ``entry`` (newest-first order).

    It stops at the last processed entry (``marker_id``); if that entry is gone, at the first
    one older than it; on a first run (no marker) at the first one older than ``not_before``.
    """
    if marker_id:
        if entry.entry_id == marker_id:
            return True
        return bool(marker_updated and entry.updated and entry.updated < marker_updated)
    return bool(not_before and entry.updated and entry.updated < not_before)


def format_timestamp(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def parse_marker_timestamp(text):
    if not text:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
