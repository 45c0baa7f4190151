"""Resumable paged imports and declared periodic streams: the platform side.

A platform describes each import it offers as a ``PagedImport`` subclass (how to fetch
the page after a cursor, how to import its items) and declares its periodic streams in
``integration.credential._channel_stream_specs()`` as ``StreamSpec`` objects. The base
(``models/channel_stream.py``) runs each page in one sync.job: fetch, import, store the
cursor after it and queue the job of the next page, all in that job's transaction.
"""

import json
from dataclasses import dataclass, field

#: The one sync.job operation every page of every paged import runs under.
PAGE_OPERATION = "channel.stream.page"
#: The delayed job that starts a stream's next run before the once-a-minute cron would
#: (``StreamSpec.poll_seconds``, docs/streams.md "Polling under a minute").
POLL_OPERATION = "channel.stream.poll"


@dataclass
class Page:
    """One fetched page: its items, the cursor after it, and whether more pages follow.

    ``pages_left`` / ``items_left``: the platform's estimate of what remains *after* this
    page (from a ``pages`` / ``total`` field or a total-count header), when it gives one;
    the progress and time-left estimates on the stream come from it.
    """

    items: list
    next_cursor: object
    has_more: bool
    pages_left: int = None
    items_left: int = None


@dataclass
class ImportStats:
    """What ``PagedImport.import_items`` did with one page's items."""

    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    #: {model: [ids]} of the records the page created or updated: the job form links them
    records: dict = field(default_factory=dict)
    #: platform counters of the page ({"unchanged": 3, "api_calls": 2}), added to the
    #: page job's result so a person sees why items were skipped
    details: dict = field(default_factory=dict)

    @property
    def total(self):
        return self.created + self.updated + self.skipped + self.failed


class PagedImport:
    """Subclass once per stream of a platform; the base creates one instance per page job.

    Contract: ``fetch_page`` reads, never writes; ``import_items`` is idempotent (a page
    imported twice creates nothing twice); the cursor is JSON-serialisable and says where
    the *next* fetch starts.
    """

    code = None  #: stream code, unique per credential; also the channel.sync.cursor stream
    label = None

    def start_cursor(self, credential, stored_cursor):
        """Cursor of a run's first page, from the position the last run finished at
        (``None`` on the very first run): e.g. a time window start."""
        return stored_cursor

    def fetch_page(self, credential, cursor):
        """Fetch the page after ``cursor``: return a ``Page``. Raise the channel errors
        (TransientError, RateLimitedError, ...): the same page is retried."""
        raise NotImplementedError

    def import_items(self, credential, items):
        """Import one page's items in the current transaction: return ``ImportStats``."""
        raise NotImplementedError

    def finish(self, credential, cursor):
        """The run's last page is committed: return the position the next run starts
        from (stored as the stream's cursor). Default: the cursor after the last page."""
        return cursor

    # ------------------------------------------------------------------ serialisation

    @staticmethod
    def dump_cursor(cursor):
        return json.dumps(cursor, sort_keys=True, default=str)

    @staticmethod
    def load_cursor(value):
        """JSON, or the raw text of a cursor written before streams (a bare timestamp)."""
        if value in (None, False, ""):
            return None
        try:
            return json.loads(value)
        except ValueError:
            return value


@dataclass
class StreamSpec:
    """One periodic stream a credential offers.

    Either ``paged_import`` (a PagedImport subclass: the run is a chain of page jobs) or
    ``operation`` (+ ``payload``): the run is that one sync.job.
    """

    code: str
    label: str
    interval_minutes: int = 15
    paged_import: type = None
    operation: str = None
    payload: dict = field(default_factory=dict)
    priority: int = 10
    #: > 0: when a run ends, the stream's next run is queued this many seconds later by
    #: a delayed job (while that comes before its schedule), so a stream can be read
    #: more often than the cron's minute. 0: the schedule (interval_minutes) only.
    poll_seconds: int = 0

    def __post_init__(self):
        if bool(self.paged_import) == bool(self.operation):
            raise ValueError(f"stream {self.code}: give a paged_import or an operation")
