"""The DSCO order stream as a resumable paged import.

Cursor = the stream position (the ``id`` of the last event read; ``"0"`` before any).
One page = one getStreamEventsFromPosition read; the position after it is committed with
the orders it covers (channel_base commits the page and its cursor in one job); DSCO's own
position is moved after the batch by a follow-up job (updateStreamPosition), so DSCO's
position never runs ahead of what Odoo committed.
"""

from odoo.addons.channel_base.exceptions import PermanentError
from odoo.addons.channel_base.paged_import import ImportStats, Page, PagedImport

from . import const
from .client import DscoClient


class DscoOrdersImport(PagedImport):
    code = const.ORDERS_STREAM
    label = "Orders (order stream)"

    def start_cursor(self, credential, stored_cursor):
        """The committed position, or, the very first time, DSCO's own (listStreams)."""
        if stored_cursor:
            return stored_cursor
        return credential._dsco_stream_position(credential._dsco_ensure_stream())

    def fetch_page(self, credential, cursor):
        stream_id = credential._dsco_ensure_stream()
        try:
            answer = DscoClient(credential).call("GET", DscoClient.events_path(stream_id, cursor))
        except PermanentError as error:
            if error.status == 404:
                raise credential._dsco_stream_not_found(error) from None
            raise
        events = (answer or {}).get("events") or []
        next_cursor = events[-1]["id"] if events else cursor
        return Page(items=events, next_cursor=next_cursor,
                    has_more=len(events) >= const.EVENTS_PER_PAGE and next_cursor != cursor)

    def import_items(self, credential, items):
        stats = credential._dsco_import_events(items)
        if items:
            credential._dsco_queue_position_update()
        return ImportStats(**stats)
