"""Which pages of IQR's order listing a run reads: the "orders" stream.

IQR documents no date or status filter and public code found only SortBy=0 working, which
lists orders oldest first (README, "Paging"). Reading every page on every run costs one
request per 25 orders of the whole history, so a run starts where the previous one found
the import window (the stored ``ListingCursor``), pages back until a page is entirely
older than the window, then forward to the end. The whole listing is read again when
there is no cursor, when the paging settings changed, and once every FULL_READ_HOURS (an
order edited into the window far back in the listing is caught then).

Each page is one job of the shared paged import (channel_base/paged_import.py): the run
cursor (a dict, see ``OrderListingImport.start_cursor``) says which page comes next and
what the run has seen, so a run killed at any page resumes at that page.
"""

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from odoo import fields

from odoo.addons.channel_base.exceptions import PermanentError
from odoo.addons.channel_base.paged_import import ImportStats, Page, PagedImport

from . import mapping
from .client import IQResellerClient
from .const import MAX_PAGES, ORDERS_STREAM

FULL_READ_HOURS = 24
DETECTION_PAGE_SIZE = 1


@dataclass
class ListingCursor:
    """Where the next run starts: stored as the stream's cursor between runs."""

    offset: int  # orders before the first page that held an order of the window
    page_size: int
    first_page: int
    sort_by: int
    full_read_at: str  # naive UTC, ISO format

    @classmethod
    def parse(cls, value):
        """The stored cursor (a dict, or its JSON text), or None (nothing stored, or an
        older format)."""
        if isinstance(value, str):
            value = PagedImport.load_cursor(value)
        try:
            cursor = cls(**value)
            datetime.fromisoformat(cursor.full_read_at)
        except (TypeError, ValueError):  # then the next run reads everything
            return None
        numbers = (cursor.offset, cursor.page_size, cursor.first_page, cursor.sort_by)
        if not all(isinstance(number, int) for number in numbers) or cursor.page_size < 1:
            return None
        return cursor

    def fits(self, page_size, first_page, sort_by, now):
        full_read_at = datetime.fromisoformat(self.full_read_at)
        return (self.page_size, self.first_page, self.sort_by) == (
            page_size, first_page, sort_by) and now - full_read_at < timedelta(
            hours=FULL_READ_HOURS) and self.offset >= 0 and self.offset % page_size == 0


@dataclass
class SaleWindow:
    """Whether the orders of a page are in the import window (by sale date)."""

    start: datetime  # naive UTC
    sale_date: object  # so -> naive UTC datetime or None

    def dates(self, orders):
        return [date for date in map(self.sale_date, orders) if date]

    def has_recent(self, orders):
        return any(date >= self.start for date in self.dates(orders))

    def entirely_before(self, orders):
        dates = self.dates(orders)
        return bool(dates) and max(dates) < self.start

    def reaches_before(self, orders):
        """A newest-first page whose oldest order is older than the window: the last."""
        dates = self.dates(orders)
        return bool(dates) and min(dates) < self.start


# ---------------------------------------------------------------------- run cursor steps
# Pure functions of the run cursor: what comes after the page just read.

def noted(run, offset, orders, window):
    """The run cursor after reading ``orders`` at ``offset``: the lowest page holding
    an order of the window and the last page holding any order."""
    run = dict(run)
    if window.has_recent(orders) and (run["lowest_recent"] is None
                                      or offset < run["lowest_recent"]):
        run["lowest_recent"] = offset
    if orders and (run["last_offset"] is None or offset > run["last_offset"]):
        run["last_offset"] = offset
    return run


def after_forward_page(run, orders, window):
    """``(run cursor, more pages)`` after a page read going forward: the listing ends
    at a short page (newest first: at a page reaching before the window)."""
    first = mapping.order_id(orders[0]) if orders else None
    if first is not None and first == run["previous_first"]:
        raise PermanentError(
            f"IQ Reseller returned the same page twice (soid {first}): check the first "
            "page number and page size settings.")
    if run["pages"] >= MAX_PAGES:
        raise PermanentError(f"IQ Reseller listing did not end after {MAX_PAGES} pages.")
    more = len(orders) >= run["page_size"] and not (
        run["mode"] == "newest_first" and window.reaches_before(orders))
    return dict(run, previous_first=first, offset=run["offset"] + len(orders)), more


