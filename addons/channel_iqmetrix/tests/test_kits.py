"""The shared kits on iQmetrix: secrets, the feed stream's resumable pages, and the status
pushes the shipment events queue."""

import json

from odoo.tests import tagged

from odoo.addons.channel_base.tests.secrets_kit import SecretsKit
from odoo.addons.channel_base.tests.shipment_events_kit import ShipmentOutcomeKit

from .common import IqmetrixCase, IqmetrixStatusCase

FEED_PATH = "/v1/Suppliers(60455)/Notifications"
SHIPPED_STATUSES = (2, 6)  # Shipped, PartiallyShipped
CANCELLED_STATUS = 7


class _Rollback(Exception):
    """Ends one scenario, rolling its savepoint back."""


@tagged("post_install", "-at_install")
class TestIqmetrixSecretsKit(SecretsKit, IqmetrixStatusCase):
    """Feed import, status push, a token refused by the API, a refused password."""

    def _secrets_kit_platform_secrets(self):
        return list(self.sim.access_tokens) + list(self.sim.refresh_tokens)

    def _secrets_kit_run_flows(self):
        self.credential.debug_logging = True  # keep every body: the strongest check
        order = self.imported([{"sku": "CASE-1"}])  # token, feed stream, Ordered push
        self.ship(order, {self.phone_case: 1}, "1Z-SECRET", carrier=self.carrier)
        self.run_jobs()  # Shipped
        self.sim.expire_access_tokens()  # a refused token, the queue's retry refreshes
        self.assertEqual(self.import_feed().state, "done")
        self.credential.iqmetrix_password = "the-wrong-password-42"
        self.sim.expire_access_tokens()
        self.sim.expire_refresh_tokens()
        self.assertEqual(self.import_feed().error_kind, "auth")
        self.assertTrue(self.credential.reconnect_needed)


@tagged("post_install", "-at_install")
class TestIqmetrixFeedStreamKit(IqmetrixCase):
    """The feed stream's pages (PagedImportKit's guarantees for a two-phase feed): a feed
    of three pages (two archives and the current one) is read back in three discovery
    jobs (the oldest page imported by the third) and two import jobs. A failure at any
    job leaves what the jobs before it committed, and the retry resumes at that page."""

    credential_values = {"iqmetrix_send_ordered": False}
    ENTRIES = 130  # pages of 50, 50 and 30
    COMMITTED_BEFORE_JOB = (0, 0, 0, 50, 100)

    def job_paths(self):
        self.sim._ensure_page_ids()  # page ids are handed out as pages are first served
        archive = [f"{FEED_PATH}/Pages({page_id})" for page_id in self.sim.page_ids]
        return [FEED_PATH, archive[1], archive[0], archive[1], FEED_PATH]

    def feed_fetches(self):
        return [r.path for r in self.sim.requests if r.path.startswith(FEED_PATH)]

    def start(self):
        self.sim.reset()
        self.credential._invalidate_access_token()
        order_ids = self.sim.add_orders(self.ENTRIES, items=[{"sku": "CASE-1"}])
        self.feed_stream().action_run_now()
        return order_ids

    def assert_complete(self, order_ids):
        stream = self.feed_stream()
        self.assertEqual(stream.run_state, "idle", stream.last_error)
        self.assertEqual(self.orders().mapped("channel_external_id"), order_ids,
                         "every entry imported once, oldest first")
        self.assertEqual(json.loads(self.marker())["entry_id"], self.sim.entries[-1]["entry_id"])

    def test_full_run_fetches_each_page_once_per_phase(self):
        order_ids = self.start()
        self.run_jobs()
        self.assert_complete(order_ids)
        self.assertEqual(self.feed_fetches(), self.job_paths())
        stream = self.feed_stream()
        self.assertEqual((stream.run_pages_done, stream.run_items_done, stream.run_created),
                         (5, 130, 130))
        self.import_feed()  # a second run reads the current page only, imports nothing
        self.assertEqual((stream.run_pages_done, stream.run_created), (1, 0))

    def test_failure_at_every_page_resumes_there(self):
        for job_number in range(1, 6):
            with self.subTest(job=job_number), self.assertRaises(_Rollback), \
                    self.env.cr.savepoint():
                self.fail_at(job_number)
                raise _Rollback
            self.env.invalidate_all()

    def fail_at(self, job_number):
        order_ids = self.start()
        self.run_jobs(max_jobs=job_number - 1)
        path = self.job_paths()[job_number - 1]
        self.sim.inject("server_error", count=1, path=path, status=503)
        self.run_jobs()
        stream = self.feed_stream()
        committed = self.COMMITTED_BEFORE_JOB[job_number - 1]
        self.assertEqual(len(self.orders()), committed)
        self.assertEqual((stream.run_state, stream.run_pages_done), ("running", job_number - 1))
        retry = stream.run_job_id
        self.assertEqual((retry.state, retry.error_kind), ("pending", "transient"))
        self.run_jobs()
        self.assert_complete(order_ids)
        expected = self.job_paths()
        self.assertEqual(self.feed_fetches(),
                         [*expected[:job_number], *expected[job_number - 1:]],
                         "the retry fetched the failed page again, and no earlier one")

    def test_current_page_rolled_over_since_discovery_is_not_skipped(self):
        self.sim.add_orders(60, items=[{"sku": "CASE-1"}])  # an archive and a current page
        self.import_feed()
        newer = self.sim.add_orders(45, items=[{"sku": "CHG-2"}])  # 40 of them archived
        self.assertEqual(self.sim.page_count(), 3)
        self.feed_stream().action_run_now()
        self.run_jobs(max_jobs=2)  # discovery reached the marker on the new archive
        later = self.sim.add_orders(60, items=[{"sku": "CHG-2"}])  # the current page rolls
        self.run_jobs()
        self.assertEqual(self.orders()[60:].mapped("channel_external_id"), newer + later,
                         "every entry, oldest first, none skipped")


