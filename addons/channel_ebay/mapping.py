"""eBay payloads to Odoo values and back: pure functions, no ORM.

Field names are those of the Sell Inventory v1 / Fulfillment v1 OpenAPI files
(``InventoryItem``, ``EbayOfferDetailsWithKeys``, ``BulkPriceQuantity``, ``Order``,
``ShippingFulfillmentDetails``) and of the Trading API XML reference
(``ReviseInventoryStatus``, ``ReviseFixedPriceItem``, ``GetMemberMessages``,
``AddMemberMessageRTQ``).
"""

import hashlib
import json
from urllib.parse import urlencode

from lxml import etree

from odoo.addons.channel_base.tools import parse_timestamp

from . import const

NS = const.TRADING_NS


# ---------------------------------------------------------------------- OAuth


def authorization_url(auth_base, app_id, runame, scopes, state):
    """The consent page (developer.ebay.com/support/kb-article?KBid=5075)."""
    query = urlencode({"client_id": app_id, "redirect_uri": runame, "response_type": "code",
                       "scope": " ".join(scopes), "state": state})
    return f"{auth_base}{const.AUTHORIZE_PATH}?{query}"


def challenge_response(challenge_code, verification_token, endpoint):
    """Marketplace Account Deletion challenge: hex SHA-256 of code + token + endpoint, in
    that order (event-notification-nodejs-sdk ``generateChallengeResponse``)."""
    digest = hashlib.sha256()
    for part in (challenge_code, verification_token, endpoint):
        digest.update(part.encode("utf-8"))
    return digest.hexdigest()


# ---------------------------------------------------------------------- errors


def errors_text(errors):
    """``errors[]`` of an eBay answer as one line: ``errorId domain/category: message``."""
    texts = []
    for error in errors or ():
        if isinstance(error, dict):
            texts.append(f"{error.get('errorId')} {error.get('domain') or ''}/"
                         f"{error.get('category') or ''}: "
                         f"{error.get('longMessage') or error.get('message') or ''}".strip())
    return "; ".join(texts)


def trading_ack(root):
    """(Ack, [{code, short, long, severity}]) of a Trading answer."""
    ack = root.findtext(f"{{{NS}}}Ack") or ""
    errors = [{"code": node.findtext(f"{{{NS}}}ErrorCode") or "",
               "short": node.findtext(f"{{{NS}}}ShortMessage") or "",
               "long": node.findtext(f"{{{NS}}}LongMessage") or "",
               "severity": node.findtext(f"{{{NS}}}SeverityCode") or ""}
              for node in root.findall(f"{{{NS}}}Errors")]
    return ack, errors


def trading_errors_text(errors):
    return "; ".join(f"{e['code']}: {e['long'] or e['short']}" for e in errors
                     if e["severity"] != "Warning") or "no error detail"


# ---------------------------------------------------------------------- listings


def chunks(items, size=const.BULK_MAX):
    return [items[start:start + size] for start in range(0, len(items), size)]


def inventory_item_request(listing, locale):
    """One ``requests[]`` entry of bulkCreateOrReplaceInventoryItem (a full replace).
    ``listing``: sku, title, description, aspects, image_urls, condition, quantity, brand, mpn."""
    product = {"title": (listing["title"] or "")[:80], "aspects": listing.get("aspects") or {}}
    for key, name in (("description", "description"), ("brand", "brand"), ("mpn", "mpn")):
        if listing.get(key):
            product[name] = listing[key]
    if listing.get("image_urls"):
        product["imageUrls"] = listing["image_urls"]
    if listing.get("upc"):
        product["upc"] = [listing["upc"]]
    return {"sku": listing["sku"], "locale": locale.replace("-", "_"), "product": product,
            "condition": listing.get("condition") or "NEW",
            "availability": {"shipToLocationAvailability": {
                "quantity": int(max(listing.get("quantity") or 0, 0))}}}


def aspects_of(attribute_values):
    """Item specifics from (attribute name, value name) pairs: ``{name: [values]}`` with
    eBay's limits (name ≤ 40 chars, value ≤ 50 chars)."""
    aspects = {}
    for name, value in attribute_values:
        values = aspects.setdefault(name[:40], [])
        if value[:50] not in values:
            values.append(value[:50])
    return aspects


