"""Issue 8, items 9 and 10: how IQR numbers its pages, and polls that do not read the
whole order history every time."""

import json
from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged

from tests.simulators.iqreseller import GET_SOS_PATH

from .common import IQResellerCase


@tagged("post_install", "-at_install")
class TestPageNumbering(IQResellerCase, TransactionCase):

    def poll_five_orders(self):
        self.credential.iqr_page_size = 2
        sos = [self.add_so() for _n in range(5)]
        poll = self.poll()
        self.assertEqual(poll.state, "done", poll.last_error)
        self.assertEqual(len(self.imported()), 5, "no order skipped")
        self.assertEqual(sorted(self.imported().mapped("channel_external_id")),
                         sorted(str(so["soid"]) for so in sos))
        return poll

    def test_zero_based_listing_by_default(self):
        self.assertEqual(self.credential.iqr_first_page, 0)
        poll = self.poll_five_orders()
        self.assertEqual(self.listing_pages(2), ["0", "1", "2"])
        self.assertNotIn("first_page_warning", poll.result)

    def test_one_based_listing_repeating_its_first_page_at_zero(self):
        self.sim.options["first_page"] = 1
        poll = self.poll_five_orders()
        self.assertEqual(self.listing_pages(2), ["1", "2", "3"])
        self.assertIn("first_page_warning", poll.result)
        self.assertEqual(self.credential.iqr_first_page, 1, "corrected")
        self.assertTrue(self.credential.message_ids.filtered(
            lambda m: "numbers its first order page 1, not 0" in str(m.body)))

    def test_one_based_listing_refusing_or_empty_at_zero(self):
        for answer in ("empty", "error"):
            self.sim.reset()
            self.SaleOrder.search([("channel_credential_id", "=", self.credential_id)]).write(
                {"channel_credential_id": False, "channel_external_id": False})
            self.credential.write({"iqr_first_page": 0})
            self.credential.cursor_ids.unlink()
            self.sim.options.update(first_page=1, below_first_page=answer)
            self.poll_five_orders()
            self.assertEqual(self.listing_pages(2), ["1", "2", "3"], answer)
            self.assertEqual(self.credential.iqr_first_page, 1, answer)

    def test_zero_based_listing_configured_as_one_based_skips_nothing(self):
        self.credential.iqr_first_page = 1
        poll = self.poll_five_orders()
        self.assertEqual(self.listing_pages(2), ["0", "1", "2"])
        self.assertIn("first_page_warning", poll.result)
        self.assertEqual(self.credential.iqr_first_page, 0)

    def test_connection_test_tells_the_numbering(self):
        self.sim.options["first_page"] = 1
        self.add_so()
        self.add_so()
        action = self.credential.action_test_connection()
        self.assertIn("numbers its first page 1", action["params"]["message"])

    def test_a_page_past_the_end_answered_404_ends_the_listing(self):
        self.sim.options["past_end"] = "not_found"
        self.credential.iqr_page_size = 2
        for _n in range(4):
            self.add_so()
        poll = self.poll()
        self.assertEqual(poll.state, "done", poll.last_error)
        self.assertEqual(len(self.imported()), 4)
        self.assertEqual(self.listing_pages(2), ["0", "1", "2"])


@tagged("post_install", "-at_install")
class TestIncrementalPoll(IQResellerCase, TransactionCase):
    """SortBy=0 lists oldest first and IQR has no date filter: a poll starts where the
    previous one found the import window instead of reading the whole history."""

    def listing_requests(self):
        return [r for r in self.sim.requests if r.path == GET_SOS_PATH]

    def test_old_history_is_not_read_again(self):
        self.credential.iqr_page_size = 10
        for day in range(60):
            self.add_so(days_ago=400 - day)  # 60 orders older than the window
        first = self.poll()
        self.assertIn('"listing": "full"', first.result)
        self.assertEqual(len(self.listing_pages(10)), 7, "the first poll reads it all")
        self.assertFalse(self.imported())

        self.sim.requests.clear()
        new = [self.add_so(days_ago=0) for _n in range(3)]
        second = self.poll()
        self.assertIn('"listing": "incremental"', second.result)
        self.assertEqual(self.listing_pages(10), ["5", "6"],
                         "the last old page, then the new orders")
        self.assertLessEqual(len(self.sim.requests), 4, "sign-in, 2 pages, sign-out")
        self.assertEqual(sorted(self.imported().mapped("channel_external_id")),
                         sorted(str(so["soid"]) for so in new))

        self.sim.requests.clear()
        third = self.poll()
        self.assertIn('"unchanged": 3', third.result)
        self.assertEqual(self.listing_pages(10), ["6", "5"],
                         "from the page with the window, back to an older page")

    def test_window_spanning_pages_is_read_back_to_an_older_page(self):
        self.credential.iqr_page_size = 10
        for _n in range(30):
            self.add_so(days_ago=90)
        recent = [self.add_so(days_ago=20 - n % 20) for n in range(25)]
        self.poll()
        self.assertEqual(len(self.imported()), 25)
        self.sim.requests.clear()
        changed = recent[0]
        self.sim.update_so(changed["soid"], status="Voided")  # seen although not new
        new = self.add_so(days_ago=0)
        poll = self.poll()
        self.assertEqual(self.listing_pages(10), ["3", "2", "4", "5"])
        self.assertIn('"cancelled": 1', poll.result)
        self.assertEqual(self.order_of(changed).state, "cancel")
        self.assertTrue(self.order_of(new))

    def test_the_whole_listing_is_read_again_once_a_day(self):
        self.credential.iqr_page_size = 10
        for _n in range(25):
            self.add_so(days_ago=90)
        self.poll()
        cursor = self.credential._get_cursor("orders")
        stored = json.loads(cursor.value)
        stored["full_read_at"] = (fields.Datetime.now() - timedelta(hours=25)).isoformat()
        cursor.value = json.dumps(stored)
        self.sim.requests.clear()
        poll = self.poll()
        self.assertIn('"listing": "full"', poll.result)
        self.assertEqual(self.listing_pages(10), ["0", "1", "2"])

    def test_changed_paging_settings_read_everything(self):
        self.credential.iqr_page_size = 10
        for _n in range(25):
            self.add_so(days_ago=90)
        self.poll()
        self.credential.iqr_page_size = 5
        self.sim.requests.clear()
        poll = self.poll()
        self.assertIn('"listing": "full"', poll.result)
        self.assertEqual(len(self.listing_pages(5)), 6)
