"""The ShipHero streams as resumable paged imports (channel_base/paged_import.py).

Orders: ``orders(updated_from)`` walked page by page with its Relay cursor. The first run
is the backfill (the last ``shiphero_backfill_days`` days); every later run starts at the
previous run's start minus the overlap window, so an order updated while a run walked the
pages is read again (the upsert is idempotent). The cursor committed with each page holds
the run's window and the page's ``endCursor``: a crash resumes at the first uncommitted
page, and the watermark (``next_since``) is only stored once the last page is committed.
"""

from datetime import datetime, timedelta

from odoo import fields

from odoo.addons.channel_base.paged_import import ImportStats, Page, PagedImport

from . import const, mapping, queries
from .client import ShipheroClient

ISO = "%Y-%m-%dT%H:%M:%S"


def _iso(moment):
    return moment.strftime(ISO)


class _WindowedImport(PagedImport):
    """A listing filtered from a moment (``since``), walked with its Relay cursor."""

    document = None
    result_key = None
    since_variable = None

    #: Ask each node's line items with ``first`` = the most lines seen on the previous
    #: page (the cursor's ``lines``) instead of LINES_PER_ORDER: the estimate ShipHero
    #: checks the bucket against is then close to what the page is charged (the rows
    #: returned), so the bucket is not held back for lines that never come.
    adaptive_lines = False

    def lines(self, cursor):
        return (cursor or {}).get("lines") or const.LINES_PER_ORDER

    def per_item_cost(self, credential, cursor=None):
        return 1 + self.lines(cursor)

    def start_cursor(self, credential, stored_cursor):
        now = fields.Datetime.now()
        if isinstance(stored_cursor, dict) and stored_cursor.get("next_since"):
            since = datetime.strptime(stored_cursor["next_since"], ISO) - timedelta(
                minutes=credential.shiphero_overlap_minutes)
        else:
            since = now - timedelta(days=credential.shiphero_backfill_days)
        return {"since": _iso(since), "started": _iso(now), "after": None}

    def variables(self, credential, cursor):
        values = {self.since_variable: cursor["since"], "after": cursor.get("after"),
                  "lines": self.lines(cursor)}
        if credential.shiphero_customer_account_id and self.since_variable == "updated_from":
            values["customer_account_id"] = credential.shiphero_customer_account_id
        return values

    def fetch_page(self, credential, cursor):
        """One page; the credits its answer left go into the next cursor (``credits``),
        so the next page needs no ``user_quota`` question when they pay it."""
        client = ShipheroClient(credential)
        data = client.page(
            self.document, self.variables(credential, cursor),
            self.per_item_cost(credential, cursor),
            wanted=credential.shiphero_page_size or const.MAX_PAGE,
            known=cursor.get("credits"),
            resume_key=f"{self.code}:{cursor.get('started')}:{cursor.get('after')}")
        connection = (data.get(self.result_key) or {}).get("data")
        has_more, end_cursor = mapping.page_info(connection)
        items = mapping.nodes(connection)
        next_cursor = dict(cursor, after=end_cursor or cursor.get("after"),
                           credits=client.credits_after(data.get(self.result_key)))
        if self.adaptive_lines:
            lines = self.lines(cursor)
            if lines < const.LINES_PER_ORDER and any(map(mapping.lines_truncated, items)):
                # An order has more lines than asked: the same page again with them all.
                return Page(items=[], has_more=True, next_cursor=dict(
                    cursor, lines=const.LINES_PER_ORDER,
                    credits=client.credits_after(data.get(self.result_key))))
            next_cursor["lines"] = mapping.lines_wanted(items, const.LINES_PER_ORDER)
        return Page(items=items, next_cursor=next_cursor,
                    has_more=has_more and bool(end_cursor))

    def finish(self, credential, cursor):
        return {"next_since": cursor["started"]}


class ShipheroOrdersImport(_WindowedImport):
    code = const.ORDERS_STREAM
    label = "Orders (backfill, then every few minutes)"
    document = queries.ORDERS_PAGE
    result_key = "orders"
    since_variable = "updated_from"
    adaptive_lines = True

    def import_items(self, credential, items):
        return ImportStats(**credential._shiphero_import_orders(items, source="import"))


class ShipheroShipmentsImport(_WindowedImport):
    code = const.SHIPMENTS_STREAM
    label = "Shipments (backfill, then every few minutes)"
    document = queries.SHIPMENTS_PAGE
    result_key = "shipments"
    since_variable = "date_from"

    def import_items(self, credential, items):
        return ImportStats(**credential._shiphero_import_shipments(
            [mapping.shipment_of_node(item) for item in items], source="import"))


class ShipheroProductsImport(_WindowedImport):
    code = const.PRODUCTS_STREAM
    label = "Products and inventory"
    document = queries.PRODUCTS_PAGE
    result_key = "products"
    since_variable = "updated_from"

    def per_item_cost(self, credential, cursor=None):
        return 1

    def start_cursor(self, credential, stored_cursor):
        cursor = super().start_cursor(credential, stored_cursor)
        if not stored_cursor:  # every product the first time, not a week of them
            cursor["since"] = None
        return cursor

    def variables(self, credential, cursor):
        values = super().variables(credential, cursor)
        values.pop("lines")
        return values

    def import_items(self, credential, items):
        return ImportStats(**credential._shiphero_import_products(items))


class ShipheroReconcileImport(PagedImport):
    """Hourly: every unfulfilled order again (cost grows with open orders only), with its
    shipments and allocations; what the webhooks or imports missed is repaired. It keeps
    ``RECONCILE_RESERVE`` credits for webhooks and the incremental sync."""

    code = const.RECONCILE_STREAM
    label = "Reconciliation of open orders (hourly)"

    def start_cursor(self, credential, stored_cursor):
        return {"after": None, "started": _iso(fields.Datetime.now())}

    def fetch_page(self, credential, cursor):
        variables = {"after": cursor.get("after"), "lines": const.LINES_PER_ORDER}
        if credential.shiphero_customer_account_id:
            variables["customer_account_id"] = credential.shiphero_customer_account_id
        per_item = 1 + const.LINES_PER_ORDER * 2  # the order's lines and its shipments' lines
        data = ShipheroClient(credential).page(
            queries.OPEN_ORDERS_PAGE, variables, per_item,
            wanted=credential.shiphero_page_size or const.MAX_PAGE,
            reserve=const.RECONCILE_RESERVE)
        connection = (data.get("orders") or {}).get("data")
        has_more, end_cursor = mapping.page_info(connection)
        return Page(items=mapping.nodes(connection),
                    next_cursor=dict(cursor, after=end_cursor or cursor.get("after")),
                    has_more=has_more and bool(end_cursor))

    def import_items(self, credential, items):
        return ImportStats(**credential._shiphero_reconcile_orders(items))

    def finish(self, credential, cursor):
        """Open orders in Odoo the listing did not show changed status at ShipHero (a lost
        webhook): each is read again (``order(id)``)."""
        credential._shiphero_refresh_unseen_orders(cursor["started"])
        return {"after": None, "last_run": cursor["started"]}
