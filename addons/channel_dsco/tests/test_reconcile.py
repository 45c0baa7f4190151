from odoo.tests import TransactionCase, tagged

from tests.simulators.dsco import sample_order

from .. import const
from .common import DscoAccountMixin


@tagged("post_install", "-at_install")
class TestDscoReconcileAndErrors(DscoAccountMixin, TransactionCase):
    dsco_account_name = "DSCO reconcile"

    def reconcile(self):
        self.credential._channel_stream(const.RECONCILE_STREAM).action_run_now()
        self.drain()

    def test_reconciliation_imports_an_order_whose_event_was_lost(self):
        self.add_orders(2)
        self.run_orders_stream()
        lost = self.sim.add_order(sample_order("PO-LOST", "POSH-JACKET"), emit=False)
        self.run_orders_stream()
        self.assertNotIn(lost["dscoOrderId"], self.dsco_orders().mapped("channel_external_id"))
        self.reconcile()
        self.assertIn(lost["dscoOrderId"], self.dsco_orders().mapped("channel_external_id"))
        self.assertIn(lost["dscoOrderId"], self.sim.acknowledged)
        read = [r for r in self.sim.requests if r.path == const.ORDER_PAGE_PATH]
        self.assertEqual(read[0].query["status"], "created")  # first of the open statuses
        self.assertIn("until", read[0].query)
        job = self.env["sync.job"].search([("operation", "=", const.OP_RECONCILE),
                                           ("credential_id", "=", self.credential.id)])
        self.assertIn('"open_on_dsco": 3', job.result)
        self.reconcile()  # nothing new: nothing created twice
        self.assertEqual(len(self.dsco_orders()), 3)

    def test_reconciliation_pages_through_open_orders_only(self):
        self.add_orders(3)
        self.run_orders_stream()
        shipped = self.dsco_orders()[0].channel_external_id
        self.sim.orders[shipped]["lineItems"][0]["shippedQuantity"] = 1
        self.reconcile()
        job = self.env["sync.job"].search([("operation", "=", const.OP_RECONCILE),
                                           ("credential_id", "=", self.credential.id)])
        self.assertIn('"open_on_dsco": 2', job.result, "a shipped order is not re-read")

    def test_stream_health_and_repair(self):
        self.add_orders(2)
        self.run_orders_stream()
        self.credential.action_dsco_check_stream()
        self.assertTrue(self.credential.dsco_stream_ok)
        self.assertIn("DSCO position", self.credential.dsco_stream_health)
        old = self.credential.dsco_stream_id
        self.sim.drop_stream(old)
        self.credential.action_dsco_check_stream()
        self.assertFalse(self.credential.dsco_stream_ok)
        self.assertIn("not on DSCO any more", self.credential.dsco_stream_health)
        # the stream read now fails with a clear 404 error (per resource, not retried)
        self.run_orders_stream()
        stream = self.credential._channel_stream("orders")
        self.assertEqual(stream.run_state, "failed")
        self.assertIn("not found", stream.last_error)
        self.assertIn("Repair", stream.last_error)
        self.add_order("PO-GAP")  # arrives while the stream is gone
        self.credential.action_dsco_repair_stream()
        self.assertNotEqual(self.credential.dsco_stream_id, old)
        self.assertTrue(self.credential.dsco_stream_ok)
        self.drain()
        self.assertEqual(len(self.dsco_orders()), 3, "the gap re-read, nothing twice")
        self.run_orders_stream()
        self.assertEqual(len(self.dsco_orders()), 3)

    def test_403_is_a_permission_error_on_the_account_not_retried(self):
        self.sim.options["forbidden_paths"] = (const.ORDER_PAGE_PATH,)
        self.reconcile()
        job = self.env["sync.job"].search([("operation", "=", const.OP_RECONCILE),
                                           ("credential_id", "=", self.credential.id)])
        self.assertEqual((job.state, job.attempts), ("failed", 1), "not retried")
        self.assertIn("HTTP 403", job.last_error)
        self.assertIn("FORBIDDEN: ", job.last_error, "DSCO's message kept")
        self.credential.invalidate_recordset(["dsco_permission_error"])
        self.assertIn("dsco.reconcile_orders: HTTP 403", self.credential.dsco_permission_error)
        self.assertGreaterEqual(self.credential.job_failed_count, 1, "dashboard count")

    def test_5xx_backs_off_and_every_call_is_logged_with_its_time(self):
        self.sim.inject("server_error", status=502, path="/order/page")
        self.reconcile()
        job = self.env["sync.job"].search([("operation", "=", const.OP_RECONCILE),
                                           ("credential_id", "=", self.credential.id)])
        self.assertEqual(job.state, "pending", "retried later")
        self.assertGreater(job.next_attempt_at, job.finished_at, "backoff")
        self.drain()
        self.assertEqual(job.state, "done")
        # the log is written on its own cursor (kept when the job rolls back)
        with self.registry.cursor() as cr:
            cr.execute("SELECT status_code, duration_ms, is_error FROM channel_api_log "
                       "WHERE credential_id = %s AND url LIKE %s ORDER BY id",
                       (self.credential.id, "%/order/page%"))
            rows = cr.fetchall()
        self.assertEqual([row[0] for row in rows][-2:], [502, 200])
        self.assertTrue(all(row[1] is not None and row[1] >= 0 for row in rows), "timed")
        self.assertEqual([row[2] for row in rows][-2:], [True, False])