def offer_body(listing, settings):
    """createOffer / bulkCreateOffer entry. ``settings``: marketplace_id, currency,
    fulfillment_policy_id, payment_policy_id, return_policy_id, merchant_location_key."""
    return {
        "sku": listing["sku"], "marketplaceId": settings["marketplace_id"],
        "format": "FIXED_PRICE", "availableQuantity": int(max(listing.get("quantity") or 0, 0)),
        "categoryId": listing.get("category_id") or "",
        "listingDescription": listing.get("description") or listing["title"],
        "listingDuration": listing.get("listing_duration") or "GTC",
        "listingPolicies": {"fulfillmentPolicyId": settings["fulfillment_policy_id"],
                            "paymentPolicyId": settings["payment_policy_id"],
                            "returnPolicyId": settings["return_policy_id"]},
        "merchantLocationKey": settings["merchant_location_key"],
        "pricingSummary": {"price": amount(listing.get("price"), settings["currency"])},
    }


def update_offer_body(listing, settings):
    """updateOffer (``EbayOfferDetailsWithId``): the whole offer, as it replaces it; the
    keys ``sku``, ``marketplaceId`` and ``format`` are not part of that type."""
    body = offer_body(listing, settings)
    for key in ("sku", "marketplaceId", "format"):
        body.pop(key)
    return body


def offer_fingerprint(body):
    """A stable digest of an offer body (its quantity aside: bulkUpdatePriceQuantity
    sends that): an unchanged offer is not sent again."""
    content = {key: value for key, value in body.items() if key != "availableQuantity"}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def group_chunks(groups, size=const.BULK_MAX):
    """``groups`` (lists of ids that belong together, e.g. a template's variants) packed
    into chunks of about ``size`` ids, a group never split (a larger one is one chunk)."""
    chunked, current = [], []
    for group in groups:
        if current and len(current) + len(group) > size:
            chunked.append(current)
            current = []
        current = current + list(group)
    if current:
        chunked.append(current)
    return chunked


def inventory_item_group_body(group):
    """createOrReplaceInventoryItemGroup (``InventoryItemGroup``). ``group``: key, title,
    description, image_urls, variant_skus, aspects (common to every variant),
    specifications ({aspect name: [values]}: where the variants differ) and
    image_aspect (the aspect the images vary by, or None)."""
    body = {"inventoryItemGroupKey": group["key"], "title": (group["title"] or "")[:80],
            "description": group.get("description") or group["title"],
            "aspects": group.get("aspects") or {},
            "variantSKUs": list(group["variant_skus"]),
            "variesBy": {"specifications": [{"name": name, "values": values}
                                            for name, values in group["specifications"].items()],
                         "aspectsImageVariesBy": [group["image_aspect"]]
                         if group.get("image_aspect") else []}}
    if group.get("image_urls"):
        body["imageUrls"] = group["image_urls"]
    return body


def group_problem(group):
    """Why ``group`` cannot be a multi-variation listing, or None."""
    if len(group["variant_skus"]) < 2:
        return f"{group['key']}: a multi-variation listing needs two variants with a SKU."
    if not group["specifications"]:
        return f"{group['key']}: no attribute makes the variants differ."
    return None


def amount(value, currency):
    return {"value": f"{float(value or 0):.2f}", "currency": currency}


def price_quantity_request(sku, quantity, offer_id=None, price=None, currency="USD"):
    """One ``requests[]`` entry of bulkUpdatePriceQuantity."""
    entry = {"sku": sku, "shipToLocationAvailability": {"quantity": int(max(quantity, 0))}}
    if offer_id:
        offer = {"offerId": offer_id, "availableQuantity": int(max(quantity, 0))}
        if price is not None:
            offer["price"] = amount(price, currency)
        entry["offers"] = [offer]
    return entry


def listing_problem(listing):
    """Why ``listing`` cannot be listed (eBay would refuse it), or None."""
    if not listing.get("sku"):
        return "The product has no internal reference (eBay's SKU)."
    if not listing.get("category_id"):
        return f"{listing['sku']}: no eBay category (product or category mapping)."
    if not listing.get("image_urls"):
        return f"{listing['sku']}: eBay publishes a listing with at least one image URL."
    return None


