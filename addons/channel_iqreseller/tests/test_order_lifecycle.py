"""Issue 8: voided orders, lines IQR already shipped, the SO number shown to warehouses,
company-scoped lookups, and accounts whose key IQR refuses."""

from odoo import fields
from odoo.tests import TransactionCase, tagged

from .common import IQResellerCase



@tagged("post_install", "-at_install")
class TestVoidedOrders(IQResellerCase, TransactionCase):

    def test_voided_after_import_cancels_the_order_and_its_delivery(self):
        so = self.add_so()
        self.poll()
        order = self.order_of(so)
        picking = order.picking_ids
        self.assertEqual((order.state, picking.state), ("sale", "assigned"))
        self.sim.update_so(so["soid"], status="Voided")
        poll = self.poll()
        self.assertIn('"cancelled": 1', poll.result)
        self.assertEqual(order.state, "cancel")
        self.assertEqual(picking.state, "cancel")
        self.assertEqual(order.iqr_status, "Voided")
        self.assertTrue(order.message_ids.filtered(
            lambda m: "Cancelled: IQ Reseller order" in str(m.body)))
        self.assertFalse(order.activity_ids)
        messages = len(order.message_ids)
        self.poll()
        self.assertEqual(len(order.message_ids), messages, "cancelled once")

    def test_voided_after_shipping_gets_an_activity_not_a_cancellation(self):
        so = self.add_so()
        self.poll()
        order = self.order_of(so)
        self.ship(order, "1ZGONE", quantities={"THINKPAD T450": 2})
        backorder = order.picking_ids.filtered(lambda p: p.state != "done")
        self.assertEqual(backorder.state, "assigned")
        self.sim.update_so(so["soid"], status="Voided")
        poll = self.poll()
        self.assertIn('"flagged": 1', poll.result)
        self.assertEqual(order.state, "sale", "goods left: not cancelled")
        self.assertEqual(backorder.state, "cancel", "what did not ship yet does not ship")
        self.assertEqual(order.channel_sync_state, "flagged")
        activity = order.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("Voided", activity.note)
        self.assertEqual(activity.activity_type_id,
                         self.env.ref("mail.mail_activity_data_warning"))
        self.assertTrue(order.message_ids.filtered(
            lambda m: "already shipped" in str(m.body)))

    def test_cancel_statuses_are_a_setting(self):
        self.credential.iqr_cancel_statuses = "Cancelled"
        so = self.add_so()
        self.poll()
        self.sim.update_so(so["soid"], status="Voided")
        self.poll()
        order = self.order_of(so)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.channel_sync_state, "flagged", "flagged as before")


@tagged("post_install", "-at_install")
class TestShippedLines(IQResellerCase, TransactionCase):

    def test_partial_order_imports_only_what_is_still_to_ship(self):
        so = self.add_so(status="Partial")
        self.sim.ship_line(so["soid"], 1, shipdate=self.local_days_ago(1))
        self.poll()
        order = self.order_of(so)
        self.assertEqual(order.state, "sale")
        products = order.order_line.filtered("product_id")
        self.assertEqual(sorted(products.mapped("product_id.default_code")),
                         ["CABLE-HDMI-3", "DOCK-USB-C"])
        moves = order.picking_ids.move_ids
        self.assertNotIn("THINKPAD T450", moves.mapped("product_id.default_code"))
        note = order.order_line.filtered("iqr_shipped_note")
        self.assertEqual(note.display_type, "line_note")
        self.assertIn("2 x THINKPAD T450 (line 1, shipped", note.name)

    def test_a_line_shipped_in_iqr_after_import_leaves_the_delivery(self):
        so = self.add_so()
        self.poll()
        order = self.order_of(so)
        self.sim.ship_line(so["soid"], 2)
        poll = self.poll()
        self.assertIn('"queued": 1', poll.result)
        demand = {move.product_id.default_code: move.product_uom_qty
                  for move in order.picking_ids.move_ids if move.state != "cancel"}
        self.assertEqual(demand, {"THINKPAD T450": 2, "CABLE-HDMI-3": 3})
        self.assertIn("DOCK-USB-C", order.order_line.filtered("iqr_shipped_note").name)

    def test_lines_marked_shipped_after_odoo_shipped_are_no_change_to_flag(self):
        so = self.add_so()
        self.poll()
        order = self.order_of(so)
        self.ship(order, "1ZALL")
        for line in (1, 2, 3):
            self.sim.ship_line(so["soid"], line)
        self.poll()
        self.assertNotEqual(order.channel_sync_state, "flagged")
        self.assertFalse(order.message_ids.filtered(
            lambda m: "changed after it was shipped" in str(m.body)))

    def test_an_order_shipped_entirely_is_not_imported(self):
        so = self.add_so(lines=[{"item": "DOCK-USB-C", "quantity": 1}], status="Partial")
        self.sim.ship_line(so["soid"], 1)
        self.sim.update_so(so["soid"], status="Partial")
        poll = self.poll()
        self.assertIn('"skipped_shipped": 1', poll.result)
        self.assertFalse(self.order_of(so))