@tagged("post_install", "-at_install")
class TestIqmetrixShipmentEvents(IqmetrixStatusCase):
    """What TestIqmetrixShipmentOutcomeKit does not assert: the statuses and the order of
    the tracking numbers in the bodies sent (the voided-label scenario is the kit's)."""

    def statuses(self, order):
        return [update["body"].get("Status") for update in
                self.sim.updates_for(order.channel_external_id)]

    def test_partial_shipment_then_backorder(self):
        order = self.imported([{"sku": "CASE-1", "quantity": 2}])
        self.ship(order, {self.phone_case: 1}, "1Z-PART", carrier=self.carrier)
        self.run_jobs()
        body = self.last_body(order)
        self.assertEqual(body["ItemInformation"][0]["Quantity"], 1)
        self.assertEqual(body["ItemInformation"][0]["TrackingInfo"], "1Z-PART")
        backorder = self.open_delivery(order)
        self.assertTrue(backorder.backorder_id, "the rest waits in a backorder")
        self.ship(order, {self.phone_case: 1}, "1Z-REST", carrier=self.carrier)
        self.run_jobs()
        last = self.last_body(order)
        self.assertEqual((last["Status"], last["TrackingInfo"]), (2, "1Z-PART,1Z-REST"))

    def test_cancelled_backorder_and_delivery(self):
        order = self.imported([{"sku": "CASE-1"}, {"sku": "CHG-2"}])
        self.ship(order, {self.phone_case: 1}, "1Z-ONE", carrier=self.carrier)
        self.run_jobs()
        self.open_delivery(order).action_cancel()  # _on_backorders_cancelled
        self.run_jobs()
        items = {item["Sku"]: item for item in self.last_body(order)["ItemInformation"]}
        self.assertEqual((items["CASE-1"]["Status"], items["CHG-2"]["Status"]), (2, 7))
        other = self.imported([{"sku": "CHG-2"}])
        self.open_delivery(other).action_cancel()  # _on_pickings_cancelled
        self.run_jobs()
        self.assertEqual(self.statuses(other)[-1], 7)


def iqmetrix_item_states(sim, order_id):
    """{sku: (status, quantity)} iQmetrix holds for an order, from the updates it received
    in order: an order-level update sets every item (at its ordered quantity), an item
    update the items it lists."""
    ordered = {item["sku"]: float(item["quantity"]) for item in sim.orders[order_id]["items"]}
    items = {}
    for update in sim.updates_for(order_id):
        body = update["body"]
        if update["endpoint"] == "OrderStatusUpdate":
            items = {sku: (body["Status"], quantity) for sku, quantity in ordered.items()}
            continue
        for item in body["ItemInformation"]:
            items[item["Sku"]] = (item["Status"], item.get("Quantity") or ordered[item["Sku"]])
    return items


def iqmetrix_platform_view(sim, order_id):
    """ShipmentOutcomeKit's view of an iQmetrix order: live tracking of its items, the
    quantities it holds shipped and cancelled, the updates received."""
    items = iqmetrix_item_states(sim, order_id)
    numbers = {number for state in sim.order_states[order_id]["items"].values()
               for number in (state["tracking"] or "").split(",") if number}
    return {
        "tracking": sorted(numbers),
        "shipped": {sku: quantity for sku, (status, quantity) in items.items()
                    if status in SHIPPED_STATUSES},
        "cancelled": {sku: quantity for sku, (status, quantity) in items.items()
                      if status == CANCELLED_STATUS},
        "pushes": len(sim.updates_for(order_id)),
    }


@tagged("post_install", "-at_install")
class TestIqmetrixShipmentOutcomeKit(ShipmentOutcomeKit, IqmetrixStatusCase):
    """The shared outcome kit on iQmetrix: what its order holds (items' statuses, quantities
    and tracking) after the status pushes ran. Shipped needs a mapped carrier."""

    def _shipment_kit_credential(self):
        return self.credential

    def _shipment_kit_carrier(self):
        return self.carrier

    def _shipment_kit_ready_picking(self, lines):
        order = self.imported([{"sku": product.default_code, "quantity": quantity}
                               for product, quantity in lines])
        return self.open_delivery(order)

    def _shipment_kit_deliver(self):
        self.run_jobs()

    def _shipment_kit_platform_view(self, pickings):
        order_ids = set(pickings.sale_id.mapped("channel_external_id"))
        self.assertEqual(len(order_ids), 1, "the transfers of one iQmetrix order")
        return iqmetrix_platform_view(self.sim, order_ids.pop())