def _sub(parent, tag, text=None):
    node = etree.SubElement(parent, f"{{{NS}}}{tag}")
    if text is not None:
        node.text = str(text)
    return node


def trading_request(call_name):
    return etree.Element(f"{{{NS}}}{call_name}Request", nsmap={None: NS})


def revise_inventory_status(entries):
    """ReviseInventoryStatus (≤ 4 entries of {item_id, sku, quantity, price})."""
    root = trading_request("ReviseInventoryStatus")
    for entry in entries[:const.REVISE_STATUS_MAX]:
        status = _sub(root, "InventoryStatus")
        if entry.get("item_id"):
            _sub(status, "ItemID", entry["item_id"])
        if entry.get("sku") and (entry.get("variation") or not entry.get("item_id")):
            _sub(status, "SKU", entry["sku"])
        _sub(status, "Quantity", int(max(entry["quantity"], 0)))
        if entry.get("price") is not None:
            _sub(status, "StartPrice", f"{float(entry['price']):.2f}")
    return root


def revise_fixed_price_item(item_id, title=None, quantity=None, price=None):
    root = trading_request("ReviseFixedPriceItem")
    item = _sub(root, "Item")
    _sub(item, "ItemID", item_id)
    if title:
        _sub(item, "Title", title[:80])
    if quantity is not None:
        _sub(item, "Quantity", int(max(quantity, 0)))
    if price is not None:
        _sub(item, "StartPrice", f"{float(price):.2f}")
    return root


def inventory_statuses(root):
    """{ItemID or SKU: {item_id, sku}} of a ReviseInventoryStatus answer."""
    return [{"item_id": node.findtext(f"{{{NS}}}ItemID"), "sku": node.findtext(f"{{{NS}}}SKU")}
            for node in root.findall(f"{{{NS}}}InventoryStatus")]


# ---------------------------------------------------------------------- messages


def get_member_messages(start, end):
    root = trading_request("GetMemberMessages")
    _sub(root, "MailMessageType", "All")
    _sub(root, "MessageStatus", "Unanswered")
    _sub(root, "StartCreationTime", start)
    _sub(root, "EndCreationTime", end)
    return root


def member_messages(root):
    """[{message_id, sender, body, item_id, created, subject}] of a GetMemberMessages answer."""
    messages = []
    for node in root.iter(f"{{{NS}}}MemberMessageExchange"):
        question = node.find(f"{{{NS}}}Question")
        if question is None:
            continue
        messages.append({
            "message_id": question.findtext(f"{{{NS}}}MessageID"),
            "sender": question.findtext(f"{{{NS}}}SenderID"),
            "body": question.findtext(f"{{{NS}}}Body") or "",
            "subject": question.findtext(f"{{{NS}}}Subject") or "",
            "item_id": node.findtext(f"{{{NS}}}Item/{{{NS}}}ItemID"),
            "created": node.findtext(f"{{{NS}}}CreationDate"),
        })
    return messages


def add_member_message_rtq(item_id, parent_message_id, recipient, body):
    root = trading_request("AddMemberMessageRTQ")
    if item_id:
        _sub(root, "ItemID", item_id)
    message = _sub(root, "MemberMessage")
    _sub(message, "Body", body[:2000])
    _sub(message, "ParentMessageID", parent_message_id)
    _sub(message, "RecipientID", recipient)
    return root


# ---------------------------------------------------------------------- orders


def orders_filter(since_iso):
    """``filter=lastmodifieddate:[since..]`` (requests percent-encodes the brackets)."""
    return f"lastmodifieddate:[{since_iso}..]"


def order_id(order):
    return str(order.get("orderId") or "")


def order_skus(order):
    return [line.get("sku") for line in order.get("lineItems") or []]


def ship_to(order):
    for instruction in order.get("fulfillmentStartInstructions") or []:
        ship = (instruction.get("shippingStep") or {}).get("shipTo")
        if ship:
            return ship
    return {}


