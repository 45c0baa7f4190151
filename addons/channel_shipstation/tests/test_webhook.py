import json
from datetime import timedelta

from odoo.tests import HttpCase, tagged

from .common import API_KEY, API_SECRET, V2_API_KEY, ShipStationTestMixin


class ShipmentFlowMixin(ShipStationTestMixin):
    def sent_picking(self, lines=None):
        picking = self.picking_of(self.make_sale(lines))
        self.run_jobs()
        self.assertTrue(picking.shipstation_order_key, picking.channel_last_error)
        return picking

    def ship_and_notify(self, picking, **ship_options):
        shipments = self.sim.ship_order(picking.shipstation_order_key, **ship_options)
        answers = self.deliver_ship_notify([s["shipmentId"] for s in shipments])
        self.assertEqual([status for status, _text in answers], [200])
        self.run_jobs()
        return shipments


@tagged("post_install", "-at_install")
class TestShipNotifyWebhook(ShipmentFlowMixin, HttpCase):
    """V1 SHIP_NOTIFY: token-authenticated, thin payload, resource_url fetched back."""

    def setUp(self):
        super().setUp()
        self.register_webhooks()

    def test_register_webhooks_is_idempotent_and_replaces_stale_tokens(self):
        (hook,) = self.sim.webhooks.values()
        self.assertEqual(hook["HookType"], "SHIP_NOTIFY")
        self.assertEqual(hook["Url"], self.credential.sudo().webhook_url)
        self.assertIn("?token=", hook["Url"])
        self.register_webhooks()
        self.assertEqual(len(self.sim.webhooks), 1)
        self.credential.action_regenerate_webhook_secret()
        self.register_webhooks()
        (hook,) = self.sim.webhooks.values()
        self.assertEqual(hook["Url"], self.credential.sudo().webhook_url,
                         "the subscription with the old token was replaced")
        self.assertEqual(self.credential.shipstation_v1_webhook_id, str(hook["WebHookID"]))

    def test_webhook_makes_the_picking_done_with_tracking(self):
        carrier_product = self.env["product.product"].create(
            {"name": "UPS Ground", "type": "service"})
        ups = self.env["delivery.carrier"].create(
            {"name": "UPS Ground", "product_id": carrier_product.id, "delivery_type": "fixed"})
        self.env["channel.carrier.map"].create({
            "platform": "shipstation", "credential_id": self.credential.id,
            "carrier_code": "ups", "service_code": "ups_ground", "carrier_id": ups.id})
        picking = self.sent_picking()
        (shipment,) = self.ship_and_notify(picking, tracking_number="1Z999AA10123456784")
        event = self.events(event_type="SHIP_NOTIFY")
        self.assertEqual(event.state, "processed", event.error)
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.carrier_tracking_ref, "1Z999AA10123456784")
        self.assertEqual(picking._shipstation_tracking_numbers(), ["1Z999AA10123456784"])
        self.assertEqual(picking.carrier_id, ups)
        self.assertEqual((picking.shipstation_carrier_code, picking.shipstation_service_code),
                         ("ups", "ups_ground"))
        self.assertEqual(picking.shipstation_order_status, "shipped")
        self.assertEqual(picking.move_ids.quantity, 2)
        record = picking.shipstation_shipment_ids
        self.assertEqual(record.shipment_ref, str(shipment["shipmentId"]))
        self.assertTrue(record.ship_date)
        fetched = self.sim_requests("/shipments")
        self.assertEqual(fetched[0].query["includeShipmentItems"], "true")
        self.assertTrue(fetched[0].headers["Authorization"].startswith("Basic "))

    def test_several_packages_give_all_tracking_numbers(self):
        picking = self.sent_picking([(self.widget, 2, 10.0), (self.gadget, 1, 5.0)])
        self.ship_and_notify(picking, packages=2, tracking_number=["1ZAAA", "1ZBBB"])
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.carrier_tracking_ref, "1ZAAA,1ZBBB")
        self.assertEqual(len(picking.shipstation_shipment_ids), 2)
        self.assertEqual(picking._shipstation_tracking_numbers(), ["1ZAAA", "1ZBBB"])

    def test_partial_shipment_leaves_a_backorder_without_the_tracking(self):
        picking = self.sent_picking([(self.widget, 5, 10.0)])
        key = picking.shipstation_order_key
        self.ship_and_notify(picking, items=[("WIDGET-001", 2)], tracking_number="1ZPART1")
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.move_ids.quantity, 2)
        backorder = picking.backorder_ids
        self.assertEqual(len(backorder), 1)
        self.assertEqual(backorder.move_ids.product_uom_qty, 3)
        self.assertFalse(backorder.carrier_tracking_ref)
        self.assertEqual(picking.carrier_tracking_ref, "1ZPART1")
        self.assertEqual(backorder.shipstation_order_key, key,
                         "the backorder is the rest of the same ShipStation order")
        self.run_jobs()  # the order is pushed again with what is left
        self.assertEqual([i["quantity"] for i in self.sim.orders[key]["items"]], [3])
        self.assertEqual(self.sim.orders[key]["orderStatus"], "awaiting_shipment")
        self.ship_and_notify(backorder, tracking_number="1ZREST2")
        self.assertEqual(backorder.state, "done")
        self.assertEqual(backorder.carrier_tracking_ref, "1ZREST2")
        self.assertEqual(picking.carrier_tracking_ref, "1ZPART1")

    def test_duplicate_deliveries_change_nothing(self):
        picking = self.sent_picking()
        (shipment,) = self.ship_and_notify(picking, tracking_number="1ZONCE")
        payload = self.sim.ship_notify_payload(self.sim.last_batch_id)
        redelivery = self.post_webhook(payload)
        self.assertEqual(redelivery.status_code, 200)
        self.assertIn("Duplicate", redelivery.text)
        self.assertEqual(self.events(event_type="SHIP_NOTIFY").duplicate_count, 1)
        # The same shipment in a new batch is processed but applies nothing twice.
        self.deliver_ship_notify([shipment["shipmentId"]])
        self.run_jobs()
        events = self.events(event_type="SHIP_NOTIFY")
        self.assertEqual(len(events), 2)
        self.assertEqual(set(events.mapped("state")), {"processed"})
        self.assertEqual(json.loads(events[0].job_id.result), {"unchanged": 1})
        self.assertEqual(len(picking.shipstation_shipment_ids), 1)
        self.assertEqual(picking.carrier_tracking_ref, "1ZONCE")

    def test_forged_token_is_refused(self):
        picking = self.sent_picking()
        self.sim.ship_order(picking.shipstation_order_key)
        payload = {"resource_url": f"{self.sim.url}/shipments?batchId=1",
                   "resource_type": "SHIP_NOTIFY"}
        self.assertEqual(self.post_webhook(payload, token="forged").status_code, 401)
        self.assertEqual(self.post_webhook(payload, token=False).status_code, 401)
        self.assertFalse(self.events())
        self.assertFalse(self.sim_requests("/shipments"))

    def test_resource_url_on_another_host_is_never_followed(self):
        for url in ("https://evil.example.com/shipments?batchId=1",
                    self.sim.url.replace("127.0.0.1", "localhost") + "/shipments?batchId=2",
                    f"https://{API_KEY}:{API_SECRET}@ssapi.shipstation.com/shipments"):
            response = self.post_webhook({"resource_url": url, "resource_type": "SHIP_NOTIFY"})
            self.assertEqual(response.status_code, 200, "stored, then refused by processing")
        self.run_jobs()
        events = self.events(event_type="SHIP_NOTIFY")
        self.assertEqual(len(events), 3)
        self.assertEqual(set(events.mapped("state")), {"failed"})
        self.assertTrue(all("Refused to follow" in event.error for event in events))
        self.assertFalse(self.sim_requests("/shipments"), "no request left Odoo")

    def test_shipment_for_an_unknown_order_is_parked_in_the_inbox(self):
        self.sim.add_order({
            "orderNumber": "SHOPIFY-1001", "orderKey": "shopify-1001",
            "orderDate": "2024-05-01T10:00:00", "orderStatus": "awaiting_shipment",
            "billTo": {"name": "B"}, "shipTo": {"name": "B"},
            "items": [{"name": "Thing", "sku": "THING", "quantity": 1}]})
        picking = self.sent_picking()
        foreign = self.sim.ship_order("shopify-1001", tracking_number="1ZFOREIGN")
        ours = self.sim.ship_order(picking.shipstation_order_key, tracking_number="1ZOURS")
        self.deliver_ship_notify([foreign[0]["shipmentId"], ours[0]["shipmentId"]])
        self.run_jobs()
        self.assertEqual(picking.state, "done", "the rest of the batch is applied")
        batch_event = self.events(event_type="SHIP_NOTIFY")
        self.assertEqual(batch_event.state, "processed")
        unmatched = self.inbox_items()
        self.assertEqual(unmatched.external_id, str(foreign[0]["shipmentId"]))
        self.assertEqual(unmatched.state, "failed")
        self.assertIn("shopify-1001", unmatched.error)
        self.assertEqual(unmatched._payload()["trackingNumber"], "1ZFOREIGN",
                         "kept as listed")
        unmatched.action_retry()
        self.run_jobs()
        self.assertEqual(unmatched.state, "failed", "still unknown: kept for a person")
        self.assertEqual(unmatched.attempts, 2)
        self.assertIn("Still no transfer", unmatched.error)

    def test_posted_single_shipment_events_are_not_trusted(self):
        picking = self.sent_picking()
        forged = {"resource_type": "SHIPSTATION_SHIPMENT", "shipment": {
            "shipmentId": 1, "orderKey": picking.shipstation_order_key,
            "trackingNumber": "1ZFAKE", "shipmentItems": None}}
        self.assertEqual(self.post_webhook(forged).status_code, 200)
        self.run_jobs()
        self.assertNotEqual(picking.state, "done")
        self.assertFalse(picking.shipstation_shipment_ids)

    def test_voided_label_removes_tracking_and_flags_the_done_picking(self):
        picking = self.sent_picking()
        (shipment,) = self.ship_and_notify(picking, tracking_number="1ZVOID")
        self.assertEqual(picking.state, "done")
        self.sim.void_shipment(shipment["shipmentId"])
        self.credential.action_shipstation_poll_now()  # voids are only listed, never pushed
        self.run_jobs()
        self.assertFalse(picking.carrier_tracking_ref)
        self.assertEqual(picking._shipstation_tracking_numbers(), [])
        self.assertEqual(picking.shipstation_shipment_ids.state, "voided")
        self.assertEqual(picking.channel_sync_state, "flagged")
        self.assertIn("1ZVOID was voided after this transfer was validated",
                      picking.channel_last_error)
        self.assertTrue(picking.activity_ids)
        # ShipStation reopened the order; the replacement label clears the flag.
        self.ship_and_notify(picking, tracking_number="1ZNEW")
        self.assertEqual(picking.carrier_tracking_ref, "1ZNEW")
        self.assertEqual(picking.channel_sync_state, "synced")

    def test_voided_extra_package_only_removes_its_tracking(self):
        picking = self.sent_picking()
        shipments = self.ship_and_notify(picking, packages=2, tracking_number=["1ZP1", "1ZP2"])
        self.sim.void_shipment(shipments[1]["shipmentId"])
        self.credential.action_shipstation_poll_now()
        self.run_jobs()
        self.assertEqual(picking.carrier_tracking_ref, "1ZP1")
        self.assertNotEqual(picking.channel_sync_state, "flagged")


