from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged

from tests.simulators.iqreseller import GET_ORDERS_PATH, GET_SOS_PATH, SESSION_PATH

from .common import API_KEY, IQResellerCase


@tagged("post_install", "-at_install")
class TestOrderImport(IQResellerCase, TransactionCase):

    def test_poll_imports_matching_orders_only(self):
        wanted = self.add_so(so=38791, clientponumber="PO-4471", status="Open")
        partial = self.add_so(so=38792, status="Partial", shiptophone="512 555 0199",
                              shiptocompany="Beta LLC", shiptoemail="buy@beta.example",
                              shiptoaddress1="9 Elm St", shiptocity="Houston",
                              shiptopostalcode="77002")
        self.add_so(so=38793, status="Invoiced")
        self.add_so(so=38794, channel="OTHER AGENT")
        self.add_so(so=38795, days_ago=45)
        self.add_so(so=38796, channel="  dpc - quic ")  # case and spaces ignored
        poll = self.poll()
        self.assertEqual(poll.state, "done", poll.last_error)
        result = poll.result
        for expected in ('"seen": 6', '"queued": 3', '"skipped_status": 1',
                         '"skipped_channel": 1', '"skipped_date": 1'):
            self.assertIn(expected, result)
        orders = self.imported()
        self.assertEqual(sorted(orders.mapped("iqr_so_number")), ["38791", "38792", "38796"])

        order = self.order_of(wanted)
        self.assertEqual(order.channel_external_id, str(wanted["soid"]))
        self.assertEqual(order.channel_external_ref, "38791")
        self.assertEqual(order.client_order_ref, "PO-4471")
        self.assertEqual(order.origin, "IQR 38791")
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.iqr_status, "Open")
        self.assertEqual(order.iqr_channel_field, "userdefined5")
        self.assertEqual(order.partner_id.name, "Acme Corp")
        self.assertEqual(order.partner_shipping_id.city, "Austin")
        self.assertEqual(order.partner_shipping_id.state_id.code, "TX")
        self.assertEqual(order.partner_shipping_id.country_id.code, "US")
        self.assertEqual(order.partner_id.phone, "+15125550100")
        lines = {line.product_id.default_code: line for line in order.order_line}
        self.assertEqual(lines["THINKPAD T450"].product_uom_qty, 2)
        self.assertEqual(lines["THINKPAD T450"].price_unit, 469.95)
        self.assertEqual(lines["THINKPAD T450"].name, "LENOVO THINKPAD T450")
        self.assertEqual(lines["CABLE-HDMI-3"].product_uom_qty, 3)
        picking = order.picking_ids
        self.assertEqual(picking.picking_type_code, "outgoing")
        self.assertEqual(sorted(picking.move_ids.mapped("product_uom_qty")), [1, 2, 3])
        # "10:00 AM" in Chicago, 2 days ago, stored as UTC.
        self.assertEqual(order.date_order, order.iqr_sale_date)
        self.assertIn(order.iqr_sale_date.hour, (15, 16))
        self.assertEqual(self.order_of(partial).partner_id.phone, "+15125550199")

        # One session for the whole run, ended when it finished.
        self.assertEqual((self.sim.sign_ins, self.sim.sign_outs), (1, 1))
        self.assertEqual(self.sim.open_sessions(), [])
        # Sign-in, the page-numbering check (pages 0 and 1 of one order), one page (the
        # sign-out follows the run's last page).
        self.assertIn('"api_calls": 4', result)
        self.assertEqual(self.listing_pages(), ["0", "1", "0"])

    def test_duplicate_poll_changes_nothing(self):
        first = self.add_so()
        self.add_so()
        self.poll()
        orders = self.imported()
        self.assertEqual(len(orders), 2)
        write_dates = orders.mapped("write_date")
        jobs_before = self.Job.search_count([])
        again = self.poll()
        self.assertIn('"unchanged": 2', again.result)
        self.assertIn('"queued": 0', again.result)
        self.assertEqual(self.Job.search_count([]), jobs_before + 1, "only the poll job")
        self.assertEqual(self.imported(), orders)
        self.assertEqual(orders.mapped("write_date"), write_dates)
        self.assertEqual(len(self.order_of(first).picking_ids), 1)

    def test_paging_until_exhausted(self):
        self.credential.iqr_page_size = 4
        sos = [self.add_so(so=50000 + n) for n in range(9)]
        poll = self.poll()
        self.assertEqual(len(self.imported()), 9)
        self.assertEqual(self.listing_pages(4), ["0", "1", "2"], "stops after the short page")
        self.assertIn('"seen": 9', poll.result)
        self.assertEqual(self.order_of(sos[-1]).iqr_so_number, "50008")

    def test_newest_first_listing_stops_at_the_window(self):
        self.credential.write({"iqr_page_size": 5, "iqr_sort_by": 1,
                               "iqr_sorted_newest_first": True})
        for day in range(1, 7):
            self.add_so(days_ago=day)
        for day in range(40, 60):
            self.add_so(days_ago=day)
        self.poll()
        self.assertEqual(len(self.imported()), 6)
        pages = [r.query for r in self.sim.requests
                 if r.path == GET_SOS_PATH and r.query["PageSize"] == "5"]
        self.assertEqual([page["SortBy"] for page in pages], ["1", "1"])
        self.assertEqual(len(pages), 2, "the second page reaches orders older than 30 days")


    def test_an_api_ignoring_page_does_not_loop_forever(self):
        self.sim.options["ignore_page"] = True  # every Page answers the first page
        self.credential.iqr_page_size = 2
        for _n in range(3):
            self.add_so()
        poll = self.poll()
        self.assertEqual(poll.state, "failed")
        self.assertIn("same page twice", poll.last_error)

    def test_large_pages_failing_are_asked_again_smaller(self):
        self.sim.options.update(slow_page_size=10, slow_page_behaviour="fail")
        self.credential.iqr_page_size = 25
        for _n in range(23):
            self.add_so()
        poll = self.poll()
        self.assertEqual(poll.state, "done", poll.last_error)
        self.assertEqual(len(self.imported()), 23)
        sizes = [r.query["PageSize"] for r in self.sim.requests
                 if r.path == GET_SOS_PATH and r.query["PageSize"] != "1"]
        self.assertEqual(sizes[:3], ["25", "12", "6"])
        self.assertIn('"page_size_reduced_to": 6', poll.result)

    def test_orders_take_the_account_salesperson_and_team_and_log_their_number(self):
        seller = self.env["res.users"].create(
            {"name": "IQR Seller", "login": "iqr-seller@example.com"})
        team = self.env["crm.team"].create({"name": "B2B Resellers"})
        self.credential.write({"sale_user_id": seller.id, "sale_team_id": team.id})
        first = self.add_so(so=38901, clientponumber="PO-1")
        self.add_so(so=38902)
        self.poll()
        orders = self.imported()
        self.assertEqual(len(orders), 2)
        self.assertEqual(orders.user_id, seller)
        self.assertEqual(orders.team_id, team)
        order = self.order_of(first)
        notes = order.message_ids.filtered(lambda m: "Imported from" in str(m.body))
        self.assertEqual(notes.mapped("preview"), [
            f"Imported from IQ Reseller order 38901 (account {self.credential.name})."])
        self.assertEqual(notes.subtype_id, self.env.ref("mail.mt_note"))
        # An update keeps the salesperson a person chose, and logs no second import.
        order.user_id = self.env.user
        self.sim.update_so(first["soid"], clientponumber="PO-1-REV")
        self.poll()
        order.invalidate_recordset()
        self.assertEqual(order.client_order_ref, "PO-1-REV")
        self.assertEqual(order.user_id, self.env.user)
        self.assertEqual(len(order.message_ids.filtered(
            lambda m: "Imported from" in str(m.body))), 1)

    def test_without_account_defaults_odoo_chooses_the_salesperson(self):
        self.assertFalse(self.credential.sale_user_id)
        so = self.add_so(so=38911)
        self.poll()
        order = self.order_of(so)
        self.assertEqual(order.user_id, order.partner_id.user_id or self.env.user)

    def test_changed_order_is_updated_while_unshipped(self):
        so = self.add_so(clientponumber="PO-1")
        self.poll()
        order = self.order_of(so)
        self.assertEqual(order.state, "sale")
        details = self.sim.sos[so["soid"]]["SODetails"]
        self.sim.update_so(so["soid"], clientponumber="PO-1-REV", shiptocity="Dallas",
                           details=[
                               {**details[0], "quantity": 5},  # more laptops
                               {**details[1]},  # dock unchanged
                               # cable line removed, a new one added
                               {"item": "CABLE-HDMI-3", "quantity": 7, "unitprice": 8.0},
                           ])
        poll = self.poll()
        self.assertIn('"queued": 1', poll.result)
        order.invalidate_recordset()
        self.assertEqual(order.client_order_ref, "PO-1-REV")
        self.assertEqual(order.partner_shipping_id.city, "Dallas")
        self.assertEqual(order.picking_ids.partner_id.city, "Dallas")
        quantities = sorted((line.product_id.default_code, line.product_uom_qty)
                            for line in order.order_line)
        self.assertEqual(quantities, [("CABLE-HDMI-3", 0.0), ("CABLE-HDMI-3", 7.0),
                                      ("DOCK-USB-C", 1.0), ("THINKPAD T450", 5.0)])
        demand = {}
        for move in order.picking_ids.move_ids.filtered(lambda m: m.state != "cancel"):
            code = move.product_id.default_code
            demand[code] = demand.get(code, 0) + move.product_uom_qty
        self.assertEqual(demand, {"THINKPAD T450": 5, "DOCK-USB-C": 1, "CABLE-HDMI-3": 7})
        self.assertTrue(order.message_ids.filtered(
            lambda m: "Updated from IQ Reseller" in str(m.body)))

    def test_changed_quotation_is_rewritten(self):
        self.credential.iqr_auto_confirm = False
        so = self.add_so()
        self.poll()
        order = self.order_of(so)
        self.assertEqual(order.state, "draft")
        self.sim.update_so(so["soid"], details=[{"item": "DOCK-USB-C", "quantity": 4}])
        self.poll()
        self.assertEqual(order.order_line.mapped("product_id.default_code"), ["DOCK-USB-C"])
        self.assertEqual(order.order_line.product_uom_qty, 4)
        self.assertEqual(order.state, "draft")

    def test_change_after_shipping_is_flagged_not_applied(self):
        so = self.add_so()
        self.poll()
        order = self.order_of(so)
        self.ship(order, "1ZSHIPPED")
        self.sim.update_so(so["soid"], details=[{"item": "DOCK-USB-C", "quantity": 9}])
        self.poll()
        self.assertEqual(order.channel_sync_state, "flagged")
        self.assertIn("changed after it was shipped", order.channel_last_error)
        self.assertEqual(len(order.order_line), 3)
        self.assertNotIn(9, order.order_line.mapped("product_uom_qty"))
        messages = len(order.message_ids)
        self.poll()
        self.assertEqual(len(order.message_ids), messages, "flagged once, not every poll")

    def test_status_leaving_the_filter_flags_the_order(self):
        so = self.add_so()
        self.poll()
        order = self.order_of(so)
        self.sim.update_so(so["soid"], status="Closed")
        poll = self.poll()
        self.assertIn('"flagged": 1', poll.result)
        self.assertTrue(order.exists())
        self.assertEqual(order.state, "sale", "flagged, not cancelled or deleted")
        self.assertEqual(order.iqr_status, "Closed")
        self.assertEqual(order.channel_sync_state, "flagged")
        self.assertIn("'Closed'", order.channel_last_error)

    def test_unknown_sku_fails_that_order_only(self):
        good = self.add_so(so=61001)
        bad = self.add_so(so=61002, lines=[{"item": "THINKPAD T450", "quantity": 1},
                                           {"item": "NO-SUCH-SKU", "quantity": 1}])
        other = self.add_so(so=61003)
        self.poll()
        self.assertTrue(self.order_of(good))
        self.assertTrue(self.order_of(other))
        self.assertFalse(self.order_of(bad))
        failed = self.inbox_items()
        self.assertEqual(len(failed), 1)
        self.assertEqual(failed.external_id, str(bad["soid"]))
        self.assertIn("NO-SUCH-SKU", failed.error)
        self.assertIn("order 61002", failed.error)
        # The next poll does not pile up a twin: the parked order is the one to retry.
        poll = self.poll()
        self.assertIn('"awaiting_retry": 1', poll.result)
        self.assertEqual(self.inbox_items(), failed)
        self.assertEqual(failed.attempts, 1)
        # Once the product exists, retrying the parked order imports it from its payload.
        self.env["product.product"].create({"name": "New", "default_code": "NO-SUCH-SKU"})
        failed.action_retry()
        self.run_jobs()
        self.assertEqual(failed.state, "done", failed.error)
        self.assertEqual(len(self.order_of(bad).order_line), 2)
        self.assertEqual((failed.res_model, failed.res_id), ("sale.order", self.order_of(bad).id))

    def test_corrected_order_replaces_its_failed_import(self):
        bad = self.add_so(lines=[{"item": "NO-SUCH-SKU", "quantity": 1}])
        self.poll()
        failed = self.inbox_items()
        self.assertEqual(failed.external_id, str(bad["soid"]))
        self.sim.update_so(bad["soid"], details=[{"item": "DOCK-USB-C", "quantity": 1}])
        self.poll()
        self.assertTrue(self.order_of(bad))
        self.assertEqual(failed.state, "done", "the corrected order closes its inbox item")
        self.assertEqual(failed.res_id, self.order_of(bad).id)

    def test_bad_address_is_recorded_on_the_order(self):
        nowhere = self.add_so(shiptocountry="Atlantis", shiptostate="ZZ",
                              shiptoemail="far@away.example", shiptocompany="Far Away Ltd")
        bad_phone = self.add_so(shiptophone="call the front desk")
        three_letter = self.add_so(shiptocountry="USA")
        self.poll()
        order = self.order_of(nowhere)
        self.assertTrue(order, "imported despite the address")
        self.assertEqual(order.channel_sync_state, "error")
        self.assertIn("Atlantis", order.channel_last_error)
        self.assertEqual(order.state, "draft", "not confirmed until the address is fixed")
        self.assertTrue(order.message_ids.filtered(lambda m: "Atlantis" in str(m.body)))
        phone_order = self.order_of(bad_phone)
        self.assertEqual(phone_order.state, "sale")
        self.assertIn("call the front desk", phone_order.channel_last_error)
        self.assertEqual(self.order_of(three_letter).partner_shipping_id.country_id.code, "US")

    def test_unreadable_sale_date_fails_that_order(self):
        bad = self.add_so(so=62001)
        self.sim.update_so(bad["soid"], saledate="sometime last week")
        self.add_so(so=62002)
        self.poll()
        failed = self.inbox_items()
        self.assertIn("order 62001", failed.error)
        self.assertIn("sometime last week", failed.error)
        self.assertEqual(self.imported().mapped("iqr_so_number"), ["62002"])

    def test_missing_timezone_is_a_clear_error(self):
        self.credential.source_timezone = False
        poll = self.poll()
        self.assertEqual(poll.state, "failed")
        self.assertIn("Source Timezone", poll.last_error)

    def test_seed_variant_get_orders(self):
        self.sim.options["variant"] = "orders"
        self.credential.iqr_order_endpoint = "get_orders"
        so = self.add_so()
        self.poll()
        self.assertTrue(self.order_of(so))
        listing = [r for r in self.sim.requests if r.path == GET_ORDERS_PATH]
        self.assertEqual({r.method for r in listing}, {"POST"})
        self.assertEqual(listing[-1].json, {"Page": 0, "PageSize": 25, "SortBy": 0})
        # The same variant without the {"Data": ...} envelope is read too.
        self.sim.options["orders_envelope"] = False
        second = self.add_so()
        self.poll()
        self.assertTrue(self.order_of(second))

    def test_cron_queues_a_poll_when_due(self):
        stream = self.credential._channel_stream("orders")
        self.assertEqual((stream.kind, stream.interval_minutes), ("paged", 15))
        stream.next_run_at = fields.Datetime.now() - timedelta(seconds=1)
        self.env["channel.stream"]._cron_queue_due_streams()
        self.assertEqual(len(self.page_jobs()), 1)
        self.run_jobs()
        self.env["channel.stream"]._cron_queue_due_streams()
        self.assertEqual(len(self.page_jobs()), 1, "polled less than 15 minutes ago: not due")
        action = self.credential.action_iqr_import_now()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(len(self.page_jobs().filtered(lambda j: j.state == "pending")), 1)


