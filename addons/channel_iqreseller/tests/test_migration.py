"""The 18.0.1.1.0 upgrade: failed one-order import jobs become inbox items, waiting
ones become import chunks, the poll interval becomes the stream's."""

from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.tests.common import load_migration_script

from .common import IQResellerCase


def load_upgrade():
    return load_migration_script(__file__, "18.0.1.1.0")


@tagged("post_install", "-at_install")
class TestUpgrade(IQResellerCase, TransactionCase):

    def old_import_job(self, so, state, error=False):
        return self.Job.create({
            "name": f"Import IQR order {so['so']}", "credential_id": self.credential_id,
            "operation": "iqreseller.import_order", "state": state, "last_error": error,
            "payload": {"so": so, "fingerprint": "f1"},
            "dedup_key": f"iqreseller.import_order:{self.credential_id}:{so['soid']}"})

    def test_failed_and_waiting_imports_are_moved(self):
        failed_so = self.add_so(lines=[{"item": "NO-SUCH-SKU", "quantity": 1}])
        waiting_so = self.add_so()
        failed = self.old_import_job(failed_so, "failed", "IQR order: Unknown SKU: NO-SUCH-SKU")
        waiting = self.old_import_job(waiting_so, "pending")
        load_upgrade().migrate(self.env.cr, "18.0.1.0.0")
        self.assertEqual(failed.state, "cancelled")
        item = self.inbox_items()
        self.assertEqual(item.external_id, str(failed_so["soid"]))
        self.assertIn("Unknown SKU: NO-SUCH-SKU", item.error)
        self.assertEqual(item._payload(), {"so": failed_so, "fingerprint": "f1"})
        self.assertEqual((waiting.operation, waiting.state), ("iqreseller.import_orders",
                                                              "pending"))
        self.run_jobs()
        self.assertEqual(self.order_of(waiting_so).state, "sale", "the waiting order imports")
        self.env["product.product"].create({"name": "New", "default_code": "NO-SUCH-SKU"})
        item.action_retry()
        self.run_jobs()
        self.assertEqual(item.state, "done", item.error)
        self.assertTrue(self.order_of(failed_so))

    def test_poll_interval_becomes_the_stream_interval(self):
        # The column the removed field left in an upgraded database (rolled back after).
        self.env.cr.execute("ALTER TABLE integration_credential "
                            "ADD COLUMN iqr_poll_interval integer")
        self.env.cr.execute("UPDATE integration_credential SET iqr_poll_interval = 7 "
                            "WHERE id = %s", (self.credential_id,))
        load_upgrade().migrate(self.env.cr, "18.0.1.0.0")
        self.assertEqual(self.credential._channel_stream("orders").interval_minutes, 7)
