"""Shopify orders as resumable paged imports (channel_base.paged_import).

``orders``: incremental by ``updated_at``. Cursor = ``{"since": ISO, "after": page
cursor, "max": newest updatedAt seen}``; a run reads ``orders(query: "updated_at:>=since",
sortKey: UPDATED_AT)`` page by page and the next run starts ``OVERLAP_MINUTES`` before the
newest updatedAt imported (a late writer is not missed; re-reads are idempotent).
``orders_reconcile``: daily, the orders updated in the last two days, the same import, so
an update whose webhook was lost is repaired.
Page size: as many orders as fit under the single-query maximum of 1000 points.
"""

from datetime import datetime, timedelta, UTC

from odoo.addons.channel_base.paged_import import ImportStats, Page, PagedImport

from . import const, mapping
from .client import ShopifyClient, parse_document
from .cost import requested_cost
from .queries import order_by_id_query, order_more_lines_query, orders_query


def orders_page_size():
    """The largest page whose requested cost stays under the single-query maximum."""
    one = requested_cost(parse_document(orders_query(const.LINES_PER_ORDER,
                                          const.SHIPPING_LINES_PER_ORDER)), {"first": 1})
    per_order = max(one - 2, 1)
    return max(1, min(const.MAX_PAGE, (const.MAX_QUERY_COST - 2) // per_order))


def _iso(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fetch_order(credential, order_gid):
    """One order by id (a webhook names it), its lines complete; None if not found."""
    order = ShopifyClient(credential).execute(order_by_id_query(
        const.LINES_PER_ORDER, const.SHIPPING_LINES_PER_ORDER), {"id": order_gid}).get("order")
    if order and mapping.has_more_lines(order):
        _complete_lines(credential, order)
    return order


def _complete_lines(credential, order):
    """Read the lines a page did not show (an order with many lines), in place."""
    client, lines = ShopifyClient(credential), order["lineItems"]
    after = lines["pageInfo"].get("endCursor")
    while after:
        more = client.execute(order_more_lines_query(const.MORE_LINES_PAGE),
                              {"id": order["id"], "after": after})["order"]["lineItems"]
        lines["edges"] += more.get("edges") or []
        info = more.get("pageInfo") or {}
        after = info.get("endCursor") if info.get("hasNextPage") else None
    lines["pageInfo"] = {"hasNextPage": False}


class ShopifyOrdersImport(PagedImport):
    code = const.ORDERS_STREAM
    label = "Orders (updated_at)"

    def start_cursor(self, credential, stored_cursor):
        if isinstance(stored_cursor, dict) and stored_cursor.get("since"):
            return {"since": stored_cursor["since"], "after": None,
                    "max": stored_cursor["since"]}
        start = credential.shopify_order_start_date or datetime.now(UTC) - timedelta(days=30)
        since = _iso(start.replace(tzinfo=UTC) if start.tzinfo is None else start)
        return {"since": since, "after": None, "max": since}

    def fetch_page(self, credential, cursor):
        answer = ShopifyClient(credential).execute(
            orders_query(const.LINES_PER_ORDER, const.SHIPPING_LINES_PER_ORDER),
            {"first": orders_page_size(), "after": cursor.get("after"),
             "query": mapping.orders_search(cursor["since"])})["orders"]
        orders = mapping.nodes(answer)
        for order in orders:
            if mapping.has_more_lines(order):
                _complete_lines(credential, order)
        info = answer.get("pageInfo") or {}
        newest = max([cursor.get("max") or ""] + [o.get("updatedAt") or "" for o in orders])
        next_cursor = {"since": cursor["since"], "after": info.get("endCursor"), "max": newest}
        return Page(items=orders, next_cursor=next_cursor,
                    has_more=bool(info.get("hasNextPage") and info.get("endCursor")))

    def import_items(self, credential, items):
        return ImportStats(**credential._shopify_import_orders(items))

    def finish(self, credential, cursor):
        newest = datetime.strptime(cursor["max"][:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
        return {"since": _iso(newest - timedelta(minutes=const.OVERLAP_MINUTES))}


class ShopifyOrdersReconcile(ShopifyOrdersImport):
    code = const.RECONCILE_STREAM
    label = "Orders reconciliation (last 2 days)"

    def start_cursor(self, credential, stored_cursor):
        since = _iso(datetime.now(UTC) - timedelta(days=const.RECONCILE_DAYS))
        return {"since": since, "after": None, "max": since}

    def finish(self, credential, cursor):
        return {"done": cursor["max"]}