@tagged("post_install", "-at_install")
class TestSignedWebhooks(ShipmentFlowMixin, HttpCase):
    """V2 fulfillment_shipped_v2: RSA-SHA256 over timestamp.body, keys from the JWKS."""

    credential_values = {"shipstation_v2_api_key": V2_API_KEY}

    def setUp(self):
        super().setUp()
        self.register_webhooks()

    def deliver_v2(self, picking):
        self.env.flush_all()
        answers = self.sim.deliver_fulfillment_shipped_v2(picking.shipstation_order_key)
        self.env.invalidate_all()
        return answers

    def signed_body(self, picking):
        self.sim.ship_order(picking.shipstation_order_key, tracking_number="1ZV2")
        (payload,) = self.sim.fulfillment_shipped_v2_payloads(picking.shipstation_order_key)
        return json.dumps(payload).encode()

    def test_both_webhooks_are_registered(self):
        (v2_hook,) = [hook for hook in self.sim.v2_webhooks.values()
                      if hook["event"] == "fulfillment_shipped_v2"]
        self.assertEqual(self.credential.shipstation_v2_webhook_id, v2_hook["webhook_id"])
        self.assertEqual(len(self.sim.webhooks), 1)
        request = self.sim_requests("/v2/environment/webhooks", "POST")[0]
        self.assertEqual(request.headers["api-key"], V2_API_KEY)

    def test_good_signature_makes_the_picking_done(self):
        picking = self.sent_picking()
        self.sim.ship_order(picking.shipstation_order_key, tracking_number="1ZSIGNED")
        self.assertEqual([status for status, _text in self.deliver_v2(picking)], [200])
        self.run_jobs()
        event = self.events(event_type="FULFILLMENT_SHIPPED_V2")
        self.assertEqual(event.state, "processed", event.error)
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.carrier_tracking_ref, "1ZSIGNED")
        listing = self.sim_requests("/shipments")[0]
        self.assertEqual(listing.query["orderNumber"], picking.shipstation_order_number,
                         "the shipment was read from the account's V1 API")
        self.assertEqual(len(self.sim_requests("/jwks")), 1)
        # The key is cached; a second delivery (a redelivery) needs no fetch.
        self.deliver_v2(picking)
        self.assertEqual(len(self.sim_requests("/jwks")), 1)
        self.assertEqual(event.duplicate_count, 1)

    def test_bad_signature_is_refused(self):
        picking = self.sent_picking()
        body = self.signed_body(picking)
        headers = self.sim.sign_v2(body)
        tampered = body.replace(b"1ZV2", b"1ZV3")
        # A signature that does not verify is not rescued by the valid token.
        self.assertEqual(self.post_webhook(None, raw=tampered, headers=headers).status_code, 401)
        garbage = dict(headers, **{"x-shipengine-rsa-sha256-signature": "bm90IGEgc2ln"})
        self.assertEqual(self.post_webhook(None, raw=body, headers=garbage).status_code, 401)
        self.assertFalse(self.events())
        self.assertEqual(self.post_webhook(None, raw=body, headers=headers).status_code, 200)

    def test_expired_timestamp_is_refused(self):
        picking = self.sent_picking()
        body = self.signed_body(picking)
        old = self.sim.now() - timedelta(minutes=6)
        response = self.post_webhook(None, raw=body, headers=self.sim.sign_v2(body, timestamp=old))
        self.assertEqual(response.status_code, 401)
        skewed = self.sim.now() + timedelta(minutes=2)
        response = self.post_webhook(None, raw=body,
                                     headers=self.sim.sign_v2(body, timestamp=skewed))
        self.assertEqual(response.status_code, 200, "small clock skew is tolerated")

    def test_rotated_key_is_fetched_once_and_unknown_keys_are_refused(self):
        picking = self.sent_picking()
        body = self.signed_body(picking)
        self.assertEqual(self.post_webhook(None, raw=body, headers=self.sim.sign_v2(body))
                         .status_code, 200)
        self.sim.rotate_key()
        other_body = body.replace(b"1ZV2", b"1ZV2-B")
        self.assertEqual(self.post_webhook(None, raw=other_body,
                                           headers=self.sim.sign_v2(other_body)).status_code,
                         200, "an unknown key id refetches the JWKS")
        self.assertEqual(len(self.sim_requests("/jwks")), 2)
        forged = dict(self.sim.sign_v2(body), **{"x-shipengine-rsa-sha256-key-id": "nope"})
        self.assertEqual(self.post_webhook(None, raw=body, headers=forged).status_code, 401)
        self.assertEqual(len(self.sim_requests("/jwks")), 2,
                         "random key ids cannot make us hammer the JWKS endpoint")

    # -------------------------------------------------------------- forged V2 events

    def forged_event(self, picking, tracking_number):
        """A FULFILLMENT_SHIPPED_V2 body about our order, as anyone could write it."""
        return json.dumps({
            "resource_url": f"{self.sim.url}/shipments?orderId=1",
            "resource_type": "FULFILLMENT_SHIPPED_V2",
            "data": {"shipment_id": 987654, "order_key": picking.shipstation_order_key,
                     "order_number": picking.shipstation_order_number,
                     "tracking_number": tracking_number, "carrier_code": "ups",
                     "items": None},
        }).encode()

    def test_v2_webhook_is_registered_with_the_token(self):
        for v2_hook in self.sim.v2_webhooks.values():
            self.assertEqual(v2_hook["url"], self.credential.sudo().webhook_url)
            self.assertIn("?token=" + self.credential.sudo().webhook_secret, v2_hook["url"])

    def test_signed_event_of_another_account_is_refused(self):
        """ShipEngine signs every customer's deliveries with the same keys: anyone with an
        account can sign an event naming our order and post it to our URL."""
        picking = self.sent_picking()
        body = self.forged_event(picking, "1ZFORGED")
        for token in (False, "not-our-token"):
            response = self.post_webhook(None, raw=body, headers=self.sim.sign_v2(body),
                                         token=token)
            self.assertEqual(response.status_code, 401)
        self.run_jobs()
        self.assertFalse(self.events())
        self.assertEqual(picking.state, "assigned")
        self.assertFalse(picking.carrier_tracking_ref)
        self.assertFalse(picking.shipstation_shipment_ids)

    def test_signed_event_body_is_never_applied(self):
        picking = self.sent_picking()
        body = self.forged_event(picking, "1ZFORGED")
        self.assertEqual(self.post_webhook(None, raw=body, headers=self.sim.sign_v2(body))
                         .status_code, 200)
        self.run_jobs()
        event = self.events(event_type="FULFILLMENT_SHIPPED_V2")
        self.assertEqual(event.state, "processed", event.error)
        self.assertEqual(json.loads(event.job_id.result)["listed"], 0,
                         "our V1 account has no shipment for this order")
        self.assertEqual(picking.state, "assigned")
        self.assertFalse(picking.carrier_tracking_ref)
        self.assertFalse(picking.shipstation_shipment_ids)
        (listing,) = [request for request in self.sim_requests("/shipments")
                      if "orderNumber" in request.query]
        self.assertEqual(listing.query["orderNumber"], picking.shipstation_order_number)
        # The real label arrives: its V1 tracking is applied, never the posted one.
        self.sim.ship_order(picking.shipstation_order_key, tracking_number="1ZREAL")
        self.deliver_v2(picking)
        self.run_jobs()
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.carrier_tracking_ref, "1ZREAL")
        self.assertEqual(picking._shipstation_tracking_numbers(), ["1ZREAL"])


@tagged("post_install", "-at_install")
class TestSignedShipNotify(ShipmentFlowMixin, HttpCase):
    """UNCONFIRMED whether V1 deliveries carry the V2 signature: when they do, it is
    verified (the token is required as well); TestShipNotifyWebhook covers the unsigned
    case."""

    sim_options = {"sign_v1_webhooks": True}

    def test_signed_ship_notify_is_verified_and_applied(self):
        self.register_webhooks()
        picking = self.sent_picking()
        self.ship_and_notify(picking, tracking_number="1ZSIGNEDV1")
        self.assertEqual(picking.state, "done")
        self.assertEqual(len(self.sim_requests("/jwks")), 1)
        payload = {"resource_url": f"{self.sim.url}/shipments?batchId=999",
                   "resource_type": "SHIP_NOTIFY"}
        body = json.dumps(payload).encode()
        headers = self.sim.sign_v2(body)
        self.assertEqual(self.post_webhook(None, raw=body + b" ", headers=headers).status_code,
                         401, "signed but altered: refused even with the right token")
