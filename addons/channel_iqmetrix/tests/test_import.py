import json
from datetime import UTC, datetime, timedelta

from odoo.exceptions import UserError
from odoo.tests import tagged

from .. import feed
from ..client import IqmetrixClient
from .common import IqmetrixCase

HOME = {"street-address-1": "742 Evergreen Terrace", "locality": "Moose Jaw",
        "postal-code": "S6H0A1", "region-code": "SK", "country-code": "CA",
        "phone": "(306) 555-0199"}


@tagged("post_install", "-at_install")
class TestFeedImport(IqmetrixCase):
    # These tests read the feed: the echo of the Ordered sent on acceptance would add
    # entries to every count. Ordered itself is tested in test_status.
    credential_values = {"iqmetrix_send_ordered": False}

    def feed_entries(self):
        """The current feed page's entries, oldest first (what a run would import)."""
        return feed.parse_feed(IqmetrixClient(self.credential).fetch_feed_page()).entries[::-1]

    def test_first_run_imports_orders_oldest_first_and_sets_marker(self):
        carrier_product = self.env["product.product"].create(
            {"name": "Ground", "type": "service"})
        carrier = self.env["delivery.carrier"].create(
            {"name": "UPS Ground", "product_id": carrier_product.id})
        self.env["channel.carrier.map"].create({
            "platform": "iqmetrix", "credential_id": self.credential_id, "method_code": "123",
            "carrier_id": carrier.id, "provider_name": "UPS"})
        first = self.sim.add_order(
            items=[{"sku": "CASE-1", "quantity": 2, "selling-price": "19.99"},
                   {"sku": "CHG-2", "quantity": 1, "selling-price": "25"}],
            customer={"primary-name": "Ann", "middle-name": "B.", "family-name": "Lee"},
            seller={"company-id": "33772", "location-id": "33773", "po-reference": "ABC123N1",
                    "printable-id": "98764531"},
            address=HOME)
        second = self.sim.add_order(items=[{"sku": "CHG-2"}], shipping_method="999")

        job = self.import_feed()

        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self.run_result()["created"], 2)
        orders = self.orders()
        self.assertEqual(orders.mapped("channel_external_id"), [first, second],
                         "imported oldest first")
        order = orders[0]
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.channel_sync_state, "synced")
        self.assertEqual(order.client_order_ref, "ABC123N1")
        self.assertEqual(order.iqmetrix_po_reference, "ABC123N1")
        self.assertEqual(order.iqmetrix_printable_id, "98764531")
        self.assertEqual(order.channel_external_ref, "98764531")
        self.assertEqual((order.iqmetrix_company_id, order.iqmetrix_location_id),
                         ("33772", "33773"))
        self.assertEqual(order.iqmetrix_customer_name, "Ann B. Lee")
        self.assertEqual(order.iqmetrix_customer_phone, "+13065550199")
        self.assertEqual(order.iqmetrix_delivery_kind, "customer")
        self.assertEqual(order.partner_shipping_id.street, "742 Evergreen Terrace")
        self.assertEqual(order.partner_shipping_id.state_id.code, "SK")
        self.assertEqual(order.partner_id.ref, f"iqmetrix:{order.iqmetrix_customer_id}")
        self.assertEqual(order.carrier_id, carrier)
        self.assertFalse(orders[1].carrier_id, "unmapped shipping method: no carrier")
        lines = {line.product_id: line for line in order.order_line}
        self.assertEqual(lines[self.phone_case].product_uom_qty, 2)
        self.assertAlmostEqual(lines[self.phone_case].price_unit, 19.99)
        self.assertEqual(lines[self.phone_case].iqmetrix_sku, "CASE-1")
        self.assertEqual(lines[self.charger].price_unit, 25)
        self.assertEqual(json.loads(self.marker())["entry_id"],
                         self.sim.entries[-1]["entry_id"])
        feed_calls = [r for r in self.sim.requests if "Notifications" in r.path]
        self.assertTrue(feed_calls)
        for call in feed_calls:
            self.assertEqual(call.headers["Accept"], "application/atom+xml")
            self.assertTrue(call.headers["Authorization"].startswith("Bearer "))

    def test_orders_take_the_account_salesperson_and_team_and_log_their_number(self):
        seller = self.env["res.users"].create(
            {"name": "Store Seller", "login": "iqm-seller@example.com"})
        team = self.env["crm.team"].create({"name": "Retail Stores"})
        self.credential.write({"sale_user_id": seller.id, "sale_team_id": team.id})
        first = self.sim.add_order(items=[{"sku": "CASE-1"}],
                                   seller={"printable-id": "98764531"})
        self.sim.add_order(items=[{"sku": "CHG-2"}])
        job = self.import_feed()
        self.assertEqual(job.state, "done", job.last_error)
        orders = self.orders()
        self.assertEqual(len(orders), 2)
        self.assertEqual(orders.user_id, seller)
        self.assertEqual(orders.team_id, team)
        for order in orders:
            notes = order.message_ids.filtered(lambda m: "Imported from" in str(m.body))
            number = order.channel_external_ref or order.channel_external_id
            self.assertEqual(notes.mapped("preview"), [
                f"Imported from iQmetrix Dropship order {number} "
                f"(account {self.credential.name})."])
        self.assertEqual(self.order_for(first).channel_external_ref, "98764531")

    def test_first_run_reads_back_only_to_the_start_date(self):
        old = datetime(2024, 1, 1, tzinfo=UTC).timestamp()
        self.sim.add_order(items=[{"sku": "CASE-1"}], updated=old)
        recent = self.sim.add_order(items=[{"sku": "CASE-1"}])
        self.credential.iqmetrix_feed_start_at = datetime(2024, 6, 1)
        self.import_feed()
        self.assertEqual(self.orders().mapped("channel_external_id"), [recent])

    def test_incremental_run_imports_only_new_entries(self):
        self.sim.add_orders(3, items=[{"sku": "CASE-1"}])
        self.import_feed()
        first_marker = self.marker()
        newer = self.sim.add_orders(2, items=[{"sku": "CHG-2"}])
        before = len(self.sim.requests)
        job = self.import_feed()
        self.assertEqual(job.state, "done", job.last_error)
        result = self.run_result()
        self.assertEqual((result["entries"], result["created"], result["pages"]), (2, 2, 1))
        self.assertEqual(self.orders()[-2:].mapped("channel_external_id"), newer)
        self.assertEqual(len(self.orders()), 5)
        self.assertNotEqual(self.marker(), first_marker)
        self.import_feed()
        self.assertEqual(self.run_result()["entries"], 0)
        self.assertEqual(json.loads(self.marker())["entry_id"], self.sim.entries[-1]["entry_id"])
        self.assertGreater(len(self.sim.requests), before)

    def test_run_spanning_three_archived_pages(self):
        self.sim.add_orders(5, items=[{"sku": "CASE-1"}])
        self.import_feed()
        backlog = self.sim.add_orders(160, items=[{"sku": "CHG-2"}])  # 165 entries: 4 pages
        self.assertEqual(self.sim.page_count(), 4)

        job = self.import_feed()

        result = self.run_result()
        self.assertEqual(job.state, "done", (job.last_error, result))
        # Discovery reads the current page and three archives back to the marker (the
        # oldest one imported at once), then the two newer archives and the current page
        # are imported oldest first: one page per job, only URLs kept in between.
        self.assertEqual(result["pages"], 4 + 3, "four discovery pages, three import pages")
        self.assertEqual((result["entries"], result["created"]), (160, 160))
        self.assertEqual(self.orders()[5:].mapped("channel_external_id"), backlog,
                         "every archived entry, oldest first")
        page_calls = [r.path for r in self.sim.requests if "/Pages(" in r.path]
        self.assertEqual(len(page_calls), 3 + 2, "archives read back, then imported")
        self.assertEqual(len(set(page_calls)), 3)

    def test_duplicate_entries_create_one_order(self):
        order_id = self.sim.add_order(items=[{"sku": "CASE-1"}], duplicates=2)
        self.sim.duplicate_entry(order_id, same_entry_id=True)
        self.import_feed()
        self.assertEqual(self.run_result()["skipped"], 3, "three duplicates")
        self.sim.duplicate_entry(order_id)  # redelivered in a later run
        self.import_feed()
        self.assertEqual(self.run_result()["skipped"], 1)
        self.assertEqual(len(self.order_for(order_id)), 1)

    def test_crash_between_import_and_marker_leaves_no_duplicate(self):
        self.sim.add_orders(3, items=[{"sku": "CASE-1"}])

        # 1. The worker dies after creating the orders, before the marker is saved: its
        #    transaction is rolled back, orders and marker alike.
        with self.assertRaises(RuntimeError), self.env.cr.savepoint():
            entries = self.feed_entries()
            self.credential._iqmetrix_process_entries(entries)
            self.assertEqual(len(self.orders()), 3)
            raise RuntimeError("worker killed")
        self.assertFalse(self.orders())
        self.assertFalse(self.marker())

        # 2. Orders committed but the marker write lost (the case a separate marker
        #    transaction would produce): the next run sees the entries again and skips them.
        self.credential._iqmetrix_process_entries(self.feed_entries())
        self.assertFalse(self.marker())
        self.import_feed()
        result = self.run_result()
        self.assertEqual((result["created"], result["skipped"]), (0, 3))
        self.assertEqual(len(self.orders()), 3)
        self.assertTrue(self.marker(), "the marker caught up")

    def test_store_and_home_delivery(self):
        store = self.sim.add_order(items=[{"sku": "CASE-1"}], ship_to_store=True,
                                   seller={"company-id": "500", "location-id": "501"},
                                   address={"attention-to": "Ann Lee"})
        home = self.sim.add_order(items=[{"sku": "CASE-1"}], ship_to_store=False,
                                  customer={"primary-name": "Joe", "family-name": "Dunn"})
        conflicting = self.sim.add_order(items=[{"sku": "CASE-1"}], ship_to_store=True,
                                         address_type="Home")
        self.import_feed()

        store_order = self.order_for(store)
        self.assertEqual(store_order.iqmetrix_delivery_kind, "store")
        self.assertTrue(store_order.iqmetrix_ship_to_store)
        shipping = store_order.partner_shipping_id
        self.assertEqual(shipping.name, "Ann Lee")
        self.assertEqual(shipping.parent_id.ref, "iqmetrix-store:500:501")
        self.assertEqual(shipping.street, "1 Main Street North")
        self.assertNotEqual(store_order.partner_id, shipping.parent_id,
                            "the customer is the end customer, not the store")
        self.assertFalse(store_order.partner_id.street)

        home_order = self.order_for(home)
        self.assertEqual(home_order.iqmetrix_delivery_kind, "customer")
        self.assertEqual(home_order.partner_shipping_id.street, "742 Evergreen Terrace")
        self.assertEqual(home_order.partner_id.name, "Joe Dunn")
        self.assertFalse(home_order.partner_shipping_id.commercial_partner_id.is_company)

        conflict_order = self.order_for(conflicting)
        self.assertEqual(conflict_order.iqmetrix_delivery_kind, "customer")
        self.assertIn("ship-to-store is true", conflict_order.iqmetrix_import_warnings)

    def test_a_page_creates_each_new_customer_and_store_once(self):
        customer = {"customer-id": "c-shared", "primary-name": "Ann", "family-name": "Lee"}
        seller = {"company-id": "600", "location-id": "601"}
        first = self.sim.add_order(items=[{"sku": "CASE-1"}], customer=customer, address=HOME)
        second = self.sim.add_order(items=[{"sku": "CHG-2"}], customer=customer,
                                    ship_to_store=True, seller=seller)
        third = self.sim.add_order(items=[{"sku": "CASE-1"}], ship_to_store=True,
                                   seller=seller)
        self.import_feed()
        orders = [self.order_for(order_id) for order_id in (first, second, third)]
        Partner = self.env["res.partner"]
        self.assertEqual(Partner.search_count([("ref", "=", "iqmetrix:c-shared")]), 1)
        self.assertEqual(orders[0].partner_id, orders[1].partner_id)
        self.assertEqual(orders[0].partner_id.name, "Ann Lee")
        self.assertEqual(orders[0].partner_shipping_id.street, "742 Evergreen Terrace")
        stores = Partner.search([("ref", "=", "iqmetrix-store:600:601")])
        self.assertEqual(len(stores), 1, "one store partner for both store deliveries")
        self.assertTrue(stores.is_company)
        self.assertEqual(orders[1].partner_shipping_id.commercial_partner_id, stores)
        self.assertEqual(orders[2].partner_shipping_id.commercial_partner_id, stores)

    def test_bad_phone_is_kept_and_flagged(self):
        order_id = self.sim.add_order(items=[{"sku": "CASE-1"}], address={"phone": "12"})
        self.import_feed()
        order = self.order_for(order_id)
        self.assertEqual(order.iqmetrix_customer_phone, "12")
        self.assertIn("not a valid number", order.iqmetrix_import_warnings)

    def test_status_updated_entries_are_recognised_not_imported(self):
        order_id = self.sim.add_order(items=[{"sku": "CASE-1"}])
        self.import_feed()
        # An update made by another system of the supplier shows up in the feed too.
        self.external_update(order_id, "OrderStatusUpdate", {"Status": 8, "TrackingInfo": "EXT-1"})
        job = self.import_feed()
        self.assertEqual(job.state, "done", job.last_error)
        result = self.run_result()
        self.assertEqual((result["entries"], result["skipped"], result["created"]), (1, 1, 0),
                         "the status entry is read, not imported")
        self.assertEqual(len(self.orders()), 1)
        order = self.order_for(order_id)
        self.assertEqual(order.iqmetrix_foreign_tracking_numbers, "EXT-1",
                         "another system's number, kept for every later update")
        self.assertEqual(order.iqmetrix_platform_status, "Other")

    def test_unknown_sku_is_flagged_reported_and_does_not_block_the_feed(self):
        before = self.sim.add_order(items=[{"sku": "CASE-1"}])
        flagged = self.sim.add_order(items=[{"sku": "CASE-1", "quantity": 2},
                                            {"sku": "NOPE-9", "quantity": 1,
                                             "description": "Mystery"}])
        after = self.sim.add_order(items=[{"sku": "CHG-2"}])

        job = self.import_feed()

        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self.run_result()["created"], 3, "the flagged order counts as created")
        last_order_entry = [e for e in self.sim.entries if e["kind"] == "order-created"][-1]
        self.assertEqual(json.loads(self.marker())["entry_id"], last_order_entry["entry_id"],
                         "the marker passes the flagged entry once it is recorded")
        order = self.order_for(flagged)
        self.assertEqual(order.state, "draft", "not confirmed while a SKU is unknown")
        self.assertEqual(order.channel_sync_state, "flagged")
        self.assertEqual(order.iqmetrix_unknown_skus, "NOPE-9")
        self.assertIn("NOPE-9", order.channel_last_error)
        note = order.order_line.filtered(lambda line: line.display_type == "line_note")
        self.assertIn("Unknown SKU NOPE-9", note.name)
        self.assertEqual(order.order_line.filtered("product_id").product_id, self.phone_case)
        self.assertEqual(self.order_for(before).state, "sale")
        self.assertEqual(self.order_for(after).state, "sale")
        # The push job ran in the same queue pass: iQmetrix hears about it.
        updates = self.sim.updates_for(flagged)
        self.assertEqual(len(updates), 1)
        self.assertEqual(updates[0]["endpoint"], "OrderStatusUpdate")
        self.assertEqual(updates[0]["body"]["Status"], 4)
        self.assertEqual(updates[0]["body"]["Message"], "Unknown SKU: NOPE-9")
        self.assertEqual(order.iqmetrix_status_sent, "4")
        self.assertFalse(self.sim.updates_for(before))

    def test_unknown_sku_status_can_be_not_available(self):
        self.credential.iqmetrix_unknown_sku_status = "5"
        order_id = self.sim.add_order(items=[{"sku": "GONE-1"}])
        self.import_feed()
        self.assertEqual(self.sim.updates_for(order_id)[0]["body"]["Status"], 5)

    def test_unusable_entry_is_recorded_and_the_rest_imported(self):
        good = self.sim.add_order(items=[{"sku": "CASE-1"}])
        bad = self.sim.add_order(items=[{"sku": "CASE-1", "quantity": "0"}])
        job = self.import_feed()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertTrue(self.order_for(good))
        self.assertFalse(self.order_for(bad))
        recorded = self.env["channel.inbox.item"].search(
            [("credential_id", "=", self.credential_id)])
        self.assertEqual((recorded.stream, recorded.payload_format), ("feed", "xml"))
        self.assertEqual(recorded.external_id, self.sim.entries[-1]["entry_id"])
        self.assertEqual(recorded.state, "failed")
        self.assertIn("not a positive whole number", recorded.error)
        self.assertIn(bad, recorded.payload)
        self.assertEqual(self.credential.inbox_open_count, 1)
        self.assertEqual(json.loads(self.marker())["entry_id"], self.sim.entries[-1]["entry_id"])
        recorded.action_retry()  # still unusable: stays failed, counted
        self.run_jobs()
        self.assertEqual((recorded.state, recorded.attempts), ("failed", 2))
        recorded.action_ignore()
        self.assertEqual(recorded.state, "ignored")

    def test_retry_reimports_a_parked_entry_from_its_xml(self):
        order_id = self.sim.add_order(items=[{"sku": "CASE-1"}])
        entry = self.feed_entries()[0]
        # Parked by an earlier run (e.g. a constraint a person has fixed since).
        item = self.env["channel.inbox.item"]._record_failure(
            self.credential, "feed", entry.entry_id, entry.xml, "fixed since",
            payload_format="xml")
        item.action_retry()
        self.run_jobs()
        order = self.order_for(order_id)
        self.assertEqual(order.state, "sale")
        self.assertEqual((item.state, item.res_model, item.res_id),
                         ("done", "sale.order", order.id))
        self.import_feed()  # the feed delivers the entry again: no second order
        self.assertEqual(len(self.order_for(order_id)), 1)

    def test_feed_is_a_stream_on_its_interval(self):
        stream = self.feed_stream()
        self.assertEqual((stream.kind, stream.interval_minutes), ("paged", 5))
        stream.write({"interval_minutes": 15, "next_run_at": False})
        self.env["channel.stream"]._cron_queue_due_streams()
        jobs = self.env["sync.job"].search([("res_model", "=", "channel.stream"),
                                            ("res_id", "=", stream.id)])
        self.assertEqual(len(jobs), 1)
        delay = stream.next_run_at - datetime.now()
        self.assertTrue(timedelta(minutes=14) < delay <= timedelta(minutes=15), delay)
        self.env["channel.stream"]._cron_queue_due_streams()
        self.assertEqual(self.env["sync.job"].search_count(
            [("res_model", "=", "channel.stream"), ("res_id", "=", stream.id)]), 1,
            "a stream whose run is in progress is not queued again")
        with self.assertRaises(UserError):  # Fetch Orders Now while the run is going on
            self.credential.action_iqmetrix_fetch_orders()
        self.run_jobs()
        action = self.credential.action_iqmetrix_fetch_orders()
        self.assertEqual(action["tag"], "display_notification")

    def test_oversized_page_is_refused_before_it_is_read(self):
        self.sim.add_order(items=[{"sku": "CASE-1"}])
        page = IqmetrixClient(self.credential).fetch_feed_page()
        self.sim.serve_raw_feed(page.replace(
            b"</feed>", b"<!--" + b"x" * (6 * 1024 * 1024) + b"--></feed>"))
        job = self.import_feed()
        self.assertEqual(job.state, "failed")
        self.assertRegex(job.last_error, r"5242880 bytes limit \(629\d{4} bytes announced\)",
                         "refused on its Content-Length, before the body is read")
        self.assertFalse(self.orders())
        self.assertFalse(self.marker())

    def test_connection_check(self):
        self.sim.add_order(items=[{"sku": "CASE-1"}])
        action = self.credential.action_test_connection()
        self.assertIn("1 entries", action["params"]["message"])

    def test_confirmation_keeps_the_feed_order_date(self):
        placed = datetime(2024, 3, 1, 10, 30, tzinfo=UTC)
        auto = self.sim.add_order(items=[{"sku": "CASE-1"}], updated=placed.timestamp())
        flagged = self.sim.add_order(items=[{"sku": "CASE-1"}, {"sku": "LATER-1"}],
                                     updated=placed.timestamp())
        self.import_feed()
        order = self.order_for(auto)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.date_order, datetime(2024, 3, 1, 10, 30))
        # Confirmed by a person later, after the SKU is sorted out: still the feed's date.
        later = self.order_for(flagged)
        self.env["product.product"].create({"name": "Later", "default_code": "LATER-1"})
        later.action_confirm()
        self.assertEqual(later.state, "sale")
        self.assertEqual(later.date_order, datetime(2024, 3, 1, 10, 30))

    def test_store_phone_stays_with_the_store(self):
        order_id = self.sim.add_order(items=[{"sku": "CASE-1"}], ship_to_store=True,
                                      seller={"company-id": "700", "location-id": "701"})
        self.import_feed()
        order = self.order_for(order_id)
        self.assertEqual(order.iqmetrix_delivery_kind, "store")
        self.assertFalse(order.partner_id.phone, "the feed gives no phone of the customer")
        self.assertFalse(order.iqmetrix_customer_phone)
        self.assertEqual(order.partner_shipping_id.phone, "+13065550100")
        self.assertEqual(order.partner_shipping_id.parent_id.phone, "+13065550100")
        self.assertNotIn("not a valid number", order.iqmetrix_import_warnings or "")


@tagged("post_install", "-at_install")
class TestShippingCustomerPhone(IqmetrixCase):
    """The variant where shipping-customer carries the end customer's <phone> (the guide's
    wording; the field table lists none)."""

    simulator_options = {"shipping_customer_phone": True}
    credential_values = {"iqmetrix_send_ordered": False}

    def test_customer_phone_from_shipping_customer(self):
        store = self.sim.add_order(items=[{"sku": "CASE-1"}], ship_to_store=True,
                                   seller={"company-id": "800", "location-id": "801"})
        home = self.sim.add_order(items=[{"sku": "CASE-1"}], customer={"phone": "3065550123"})
        self.import_feed()
        store_order = self.order_for(store)
        self.assertEqual(store_order.partner_id.phone, "+13065550142")
        self.assertEqual(store_order.iqmetrix_customer_phone, "+13065550142")
        self.assertEqual(store_order.partner_shipping_id.phone, "+13065550100", "the store's")
        home_order = self.order_for(home)
        self.assertEqual(home_order.iqmetrix_customer_phone, "+13065550123",
                         "the customer's own phone before the address's")
        self.assertEqual(home_order.partner_id.phone, "+13065550123")