def after_incremental_page(run, orders, window):
    """``(run cursor, more pages)`` in an incremental run: the cursor's page, the pages
    before it back to one entirely older than the window (or the first), then the pages
    after it to the end (when the cursor's page was full)."""
    if run["phase"] == "at_cursor":
        run = dict(run, at_cursor_full=len(orders) >= run["page_size"])
    if run["offset"] > 0 and not window.entirely_before(orders):
        return dict(run, phase="back", offset=run["offset"] - run["page_size"]), True
    if run["at_cursor_full"]:
        return dict(run, phase="forward", previous_first=None,
                    offset=run["start_offset"] + run["page_size"]), True
    return run, False


def next_listing_cursor(run):
    """The ``ListingCursor`` (as a dict) the next run starts from."""
    offset = run["lowest_recent"] if run["lowest_recent"] is not None \
        else run["last_offset"] or 0
    size = run["listing_page_size"]
    return asdict(ListingCursor(
        offset=offset - offset % size, page_size=size, first_page=run["first_page"],
        sort_by=run["sort_by"], full_read_at=run["full_read_at"]))


# ---------------------------------------------------------------------- the stream

class OrderListingImport(PagedImport):
    """One listing page per job; its new or changed orders are queued, in the same
    transaction, as import jobs of that page (``_iqr_import_page``)."""

    code = ORDERS_STREAM
    label = "Orders"

    def __init__(self):
        self.first_page_found = None  # set by fetch_page, acted on by import_items
        self.details = {}

    def start_cursor(self, credential, stored_cursor):
        """The run cursor of a new run (a run cursor stored by a run that stopped is
        resumed as it is)."""
        if isinstance(stored_cursor, dict) and "mode" in stored_cursor:
            return stored_cursor
        now = fields.Datetime.now()
        size = credential.iqr_page_size or 25
        run = {"listing_page_size": size, "page_size": size, "offset": 0, "phase": "forward",
               "first_page": credential.iqr_first_page, "sort_by": credential.iqr_sort_by,
               "full_read_at": now.isoformat(), "lowest_recent": None, "last_offset": None,
               "previous_first": None, "pages": 0, "detect": True}
        stored = ListingCursor.parse(stored_cursor)
        usable = stored is not None and stored.fits(size, run["first_page"], run["sort_by"],
                                                    now)
        if credential.iqr_sorted_newest_first:
            return dict(run, mode="newest_first", detect=not usable)
        if usable:
            return dict(run, mode="incremental", phase="at_cursor", detect=False,
                        offset=stored.offset, start_offset=stored.offset,
                        full_read_at=stored.full_read_at)
        return dict(run, mode="full")

    def fetch_page(self, credential, cursor):
        if not (isinstance(cursor, dict) and "mode" in cursor):
            # A run resumed after its first page failed for good: the stored cursor is
            # still where the previous run finished.
            cursor = self.start_cursor(credential, cursor)
        client = IQResellerClient(credential)
        run = self._detected(client, cursor) if cursor["detect"] else cursor
        window = credential._iqr_sale_window()
        orders, page_size = client.read_page(run["offset"], run["page_size"],
                                             run["first_page"], run["sort_by"])
        run = noted(dict(run, page_size=page_size, pages=run["pages"] + 1),
                    run["offset"], orders, window)
        step = after_incremental_page if run["phase"] in ("at_cursor", "back") \
            else after_forward_page
        run, more = step(run, orders, window)
        self.details = {"api_calls": client.call_count, "listing": run["mode"]}
        if client.page_size_reductions:
            self.details["page_size_reduced_to"] = page_size
        return Page(items=orders, next_cursor=run, has_more=more)

    def _detected(self, client, run):
        """Check the page numbering before a full read: two requests of one order each
        (small pages never time out), against a page of orders skipped or read twice."""
        first, _read = client.detect_first_page(DETECTION_PAGE_SIZE, run["sort_by"])
        if first is not None and first != run["first_page"]:
            self.first_page_found = first
            return dict(run, first_page=first, detect=False)
        return dict(run, detect=False)

    def import_items(self, credential, items):
        if self.first_page_found is not None:
            self.details["first_page_warning"] = credential._iqr_correct_first_page(
                self.first_page_found)
        stats = credential._iqr_import_page(items)
        return ImportStats(created=stats["queued"], skipped=len(items) - stats["queued"],
                           details=dict(stats, **self.details))

    def finish(self, credential, cursor):
        """The run read its last page: end the account's session at IQR (a tracking push
        running meanwhile is refused and signs in again once) and keep where the next
        run starts."""
        IQResellerClient(credential).end_session()
        return next_listing_cursor(cursor)
