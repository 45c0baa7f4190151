import json
from datetime import datetime

from odoo.tests import TransactionCase, tagged

from ..client import ShipStationClient
from odoo.addons.channel_base.paged_import import PAGE_OPERATION

from ..const import OP_EXPORT_SWEEP, SHIPMENTS_STREAM
from .common import V2_API_KEY, ShipStationTestMixin, utc


@tagged("post_install", "-at_install")
class TestPolling(ShipStationTestMixin, TransactionCase):
    """The polling fallback lists shipments since the last successful poll."""

    def sent_picking(self):
        picking = self.picking_of(self.make_sale())
        self.run_jobs()
        return picking

    def poll(self):
        """One run of the shipments stream (its created and voided listings); returns the
        stream with the run's counters."""
        stream = self.credential._channel_stream(SHIPMENTS_STREAM)
        self.credential.action_shipstation_poll_now()
        self.run_jobs()
        return stream

    def stream_jobs(self, operation=PAGE_OPERATION):
        return self.pending_jobs(operation).filtered(
            lambda job: job.credential_id == self.credential)

    def test_poll_catches_a_shipment_whose_webhook_was_lost(self):
        picking = self.sent_picking()
        self.sim.ship_order(picking.shipstation_order_key, tracking_number="1ZLOST")
        stream = self.poll()
        self.assertEqual(stream.run_state, "idle", stream.last_error)
        self.assertEqual((stream.run_pages_done, stream.run_created), (1, 1))
        voids = self.credential._channel_stream("shipment_voids")
        self.assertEqual((voids.run_state, voids.run_pages_done), ("idle", 1),
                         "the voided labels are listed too")
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.carrier_tracking_ref, "1ZLOST")
        cursor = self.credential._get_cursor(SHIPMENTS_STREAM)
        self.assertTrue(cursor.last_success_at)
        self.assertIn('"until"', cursor.value)
        # Nothing new: the next poll (with its overlap) applies nothing twice.
        again = self.poll()
        self.assertEqual((again.run_skipped, again.run_created), (1, 0))
        self.assertEqual(len(picking.shipstation_shipment_ids), 1)

    def test_a_transfer_that_cannot_be_validated_does_not_hold_back_the_others(self):
        lots = self.make_product("LOT-1", "Needs lots")
        lots.tracking = "lot"
        good = self.sent_picking()
        stuck = self.picking_of(self.make_sale([(lots, 1, 5.0)]))
        self.run_jobs()
        for picking in good | stuck:
            self.sim.ship_order(picking.shipstation_order_key, tracking_number=f"1Z{picking.id}")
        stream = self.poll()
        self.assertEqual(stream.run_state, "idle", stream.last_error)
        self.assertEqual(good.state, "done")
        self.assertNotEqual(stuck.state, "done")
        self.assertEqual(stuck.carrier_tracking_ref, f"1Z{stuck.id}", "the tracking is kept")
        self.assertEqual(stuck.channel_sync_state, "flagged")
        self.assertIn("could not be validated", stuck.channel_last_error)
        self.assertEqual(stuck.shipstation_shipment_ids.state, "error")
        again = self.poll()
        self.assertEqual(again.run_skipped, 2, "a person validates it, not each poll")

    def test_poll_filters_by_store_and_pages(self):
        self.credential.shipstation_store_id = "4242"
        pickings = [self.picking_of(self.make_sale()) for _index in range(3)]
        self.run_jobs()
        for picking in pickings:
            self.sim.ship_order(picking.shipstation_order_key)
        self.poll()
        self.assertEqual({p.state for p in pickings}, {"done"})
        listing = self.sim_requests("/shipments")[0]
        self.assertEqual(listing.query["storeId"], "4242")
        self.assertEqual(listing.query["includeShipmentItems"], "true")
        self.assertEqual(self.sim_order(pickings[0])["advancedOptions"]["storeId"], 4242)

    def test_failed_poll_does_not_move_the_cursor(self):
        picking = self.sent_picking()
        self.sim.ship_order(picking.shipstation_order_key)
        self.sim.inject("server_error", count=5, path="/shipments")
        stream = self.poll()
        self.assertEqual((stream.run_job_id.state, stream.run_job_id.error_kind),
                         ("pending", "transient"))
        self.assertFalse(self.credential._get_cursor(SHIPMENTS_STREAM))
        self.assertNotEqual(picking.state, "done")

    def test_dst_spring_forward(self):
        """2024-03-10: 02:00 PST jumps to 03:00 PDT (10:00 UTC)."""
        picking = self.sent_picking()
        self.credential._set_cursor(SHIPMENTS_STREAM, success_at=datetime(2024, 3, 10, 9, 50))
        self.credential.shipstation_poll_overlap_minutes = 0
        before, after = self.sim.ship_order(
            picking.shipstation_order_key, items=[("WIDGET-001", 1)], tracking_number="1ZPST",
            create_date=utc(2024, 3, 10, 9, 55))[0], self.sim.ship_order(
            picking.shipstation_order_key, items=[("WIDGET-001", 1)], tracking_number="1ZPDT",
            create_date=utc(2024, 3, 10, 10, 5))[0]
        self.assertEqual(before["createDate"][:19], "2024-03-10T01:55:00")
        self.assertEqual(after["createDate"][:19], "2024-03-10T03:05:00")
        self.poll()
        self.assertEqual(self.sim_requests("/shipments")[0].query["createDateStart"],
                         "2024-03-10 01:50:00", "09:50 UTC is 01:50 PST")
        shipped_at = dict(self.env["shipstation.shipment"].search(
            [("credential_id", "=", self.credential_id)]).mapped(
            lambda s: (s.tracking_number, s.shipped_at)))
        self.assertEqual(shipped_at, {"1ZPST": datetime(2024, 3, 10, 9, 55),
                                      "1ZPDT": datetime(2024, 3, 10, 10, 5)})
        done = picking | picking.backorder_ids
        self.assertEqual(set(done.mapped("state")), {"done"})

    def test_dst_fall_back(self):
        """2024-11-03: 02:00 PDT falls back to 01:00 PST (09:00 UTC); 01:xx happens twice."""
        picking = self.sent_picking()
        self.credential._set_cursor(SHIPMENTS_STREAM, success_at=datetime(2024, 11, 3, 9, 40))
        self.credential.shipstation_poll_overlap_minutes = 0
        self.sim.ship_order(picking.shipstation_order_key, tracking_number="1ZFALL",
                            create_date=utc(2024, 11, 3, 9, 45))  # 01:45 PST, second time
        self.poll()
        self.assertEqual(self.sim_requests("/shipments")[0].query["createDateStart"],
                         "2024-11-03 01:40:00")
        self.assertEqual(picking.state, "done", "caught although 01:40 is ambiguous")
        shipped_at = picking.shipstation_shipment_ids.shipped_at
        # "01:45" without offset reads as its first occurrence (PDT): V1 cannot tell.
        self.assertIn(shipped_at, (datetime(2024, 11, 3, 8, 45), datetime(2024, 11, 3, 9, 45)))

    def test_cron_queues_one_poll_per_account(self):
        Stream = self.env["channel.stream"]
        Stream._cron_queue_due_streams()
        Stream._cron_queue_due_streams()
        self.assertEqual(len(self.stream_jobs()), 2, "shipments and voided labels")
        self.assertEqual(len(self.stream_jobs(OP_EXPORT_SWEEP)), 1)
        self.credential.action_shipstation_poll_now()  # while it runs: not a second walk
        self.assertEqual(len(self.stream_jobs()), 2)

    def test_an_account_to_reconnect_is_neither_polled_nor_swept(self):
        Stream = self.env["channel.stream"]
        self.credential.shipstation_send_on = "manual"
        picking = self.picking_of(self.make_sale())
        self.credential.write({"shipstation_send_on": "picking_ready"})
        self.credential._mark_reconnect_needed("ShipStation refused the API key (HTTP 401)")
        Stream._cron_queue_due_streams()
        self.assertFalse(self.stream_jobs() | self.stream_jobs(OP_EXPORT_SWEEP))
        self.assertFalse(picking.shipstation_export_job_id)
        self.credential.sudo().shipstation_api_secret = "a-new-secret"  # resumes the syncs
        self.assertFalse(self.credential.reconnect_needed)
        Stream._cron_queue_due_streams()
        self.assertTrue(self.stream_jobs())
        (sweep,) = self.stream_jobs(OP_EXPORT_SWEEP)
        self.run_jobs()
        self.assertEqual(sweep.state, "done", sweep.last_error)
        self.assertTrue(picking.shipstation_export_job_id, "the sweep queued the transfer")
        sweep_stream = self.credential._channel_stream("export_sweep")
        self.assertEqual(sweep_stream.run_state, "idle", "the run ends with its job")

    def test_the_export_sweep_stream_does_nothing_when_sending_manually(self):
        self.credential.shipstation_send_on = "manual"
        picking = self.picking_of(self.make_sale())
        stream = self.credential._channel_stream("export_sweep")
        job = stream._queue_run()
        self.assertEqual((job.operation, job.payload["stream"]),
                         (OP_EXPORT_SWEEP, "export_sweep"))
        self.run_jobs()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertIn("manually", job.result)
        self.assertFalse(picking.shipstation_export_job_id)
        self.assertEqual(stream.run_state, "idle")


