"""ShipStation's other events (seed 000 §3.2): tracking updates (`track` / API_TRACK and
`track_event_v2` / TRACK_EVENT_V2) set the transfer's delivery status; batch_processed_v2
is recorded. Delivered by the simulator over HTTP to the real route, signed, with the
account's token."""

import json
from contextlib import closing
from datetime import timedelta

from odoo import sql_db
from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tests.common import get_db_name

from .. import mapping
from .common import V2_API_KEY
from .test_webhook import ShipmentFlowMixin


@tagged("post_install", "-at_install")
class TestTrackingMapping(TransactionCase):
    def test_status_codes_and_latest_event(self):
        update = mapping.tracking_update({"data": {
            "tracking_number": " 1Z9 ", "status_code": "ex", "exception_description":
            "Address unknown", "events": [
                {"occurred_at": "2024-10-25T12:32:00Z", "description": "Arrived",
                 "city_locality": "OCEANSIDE", "state_province": "CA"},
                {"occurred_at": "2024-10-24T08:00:00Z", "description": "Older"}]}})
        self.assertEqual((update.tracking_number, update.status, update.description,
                          update.place), ("1Z9", "exception", "Address unknown",
                                          "OCEANSIDE CA"))
        self.assertEqual(str(update.occurred_at), "2024-10-25 12:32:00")
        self.assertEqual(mapping.tracking_update(
            {"data": {"tracking_number": "1", "status_code": "ZZ"}}).status, "unknown")
        for bad in ({}, {"data": []}, {"data": {"status_code": "IT"}}):
            with self.assertRaises(ValueError):
                mapping.tracking_update(bad)
        with self.assertRaises(ValueError, msg="a naive occurred_at is refused"):
            mapping.tracking_update({"data": {"tracking_number": "1", "events": [
                {"occurred_at": "2024-10-25T05:32:00"}]}})

    def test_one_status_per_transfer(self):
        combined = mapping.combined_delivery_status
        self.assertEqual(combined(["delivered", "in_transit"]), "in_transit")
        self.assertEqual(combined(["delivered", "delivered"]), "delivered")
        self.assertEqual(combined(["delivered", "exception"]), "exception")
        self.assertEqual(combined(["accepted", "attempted"]), "attempted")
        self.assertFalse(combined([False]))
        self.assertEqual(combined(["accepted", False]), "accepted")
        self.assertEqual(combined(["delivered", False]), "in_transit")
        self.assertEqual(mapping.batch_reference(
            {"resource_url": "https://api.shipstation.com/v2/batches/se-12/"}), "se-12")
        self.assertIsNone(mapping.batch_reference({"resource_type": "BATCH_PROCESSED_V2"}))


