"""iQmetrix order feed as a paged stream: walk back through ``prev-archive`` links to the
marker (discovery pages keep only URLs), then import the pages oldest first, the marker
committed with each page (docs/paged_import.md, "Newest-first listings")."""

from datetime import UTC

from odoo import models

from odoo.addons.channel_base.exceptions import PermanentError, TransientError
from odoo.addons.channel_base.paged_import import Page, PagedImport

from .. import const, feed
from ..client import IqmetrixClient


class IqmetrixFeedImport(PagedImport):
    """Cursor: ``{"phase": "discover", "urls": [head, archive1...], "next": url|None,
    "marker": m}`` then ``{"phase": "import", "urls": [oldest... head], "index": i,
    "marker": m}``; ``m`` is the last imported entry ``{"entry_id", "updated"}``."""

    code = const.FEED_STREAM
    label = "Order feed"

    def start_cursor(self, credential, stored_cursor):
        return discovery_cursor(stored_marker(stored_cursor))

    def fetch_page(self, credential, cursor):
        if not isinstance(cursor, dict) or "phase" not in cursor:
            cursor = self.start_cursor(credential, cursor)  # a failed first page resumed
        if cursor["phase"] == "import":
            return credential._iqmetrix_feed_import_page(cursor)
        return credential._iqmetrix_feed_discovery_page(cursor)

    def import_items(self, credential, items):
        return credential._iqmetrix_process_entries(items)

    def finish(self, credential, cursor):
        return {"marker": cursor.get("marker")}


def discovery_cursor(marker):
    return {"phase": "discover", "urls": [], "next": None, "marker": marker}


def stored_marker(stored_cursor):
    """The marker of a finished run; a cursor written before streams was the marker."""
    if not isinstance(stored_cursor, dict):
        return None
    if "phase" in stored_cursor or "marker" in stored_cursor:
        return stored_cursor.get("marker")
    return stored_cursor if stored_cursor.get("entry_id") else None


def newest_marker(entries, marker):
    """The marker after importing ``entries`` (oldest first); unchanged without any."""
    if not entries:
        return marker
    stamps = [entry.updated for entry in entries if entry.updated]
    return {"entry_id": entries[-1].entry_id,
            "updated": feed.format_timestamp(max(stamps)) if stamps else None}


class IqmetrixFeedPages(models.Model):
    # One file per flow on the credential is the layout every platform follows.
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _iqmetrix_feed_discovery_page(self, cursor):
        """Read one page back from the head; record its URL, not its entries. The page
        holding the marker (or the oldest one) is imported at once: it is the first."""
        client = IqmetrixClient(self)
        url = cursor["next"] or client.feed_url()
        page = self._iqmetrix_parse_page(client, cursor["next"])
        urls = [*cursor["urls"], url]
        fresh, reached = self._iqmetrix_fresh_entries(page, cursor["marker"])
        if reached or not page.prev_archive:
            urls.reverse()
            marker = newest_marker(fresh, cursor["marker"])
            return Page(fresh, {"phase": "import", "urls": urls, "index": 1, "marker": marker},
                        has_more=len(urls) > 1, pages_left=len(urls) - 1)
        if page.prev_archive in urls or len(urls) >= const.MAX_FEED_PAGES_PER_RUN:
            raise PermanentError(self.env._(
                "The iQmetrix feed's prev-archive links loop or run past %(pages)s pages; "
                "stopped at %(url)s.", pages=const.MAX_FEED_PAGES_PER_RUN,
                url=client._masked(page.prev_archive)))
        return Page([], dict(cursor, urls=urls, next=page.prev_archive), has_more=True)

    def _iqmetrix_feed_import_page(self, cursor):
        """Import the next page, oldest first: its entries newer than the marker."""
        client = IqmetrixClient(self)
        urls, index = cursor["urls"], cursor["index"]
        page = self._iqmetrix_parse_page(client, urls[index])
        if index == len(urls) - 1 and page.prev_archive != urls[index - 1]:
            # The head rolled over into a new archive page since discovery: walk back
            # again from the committed marker rather than miss the entries it moved.
            return Page([], discovery_cursor(cursor["marker"]), has_more=True)
        fresh, _reached = self._iqmetrix_fresh_entries(page, cursor["marker"])
        marker = newest_marker(fresh, cursor["marker"])
        return Page(fresh, dict(cursor, index=index + 1, marker=marker),
                    has_more=index + 1 < len(urls), pages_left=len(urls) - index - 1)

    def _iqmetrix_fresh_entries(self, page, marker):
        """(entries newer than the marker, oldest first; whether the marker was reached).
        Without a marker (first run) the walk stops at the Read Feed From date."""
        marker_id = (marker or {}).get("entry_id")
        marker_updated = feed.parse_marker_timestamp((marker or {}).get("updated"))
        not_before = None
        if not marker_id and self.iqmetrix_feed_start_at:
            not_before = self.iqmetrix_feed_start_at.replace(tzinfo=UTC)
        fresh = []
        for entry in page.entries:  # newest first
            if feed.marker_reached(entry, marker_id, marker_updated, not_before):
                return fresh[::-1], True
            fresh.append(entry)
        return fresh[::-1], False

    def _iqmetrix_parse_page(self, client, url):
        response = client.fetch_feed_response(url)
        where = client._masked(url or client.feed_url())
        try:
            return feed.parse_feed(response.content)
        except feed.FeedError as error:
            # Keep the refused page in the API log, debug logging or not: a person needs it.
            client._record_failed_answer(response, str(error))
            self._iqmetrix_raise_unusable_page(where, error)

    def _iqmetrix_raise_unusable_page(self, where, error):
        if isinstance(error, feed.FeedRefused):
            raise PermanentError(self.env._("iQmetrix feed page %(url)s refused: %(error)s",
                                            url=where, error=error))
        # Malformed is often a truncated transfer: worth another try before a person looks.
        raise TransientError(self.env._("iQmetrix feed page %(url)s is unreadable: %(error)s",
                                        url=where, error=error))