@tagged("post_install", "-at_install")
class TestShipDateFormats(ShipStationTestMixin, TransactionCase):
    """UNCONFIRMED shipDate shape: older V1 samples send a bare date."""

    sim_options = {"ship_date_format": "date"}
    credential_values = {"shipstation_v2_api_key": V2_API_KEY}

    def test_bare_ship_date_and_test_connection(self):
        message = self.credential._test_connection()
        self.assertIn("V1 API reachable", message)
        self.assertIn("V2 API key accepted", message)
        picking = self.picking_of(self.make_sale())
        self.run_jobs()
        (shipment,) = self.sim.ship_order(picking.shipstation_order_key,
                                          ship_date=utc(2024, 7, 4, 5, 0))
        self.assertEqual(shipment["shipDate"], "2024-07-03", "Pacific day of 05:00 UTC")
        self.credential.action_shipstation_poll_now()
        self.run_jobs()
        self.assertEqual(picking.state, "done")
        self.assertEqual(str(picking.shipstation_ship_date), "2024-07-03")


@tagged("post_install", "-at_install")
class TestLowercaseRateHeaders(ShipStationTestMixin, TransactionCase):
    """One copy of the docs spells the headers x-ratelimit-*: both are read. The account
    keeps its default 40/min, so only the headers can tell it the simulator's 3 per 2 s."""

    sim_options = {"header_style": "lowercase_alt", "requests_per_minute": 3,
                   "window_seconds": 2}

    def test_window_is_learnt_from_lowercase_headers(self):
        self.credential.debug_logging = True  # successful exchanges keep headers only then
        client = ShipStationClient(self.credential)
        for _index in range(8):
            client.ping()
        self.assertEqual(self.sim.throttled_count, 0)
        names = {name.lower() for name in json.loads(self.api_logs()[-1]["response_headers"])}
        self.assertIn("x-ratelimit-remaining", names)
        self.assertNotIn("x-rate-limit-remaining", names)
