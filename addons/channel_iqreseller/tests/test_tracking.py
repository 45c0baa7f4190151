from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged

from tests.simulators.iqreseller import UDFS_PATH, UPDATE_ORDER_PATH

from .common import IQResellerCase

TRACKING_OPERATION = "iqreseller.push_tracking"


@tagged("post_install", "-at_install")
class TestTrackingWriteBack(IQResellerCase, TransactionCase):

    def setUp(self):
        super().setUp()
        self.carrier = self.env["delivery.carrier"].create({
            "name": "UPS", "product_id": self.env["product.product"].create({
                "name": "UPS Ground", "type": "service"}).id,
        })

    def imported_order(self, **fields_):
        so = self.add_so(**fields_)
        self.poll()
        order = self.order_of(so)
        order.picking_ids.carrier_id = self.carrier
        return so, order

    def test_done_delivery_writes_tracking_to_iqr(self):
        so, order = self.imported_order()
        picking = self.ship(order, "1Z999AA10123456784")
        job = self.tracking_jobs(order)
        self.assertEqual(len(job), 1, "validating the delivery queues the write-back")
        self.run_jobs()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(len(self.sim.udf_writes), 1)
        written = self.sim.udf_writes[0]
        ship_date = picking.date_done
        self.assertEqual(written["soid"], so["soid"])
        self.assertEqual(written["userdefined1"], "1Z999AA10123456784")
        self.assertEqual(written["userdefined2"], "UPS")
        self.assertEqual(written["userdefined4"], "UPS Ground")
        self.assertRegex(written["userdefined3"], rf"^\d{{1,2}}/\d{{1,2}}/{ship_date.year}$")
        self.assertEqual(written["lastupdatedby"], "Odoo")
        self.assertNotIn("userdefined5", written, "the agent channel field is left alone")
        self.assertEqual(self.sim.sos[so["soid"]]["userdefined5"], "DPC - QUIC")
        self.assertEqual(order.iqr_tracking_numbers, "1Z999AA10123456784")
        self.assertTrue(order.iqr_tracking_sent_at)
        self.assertTrue(order.message_ids.filtered(
            lambda m: "Tracking sent to IQ Reseller" in str(m.body)))
        self.assertEqual((self.sim.sign_ins, self.sim.sign_outs), (2, 1),
                         "poll (its run ends its session) + write-back (its session is "
                         "kept for the next job)")
        # Nothing new: a second run writes nothing, and the next poll sees no change
        # although IQR now holds our tracking fields.
        order.action_iqr_send_tracking()
        self.run_jobs()
        self.assertEqual(len(self.sim.udf_writes), 1)
        poll = self.poll()
        self.assertIn('"unchanged": 1', poll.result)

    def test_partial_shipment_then_the_rest_appends(self):
        so, order = self.imported_order()
        self.ship(order, "1ZFIRST", quantities={"THINKPAD T450": 2})
        self.run_jobs()
        backorder = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.assertEqual(len(backorder), 1)
        self.assertFalse(backorder.carrier_tracking_ref, "a backorder starts without tracking")
        self.assertEqual(self.sim.udf_writes[-1]["userdefined1"], "1ZFIRST")
        backorder.carrier_id = self.carrier
        self.ship(order, "1ZSECOND, 1ZTHIRD")  # two packages
        self.run_jobs()
        self.assertEqual(len(self.sim.udf_writes), 2)
        second = self.sim.udf_writes[-1]
        self.assertEqual(second["userdefined1"], "1ZFIRST, 1ZSECOND, 1ZTHIRD")
        self.assertEqual(second["userdefined2"], "UPS", "same carrier listed once")
        self.assertEqual(order.iqr_tracking_numbers, "1ZFIRST, 1ZSECOND, 1ZTHIRD")
        self.assertEqual(len(order.iqr_tracking_sent), 2)
        self.assertEqual(order.iqr_tracking_sent[1]["numbers"], ["1ZSECOND", "1ZTHIRD"])

    def test_tracking_added_after_validation(self):
        so, order = self.imported_order()
        picking = self.ship(order, False)
        self.assertFalse(self.tracking_jobs(order), "no tracking, nothing to send")
        picking.carrier_tracking_ref = "1ZLATE"
        self.run_jobs()
        self.assertEqual(self.sim.udf_writes[0]["userdefined1"], "1ZLATE")

    def test_iqr_down_during_write_back_is_retried_and_nothing_lost(self):
        so, order = self.imported_order()
        self.sim.inject("server_error", status=503, path=UDFS_PATH, count=1)
        self.sim.inject("drop", path=UDFS_PATH, count=1)
        self.ship(order, "1ZRETRY")
        job = self.tracking_jobs(order)
        self.run_jobs(max_rounds=1)
        self.assertEqual((job.state, job.error_kind), ("pending", "transient"))
        self.assertIn("HTTP 503", job.last_error)
        self.assertFalse(self.sim.udf_writes)
        self.run_jobs(max_rounds=1)
        self.assertEqual((job.state, job.error_kind), ("pending", "transient"))
        self.assertIn("Could not reach", job.last_error)
        self.run_jobs(max_rounds=1)
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(job.attempts, 3)
        self.assertEqual([w["userdefined1"] for w in self.sim.udf_writes], ["1ZRETRY"])
        self.assertEqual(order.iqr_tracking_numbers, "1ZRETRY")

    def test_write_back_that_keeps_failing_is_visible_on_the_order(self):
        self.env["sync.job.policy"].create({"operation": TRACKING_OPERATION,
                                            "max_attempts": 2})
        so, order = self.imported_order()
        self.sim.inject("server_error", path=UDFS_PATH, count=5)
        self.ship(order, "1ZDOWN")
        job = self.tracking_jobs(order)
        self.run_jobs(max_rounds=1)
        self.run_jobs(max_rounds=1)
        self.assertEqual(job.state, "failed")
        self.assertEqual(order.channel_sync_state, "error")
        self.assertIn("Gave up after 2 attempts", order.channel_last_error)
        self.assertFalse(order.iqr_tracking_numbers)
        self.sim.pending_faults.clear()
        job.action_retry_now()
        self.run_jobs()
        self.assertEqual(job.state, "done")
        self.assertEqual(self.sim.udf_writes[0]["userdefined1"], "1ZDOWN")
        self.assertEqual(order.channel_sync_state, "synced")

    def test_session_expired_during_write_back(self):
        so, order = self.imported_order()
        self.ship(order, "1ZEXP")
        self.sim.inject("unauthorized", path=UDFS_PATH, count=1)
        self.run_jobs()
        self.assertEqual(self.tracking_jobs(order).state, "done")
        self.assertEqual(self.sim.sign_ins, 3, "poll, write-back, and one renewal")
        self.assertEqual(len(self.sim.udf_writes), 1)

    def test_seed_variant_update_order(self):
        self.sim.options["variant"] = "orders"
        self.credential.write({"iqr_order_endpoint": "get_orders",
                               "iqr_tracking_endpoint": "update_order",
                               "iqr_tracking_field": "userdefined3",
                               "iqr_ship_date_field": "userdefined1",
                               "iqr_service_field": False})
        so, order = self.imported_order()
        self.ship(order, "1ZSEED")
        self.run_jobs()
        update = [r for r in self.sim.requests if r.path == UPDATE_ORDER_PATH]
        self.assertEqual(len(update), 1)
        self.assertEqual(update[0].json["soid"], so["soid"])
        self.assertEqual(update[0].json["userdefined3"], "1ZSEED")
        self.assertNotIn("userdefined4", update[0].json)
        self.assertEqual(self.sim.sos[so["soid"]]["userdefined3"], "1ZSEED")

    def test_tracking_never_overwrites_the_channel_field(self):
        with self.assertRaises(ValidationError):
            self.credential.iqr_channel_field = "userdefined1"
        # With "any field", the field the channel was found in is protected per order.
        so, order = self.imported_order(userdefined2="DPC - QUIC")
        self.assertEqual(order.iqr_channel_field, "userdefined2")
        self.ship(order, "1ZCLASH")
        self.run_jobs()
        job = self.tracking_jobs(order)
        self.assertEqual(job.state, "failed")
        self.assertIn("userdefined2", job.last_error)
        self.assertFalse(self.sim.udf_writes)

    # ------------------------------------------------------------------ withdrawn tracking

    def test_tracking_that_shrinks_or_empties_is_sent_again(self):
        """A voided label leaves the delivery's tracking reference (the shipping
        connector rewrites it): IQR gets the live set, down to empty fields."""
        so, order = self.imported_order()
        picking = self.ship(order, "1ZKEEP, 1ZVOID")
        self.run_jobs()
        self.assertEqual(self.sim.sos[so["soid"]]["userdefined1"], "1ZKEEP, 1ZVOID")

        picking.carrier_tracking_ref = "1ZKEEP"
        jobs = self.tracking_jobs(order).filtered(lambda job: job.state == "pending")
        self.assertEqual(len(jobs), 1, "a shrinking reference queues the write-back")
        self.run_jobs()
        self.assertEqual(len(self.sim.udf_writes), 2)
        self.assertEqual(self.sim.udf_writes[-1]["userdefined1"], "1ZKEEP")
        self.assertEqual(self.sim.sos[so["soid"]]["userdefined1"], "1ZKEEP")
        self.assertEqual(order.iqr_tracking_numbers, "1ZKEEP")
        self.assertTrue(order.message_ids.filtered(
            lambda m: "withdrawn from IQ Reseller: 1ZVOID" in str(m.body)))

        picking.carrier_tracking_ref = False
        self.run_jobs()
        self.assertEqual(len(self.sim.udf_writes), 3)
        last = self.sim.udf_writes[-1]
        self.assertEqual((last["userdefined1"], last["userdefined2"], last["userdefined3"],
                          last["userdefined4"]), ("", "", "", ""), "every field emptied")
        self.assertEqual(self.sim.sos[so["soid"]]["userdefined1"], "")
        self.assertEqual(self.sim.sos[so["soid"]]["userdefined5"], "DPC - QUIC")
        self.assertFalse(order.iqr_tracking_numbers)
        self.assertFalse(order.iqr_tracking_sent)

        # Emptied again, or a reference never sent removed: nothing to tell IQR.
        picking.carrier_tracking_ref = False
        self.run_jobs()
        self.assertEqual(len(self.sim.udf_writes), 3)

        # A replacement label is sent as the new live set.
        picking.carrier_tracking_ref = "1ZNEW"
        self.run_jobs()
        self.assertEqual(self.sim.udf_writes[-1]["userdefined1"], "1ZNEW")

    def test_one_of_two_deliveries_losing_its_tracking(self):
        so, order = self.imported_order()
        first = self.ship(order, "1ZFIRST", quantities={"THINKPAD T450": 2})
        self.run_jobs()
        order.picking_ids.filtered(lambda p: p.state != "done").carrier_id = self.carrier
        self.ship(order, "1ZSECOND")
        self.run_jobs()
        self.assertEqual(self.sim.sos[so["soid"]]["userdefined1"], "1ZFIRST, 1ZSECOND")
        first.carrier_tracking_ref = False
        self.run_jobs()
        self.assertEqual(self.sim.sos[so["soid"]]["userdefined1"], "1ZSECOND",
                         "the other delivery's number stays")
        self.assertEqual(order.iqr_tracking_numbers, "1ZSECOND")

    def test_carrier_map_names_the_carrier_for_iqr(self):
        """A channel.carrier.map row of the account (or the platform's default) says how
        IQR names the carrier and service; without one, the Odoo carrier's names."""
        Map = self.env["channel.carrier.map"]
        Map.create({"platform": "iqreseller", "carrier_id": self.carrier.id,
                    "provider_name": "United Parcel Service"})
        so, order = self.imported_order()
        self.ship(order, "1ZMAPPED")
        self.run_jobs()
        written = self.sim.udf_writes[-1]
        self.assertEqual(written["userdefined2"], "United Parcel Service", "platform default")
        self.assertEqual(written["userdefined4"], "UPS Ground", "no service code: the product")
        Map.create({"platform": "iqreseller", "credential_id": self.credential_id,
                    "carrier_id": self.carrier.id, "provider_name": "UPS (account)",
                    "carrier_code": "ups", "service_code": "UPS-GND-03"})
        other_so, other = self.imported_order()
        self.ship(other, "1ZMAPPED2")
        self.run_jobs()
        written = self.sim.udf_writes[-1]
        self.assertEqual(written["soid"], other_so["soid"])
        self.assertEqual((written["userdefined2"], written["userdefined4"]),
                         ("UPS (account)", "UPS-GND-03"), "the account's row wins")
