"""The shared resumable-paged-import test kit every platform module runs on its streams.

A paged import runs one page per sync.job: fetch, import, move the stream's cursor and
queue the next page's job, all in one transaction. The kit proves, through the platform's
simulator, that a run imports every item once, that a failure at any page leaves the pages
before it committed and the cursor after them, that the retry resumes at that page (no
gap, no duplicate), that a second run imports nothing new, and that progress is right
while the run is under way.

Use it in a ``TransactionCase`` of the platform module::

    class TestShopifyPagedKit(PagedImportKit, ShopifyTestMixin, TransactionCase):
        paged_kit_stream = "orders"          # stream code
        paged_kit_page_size = 50             # items per page the import asks for
        def _paged_kit_seed(self, count): ...            # count items in the simulator
        def _paged_kit_fail_page(self, page, times): ... # next `times` fetches of page fail (5xx)
        def _paged_kit_imported_keys(self): ...          # external ids of imported records
        def _paged_kit_page_fetches(self): ...           # page numbers fetched, in order
        def _paged_kit_cursor_after(self, items): ...    # stored cursor after `items` items
"""

import math

from .common import drain_jobs


class _Rollback(Exception):
    """Ends one scenario of a loop, rolling its savepoint back."""


class PagedImportKit:
    paged_kit_stream = None
    paged_kit_page_size = 50
    paged_kit_items = 130  # three pages of 50: a full one, another, a partial last one
    #: False for a platform whose pages say nothing of what remains (no total, no page
    #: count): the run's progress then shows pages done only, and the kit does not
    #: expect a total.
    paged_kit_estimates_total = True

    # ------------------------------------------------------------------ hooks

    def _paged_kit_seed(self, count):
        raise NotImplementedError

    def _paged_kit_fail_page(self, page, times=1):
        raise NotImplementedError

    def _paged_kit_imported_keys(self):
        raise NotImplementedError

    def _paged_kit_page_fetches(self):
        raise NotImplementedError

    def _paged_kit_cursor_after(self, items):
        raise NotImplementedError

    def _paged_kit_reset(self):
        """Between scenarios: forget the simulator's requests, faults and items."""
        self.sim.reset()

    # ------------------------------------------------------------------ helpers

    @property
    def _paged_kit_pages(self):
        return math.ceil(self.paged_kit_items / self.paged_kit_page_size)

    def _paged_kit_stream_record(self):
        return self.credential._channel_stream(self.paged_kit_stream)

    def _paged_kit_drain(self, make_due=False):
        """Run every due job of the account (the runner's loop, in the test transaction);
        ``make_due`` first brings postponed retries forward."""
        drain_jobs(self.env, self.credential, make_due=make_due)

    def _paged_kit_start(self):
        stream = self._paged_kit_stream_record()
        stream.action_run_now()
        return stream

    def _paged_kit_cursor(self):
        return self.credential._get_cursor(self.paged_kit_stream).value

    def _paged_kit_assert_complete(self, stream):
        keys = self._paged_kit_imported_keys()
        self.assertEqual(len(keys), self.paged_kit_items, "every item imported")
        self.assertEqual(len(set(keys)), len(keys), "no item imported twice")
        self.assertEqual(self._paged_kit_cursor(),
                         self._paged_kit_cursor_after(self.paged_kit_items))
        self.assertEqual(stream.run_state, "idle", stream.last_error)

    # ------------------------------------------------------------------ tests

    def test_paged_kit_full_run_imports_every_item_once(self):
        self._paged_kit_seed(self.paged_kit_items)
        stream = self._paged_kit_start()
        self._paged_kit_drain()
        self._paged_kit_assert_complete(stream)
        self.assertEqual(stream.run_pages_done, self._paged_kit_pages)
        self.assertEqual(stream.run_items_done, self.paged_kit_items,
                         "no page was imported twice")
        self.assertEqual(self._paged_kit_page_fetches(), list(range(1, self._paged_kit_pages + 1)))
        self.assertIn(f"{self.paged_kit_items} items", stream.last_result)

    def test_paged_kit_second_run_imports_nothing_new(self):
        self._paged_kit_seed(self.paged_kit_items)
        stream = self._paged_kit_start()
        self._paged_kit_drain()
        self._paged_kit_start()
        self._paged_kit_drain()
        self._paged_kit_assert_complete(stream)
        self.assertEqual(stream.run_created, 0, "the second run created nothing")
        self.assertLessEqual(stream.run_pages_done, 1, "it did not walk the pages again")

    def test_paged_kit_failure_at_every_page_resumes_there(self):
        for page in range(1, self._paged_kit_pages + 1):
            with self.subTest(page=page), self.assertRaises(_Rollback), \
                    self.env.cr.savepoint():
                self._paged_kit_reset()
                self._paged_kit_fail_at(page)
                raise _Rollback
            self.env.invalidate_all()

    def _paged_kit_fail_at(self, page):
        self._paged_kit_seed(self.paged_kit_items)
        self._paged_kit_fail_page(page, times=1)
        stream = self._paged_kit_start()
        self._paged_kit_drain()
        committed_items = (page - 1) * self.paged_kit_page_size
        self.assertEqual(len(self._paged_kit_imported_keys()), committed_items)
        if page > 1:
            self.assertEqual(self._paged_kit_cursor(),
                             self._paged_kit_cursor_after(committed_items))
        # Progress, mid-run: pages before the failure done, the total known.
        self.assertEqual((stream.run_state, stream.run_pages_done, stream.run_items_done),
                         ("running", page - 1, committed_items))
        if page > 1 and self.paged_kit_estimates_total:
            self.assertEqual(stream.run_pages_total, self._paged_kit_pages)
            self.assertGreaterEqual(stream.run_seconds_left, 0)
        retry = stream.run_job_id
        self.assertEqual((retry.state, retry.error_kind), ("pending", "transient"))
        self._paged_kit_drain(make_due=True)
        self._paged_kit_assert_complete(stream)
        fetches = self._paged_kit_page_fetches()
        self.assertEqual(fetches, [*range(1, page + 1), *range(page, self._paged_kit_pages + 1)],
                         "the retry fetched the failed page again, and no earlier one")
        self.assertEqual(stream.run_items_done, self.paged_kit_items)

    def test_paged_kit_run_failing_for_good_keeps_its_cursor_and_resumes(self):
        page = min(2, self._paged_kit_pages)
        self._paged_kit_seed(self.paged_kit_items)
        stream = self._paged_kit_start()
        self._paged_kit_fail_page(page, times=stream.run_job_id.max_attempts)
        for _attempt in range(stream.run_job_id.max_attempts + 1):
            self._paged_kit_drain(make_due=True)
        committed_items = (page - 1) * self.paged_kit_page_size
        self.assertEqual(stream.run_state, "failed")
        self.assertIn(f"Stopped at page {page}", stream.last_error)
        self.assertEqual(self.credential.stream_failed_count, 1, "the account says so")
        self.assertEqual(len(self._paged_kit_imported_keys()), committed_items)
        self.assertEqual(self._paged_kit_cursor(), self._paged_kit_cursor_after(committed_items))
        stream.action_run_now()  # the next run resumes at the failed page
        self._paged_kit_drain()
        self._paged_kit_assert_complete(stream)
        self.assertEqual(stream.run_items_done, self.paged_kit_items)
