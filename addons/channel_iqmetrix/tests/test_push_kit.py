from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.tests.push_kit import PushIdempotencyKit

from .common import IqmetrixStatusCase


@tagged("post_install", "-at_install")
class TestIqmetrixPushKit(PushIdempotencyKit, IqmetrixStatusCase, TransactionCase):
    """A status update is a PUT of the order's (or items') whole state: repeating it
    after a crash leaves the order Shipped once, with each tracking number once."""

    def _push_kit_job(self):
        self.kit_order = self.imported([{"sku": "CASE-1", "quantity": 1}])
        self.run_jobs()  # Ordered (1) on acceptance
        self.ship(self.kit_order, {self.phone_case: 1}, "1ZKIT42", self.carrier)
        jobs = self.push_jobs(self.kit_order).filtered(lambda job: job.state == "pending")
        self.assertEqual(len(jobs), 1)
        return jobs

    def _push_kit_remote_copies(self, job):
        state = self.sim.order_states[self.kit_order.channel_external_id]
        if state["status"] != 2:  # Shipped
            return 0
        return (state["tracking"] or "").split(",").count("1ZKIT42")
