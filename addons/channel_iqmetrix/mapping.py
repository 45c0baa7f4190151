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


def customer_phone(payload, kind):
    """The end customer's phone.

    The dropship guide says the end customer's phone comes with shipping-customer; the
    shipping address's phone is the recipient's (supplier-orders.md), which is the customer
    on a home delivery but the store on a store delivery: that one belongs to the store.
    """
    customer = payload.get("shipping_customer") or {}
    if customer.get("phone"):
        return customer["phone"]
    if kind == CUSTOMER:
        return (payload.get("shipping_address") or {}).get("phone")
    return None


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
#
# What Odoo tells iQmetrix is worked out from the order's state every time, never from what
# happened last: the same state gives the same update (sent once), and a state that moved
# back (a voided label) gives the update that corrects what iQmetrix was told.

FINAL_ITEM_STATUSES = (const.STATUS_SHIPPED, const.STATUS_CANCELLED)
# When items of one update disagree, the order is summed up by the most telling status.
SUMMARY_PRIORITY = (const.STATUS_CANCELLED, const.STATUS_NOT_AVAILABLE, const.STATUS_ERROR,
                    const.STATUS_BACKORDERED, const.STATUS_OTHER, const.STATUS_ORDERED)
WAITING_FOR_STOCK = "Waiting for stock: the order ships when all items are available."
BACKORDERED_BY_SUPPLIER = "Back-ordered by the supplier."


@dataclass(frozen=True)
class ItemState:
    """One item (SKU) of the iQmetrix order, as Odoo's deliveries see it."""

    sku: str
    ordered: float
    shipped: float = 0.0  # in done deliveries that have a tracking number and a carrier
    held: float = 0.0  # in done deliveries that still lack one of them
    cancelled: float = 0.0  # will not ship: order, delivery or backorder cancelled
    known: bool = True  # an order line ships it (False: an unknown SKU kept as a note)
    catalog_id: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class OrderState:
    """What Odoo knows about one iQmetrix order when its status is pushed."""

    order_id: str
    items: tuple = ()
    confirmed: bool = False
    cancelled: bool = False
    cancel_message: str = "Cancelled by the supplier."
    unknown_skus: tuple = ()  # of an order that is not confirmed
    unknown_sku_status: int = const.STATUS_ERROR
    tracking_numbers: tuple = ()  # the live numbers: all iQmetrix should show
    tracking_known: bool = False  # a delivery is done, so TrackingInfo is stated
    shipping_provider: str | None = None
    stock_short: bool = False
    stock_short_status: int | None = const.STATUS_BACKORDERED
    send_ordered: bool = True
    backorder_cancel_status: int = const.STATUS_CANCELLED
    hold_reason: str | None = None  # why a done delivery is not reported Shipped yet


@dataclass(frozen=True)
class ItemStatus:
    item: ItemState
    status: int
    quantity: int
    message: str | None = None
    shipped: bool = False  # carries the order's tracking numbers and provider
    clear_tracking: bool = False  # a number iQmetrix may show for it is no longer live

    @property
    def whole(self):
        """The status holds for the item's whole quantity (an order-level update can say
        it); otherwise only an item update tells the quantities apart."""
        return self.quantity >= self.item.ordered


@dataclass(frozen=True)
class StatusUpdate:
    endpoint: str  # OrderStatusUpdate or ItemStatusUpdate
    status: int  # the order's status (a summary for item updates)
    body: dict
    tracking_numbers: tuple = ()
    states_tracking: bool = False  # TrackingInfo is in the body: iQmetrix now has these


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


def live_tracking_numbers(previously_sent, foreign, shipment_numbers):
    """The numbers iQmetrix should show: those of our live shipments and those another
    system of the supplier added, in the order iQmetrix first got them. A number sent
    before whose label is gone (voided) is dropped."""
    live = set(merge_tracking_numbers(foreign, shipment_numbers))
    still_live = [number for number in merge_tracking_numbers(previously_sent)
                  if number in live]
    return merge_tracking_numbers(still_live, foreign, shipment_numbers)


def foreign_tracking_numbers(known_foreign, feed_numbers, sent_by_us):
    """Numbers read in the feed that Odoo never sent: another system of the supplier added
    them, so every update keeps them."""
    ours = set(merge_tracking_numbers(sent_by_us))
    return merge_tracking_numbers(
        known_foreign, [number for number in merge_tracking_numbers(feed_numbers)
                        if number not in ours])


def decide_status_update(state):
    """The update to send for ``state``, or None when there is nothing to say."""
    if state.cancelled and not any(item.shipped or item.held for item in state.items):
        return _order_update(state, const.STATUS_CANCELLED, message=state.cancel_message)
    if not state.confirmed and not state.cancelled:
        if state.unknown_skus:
            return _order_update(state, state.unknown_sku_status,
                                 message="Unknown SKU: " + ", ".join(state.unknown_skus))
        return None  # not accepted yet: iQmetrix still shows PendingSupplier
    statuses = [item_status(state, item) for item in state.items]
    stated = [status for status in statuses if status is not None]
    if not stated:
        return None
    if len(stated) == len(statuses) and all(status.whole for status in stated) \
            and len({status.status for status in stated}) == 1:
        return _order_level_update(state, stated)
    return _item_update(state, stated)


