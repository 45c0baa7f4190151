"""eBay orders as resumable paged imports (Fulfillment API getOrders).

``orders``: ``filter=lastmodifieddate:[since..until]``, ``limit``/``offset`` paging (200 a
page). A run's window ends when it starts (``until``), so the pages of one run do not
shift; the next run starts ``ORDERS_OVERLAP_MINUTES`` before that end, so an order
modified while the last run read is read again (imports are idempotent by orderId).

``open_orders`` (reconciliation): the eBay orders Odoo still holds open (not shipped, not
cancelled), re-read 50 at a time with ``orderIds=``: its cost is proportional to the open
orders, and it repairs what a missed poll lost (a cancellation, a shipment).
"""

from datetime import UTC, datetime, timedelta

from odoo.addons.channel_base.paged_import import ImportStats, Page, PagedImport

from . import const
from .client import EbayClient


def iso_z(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _parse_z(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _page_size(credential):
    return min(max(credential.ebay_orders_page_size or const.ORDERS_PAGE_SIZE, 1), 1000)


class EbayOrdersImport(PagedImport):
    code = const.ORDERS_STREAM
    label = "Orders (by last modified date)"

    def start_cursor(self, credential, stored_cursor):
        now = datetime.now(UTC)
        if isinstance(stored_cursor, dict) and stored_cursor.get("since"):
            since = _parse_z(stored_cursor["since"]) - timedelta(
                minutes=max(credential.ebay_orders_overlap_minutes, 0))
        else:
            since = now - timedelta(days=const.ORDERS_FIRST_RUN_DAYS)
        return {"since": iso_z(since), "until": iso_z(now), "offset": 0}

    def fetch_page(self, credential, cursor):
        answer = EbayClient(credential).call("GET", const.FULFILLMENT + "/order", params={
            "filter": f"lastmodifieddate:[{cursor['since']}..{cursor['until']}]",
            "limit": _page_size(credential), "offset": cursor["offset"]}) or {}
        orders = answer.get("orders") or []
        offset = cursor["offset"] + len(orders)
        total = int(answer.get("total") or 0)
        has_more = bool(orders) and (bool(answer.get("next")) or offset < total)
        return Page(items=orders, next_cursor=dict(cursor, offset=offset), has_more=has_more,
                    items_left=max(total - offset, 0))

    def import_items(self, credential, items):
        return ImportStats(**credential._ebay_import_orders(items))

    def finish(self, credential, cursor):
        return {"since": cursor["until"]}


class EbayOpenOrdersImport(PagedImport):
    code = const.OPEN_ORDERS_STREAM
    label = "Open orders (reconciliation)"

    def start_cursor(self, credential, stored_cursor):
        return {"after_id": 0}

    def fetch_page(self, credential, cursor):
        sales = credential._ebay_open_orders(cursor["after_id"], const.ORDER_IDS_PER_CALL)
        if not sales:
            return Page(items=[], next_cursor=cursor, has_more=False)
        answer = EbayClient(credential).call("GET", const.FULFILLMENT + "/order", params={
            "orderIds": ",".join(sales.mapped("channel_external_id"))}) or {}
        return Page(items=answer.get("orders") or [],
                    next_cursor={"after_id": sales[-1].id},
                    has_more=len(sales) == const.ORDER_IDS_PER_CALL)

    def import_items(self, credential, items):
        return ImportStats(**credential._ebay_import_orders(items))

    def finish(self, credential, cursor):
        return {"after_id": 0}