@tagged("post_install", "-at_install")
class TestTrackingWebhooks(ShipmentFlowMixin, HttpCase):
    credential_values = {"shipstation_v2_api_key": V2_API_KEY}

    def setUp(self):
        super().setUp()
        self.credential.shipstation_track_event = "track"
        self.register_webhooks()

    def shipped_picking(self, tracking_number, **ship_options):
        picking = self.sent_picking()
        self.ship_and_notify(picking, tracking_number=tracking_number, **ship_options)
        self.assertEqual(picking.state, "done")
        return picking

    def deliver_track(self, tracking_number, status_code, **options):
        self.env.flush_all()
        answers = self.sim.deliver_track(tracking_number, status_code, **options)
        self.env.invalidate_all()
        self.assertEqual([status for status, _text in answers], [200])
        self.run_jobs()

    def messages(self, picking):
        return picking.message_ids.mapped("preview")

    def test_registration_subscribes_tracking_and_batches(self):
        events = sorted(hook["event"] for hook in self.sim.v2_webhooks.values())
        self.assertEqual(events, ["batch_processed_v2", "fulfillment_shipped_v2", "track"])
        by_event = {hook["event"]: hook["webhook_id"] for hook in self.sim.v2_webhooks.values()}
        self.assertEqual(self.credential.shipstation_track_webhook_id, by_event["track"])
        self.assertEqual(self.credential.shipstation_batch_webhook_id,
                         by_event["batch_processed_v2"])
        self.assertTrue(all(hook["url"] == self.credential.sudo().webhook_url
                            for hook in self.sim.v2_webhooks.values()))
        self.register_webhooks()
        self.assertEqual(len(self.sim.v2_webhooks), 3, "registering again adds nothing")
        self.credential.shipstation_track_event = "track_event_v2"
        self.register_webhooks()
        events = sorted(hook["event"] for hook in self.sim.v2_webhooks.values())
        self.assertEqual(events, ["batch_processed_v2", "fulfillment_shipped_v2", "track",
                                  "track_event_v2"],
                         "another event is subscribed; the old one is left to the user")
        self.assertEqual(self.credential.shipstation_track_webhook_id,
                         {hook["event"]: hook["webhook_id"] for hook in
                          self.sim.v2_webhooks.values()}["track_event_v2"])

    def test_track_events_set_the_delivery_status_and_tell_the_chatter(self):
        picking = self.shipped_picking("1ZTRACK1")
        self.deliver_track("1ZTRACK1", "IT", description="Arrived at UPS Facility")
        event = self.events(event_type="API_TRACK")
        self.assertEqual(event.state, "processed", event.error)
        self.assertIn("1ZTRACK1", event.delivery_id)
        self.assertEqual(picking.shipstation_delivery_status, "in_transit")
        self.assertEqual(picking.shipstation_shipment_ids.delivery_status, "in_transit")
        self.assertIn("Delivery status of 1ZTRACK1 (ShipStation): In Transit (Arrived at UPS "
                      "Facility — OCEANSIDE CA).", self.messages(picking))
        self.assertEqual(json.loads(event.job_id.result)["records"],
                         {"stock.picking": picking.ids})
        later = self.sim.now() + timedelta(hours=5)
        self.deliver_track("1ZTRACK1", "DE", occurred_at=later)
        self.assertEqual(picking.shipstation_delivery_status, "delivered")
        self.assertEqual(picking.shipstation_delivery_updated_at,
                         later.replace(tzinfo=None, microsecond=0))
        delivered = self.env["stock.picking"].search(
            [("shipstation_delivery_status", "=", "delivered"), ("id", "=", picking.id)])
        self.assertEqual(delivered, picking, "the Delivered filter finds the transfer")

    def test_track_event_v2_shape_and_exceptions(self):
        self.credential.shipstation_track_event = "track_event_v2"
        self.register_webhooks()
        picking = self.shipped_picking("1ZV2TRACK")
        self.env.flush_all()
        answers = self.sim.deliver_track("1ZV2TRACK", "EX",
                                         exception_description="Address not found")
        self.env.invalidate_all()
        self.assertEqual(sorted(status for status, _text in answers), [200, 200],
                         "both subscriptions (track, track_event_v2) hear of it")
        self.run_jobs()
        self.assertEqual(len(self.events(event_type="TRACK_EVENT_V2")), 1)
        self.assertEqual(picking.shipstation_delivery_status, "exception")
        self.assertEqual(picking.shipstation_shipment_ids.delivery_status_note,
                         "Address not found")
        self.assertIn("Exception (Address not found", self.messages(picking)[0])

    def test_a_late_older_event_changes_nothing(self):
        picking = self.shipped_picking("1ZLATE")
        now = self.sim.now()
        self.deliver_track("1ZLATE", "DE", occurred_at=now)
        self.deliver_track("1ZLATE", "IT", occurred_at=now - timedelta(hours=3))
        self.assertEqual(picking.shipstation_delivery_status, "delivered")
        late = self.events(event_type="API_TRACK").filtered(lambda e: ":IT:" in e.delivery_id)
        self.assertEqual(late.state, "processed", late.error)
        self.assertEqual(json.loads(late.job_id.result)["ignored"], 1)

    def test_several_labels_give_one_status(self):
        picking = self.sent_picking([(self.widget, 2, 10.0), (self.gadget, 1, 5.0)])
        self.ship_and_notify(picking, packages=2, tracking_number=["1ZPK1", "1ZPK2"])
        self.deliver_track("1ZPK1", "DE")
        self.assertEqual(picking.shipstation_delivery_status, "in_transit",
                         "one label delivered, the other not heard of: on its way")
        self.deliver_track("1ZPK2", "DE")
        self.assertEqual(picking.shipstation_delivery_status, "delivered")

    def test_unknown_tracking_number_is_recorded_and_ignored(self):
        picking = self.shipped_picking("1ZOURS")
        self.deliver_track("1ZNOTOURS", "DE")
        event = self.events(event_type="API_TRACK")
        self.assertEqual(event.state, "processed", event.error)
        result = json.loads(event.job_id.result)
        self.assertEqual(result["ignored"], 1)
        self.assertIn("1ZNOTOURS", result["reason"])
        self.assertFalse(picking.shipstation_delivery_status)

    def test_tracking_events_are_authenticated_like_the_rest(self):
        picking = self.shipped_picking("1ZAUTH")
        with closing(sql_db.db_connect(get_db_name()).cursor()) as cr:
            cr.execute("SELECT coalesce(max(id), 0) FROM channel_webhook_refusal")
            (refusals_before,) = cr.fetchone()
        body = json.dumps(self.sim.track_payload("1ZAUTH", "DE")).encode()
        headers = self.sim.sign_v2(body)
        for token in (False, "not-our-token"):
            self.assertEqual(self.post_webhook(None, raw=body, headers=headers, token=token)
                             .status_code, 401)
        tampered = body.replace(b'"DE"', b'"EX"')
        self.assertEqual(self.post_webhook(None, raw=tampered, headers=headers).status_code,
                         401, "a signature that does not verify is refused")
        # Refusals are committed on their own cursor: read them on a fresh connection.
        with closing(sql_db.db_connect(get_db_name()).cursor()) as cr:
            cr.execute("SELECT status_code FROM channel_webhook_refusal WHERE credential_id = %s "
                       "AND id > %s ORDER BY id", (self.credential_id, refusals_before))
            self.assertEqual([row[0] for row in cr.fetchall()],
                             [401, 401, 401], "each refusal is recorded")
        self.run_jobs()
        self.assertFalse(self.events(event_type="API_TRACK"))
        self.assertFalse(picking.shipstation_delivery_status)

    def test_malformed_tracking_event_fails_with_a_clear_error(self):
        payload = self.sim.track_payload("1ZX", "IT")
        del payload["data"]["tracking_number"]
        body = json.dumps(payload).encode()
        self.assertEqual(self.post_webhook(None, raw=body, headers=self.sim.sign_v2(body))
                         .status_code, 200)
        self.run_jobs()
        event = self.events(event_type="API_TRACK")
        self.assertEqual(event.state, "failed")
        self.assertIn("names no tracking_number", event.error)

    def test_batch_processed_is_recorded_with_its_batch(self):
        self.env.flush_all()
        answers = self.sim.deliver_batch_processed_v2("se-424242")
        self.env.invalidate_all()
        self.assertEqual([status for status, _text in answers], [200])
        self.run_jobs()
        event = self.events(event_type="BATCH_PROCESSED_V2")
        self.assertEqual(event.state, "processed", event.error)
        self.assertEqual(event.delivery_id, "v2:BATCH_PROCESSED_V2:se-424242")
        self.assertIn("se-424242", event.job_id.result_summary)
        self.assertEqual(len(self.sim_requests("/jwks")), 1, "the delivery was verified")
        # A redelivery is a duplicate; a forged one without the token is refused.
        self.sim.deliver_batch_processed_v2("se-424242")
        self.env.invalidate_all()
        self.assertEqual(event.duplicate_count, 1)
        body = json.dumps(self.sim.batch_processed_payload("se-1")).encode()
        self.assertEqual(self.post_webhook(None, raw=body, headers=self.sim.sign_v2(body),
                                           token=False).status_code, 401)