@tagged("post_install", "-at_install")
class TestSession(IQResellerCase, TransactionCase):

    def test_session_expiring_mid_run_is_renewed_once(self):
        self.sim.options["session_lifetime"] = 450
        self.clock.step = 100  # every request the simulator sees moves time 100 s
        self.credential.iqr_page_size = 2
        for _n in range(7):
            self.add_so()
        poll = self.poll()
        self.assertEqual(poll.state, "done", poll.last_error)
        self.assertEqual(len(self.imported()), 7)
        self.assertEqual(self.sim.sign_ins, 2, "signed in again after the 401")
        self.assertEqual(self.listing_pages(2), ["0", "1", "2", "2", "3"],
                         "the refused page is asked again")
        self.assertEqual(self.sim.sign_outs, 1, "the live session is ended at the end")

    def test_session_token_and_api_key_never_logged(self):
        self.clear_api_logs()
        self.add_so()
        self.poll()
        tokens = list(self.sim.sessions)
        self.assertTrue(tokens)
        logs = self.api_logs()
        self.assertEqual([log["method"] for log in logs[:1]], ["POST"])
        self.assertTrue(any(log["method"] == "DELETE" for log in logs))
        for log in logs:
            dump = " ".join(str(log[name] or "") for name in (
                "url", "request_headers", "request_body", "response_headers",
                "response_body", "error"))
            for secret in tokens + [API_KEY]:
                self.assertNotIn(secret, dump, f"secret leaked in log {log['id']}")
        delete = next(r for r in self.sim.requests if r.method == "DELETE")
        self.assertEqual(delete.path, SESSION_PATH)
        self.assertEqual(delete.headers["Authorization"], f"Bearer {tokens[0]}")

    def test_refused_api_key_fails_without_revealing_it(self):
        self.credential.iqr_api_key = "wrong-key-123456"
        poll = self.poll()
        self.assertEqual(poll.state, "failed")
        self.assertEqual(poll.error_kind, "auth")
        self.assertIn("Invalid API token", poll.last_error)
        self.assertNotIn("wrong-key-123456", poll.last_error)

    def test_iqr_down_during_poll_is_retried(self):
        self.add_so()
        self.sim.inject("server_error", status=503, path=GET_SOS_PATH, count=10)
        job = self.credential._iqr_enqueue_poll()
        self.run_jobs(max_rounds=1)
        self.assertEqual(job.state, "pending")
        self.assertEqual(job.error_kind, "transient")
        self.assertFalse(self.imported())
        self.sim.pending_faults.clear()
        self.run_jobs()
        self.assertEqual(job.state, "done")
        self.assertEqual(len(self.imported()), 1)

    def test_connection_test_button(self):
        self.add_so()
        action = self.credential.action_test_connection()
        self.assertIn("read 1 order", action["params"]["message"])
        self.assertEqual(self.sim.sign_outs, 1)
