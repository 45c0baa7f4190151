from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.tests.push_kit import PushIdempotencyKit

from .common import IQResellerCase

TRACKING_OPERATION = "iqreseller.push_tracking"


@tagged("post_install", "-at_install")
class TestIQResellerPushKit(PushIdempotencyKit, IQResellerCase, TransactionCase):
    """Tracking goes back as the full set of live numbers, written over the SO's
    user-defined fields: sending it twice leaves one copy of each number."""

    def _push_kit_job(self):
        self.kit_so = self.add_so()
        self.poll()
        order = self.order_of(self.kit_so)
        self.ship(order, "1ZKIT0000000001")
        return self.Job.search([("operation", "=", TRACKING_OPERATION),
                                ("res_model", "=", "sale.order"), ("res_id", "=", order.id)])

    def _push_kit_remote_copies(self, job):
        stored = self.sim.sos[self.kit_so["soid"]].get("userdefined1") or ""
        return stored.split(", ").count("1ZKIT0000000001") if stored else 0
