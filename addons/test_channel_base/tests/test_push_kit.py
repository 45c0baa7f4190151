from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.tests.common import CommittedCredentialMixin, start_simulator
from odoo.addons.channel_base.tests.push_kit import PushIdempotencyKit

from tests.simulators.example import ExampleSimulator


@tagged("post_install", "-at_install")
class TestExamplePushKit(PushIdempotencyKit, CommittedCredentialMixin, TransactionCase):
    """The example platform's order push is an upsert keyed by its reference."""

    @classmethod
    def setUpClass(cls):
        cls.sim = start_simulator(cls, ExampleSimulator, api_key="example-key")
        cls.credential_id = cls.create_committed_credential({
            "name": "Example push kit", "platform": "example", "api_base_url": cls.sim.url,
            "example_api_key": "example-key", "request_timeout": 2,
        })
        super().setUpClass()
        cls.credential = cls.env["integration.credential"].browse(cls.credential_id)

    def setUp(self):
        super().setUp()
        self.sim.reset()
        self.credential._invalidate_access_token()

    def _push_kit_job(self):
        return self.credential._enqueue_job("example.push_order",
                                            payload={"reference": "KIT-1", "total": 12})

    def _push_kit_remote_copies(self, job):
        return sum(1 for order in self.sim.orders.values() if order["reference"] == "KIT-1")
