import json

from odoo import Command
from odoo.tests import TransactionCase, tagged

from ..const import OP_EXPORT
from .common import API_KEY, API_SECRET, ShipStationTestMixin


@tagged("post_install", "-at_install")
class TestExportPickings(ShipStationTestMixin, TransactionCase):
    """Outgoing transfers become ShipStation orders through /orders/createorders."""

    def test_ready_picking_is_sent_with_its_details(self):
        order = self.make_sale([(self.widget, 2, 29.99), (self.gadget, 1, 5.0)],
                               client_order_ref="PO-77")
        picking = self.picking_of(order)
        self.assertEqual(picking.state, "assigned")
        job = picking.shipstation_export_job_id
        self.assertEqual((job.operation, job.state), (OP_EXPORT, "pending"),
                         "sending on 'ready' is the default")
        self.run_jobs()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(picking.channel_sync_state, "synced")
        sent = self.sim_order(picking)
        self.assertEqual(sent["orderNumber"], order.name)
        self.assertEqual(sent["orderStatus"], "awaiting_shipment")
        self.assertEqual(str(sent["orderId"]), picking.shipstation_order_id)
        self.assertEqual(sent["shipTo"]["postalCode"], "78701")
        self.assertEqual((sent["shipTo"]["state"], sent["shipTo"]["country"]), ("TX", "US"))
        self.assertEqual(sent["billTo"]["name"], "John Doe")
        self.assertEqual(sent["customerEmail"], "john.doe@example.com")
        items = {item["sku"]: item for item in sent["items"]}
        self.assertEqual(items["WIDGET-001"]["quantity"], 2)
        self.assertAlmostEqual(items["WIDGET-001"]["unitPrice"], 29.99)
        move = picking.move_ids.filtered(lambda m: m.product_id == self.widget)
        self.assertEqual(items["WIDGET-001"]["lineItemKey"], str(move.id))
        # 0.5 kg in ounces (the default unit)
        self.assertEqual(items["WIDGET-001"]["weight"]["units"], "ounces")
        self.assertAlmostEqual(items["WIDGET-001"]["weight"]["value"], 17.637, places=2)
        self.assertEqual(sent["advancedOptions"]["customField1"], picking.name)
        request = self.sim_requests("/orders/createorders")[0]
        self.assertEqual(request.headers["Authorization"].split()[0], "Basic")

    def test_the_carrier_is_requested_through_the_shared_carrier_map(self):
        def carrier(name):
            product = self.env["product.product"].create({"name": name, "type": "service"})
            return self.env["delivery.carrier"].create(
                {"name": name, "product_id": product.id, "delivery_type": "fixed"})

        mapped, unmapped = carrier("UPS Ground"), carrier("Courier Bob")
        self.env["channel.carrier.map"].create({
            "platform": "shipstation", "carrier_id": mapped.id, "carrier_code": "ups",
            "service_code": "ups_ground"})  # a default of every ShipStation account
        first = self.picking_of(self.make_sale(carrier_id=mapped.id))
        second = self.picking_of(self.make_sale(carrier_id=unmapped.id))
        self.run_jobs()
        self.assertEqual(first.carrier_id, mapped)
        order = self.sim_order(first)
        self.assertEqual((order["carrierCode"], order["serviceCode"],
                          order["requestedShippingService"]), ("ups", "ups_ground", "UPS Ground"))
        order = self.sim_order(second)
        self.assertEqual(order["requestedShippingService"], "Courier Bob",
                         "an unmapped carrier is sent by name, as before")
        self.assertFalse(order.get("carrierCode"))

    def test_resend_updates_the_same_order(self):
        picking = self.picking_of(self.make_sale())
        self.run_jobs()
        key, order_id = picking.shipstation_order_key, picking.shipstation_order_id
        picking.action_shipstation_send()
        self.run_jobs()
        self.assertEqual(len(self.sim.orders), 1, "a resend upserts by orderKey")
        self.assertEqual((picking.shipstation_order_key, picking.shipstation_order_id),
                         (key, order_id))
        second = self.sim_requests("/orders/createorders")[1].json[0]
        self.assertEqual((second["orderKey"], str(second["orderId"])), (key, order_id))

    def test_same_picking_is_not_queued_twice(self):
        picking = self.picking_of(self.make_sale())
        first = picking.shipstation_export_job_id
        picking.action_shipstation_send()
        picking.move_ids.product_uom_qty = 3
        self.assertEqual(picking.shipstation_export_job_id, first)
        self.assertEqual(len(self.pending_jobs()), 1)
        self.run_jobs()
        self.assertEqual(len(self.sim_requests("/orders/createorders")), 1)
        self.assertEqual(self.sim_order(picking)["items"][0]["quantity"], 3,
                         "the queued job reads the transfer when it runs")

    def test_order_number_is_the_source_channel_order_id(self):
        # This module knows no channel platform: another account (that itself fulfils
        # nothing) stands in for one.
        source = self.env["integration.credential"].create(
            {"name": "IQR", "platform": "shipstation", "sequence": 99})
        self.credential.shipstation_source_credential_ids = source
        order = self.make_sale(confirm=False)
        order.write({"channel_credential_id": source.id, "channel_external_id": "12345"})
        order.action_confirm()
        self.run_jobs()
        picking = self.picking_of(order)
        self.assertEqual(self.sim_order(picking)["orderNumber"], "12345")
        self.assertEqual(picking.shipstation_order_number, "12345")

    def test_batch_with_one_bad_order(self):
        self.sim.reject_sku("BAD-SKU")
        bad_product = self.make_product("BAD-SKU", "Refused")
        good = [self.picking_of(self.make_sale()) for _index in range(3)]
        bad = self.picking_of(self.make_sale([(bad_product, 1, 1.0)]))
        no_address = self.picking_of(self.make_sale())
        pickings = self.env["stock.picking"].union(*good, bad, no_address)
        no_address.with_context(shipstation_no_export=True).partner_id = False
        jobs = pickings.shipstation_export_job_id
        self.assertEqual(len(jobs), 5, "each confirmation queued its own job")
        self.run_jobs()
        self.assertEqual(len(self.sim_requests("/orders/createorders")), 1,
                         "the first job sent all that was waiting, in one call")
        self.assertEqual(set(jobs.mapped("state")), {"done"})
        self.assertEqual(sorted(json.loads(job.result)["sent"] for job in jobs), [0, 0, 0, 0, 3])
        self.assertEqual(len(self.sim_requests("/orders/createorders")[0].json), 4,
                         "the transfer without address never leaves Odoo")
        for picking in good:
            self.assertEqual(picking.channel_sync_state, "synced")
            self.assertTrue(picking.shipstation_order_id)
        self.assertEqual(bad.channel_sync_state, "error")
        self.assertIn("Item SKU 'BAD-SKU' is not valid", bad.channel_last_error)
        self.assertIn("BAD-SKU", bad.message_ids[0].body)
        self.assertFalse(bad.shipstation_order_id)
        self.assertEqual(no_address.channel_sync_state, "error")
        self.assertIn("no delivery address", no_address.channel_last_error)
        self.assertFalse(pickings.filtered("shipstation_export_pending"))

    def test_more_than_100_pickings_make_several_jobs(self):
        picking_type = self.warehouse.out_type_id
        pickings = self.env["stock.picking"].with_context(shipstation_no_export=True).create([{
            "picking_type_id": picking_type.id, "partner_id": self.customer.id,
            "move_ids": [Command.create({
                "name": "Widget", "product_id": self.widget.id, "product_uom_qty": 1,
                "location_id": picking_type.default_location_src_id.id,
                "location_dest_id": self.ref("stock.stock_location_customers")})],
        } for _index in range(101)])
        pickings.with_context(shipstation_no_export=True).action_confirm()
        jobs = self.credential._shipstation_enqueue_exports(pickings)
        self.assertEqual(len(jobs), 2)
        self.assertEqual(sorted(len(job.payload["picking_ids"]) for job in jobs), [1, 100])
        self.run_jobs()
        self.assertEqual(sorted(len(r.json) for r in self.sim_requests("/orders/createorders")),
                         [1, 100])
        self.assertEqual(len(self.sim.orders), 101)

    def test_update_of_an_open_order(self):
        picking = self.picking_of(self.make_sale())
        self.run_jobs()
        order_id = picking.shipstation_order_id
        elsewhere = self.customer.copy({"name": "Jane Roe", "street": "9 Elm St",
                                        "zip": "73301"})
        picking.partner_id = elsewhere
        picking.move_ids.product_uom_qty = 5
        self.assertEqual(len(self.pending_jobs()), 1)
        self.run_jobs()
        sent = self.sim_order(picking)
        self.assertEqual(str(sent["orderId"]), order_id)
        self.assertEqual((sent["shipTo"]["name"], sent["shipTo"]["street1"]),
                         ("Jane Roe", "9 Elm St"))
        self.assertEqual(sent["items"][0]["quantity"], 5)
        self.assertEqual(len(self.sim.orders), 1)

    def test_cancelled_picking_cancels_the_order_and_then_is_left_alone(self):
        order = self.make_sale()
        picking = self.picking_of(order)
        self.run_jobs()
        order._action_cancel()
        self.assertEqual(picking.state, "cancel")
        self.run_jobs()
        self.assertEqual(self.sim_order(picking)["orderStatus"], "cancelled")
        self.assertEqual(picking.shipstation_order_status, "cancelled")
        calls = len(self.sim.requests)
        picking.action_shipstation_send()
        self.run_jobs()
        self.assertEqual(len(self.sim.requests), calls, "a cancelled order is not touched")
        self.assertEqual(picking.channel_sync_state, "flagged")
        self.assertIn("is cancelled and no longer accepts updates", picking.channel_last_error)

    def test_picking_cancelled_before_sending_is_not_sent(self):
        order = self.make_sale()
        picking = self.picking_of(order)
        order._action_cancel()
        self.run_jobs()
        self.assertFalse(self.sim_requests("/orders/createorders"))
        self.assertFalse(picking.shipstation_order_id)

    def test_order_shipped_in_shipstation_refuses_the_update_with_its_reason(self):
        picking = self.picking_of(self.make_sale())
        self.run_jobs()
        self.sim.ship_order(picking.shipstation_order_key)  # its webhook was not received yet
        picking.move_ids.product_uom_qty = 4
        self.run_jobs()
        self.assertEqual(picking.channel_sync_state, "error")
        self.assertIn("is shipped and can no longer be updated", picking.channel_last_error)
        self.assertEqual(self.sim_order(picking)["items"][0]["quantity"], 2)

    def test_send_on_confirmation_holds_until_ready(self):
        self.credential.shipstation_send_on = "order_confirm"
        scarce = self.make_product("SCARCE-1", "Scarce", stock=0)
        order = self.make_sale([(scarce, 1, 3.0)])
        picking = self.picking_of(order)
        self.assertEqual(picking.state, "confirmed")
        self.run_jobs()
        self.assertEqual(self.sim_order(picking)["orderStatus"], "on_hold")
        self.env["stock.quant"]._update_available_quantity(scarce, self.stock_location, 5)
        picking.action_assign()
        self.assertEqual(picking.state, "assigned")
        self.run_jobs()
        self.assertEqual(self.sim_order(picking)["orderStatus"], "awaiting_shipment")

    def test_manual_mode_and_the_cron_sweep(self):
        self.credential.shipstation_send_on = "manual"
        picking = self.picking_of(self.make_sale())
        self.assertFalse(picking.shipstation_export_job_id)
        self.sweep_exports()
        self.assertFalse(picking.shipstation_export_job_id, "manual: the cron sends nothing")
        self.credential.shipstation_send_on = "picking_ready"
        self.sweep_exports()
        self.assertEqual(picking.shipstation_export_job_id.state, "pending")
        self.run_jobs()
        self.assertTrue(picking.shipstation_order_id)

    def test_other_warehouses_and_incoming_transfers_are_not_sent(self):
        other = self.env["stock.warehouse"].create({"name": "Other WH", "code": "OWH"})
        self.credential.shipstation_warehouse_ids = other
        self.picking_of(self.make_sale())
        self.assertFalse(self.pending_jobs())
        self.credential.shipstation_warehouse_ids = self.warehouse
        self.assertEqual(self.credential.action_shipstation_send_ready()["params"]["type"],
                         "success")
        self.assertEqual(len(self.pending_jobs()), 1)

    def test_transient_error_retries_and_rate_limit_waits_the_reset(self):
        picking = self.picking_of(self.make_sale())
        job = picking.shipstation_export_job_id
        self.sim.inject("server_error", status=503, path="/orders/createorders")
        self.run_jobs()
        self.assertEqual((job.state, job.error_kind), ("pending", "transient"))
        self.assertEqual(picking.channel_sync_state, "pending")
        self.sim.inject("rate_limit", reset=42, path="/orders/createorders")
        self.make_due(job)
        self.run_jobs()
        self.assertEqual((job.state, job.error_kind), ("pending", "rate_limited"))
        state = self.env["channel.rate.limit"]._state(self.credential_id)
        self.assertEqual(state["available"], 0)
        self.sim.reset()
        self.env["channel.rate.limit"]._forget([self.credential_id])
        self.make_due(job)
        self.run_jobs()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(picking.channel_sync_state, "synced")

    def test_refused_credentials_fail_the_job_and_show_on_the_picking(self):
        self.credential.sudo().shipstation_api_secret = "not-the-secret"
        picking = self.picking_of(self.make_sale())
        job = picking.shipstation_export_job_id
        for _attempt in range(2):  # the first 401 gets one retry (token refresh policy)
            self.make_due(job)
            self.run_jobs()
        self.assertEqual(job.state, "failed")
        self.assertEqual(picking.channel_sync_state, "error")
        self.assertIn("HTTP 401", picking.channel_last_error)
        self.assertNotIn("not-the-secret", picking.channel_last_error)

    def test_secrets_never_reach_the_api_log(self):
        self.picking_of(self.make_sale())
        self.run_jobs()
        logs = self.api_logs()
        self.assertTrue(logs)
        for log in logs:
            dump = " ".join(str(log[name] or "") for name in (
                "url", "request_headers", "request_body", "response_headers", "response_body"))
            for secret in (API_KEY, API_SECRET):
                self.assertNotIn(secret, dump)

    def test_fixing_a_refused_picking_sends_it_again(self):
        picking = self.picking_of(self.make_sale())
        picking.with_context(shipstation_no_export=True).partner_id = False
        self.run_jobs()
        self.assertEqual(picking.channel_sync_state, "error")
        picking.do_unreserve()
        picking.action_assign()
        self.assertFalse(self.pending_jobs(), "a refused transfer waits for a fix")
        picking.partner_id = self.customer
        self.run_jobs()
        self.assertEqual(picking.channel_sync_state, "synced")
        self.assertTrue(picking.shipstation_order_id)

    def test_plain_users_trigger_exports(self):
        salesman = self.env["res.users"].create({
            "name": "Sam Sales", "login": "sam.sales.ss",
            "groups_id": [Command.set([self.ref("sales_team.group_sale_salesman")])]})
        order = self.make_sale(confirm=False, user_id=salesman.id)
        order.with_user(salesman).action_confirm()
        picking = self.picking_of(order)
        self.assertEqual(picking.shipstation_export_job_id.state, "pending")
        self.run_jobs()
        self.assertTrue(picking.shipstation_order_id)
        storekeeper = self.env["res.users"].create({
            "name": "Stu Stock", "login": "stu.stock.ss",
            "groups_id": [Command.set([self.ref("stock.group_stock_user")])]})
        picking.with_user(storekeeper).action_shipstation_send()
        self.assertEqual(len(self.pending_jobs()), 1)

    def test_timezone_is_fixed_to_pacific(self):
        self.assertEqual(self.credential.source_timezone, "America/Los_Angeles")
        self.credential.source_timezone = "UTC"
        self.assertEqual(self.credential.source_timezone, "America/Los_Angeles")

    def test_partial_validation_in_odoo_updates_the_order_with_the_rest(self):
        picking = self.picking_of(self.make_sale([(self.widget, 5, 10.0)]))
        self.run_jobs()
        storekeeper = self.env["res.users"].create({
            "name": "Val Idator", "login": "val.idator.ss", "email": "val@example.com",
            "groups_id": [Command.set([self.ref("stock.group_stock_user")])]})
        picking.move_ids.quantity = 2
        picking.move_ids.picked = True
        picking.with_user(storekeeper).with_context(
            skip_backorder=True, picking_ids_not_to_backorder=[]).button_validate()
        backorder = picking.backorder_ids
        self.assertEqual(backorder.shipstation_order_key, picking.shipstation_order_key)
        self.assertFalse(backorder.channel_external_id, "the origin keeps owning the order")
        self.run_jobs()
        self.assertEqual([item["quantity"] for item in self.sim_order(picking)["items"]], [3])
        self.assertEqual(len(self.sim.orders), 1)
