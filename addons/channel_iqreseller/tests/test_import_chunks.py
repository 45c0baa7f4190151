import json

from odoo.tests import TransactionCase, tagged

from .common import IQResellerCase

CHUNK_OPERATION = "iqreseller.import_orders"


@tagged("post_install", "-at_install")
class TestChunkImport(IQResellerCase, TransactionCase):
    """Orders are imported in chunks (one job, one create, one confirm); an order that
    cannot be imported fails alone, parked in the inbox with its reason."""

    def chunk_jobs(self):
        return self.Job.search([("operation", "=", CHUNK_OPERATION)], order="id")


    def test_bad_orders_fail_alone_while_the_chunk_imports(self):
        good = [self.add_so(so=71001), self.add_so(so=71002)]
        unknown_sku = self.add_so(so=71003, lines=[
            {"item": "DOCK-USB-C", "quantity": 1},
            {"item": "NO-SUCH-SKU", "quantity": 1}, {"item": "ALSO-MISSING", "quantity": 2}])
        good.append(self.add_so(so=71004))
        no_lines = self.add_so(so=71005, lines=[])
        bad_quantity = self.add_so(so=71006, lines=[{"item": "DOCK-USB-C", "quantity": -2}])
        good.append(self.add_so(so=71007))
        self.poll()

        chunk = self.chunk_jobs()
        self.assertEqual(len(chunk), 1, "one job for the page")
        self.assertEqual(chunk.state, "done", chunk.last_error)
        result = json.loads(chunk.result)
        self.assertEqual((result["created"], result["failed"]), (4, 3))
        self.assertNotIn("one_at_a_time", result, "bad data is caught before the batch")
        for so in good:
            order = self.order_of(so)
            self.assertEqual(order.state, "sale")
            self.assertEqual(len(order.order_line), 3)
            self.assertEqual(len(order.picking_ids), 1)
        for so in (unknown_sku, no_lines, bad_quantity):
            self.assertFalse(self.order_of(so))

        failed = self.inbox_items()
        self.assertEqual(len(failed), 3, "one inbox item per failed order")
        errors = {item._payload()["so"]["so"]: item for item in failed}
        self.assertEqual(set(errors), {71003, 71005, 71006})
        sku_item = errors[71003]
        self.assertIn("order 71003", sku_item.error)
        self.assertIn("Unknown SKU: NO-SUCH-SKU, ALSO-MISSING", sku_item.error)
        self.assertEqual(sku_item.external_id, str(unknown_sku["soid"]))
        self.assertEqual(sku_item.attempts, 1)
        self.assertEqual(sku_item._payload()["so"]["soid"], unknown_sku["soid"],
                         "the IQR order is kept as read")
        self.assertTrue(sku_item._payload()["fingerprint"])
        self.assertIn("order 71005", errors[71005].error)
        self.assertIn("no lines", errors[71005].error)
        self.assertIn("order 71006", errors[71006].error)
        self.assertIn("quantity -2", errors[71006].error)

        # Nothing new on the next poll; fixing the catalogue and retrying imports it.
        poll = self.poll()
        self.assertIn('"awaiting_retry": 3', poll.result)
        self.assertIn('"unchanged": 4', poll.result)
        self.assertEqual(len(self.chunk_jobs()), 1)
        self.env["product.product"].create([
            {"name": "New", "default_code": "NO-SUCH-SKU"},
            {"name": "Also new", "default_code": "ALSO-MISSING"},
        ])
        sku_item.action_retry()
        self.run_jobs()
        self.assertEqual(sku_item.state, "done", sku_item.error)
        self.assertEqual(self.order_of(unknown_sku).state, "sale")
        self.assertEqual(len(self.order_of(unknown_sku).order_line), 3)

    def test_chunk_falls_back_to_one_order_at_a_time(self):
        """An order that passes every check but that the database refuses (here a check
        constraint added for the test) makes the batch fail: the chunk is then imported
        one order at a time, and only that order fails."""
        self.env.cr.execute("""ALTER TABLE sale_order ADD CONSTRAINT test_iqr_refused_po
                               CHECK (client_order_ref IS DISTINCT FROM 'PO-REFUSED')""")
        first = self.add_so(so=72001, clientponumber="PO-A")
        refused = self.add_so(so=72002, clientponumber="PO-REFUSED")
        last = self.add_so(so=72003, shiptoemail="other@buyer.example",
                           shiptocompany="Other Buyer", shiptoaddress1="5 Oak St")
        self.poll()

        chunk = self.chunk_jobs()
        self.assertEqual(chunk.state, "done", chunk.last_error)
        result = json.loads(chunk.result)
        self.assertEqual(result["one_at_a_time"], 3, "the batch failed and was taken apart")
        self.assertEqual((result["created"], result["failed"]), (2, 1))
        self.assertEqual(self.order_of(first).state, "sale")
        self.assertEqual(self.order_of(first).client_order_ref, "PO-A")
        self.assertEqual(self.order_of(last).partner_id.name, "Other Buyer")
        self.assertEqual(self.order_of(last).state, "sale")
        self.assertFalse(self.order_of(refused))
        self.assertEqual(self.env["res.partner"].search_count([("name", "=", "Other Buyer")]),
                         1, "the rolled-back batch left no twin")

        failed = self.inbox_items()
        self.assertEqual(len(failed), 1)
        self.assertEqual(failed._payload()["so"]["soid"], refused["soid"])
        self.assertEqual(failed.external_id, str(refused["soid"]))
        self.assertIn("test_iqr_refused_po", failed.error)

    def test_chunk_size_follows_the_runner_budget(self):
        """Each import job is one transaction that must take seconds, well within the
        runner's time budget: a listing page's orders are one job (a chunk never spans
        two pages), split when the page holds more than a tenth of the budget's worth
        (50 orders at the default 50 s, 20 at 20 s)."""
        self.credential.write({"iqr_page_size": 4, "iqr_auto_confirm": False})
        line = [{"item": "DOCK-USB-C", "quantity": 1}]
        sos = [self.add_so(lines=line) for _n in range(23)]
        poll = self.poll()
        self.assertIn('"queued": 23', poll.result)
        self.assertIn('"import_jobs": 6', poll.result)
        self.assertEqual([len(job.payload["orders"]) for job in self.chunk_jobs()],
                         [4, 4, 4, 4, 4, 3], "one import job per listing page")
        self.assertEqual(self.chunk_jobs().mapped("state"), ["done"] * 6)
        self.assertEqual(len(self.imported()), 23)
        self.assertEqual(self.order_of(sos[-1]).state, "draft")

        self.env["ir.config_parameter"].set_param("channel_base.job_time_budget", 20)
        self.credential.iqr_page_size = 50
        more = [self.add_so(lines=line) for _n in range(26)]
        self.poll()
        new_chunks = self.chunk_jobs()[6:]
        self.assertEqual([len(job.payload["orders"]) for job in new_chunks], [20, 6],
                         "a page larger than 2 s of importing is split")
        self.assertTrue(all(self.order_of(so) for so in more))

    def test_orders_waiting_in_a_chunk_are_not_queued_again(self):
        sos = [self.add_so(), self.add_so()]
        self.credential._iqr_enqueue_poll().action_run_now()  # the poll only
        chunk = self.chunk_jobs()
        self.assertEqual(chunk.state, "pending")
        again = self.credential._iqr_enqueue_poll()
        again.action_run_now()
        self.assertIn('"already_queued": 2', again.result)
        self.assertIn('"queued": 0', again.result)
        self.assertEqual(self.chunk_jobs(), chunk)
        self.run_jobs()
        self.assertEqual(chunk.state, "done")
        self.assertEqual(len(self.imported()), 2)
        # A changed order waiting in a chunk is queued again, with its new content.
        self.sim.update_so(sos[0]["soid"], clientponumber="PO-NEW")
        self.poll()
        self.assertEqual(self.order_of(sos[0]).client_order_ref, "PO-NEW")

    def test_customers_of_a_chunk(self):
        existing = self.env["res.partner"].create({
            "name": "Known Buyer", "email": "Known@Buyer.example", "city": "Austin"})
        same_place = self.env["res.partner"].create({
            "name": "Walk-in Shop", "street": "7 Pine St", "city": "Austin", "zip": "78701",
            "country_id": self.env.ref("base.us").id})
        known = self.add_so(shiptoemail="known@buyer.example", shiptocompany="Known Buyer")
        walk_in = self.add_so(shiptoemail="", shiptocompany="Walk-in Shop",
                              shiptoaddress1="7 Pine St", shiptostate="")
        new_a = self.add_so(shiptoemail="new@buyer.example", shiptocompany="New Buyer")
        new_b = self.add_so(shiptoemail="NEW@buyer.example", shiptocompany="New Buyer",
                            shiptoaddress1="99 Dock Rd", shiptocity="Houston")
        # With '_' read as a wildcard this would match known@buyer.example.
        wildcard = self.add_so(shiptoemail="k_own@buyer.example", shiptocompany="Kown Ltd")
        self.poll()
        self.assertEqual(self.order_of(known).partner_id, existing, "matched by email")
        self.assertEqual(self.order_of(walk_in).partner_id, same_place,
                         "no email: matched by name and address")
        first, second = self.order_of(new_a), self.order_of(new_b)
        self.assertEqual(first.partner_id, second.partner_id, "one new customer, once")
        self.assertEqual(first.partner_shipping_id, first.partner_id)
        self.assertEqual(second.partner_shipping_id.parent_id, first.partner_id)
        self.assertEqual(second.partner_shipping_id.city, "Houston")
        self.assertEqual(self.env["res.partner"].search_count(
            [("email", "=ilike", "new@buyer.example"), ("parent_id", "=", False)]), 1)
        self.assertEqual(self.order_of(wildcard).partner_id.name, "Kown Ltd",
                         "'_' in an email is not a wildcard")