@tagged("post_install", "-at_install")
class TestOrderNumberAndCompany(IQResellerCase, TransactionCase):

    def test_warehouses_see_the_so_number(self):
        so = self.add_so(so=38000)
        self.poll()
        order = self.order_of(so)
        self.assertEqual(order.channel_external_id, str(so["soid"]), "updates key on soid")
        self.assertEqual(order._channel_order_number(), "38000")
        self.credential.iqr_order_number_source = "soid"
        self.assertEqual(order._channel_order_number(), str(so["soid"]))

    def test_partner_and_sku_lookups_stay_in_the_credential_company(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        stranger = self.env["res.partner"].create({
            "name": "Acme Corp", "email": "orders@acme.example", "company_id": other.id})
        lookalike = self.env["res.partner"].create({
            "name": "Lookalike", "email": "ordersXacme@wild.example"})
        self.env["product.product"].create({
            "name": "Other company's item", "default_code": "OTHER-CO-ITEM",
            "company_id": other.id})
        so = self.add_so(shiptoemail="orders@acme.example")
        wild = self.add_so(shiptoemail="orders_acme@wild.example", shiptocompany="Wild Ltd")
        refused = self.add_so(lines=[{"item": "OTHER-CO-ITEM", "quantity": 1}])
        self.poll()
        customer = self.order_of(so).partner_id
        self.assertNotEqual(customer, stranger, "another company's customer is not used")
        self.assertIn(customer.company_id, (self.credential.company_id, self.env["res.company"]))
        self.assertNotEqual(self.order_of(wild).partner_id, lookalike, "'_' is no wildcard")
        self.assertFalse(self.order_of(refused))
        self.assertIn("Unknown SKU: OTHER-CO-ITEM", self.inbox_items().error)


@tagged("post_install", "-at_install")
class TestRefusedKey(IQResellerCase, TransactionCase):

    def polls(self):
        return self.page_jobs()

    def cron(self):
        """The streams cron, with the orders stream due."""
        self.credential._channel_stream("orders").next_run_at = fields.Datetime.now()
        self.env["channel.stream"]._cron_queue_due_streams()

    def test_refused_key_pauses_scheduled_polls(self):
        self.credential.iqr_api_key = "revoked-key-0042"
        self.cron()
        self.run_jobs()
        poll = self.polls()
        self.assertEqual((poll.state, poll.error_kind), ("failed", "auth"))
        self.assertFalse(poll.auth_refreshed, "a refused key is not tried a second time")
        self.assertTrue(self.credential.reconnect_needed)
        self.assertNotIn("revoked-key-0042", self.credential.reconnect_reason)
        sign_ins = self.sim.sign_ins
        self.cron()
        self.assertEqual(len(self.polls()), 1, "no poll queued for a refused account")
        self.run_jobs()
        self.assertEqual(self.sim.sign_ins, sign_ins, "the key is not tried again")
        # New credentials resume the polls.
        self.credential.iqr_api_key = "iqr-KEY-7c1e5a90-very-secret"
        self.assertFalse(self.credential.reconnect_needed)
        self.cron()
        self.assertEqual(len(self.polls()), 2)

    def test_sign_in_refused_with_400_or_403_is_an_auth_error(self):
        self.credential.iqr_api_key = "revoked-key-0042"
        for status in (400, 403):
            self.sim.options["sign_in_refusal_status"] = status
            self.credential.write({"reconnect_needed": False})
            poll = self.credential._iqr_enqueue_poll()
            self.run_jobs()
            self.assertEqual((poll.state, poll.error_kind), ("failed", "auth"), status)
            self.assertIn("refused the API key", poll.last_error)
            self.assertIn(f"HTTP {status}", poll.last_error)
            self.assertTrue(self.credential.reconnect_needed)
            poll.unlink()
