"""Which pages of IQR's order listing a poll reads.

IQR documents no date or status filter and public code found only SortBy=0 working, which
lists orders oldest first (README, "Paging"). Reading every page on every poll costs one
request per 25 orders of the whole history, so a poll starts where the previous one found
the import window (the cursor), pages back until a page is entirely older than the window,
then forward to the end. The whole listing is read again when there is no cursor, when
the paging settings changed, and once every FULL_READ_HOURS (an order edited into the
window far back in the listing is caught then).
"""

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

FULL_READ_HOURS = 24
DETECTION_PAGE_SIZE = 1


@dataclass
class ListingCursor:
    offset: int  # orders before the first page that held an order of the window
    page_size: int
    first_page: int
    sort_by: int
    full_read_at: str  # naive UTC, ISO format

    @classmethod
    def parse(cls, text):
        """The cursor stored as JSON, or None (nothing stored, or an older format)."""
        try:
            cursor = cls(**json.loads(text or ""))
            datetime.fromisoformat(cursor.full_read_at)
        except (TypeError, ValueError):  # then the next poll reads everything
            return None
        numbers = (cursor.offset, cursor.page_size, cursor.first_page, cursor.sort_by)
        if not all(isinstance(number, int) for number in numbers) or cursor.page_size < 1:
            return None
        return cursor

    def dumps(self):
        return json.dumps(asdict(self), sort_keys=True)

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


class OrderListingWalk:
    """Yields the pages (lists of SOs) one poll reads; afterwards ``next_cursor()`` is
    where the next poll starts and ``first_page_found`` is set when the pages turned
    out to be numbered otherwise than configured."""

    def __init__(self, client, window, *, page_size, first_page, sort_by, newest_first,
                 cursor, now):
        self.client = client
        self.window = window
        self.page_size = page_size
        self.first_page = first_page
        self.sort_by = sort_by
        self.newest_first = newest_first
        self.cursor = cursor
        self.now = now
        self.mode = None  # 'full', 'incremental' or 'newest_first'
        self.first_page_found = None
        self._lowest_recent = None
        self._last_offset = None

    def pages(self):
        usable = self.cursor is not None and self.cursor.fits(
            self.page_size, self.first_page, self.sort_by, self.now)
        if not usable:
            self._detect_first_page()
        if self.newest_first:
            self.mode = "newest_first"
            yield from self._forward(0, stop_at_window=True)
        elif usable:
            self.mode = "incremental"
            yield from self._incremental(self.cursor.offset)
        else:
            self.mode = "full"
            yield from self._forward(0)

    def next_cursor(self):
        offset = self._lowest_recent if self._lowest_recent is not None \
            else self._last_offset or 0
        full_read_at = self.now if self.mode != "incremental" else datetime.fromisoformat(
            self.cursor.full_read_at)
        return ListingCursor(
            offset=offset - offset % self.page_size, page_size=self.page_size,
            first_page=self.first_page, sort_by=self.sort_by,
            full_read_at=full_read_at.isoformat(),
        )

    # ------------------------------------------------------------------ strategies

    def _detect_first_page(self):
        """Check the page numbering before a full read: two requests of one order each
        (small pages never time out), against a page of orders skipped or read twice."""
        first, _read = self.client.detect_first_page(DETECTION_PAGE_SIZE, self.sort_by)
        if first is not None and first != self.first_page:
            self.first_page_found = self.first_page = first

    def _forward(self, start_offset, stop_at_window=False):
        for offset, orders in self.client.iter_order_pages(
                self.page_size, self.first_page, self.sort_by, start_offset):
            self._note(offset, orders)
            yield orders
            if stop_at_window and self.window.reaches_before(orders):
                return

    def _incremental(self, start_offset):
        """The cursor's page, the pages before it back to one entirely older than the
        window (or the first), then the pages after it to the end."""
        at_cursor = self._read(start_offset)
        yield at_cursor
        offset, orders = start_offset, at_cursor
        while offset > 0 and not self.window.entirely_before(orders):
            offset -= self.page_size
            orders = self._read(offset)
            yield orders
        if len(at_cursor) >= self.page_size:
            yield from self._forward(start_offset + self.page_size)

    def _read(self, offset):
        orders = self.client.fetch_orders_page(
            self.first_page + offset // self.page_size, self.page_size, self.sort_by)
        self._note(offset, orders)
        return orders

    def _note(self, offset, orders):
        if self.window.has_recent(orders) and (
                self._lowest_recent is None or offset < self._lowest_recent):
            self._lowest_recent = offset
        if orders and (self._last_offset is None or offset > self._last_offset):
            self._last_offset = offset
