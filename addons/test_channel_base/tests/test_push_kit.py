from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.tests.push_kit import PushIdempotencyKit

from .common import ExampleAccountMixin


@tagged("post_install", "-at_install")
class TestExamplePushKit(PushIdempotencyKit, ExampleAccountMixin, TransactionCase):
    """The example platform's order push is an upsert keyed by its reference."""

    example_account_name = "Example push kit"

    def _push_kit_job(self):
        return self.credential._enqueue_job("example.push_order",
                                            payload={"reference": "KIT-1", "total": 12})

    def _push_kit_remote_copies(self, job):
        return sum(1 for order in self.sim.orders.values() if order["reference"] == "KIT-1")
