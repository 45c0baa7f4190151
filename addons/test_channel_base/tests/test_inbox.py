import json
from datetime import timedelta

import psycopg2

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import ExampleAccountMixin


@tagged("post_install", "-at_install")
class TestInbox(ExampleAccountMixin, TransactionCase):
    """Failed inbound orders wait in the inbox with their payload; Retry re-imports them."""

    example_account_name = "Example inbox"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Inbox = cls.env["channel.inbox.item"]
        cls.Job = cls.env["sync.job"]
        cls.gadget = cls.env["product.product"].create({"name": "Gadget", "default_code": "IN-1"})

    def _run(self, jobs):
        jobs.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
        self.Job._run_due_jobs(batch_size=50, time_budget=30)
        jobs.invalidate_recordset()

    def _add_order(self, reference, sku="IN-1", customer=True):
        order = {"reference": reference, "lines": [{"sku": sku, "qty": 1}]}
        if customer:
            order["customer"] = {"name": f"Buyer {reference}", "email": f"{reference}@in.example"}
        return self.sim.add_order(order)

    def _import(self):
        job = self.credential._enqueue_job("example.import_orders_to_inbox")
        self._run(job)
        self.assertEqual(job.state, "done", job.last_error)
        return job

    def _items(self):
        return self.Inbox.search([("credential_id", "=", self.credential.id)])

    def test_bad_orders_are_parked_and_the_others_import(self):
        self._add_order("GOOD")
        unknown = self._add_order("NO-SKU", sku="LATER-1")
        missing = self._add_order("NO-ADDR", customer=False)
        job = self._import()
        self.assertEqual(json.loads(job.result), {"imported": 1, "parked": 2, "skipped": 0})
        items = self._items()
        self.assertEqual(set(items.mapped("external_id")), {str(unknown["id"]), str(missing["id"])})
        item = items.filtered(lambda i: i.external_id == str(unknown["id"]))
        self.assertEqual((item.state, item.stream, item.attempts), ("failed", "orders", 1))
        self.assertIn("Unknown SKU: LATER-1", item.error)
        self.assertEqual(item._payload(), unknown)
        self.assertIn("no customer address", items.filtered(
            lambda i: i.external_id == str(missing["id"])).error)
        self.assertEqual(self.credential._get_cursor("orders").value, "3")
        self.assertEqual(self.credential.inbox_open_count, 2)

    def test_retry_imports_from_the_stored_payload_once_fixed(self):
        order = self._add_order("LATE", sku="LATER-2")
        self._import()
        item = self._items()
        self.sim.reset()  # the platform no longer has it: the retry needs only the payload
        item.action_retry()
        self._run(item.retry_job_id)
        self.assertEqual((item.state, item.attempts), ("failed", 2))
        self.assertIn("LATER-2", item.error)
        self.env["product.product"].create({"name": "Late", "default_code": "LATER-2"})
        item.action_retry()
        self._run(item.retry_job_id)
        self.assertEqual(item.retry_job_id.state, "done", item.retry_job_id.last_error)
        self.assertEqual(item.state, "done")
        sale = self.env["sale.order"].browse(item.res_id)
        self.assertEqual((item.res_model, sale.channel_external_id),
                         ("sale.order", str(order["id"])))
        self.assertEqual(sale.order_line.product_id.default_code, "LATER-2")
        self.assertEqual(item.action_open_record()["res_id"], sale.id)
        self.assertEqual(self.credential.inbox_open_count, 0)

    def test_reading_again_updates_the_same_item_and_success_resolves_it(self):
        order = self._add_order("AGAIN", sku="LATER-3")
        self._import()
        self.sim.add_order({"reference": "AGAIN", "lines": [{"sku": "LATER-4", "qty": 2}],
                            "customer": {"name": "Buyer", "email": "again@in.example"}})
        self._import()
        item = self._items()
        self.assertEqual(len(item), 1)
        self.assertEqual(item.attempts, 2)
        self.assertIn("LATER-4", item.error)
        self.assertEqual(item._payload()["lines"][0]["qty"], 2)  # newest payload kept
        self.env["product.product"].create({"name": "Now", "default_code": "LATER-4"})
        self._import()
        self.assertEqual(item.state, "done")
        self.assertEqual(self.env["sale.order"].browse(item.res_id).channel_external_id,
                         str(order["id"]))

    def test_ignored_item_is_skipped_until_reopened(self):
        self._add_order("IGNORE", sku="NEVER")
        self._import()
        item = self._items()
        item.action_ignore()
        job = self._import()
        self.assertEqual(json.loads(job.result)["skipped"], 1)
        self.assertEqual((item.state, item.attempts), ("ignored", 1))
        self.assertEqual(self.credential.inbox_open_count, 0)
        item.action_reopen()
        self.assertEqual(item.state, "failed")

    def test_payload_is_kept_exactly_as_received(self):
        raw = '<entry><id>X-1</id>  <qty>1</qty></entry>'
        item = self.Inbox._record_failure(self.credential, "feed", "X-1", raw, "bad qty",
                                          payload_format="xml")
        self.assertEqual((item.payload, item._payload(), item.payload_format), (raw, raw, "xml"))
        self.assertIn("bad qty", item.message_ids[0].body)

    def test_one_open_item_per_account_stream_and_id(self):
        first = self.Inbox._record_failure(self.credential, "orders", "U-1", {}, "first")
        again = self.Inbox._record_failure(self.credential, "orders", "U-1", {"a": 1}, "second")
        self.assertEqual(first, again)
        self.assertEqual((again.attempts, again.error, again.payload), (2, "second", '{"a": 1}'))
        other_stream = self.Inbox._record_failure(self.credential, "shipments", "U-1", {}, "x")
        self.assertNotEqual(other_stream, first)
        self.Inbox._resolve(self.credential, "orders", {"U-1": self.gadget})
        self.assertEqual((first.state, first.res_model, first.res_id),
                         ("done", "product.product", self.gadget.id))
        reopened = self.Inbox._record_failure(self.credential, "orders", "U-1", {}, "later")
        self.assertNotEqual(reopened, first)  # a new failure after success is a new item
        self.assertEqual(self.Inbox._open_external_ids(self.credential, "orders", ["U-1", "U-2"]),
                         {"U-1": reopened})
        with self.assertRaises(psycopg2.errors.UniqueViolation), mute_logger("odoo.sql_db"), \
                self.env.cr.savepoint():
            self.Inbox.create({"credential_id": self.credential.id, "stream": "orders",
                               "external_id": "U-1"})

    def test_platform_without_retry_says_so(self):
        other = self.env["integration.credential"].create({"name": "No retry",
                                                           "platform": "example"})
        item = self.Inbox._record_failure(other, "feed", "F-1", "<x/>", "bad",
                                          payload_format="xml")
        with self.assertRaisesRegex(UserError, "cannot be retried from Odoo"):
            item.action_retry()
        self.assertFalse(item.retry_job_id)

    def test_integration_users_read_managers_act(self):
        item = self.Inbox._record_failure(self.credential, "orders", "ACL-1", {}, "bad")
        user = new_test_user(self.env, "inbox_user", groups="channel_base.group_integration_user")
        manager = new_test_user(self.env, "inbox_manager",
                                groups="channel_base.group_integration_manager")
        self.assertEqual(item.with_user(user).error, "bad")
        with self.assertRaises(AccessError):
            item.with_user(user).action_ignore()
        item.with_user(manager).action_ignore()
        self.assertEqual(item.state, "ignored")
