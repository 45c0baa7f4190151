"""What an account sends: transfers of orders from the channels it fulfils (IQ Reseller by
default), Odoo's own sale orders only when ticked, and nothing created before its start
date, whatever path sends (triggers, the cron sweep, Send Ready Transfers Now)."""

from datetime import timedelta

from odoo import Command
from odoo.tests import Form, TransactionCase, tagged

from .common import ShipStationTestMixin

IQR_PLATFORM = "iqreseller"


@tagged("post_install", "-at_install")
class TestWhatIsSent(ShipStationTestMixin, TransactionCase):
    credential_values = {"shipstation_fulfil_own_orders": False}

    def setUp(self):
        super().setUp()
        Credential = self.env["integration.credential"]
        if IQR_PLATFORM not in dict(Credential._fields["platform"].selection):
            self.skipTest("needs channel_iqreseller for a channel platform")
        self.iqr = Credential.create({"name": "IQR main", "platform": IQR_PLATFORM})
        self.other_iqr = Credential.create({"name": "IQR other", "platform": IQR_PLATFORM})
        self.credential.shipstation_source_credential_ids = [Command.unlink(self.other_iqr.id)]

    def channel_sale(self, source, number, lines=None):
        order = self.make_sale(lines, confirm=False)
        order.write({"channel_credential_id": source.id, "channel_external_id": number})
        order.action_confirm()
        return order

    def sweep(self):
        self.sweep_exports()
        self.credential.action_shipstation_send_ready()

    def next_run_count(self):
        self.credential.invalidate_recordset(["shipstation_next_run_count"])
        return self.credential.shipstation_next_run_count

    def next_run_pickings(self):
        action = self.credential.action_shipstation_open_next_run()
        return self.env[action["res_model"]].search(action["domain"])

    # ------------------------------------------------------------------ sources

    def test_iqr_accounts_are_fulfilled_by_default(self):
        self.assertIn(self.iqr, self.credential.shipstation_source_credential_ids,
                      "an IQ Reseller account created later joins the ShipStation account")
        self.assertTrue(any("IQR main" in (message.body or "")
                            for message in self.credential.message_ids))
        Credential = self.env["integration.credential"]
        created = Credential.create({"name": "Second ShipStation", "platform": "shipstation"})
        self.assertEqual(created.shipstation_source_credential_ids, self.iqr | self.other_iqr)
        self.assertFalse(created.shipstation_fulfil_own_orders)
        self.assertTrue(created.shipstation_start_date)
        # The form fills the same default when the platform is chosen.
        draft = Credential.new({"name": "Third", "company_id": self.env.company.id})
        draft.platform = "shipstation"
        draft._onchange_shipstation_sources()
        self.assertEqual(set(draft.shipstation_source_credential_ids.ids),
                         {self.iqr.id, self.other_iqr.id})

    def test_plain_and_unselected_channel_transfers_are_never_sent(self):
        plain = self.picking_of(self.make_sale())
        other = self.picking_of(self.channel_sale(self.other_iqr, "5001"))
        ours = self.picking_of(self.channel_sale(self.iqr, "5002"))
        self.assertEqual({p.state for p in plain | other | ours}, {"assigned"})
        self.assertEqual(ours.shipstation_export_job_id.state, "pending")
        self.sweep()
        self.assertFalse((plain | other).shipstation_export_job_id)
        self.run_jobs()
        self.assertEqual([order["orderNumber"] for order in self.sim.orders.values()], ["5002"])
        self.assertFalse((plain | other).channel_credential_id)
        # Sending on confirmation: the same choice.
        self.credential.shipstation_send_on = "order_confirm"
        late_plain = self.picking_of(self.make_sale())
        late_other = self.picking_of(self.channel_sale(self.other_iqr, "5003"))
        late_ours = self.picking_of(self.channel_sale(self.iqr, "5004"))
        self.sweep()
        self.assertFalse((late_plain | late_other).shipstation_export_job_id)
        self.run_jobs()
        self.assertEqual(sorted(order["orderNumber"] for order in self.sim.orders.values()),
                         ["5002", "5004"])
        self.assertTrue(late_ours.shipstation_order_id)

    def test_odoo_own_sale_orders_when_ticked(self):
        before = self.picking_of(self.make_sale())
        self.assertFalse(before.shipstation_export_job_id)
        picking_type = self.warehouse.out_type_id
        no_sale = self.env["stock.picking"].create({
            "picking_type_id": picking_type.id, "partner_id": self.customer.id,
            "move_ids": [Command.create({
                "name": "Widget", "product_id": self.widget.id, "product_uom_qty": 1,
                "location_id": picking_type.default_location_src_id.id,
                "location_dest_id": self.ref("stock.stock_location_customers")})],
        })
        no_sale.action_confirm()
        no_sale.action_assign()
        self.credential.shipstation_fulfil_own_orders = True
        after = self.picking_of(self.make_sale())
        self.assertEqual(after.shipstation_export_job_id.state, "pending")
        self.sweep()
        self.assertTrue(before.shipstation_export_job_id, "the sweep catches the earlier one")
        self.assertFalse(no_sale.shipstation_export_job_id,
                         "a transfer without a sale order is nobody's order")
        self.run_jobs()
        self.assertEqual(len(self.sim.orders), 2)

    def test_transfers_created_before_the_start_date_are_not_sent(self):
        self.credential.shipstation_send_on = "manual"
        old = self.picking_of(self.channel_sale(self.iqr, "6001"))
        self.credential.write({"shipstation_send_on": "picking_ready",
                               "shipstation_start_date": old.create_date + timedelta(seconds=1)})
        self.sweep()
        old.do_unreserve()
        old.action_assign()  # the "ready" trigger
        self.assertEqual(old.state, "assigned")
        self.assertFalse(old.shipstation_export_job_id)
        self.assertEqual(self.next_run_count(), 0)
        # A person may still send it on purpose.
        old.action_shipstation_send()
        self.run_jobs()
        self.assertTrue(old.shipstation_order_id)

    def test_the_account_shows_what_the_next_run_sends(self):
        self.credential.shipstation_send_on = "manual"
        scarce = self.make_product("SCARCE-1", "Scarce", stock=0)
        self.make_sale()
        self.channel_sale(self.other_iqr, "7001")
        ready = self.picking_of(self.channel_sale(self.iqr, "7002"))
        waiting = self.picking_of(self.channel_sale(self.iqr, "7003", [(scarce, 1, 5.0)]))
        self.assertEqual(waiting.state, "confirmed")
        self.assertEqual(self.next_run_count(), 1, "manual: what Send Ready Transfers Now sends")
        self.assertEqual(self.next_run_pickings(), ready)
        self.credential.shipstation_send_on = "order_confirm"
        self.assertEqual(self.next_run_count(), 2)
        self.assertEqual(self.next_run_pickings(), ready | waiting)
        self.credential.shipstation_send_on = "picking_ready"
        self.assertEqual(self.next_run_count(), 1)
        self.credential._mark_reconnect_needed("HTTP 401")
        self.assertEqual(self.next_run_count(), 0, "the cron skips an account to reconnect")
        self.credential._clear_reconnect_needed()
        self.credential.action_shipstation_send_ready()
        self.run_jobs()
        self.assertTrue(ready.shipstation_order_id)
        self.assertEqual(self.next_run_count(), 0)

    # ------------------------------------------------------------------ first run

    def test_the_form_warns_how_many_transfers_the_first_run_sends(self):
        # Manual: no trigger binds the transfers to this account, so a new one may take them.
        self.credential.shipstation_send_on = "manual"
        ready = self.picking_of(self.channel_sale(self.iqr, "7101"))
        self.picking_of(self.channel_sale(self.other_iqr, "7102"))
        self.credential.invalidate_recordset(["shipstation_first_run_warning"])
        self.assertEqual(self.credential.shipstation_first_run_warning,
                         "1 transfer(s) will be sent to ShipStation the first time someone "
                         "clicks Send Ready Transfers Now.")
        # A new account, before it is saved: the count follows the settings on the form.
        form = Form(self.env["integration.credential"])
        form.name = "New ShipStation"
        form.platform = "shipstation"
        self.assertFalse(form.shipstation_first_run_warning,
                         "by default only transfers created from now on are sent")
        form.shipstation_start_date = ready.create_date - timedelta(minutes=1)
        self.assertEqual(
            form.shipstation_first_run_warning,
            "2 transfer(s) will be sent to ShipStation on the first run (within 15 minutes of "
            "saving). Move Send Transfers Created From forward, or narrow the warehouses or "
            "Fulfil Orders From, to send fewer.",
            "both IQ Reseller accounts are fulfilled by default")
        form.shipstation_source_credential_ids.remove(self.other_iqr.id)
        self.assertTrue(form.shipstation_first_run_warning.startswith("1 transfer(s)"))
        # Once the account has sent something, there is no first run to warn about.
        self.credential.action_shipstation_send_ready()
        self.run_jobs()
        self.assertTrue(ready.shipstation_order_id)
        self.picking_of(self.channel_sale(self.iqr, "7103"))
        self.credential.invalidate_recordset(
            ["shipstation_first_run_warning", "shipstation_next_run_count"])
        self.assertEqual(self.credential.shipstation_next_run_count, 1)
        self.assertFalse(self.credential.shipstation_first_run_warning)
