"""The shared test kits of channel_base run on IQ Reseller: secrets, the orders stream,
and the shipment events IQR reacts to."""

import json

from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.exceptions import AuthError
from odoo.addons.channel_base.shipment_events import APPLIED, Shipment
from odoo.addons.channel_base.tests.paged_import_kit import PagedImportKit
from odoo.addons.channel_base.tests.secrets_kit import SecretsKit
from odoo.addons.channel_base.tests.shipment_events_kit import ShipmentOutcomeKit

from ..client import IQResellerClient
from ..const import MIN_PAGE_SIZE
from ..listing import ListingCursor
from .common import API_KEY, IQResellerCase


@tagged("post_install", "-at_install")
class TestIQResellerSecretsKit(SecretsKit, IQResellerCase, TransactionCase):
    """The API key and every session IQR handed out stay out of every log."""

    def _secrets_kit_platform_secrets(self):
        return [*self.sim.sessions, API_KEY]  # the key is replaced by a wrong one at the end

    def _secrets_kit_run_flows(self):
        self.credential.debug_logging = True  # keep every body: the strongest check
        so = self.add_so()
        self.poll()  # sign-in, pages, sign-out
        order = self.order_of(so)
        self.ship(order, "1ZSECRET0000001")
        self.sim.expire_sessions()  # the push is refused once, signs in again
        self.run_jobs()
        self.assertEqual(order.iqr_tracking_numbers, "1ZSECRET0000001")
        self.credential.action_test_connection()
        self.credential.iqr_api_key = "iqr-wrong-key-5566"
        with self.assertRaises(AuthError):
            IQResellerClient(self.credential).fetch_orders_page(0, 1)


class CursorAt:
    """Equal to the stored orders cursor after ``items`` orders of ``total``: mid-run,
    the run cursor at that offset; at the end, where the next run starts (the first page
    holding an order of the window, offset 0 here)."""

    def __init__(self, items, total, page_size):
        self.items, self.total, self.page_size = items, total, page_size

    def __eq__(self, stored):
        cursor = json.loads(stored or "null") or {}
        if self.items < self.total:
            return (cursor.get("mode"), cursor.get("offset")) == ("full", self.items)
        listing = ListingCursor.parse(cursor)
        return "mode" not in cursor and listing is not None and (
            listing.offset, listing.page_size) == (0, self.page_size)

    def __repr__(self):
        return f"<orders cursor after {self.items} of {self.total}>"


@tagged("post_install", "-at_install")
class TestIQResellerPagedImportKit(PagedImportKit, IQResellerCase, TransactionCase):
    """The orders stream, read in full (first run): one listing page per job. Pages of
    the smallest size, so a failing page is not asked again smaller but fails its job."""

    paged_kit_stream = "orders"
    paged_kit_page_size = MIN_PAGE_SIZE
    paged_kit_items = 13  # pages of 5, 5 and 3
    paged_kit_estimates_total = False  # IQR answers a bare list: no total, no page count

    def setUp(self):
        super().setUp()
        self.credential.iqr_page_size = self.paged_kit_page_size

    def _paged_kit_reset(self):
        self.sim.reset()  # forgets its sessions too
        self.credential._invalidate_access_token()

    def _paged_kit_seed(self, count):
        for _n in range(count):
            self.add_so(lines=[{"item": "DOCK-USB-C", "quantity": 1}])

    def _paged_kit_fail_page(self, page, times=1):
        self.sim.fail_page(page - 1, times=times)  # IQR numbers its pages from 0

    def _paged_kit_imported_keys(self):
        return self.imported().mapped("channel_external_id")

    def _paged_kit_page_fetches(self):
        return [int(page) + 1 for page in self.listing_pages(self.paged_kit_page_size)]

    def _paged_kit_cursor_after(self, items):
        return CursorAt(items, self.paged_kit_items, self.paged_kit_page_size)

    def test_paged_kit_second_run_imports_nothing_new(self):
        """Replaces the kit's version: IQR has no server-side filter, so a run reads
        again the pages holding orders of the import window (here all of them) to see
        changes; it imports nothing and queues no import job."""
        self._paged_kit_seed(self.paged_kit_items)
        stream = self._paged_kit_start()
        self._paged_kit_drain()
        jobs_before = self.Job.search_count([("credential_id", "=", self.credential_id)])
        self._paged_kit_start()
        self._paged_kit_drain()
        self._paged_kit_assert_complete(stream)
        self.assertEqual(stream.run_created, 0, "the second run created nothing")
        self.assertEqual(stream.run_skipped, self.paged_kit_items, "every order unchanged")
        self.assertEqual(self.Job.search_count([("credential_id", "=", self.credential_id)]),
                         jobs_before + stream.run_pages_done, "only its page jobs")