def item_status(state, item):
    """The ItemStatus of one item, or None when there is nothing to say about it."""
    if item.shipped > 0:
        return _shipped_item_status(state, item)
    if item.held > 0:
        # Shipped needs a tracking number and a carrier: until both are there the item is
        # "in processing", and a number iQmetrix got for it before (a voided label) goes.
        return ItemStatus(item, const.STATUS_ORDERED, int(item.ordered),
                          state.hold_reason, clear_tracking=True)
    if item.cancelled > 0:
        return _cancelled_item_status(state, item)
    if not item.known:
        return ItemStatus(item, state.unknown_sku_status, int(item.ordered),
                          f"Unknown SKU: {item.sku}")
    if state.stock_short and state.stock_short_status is not None:
        return ItemStatus(item, state.stock_short_status, int(item.ordered), WAITING_FOR_STOCK)
    if state.send_ordered:
        return ItemStatus(item, const.STATUS_ORDERED, int(item.ordered))
    return None


def _shipped_item_status(state, item):
    shipped = min(item.shipped, item.ordered)
    message = f"{shipped:g} of {item.ordered:g} shipped"
    status = const.STATUS_PARTIALLY_SHIPPED
    if shipped >= item.ordered:
        status = const.STATUS_SHIPPED
    elif item.cancelled and shipped + item.cancelled >= item.ordered:
        # Nothing more will ship: Shipped for what did, unless the supplier reports the
        # rest as back-ordered (setting).
        if state.cancelled or state.backorder_cancel_status == const.STATUS_CANCELLED:
            status = const.STATUS_SHIPPED
            message += f", {item.cancelled:g} cancelled"
        else:
            message += f", {item.cancelled:g} back-ordered"
    return ItemStatus(item, status, int(shipped), message, shipped=True)


def _cancelled_item_status(state, item):
    cancelled = min(item.cancelled, item.ordered)
    if state.cancelled or state.backorder_cancel_status == const.STATUS_CANCELLED:
        message = state.cancel_message if cancelled >= item.ordered \
            else f"{cancelled:g} of {item.ordered:g} cancelled"
        return ItemStatus(item, const.STATUS_CANCELLED, int(cancelled), message)
    return ItemStatus(item, state.backorder_cancel_status, int(cancelled),
                      BACKORDERED_BY_SUPPLIER)


def _order_level_update(state, stated):
    status = stated[0].status
    if status == const.STATUS_SHIPPED:
        return _order_update(state, status, with_tracking=True)
    messages = {item.message for item in stated}
    return _order_update(state, status, message=messages.pop() if len(messages) == 1 else None,
                         with_tracking=state.tracking_known)


def _order_update(state, status, message=None, with_tracking=False):
    body = {"Id": state.order_id, "Status": status}
    if message:
        body["Message"] = message
    if with_tracking:
        # Stated even when empty: it replaces what iQmetrix has (the guide says to resend
        # every number for that reason), so a withdrawn number goes with it.
        body["TrackingInfo"] = ",".join(state.tracking_numbers)
    if status == const.STATUS_SHIPPED and state.shipping_provider:
        body["ShippingProvider"] = state.shipping_provider
    return StatusUpdate(const.ORDER_STATUS_ENDPOINT, status, body,
                        tuple(state.tracking_numbers) if with_tracking else (),
                        states_tracking=with_tracking)


def _item_update(state, stated):
    """Each item with its own status: what shipped carries every live tracking number of
    the order (so none is overwritten), the rest says why it has not shipped."""
    tracking = ",".join(state.tracking_numbers)
    items = []
    for status in stated:
        item = {"Sku": status.item.sku, "Status": status.status, "Quantity": status.quantity}
        if status.message:
            item["Message"] = status.message
        if status.item.catalog_id:
            item["CatalogId"] = status.item.catalog_id
        if status.item.name:
            item["ProductName"] = status.item.name
        if status.shipped:
            if tracking:
                item["TrackingInfo"] = tracking
            if state.shipping_provider:
                item["ShippingProvider"] = state.shipping_provider
        elif status.clear_tracking:
            item["TrackingInfo"] = ""
        items.append(item)
    states_tracking = any(status.shipped or status.clear_tracking for status in stated)
    return StatusUpdate(const.ITEM_STATUS_ENDPOINT, _summary_status(state, stated),
                        {"Id": state.order_id, "ItemInformation": items},
                        tuple(state.tracking_numbers) if states_tracking else (),
                        states_tracking=states_tracking)


def _summary_status(state, stated):
    if any(status.shipped for status in stated):
        final = len(stated) == len(state.items) and all(
            status.status in FINAL_ITEM_STATUSES for status in stated)
        return const.STATUS_SHIPPED if final else const.STATUS_PARTIALLY_SHIPPED
    present = {status.status for status in stated}
    return next((code for code in SUMMARY_PRIORITY if code in present), stated[0].status)