def order_problem(order, unknown_skus, source_tz=None):
    """Why ``order`` cannot become a sale order as it is, or None."""
    key = order_id(order)
    if not key:
        return "Order without an orderId."
    try:
        parse_timestamp(order.get("creationDate"), source_tz)
    except ValueError as error:  # NaiveTimestampError is a ValueError
        return f"Order {key}: creationDate refused: {error}"
    if not (order.get("buyer") or {}).get("username"):
        return f"Order {key} has no buyer username."
    address = ship_to(order).get("contactAddress") or {}
    if not address.get("addressLine1") or not address.get("city"):
        return f"Order {key} has no complete ship-to address (addressLine1, city)."
    if not order.get("lineItems"):
        return f"Order {key} has no line items."
    unknown = [sku for sku in order_skus(order) if sku in unknown_skus]
    if unknown:
        return "Unknown SKU: " + ", ".join(str(sku) if sku else "(empty)" for sku in unknown)
    return None


def address_of(order):
    """The ship-to in channel.mapping's address form. ``countryCode`` (live answers) or
    ``country`` (the OAS ``Address`` type): both are read."""
    ship = ship_to(order)
    address = ship.get("contactAddress") or {}
    return {
        "name": ship.get("fullName") or (order.get("buyer") or {}).get("username"),
        "company_name": ship.get("companyName"),
        "email": ship.get("email"),
        "phone": (ship.get("primaryPhone") or {}).get("phoneNumber"),
        "street": address.get("addressLine1"),
        "street2": address.get("addressLine2"),
        "city": address.get("city"),
        "zip": address.get("postalCode"),
        "state": address.get("stateOrProvince"),
        "country": address.get("countryCode") or address.get("country") or "US",
    }


def money(value):
    try:
        return float((value or {}).get("value") or 0.0)
    except (TypeError, ValueError):
        return 0.0


def is_cancelled(order):
    return (order.get("cancelStatus") or {}).get("cancelState") == "CANCELED"


def is_shipped(order):
    return order.get("orderFulfillmentStatus") == "FULFILLED"


def sale_order_values(order, credential_id, partner_id, shipping_id, product_ids,
                      source_tz=None):
    """``sale.order`` create values; ``product_ids`` maps SKU to product id."""
    summary = order.get("pricingSummary") or {}
    values = {
        "ebay_created_at": parse_timestamp(order.get("creationDate"), source_tz),
        "partner_id": partner_id,
        "partner_shipping_id": shipping_id,
        "channel_credential_id": credential_id,
        "channel_external_id": order_id(order),
        "channel_external_ref": order.get("legacyOrderId") or order.get("salesRecordReference"),
        "client_order_ref": order.get("salesRecordReference") or order_id(order),
        "channel_sync_state": "synced",
        "ebay_buyer_username": (order.get("buyer") or {}).get("username"),
        "ebay_last_modified": order.get("lastModifiedDate"),
        "ebay_fulfillment_status": order.get("orderFulfillmentStatus"),
        "ebay_total": money(summary.get("total")),
        "ebay_marketplace_fee": money(order.get("totalMarketplaceFee")),
        "ebay_delivery_cost": money(summary.get("deliveryCost")),
        "order_line": [(0, 0, line_values(line, product_ids))
                       for line in order.get("lineItems") or []],
    }
    return values


def line_values(line, product_ids):
    quantity = line.get("quantity") or 0
    values = {"product_id": product_ids[line["sku"]], "product_uom_qty": quantity,
              "ebay_line_item_id": line.get("lineItemId"), "ebay_sku": line.get("sku")}
    cost = money(line.get("lineItemCost"))
    if quantity:
        values["price_unit"] = cost / quantity
    return values


def shipping_fulfillment_body(line_items, carrier_code, tracking_number, shipped_date):
    """createShippingFulfillment; ``line_items``: [(lineItemId, quantity)]."""
    return {"lineItems": [{"lineItemId": key, "quantity": int(quantity)}
                          for key, quantity in line_items if quantity > 0],
            "shippedDate": shipped_date, "shippingCarrierCode": carrier_code,
            "trackingNumber": tracking_number}