@tagged("post_install", "-at_install")
class TestIQResellerShipmentEvents(IQResellerCase, TransactionCase):
    """What IQR hears of the shipment events of channel_base (docs/shipment_events.md):
    the events of one order coalesce into one tracking push of its live numbers (one job
    per order, dedup key), so IQR always ends with the transfer's current tracking. The
    shared scenarios run in TestIQResellerShipmentOutcomeKit; these add what it does not
    assert: the exact writes, the order of the numbers in the field, the Odoo side
    (iqr_tracking_numbers), and events coalesced before the push runs."""

    def imported_order(self):
        so = self.add_so()
        self.poll()
        return so, self.order_of(so)

    def iqr_tracking(self, so):
        return self.sim.sos[so["soid"]]["userdefined1"]

    def test_voided_label_then_a_new_one(self):
        so, order = self.imported_order()
        picking = self.ship(order, "1ZVOID0000000001")
        self.run_jobs()
        self.assertEqual(self.iqr_tracking(so), "1ZVOID0000000001")
        picking.carrier_tracking_ref = False  # label voided
        self.assertEqual(len(self.tracking_jobs(order).filtered(
            lambda job: job.state == "pending")), 1, "the removal queues a push")
        self.run_jobs()
        self.assertEqual(self.iqr_tracking(so), "", "IQR loses the voided number")
        picking.carrier_tracking_ref = "1ZVOID0000000002"  # the new label
        self.run_jobs()
        self.assertEqual(self.iqr_tracking(so), "1ZVOID0000000002")
        self.assertEqual([write["userdefined1"] for write in self.sim.udf_writes],
                         ["1ZVOID0000000001", "", "1ZVOID0000000002"], "once each")
        self.assertEqual(order.iqr_tracking_numbers, "1ZVOID0000000002")

    def test_void_and_new_label_before_the_push_runs_send_the_new_one_only(self):
        so, order = self.imported_order()
        picking = self.ship(order, "1ZFAST0000000001")
        picking.carrier_tracking_ref = False
        picking.carrier_tracking_ref = "1ZFAST0000000002"
        self.assertEqual(len(self.tracking_jobs(order)), 1, "three events, one push")
        self.run_jobs()
        self.assertEqual([write["userdefined1"] for write in self.sim.udf_writes],
                         ["1ZFAST0000000002"])

    def test_partial_shipment_then_the_backorder(self):
        so, order = self.imported_order()
        picking = order.picking_ids
        dock = self.products["DOCK-USB-C"]
        outcome = self.env["stock.picking"]._channel_apply_shipments(
            [Shipment(picking, ("1ZPART0000000001",), quantities={dock: 1})])[0]
        self.assertEqual(outcome.status, APPLIED, outcome.reason)
        self.assertTrue(outcome.backorder, "the rest waits in a backorder")
        self.run_jobs()
        self.assertEqual(self.iqr_tracking(so), "1ZPART0000000001")
        self.assertFalse(outcome.backorder.carrier_tracking_ref)
        rest = self.env["stock.picking"]._channel_apply_shipments(
            [Shipment(outcome.backorder, ("1ZPART0000000002",))])[0]
        self.assertEqual((rest.status, rest.backorder), (APPLIED, None))
        self.run_jobs()
        self.assertEqual(self.iqr_tracking(so), "1ZPART0000000001, 1ZPART0000000002")
        self.assertEqual(len(self.sim.udf_writes), 2, "one push per shipment")


@tagged("post_install", "-at_install")
class TestIQResellerShipmentOutcomeKit(ShipmentOutcomeKit, IQResellerCase, TransactionCase):
    """The shared outcome kit on IQR: what IQR's SO holds in its tracking field after the
    queue ran. IQR is told tracking only (no quantities) and does not hear
    cancellations."""

    shipment_kit_reports_quantities = False
    shipment_kit_reports_cancellations = False

    def _shipment_kit_credential(self):
        return self.credential

    def _shipment_kit_ready_picking(self, lines):
        so = self.add_so(lines=[{"item": product.default_code, "quantity": quantity,
                                 "unitprice": 10.0} for product, quantity in lines])
        self.poll()
        return self.order_of(so).picking_ids

    def _shipment_kit_deliver(self):
        self.run_jobs()

    def _shipment_kit_platform_view(self, pickings):
        soids = {int(soid) for soid in pickings.sale_id.mapped("channel_external_id")}
        self.assertEqual(len(soids), 1, "the transfers of one IQR order")
        soid = soids.pop()
        numbers = self.sim.sos[soid].get(self.credential.iqr_tracking_field) or ""
        return {
            "tracking": sorted(number.strip() for number in numbers.split(",")
                               if number.strip()),
            "pushes": len([write for write in self.sim.udf_writes if write["soid"] == soid]),
        }
