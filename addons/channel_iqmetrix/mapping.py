"""Pure mappings between iQmetrix feed payloads / status updates and plain dicts (no ORM)."""

from dataclasses import dataclass

from . import const

STORE = "store"
CUSTOMER = "customer"
HOME_ADDRESS_TYPE = "home"


# --------------------------------------------------------------------------- orders in


def customer_name(customer, fallback=None):
    """Display name of a shipping-customer: first, middle and family names."""
    customer = customer or {}
    parts = [customer.get(key) for key in ("primary_name", "middle_name", "family_name")]
    name = " ".join(part for part in parts if part)
    return name or customer.get("alternate_name") or fallback or ""


def delivery_kind(ship_to_store, address_type):
    """("store" | "customer", warning or None) for an order-created.

    The guide says the shipping address is either the store's or the customer's and that its
    ``type`` tells them apart; ``ship-to-store`` says where the retailer wants it. A customer
    "Home" address is always the customer's, even when ship-to-store says otherwise (the
    seed's own example has both): we deliver where the address is and say so.
    """
    is_home = (address_type or "").strip().lower() == HOME_ADDRESS_TYPE
    if ship_to_store and is_home:
        return CUSTOMER, (
            "ship-to-store is true but the shipping address is the customer's Home address; "
            "delivering to that address."
        )
    return (STORE if ship_to_store else CUSTOMER), None


def partner_address(address, name, phone=None):
    """An address dict for channel.mapping from a feed shipping-address."""
    address = address or {}
    street = address.get("street_address_1")
    po_box = address.get("post_office_box_number")
    if po_box:
        street = f"{street}, PO Box {po_box}" if street else f"PO Box {po_box}"
    return {
        "name": name,
        "street": street,
        "street2": address.get("street_address_2"),
        "city": address.get("locality"),
        "zip": address.get("postal_code"),
        "state": address.get("region_code") or address.get("region"),
        "country": address.get("country_code") or address.get("country"),
        "phone": phone if phone is not None else address.get("phone"),
    }


def customer_phone(payload):
    """The end customer's phone: on shipping-customer where present, else the address's."""
    customer = payload.get("shipping_customer") or {}
    address = payload.get("shipping_address") or {}
    return customer.get("phone") or address.get("phone")


def seller_values(payload):
    seller = payload.get("seller") or {}
    return {
        "iqmetrix_company_id": seller.get("company_id"),
        "iqmetrix_location_id": seller.get("location_id"),
        "iqmetrix_po_reference": seller.get("po_reference"),
        "iqmetrix_printable_id": seller.get("printable_id"),
    }


def store_name(payload):
    seller = payload.get("seller") or {}
    return f"Store {seller.get('location_id') or '?'} (company {seller.get('company_id') or '?'})"


def split_known_items(items, products):
    """(known items, unknown items) given {sku: product or falsy}."""
    known = [item for item in items if products.get(item["sku"])]
    unknown = [item for item in items if not products.get(item["sku"])]
    return known, unknown


def unknown_item_note(item):
    price = item.get("selling_price")
    price_text = f" at {price:g}" if price is not None else ""
    return (f"Unknown SKU {item['sku']}: {item['quantity']} × "
            f"{item.get('description') or ''}{price_text}").strip()


# --------------------------------------------------------------------------- status out


@dataclass(frozen=True)
class LineState:
    sku: str
    ordered: float
    delivered: float
    catalog_id: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class OrderState:
    """What Odoo knows about one iQmetrix order when its status is pushed."""

    order_id: str
    lines: tuple = ()
    cancelled: bool = False
    cancel_message: str = "Cancelled by the supplier."
    unknown_skus: tuple = ()
    unknown_sku_status: int = const.STATUS_ERROR
    tracking_numbers: tuple = ()  # already sent or seen first, then the new ones
    shipping_provider: str | None = None
    stock_short: bool = False
    stock_short_status: int | None = const.STATUS_BACKORDERED


@dataclass(frozen=True)
class StatusUpdate:
    endpoint: str  # OrderStatusUpdate or ItemStatusUpdate
    status: int  # the order's status (PartiallyShipped for item updates)
    body: dict
    tracking_numbers: tuple = ()


def merge_tracking_numbers(*sources):
    """Every tracking number of the sources once, in order; sources are comma-separated
    strings or iterables of them."""
    merged = []
    for source in sources:
        values = [source] if isinstance(source, str) else list(source or ())
        for value in values:
            for number in (value or "").split(","):
                number = number.strip()
                if number and number not in merged:
                    merged.append(number)
    return tuple(merged)


def decide_status_update(state):
    """The update to send for ``state``, or None when there is nothing to say."""
    if state.cancelled:
        return _order_update(state, const.STATUS_CANCELLED, message=state.cancel_message)
    if state.unknown_skus:
        return _order_update(
            state, state.unknown_sku_status,
            message="Unknown SKU: " + ", ".join(state.unknown_skus),
        )
    shipped_lines = [line for line in state.lines if line.delivered > 0]
    if state.lines and all(line.delivered >= line.ordered for line in state.lines):
        return _order_update(state, const.STATUS_SHIPPED, with_tracking=True)
    if shipped_lines:
        return _item_update(state, shipped_lines)
    if state.stock_short and state.stock_short_status is not None:
        return _order_update(state, state.stock_short_status,
                             message="Waiting for stock: the order ships when all items are "
                                     "available.")
    return None


def _order_update(state, status, message=None, with_tracking=False):
    body = {"Id": state.order_id, "Status": status}
    if message:
        body["Message"] = message
    tracking = state.tracking_numbers if with_tracking else ()
    if tracking:
        body["TrackingInfo"] = ",".join(tracking)
    if with_tracking and state.shipping_provider:
        body["ShippingProvider"] = state.shipping_provider
    return StatusUpdate(const.ORDER_STATUS_ENDPOINT, status, body, tuple(tracking))


def _item_update(state, shipped_lines):
    """Items shipped so far: PartiallyShipped while some of their quantity is still to ship,
    Shipped once all of it is; every update carries all tracking numbers of the order, so
    none sent before is overwritten."""
    tracking = ",".join(state.tracking_numbers)
    items = []
    for line in shipped_lines:
        done = line.delivered >= line.ordered
        item = {
            "Sku": line.sku,
            "Status": const.STATUS_SHIPPED if done else const.STATUS_PARTIALLY_SHIPPED,
            "Quantity": int(min(line.delivered, line.ordered)),
            "Message": f"{line.delivered:g} of {line.ordered:g} shipped",
        }
        if line.catalog_id:
            item["CatalogId"] = line.catalog_id
        if line.name:
            item["ProductName"] = line.name
        if tracking:
            item["TrackingInfo"] = tracking
        if state.shipping_provider:
            item["ShippingProvider"] = state.shipping_provider
        items.append(item)
    # Some quantity of the order is still to ship, whatever the state of these items.
    return StatusUpdate(const.ITEM_STATUS_ENDPOINT, const.STATUS_PARTIALLY_SHIPPED,
                        {"Id": state.order_id, "ItemInformation": items},
                        tuple(state.tracking_numbers))
