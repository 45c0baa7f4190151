"""One committed account of the test platform 'example' against its own simulator."""

from odoo.addons.channel_base.tests.common import CommittedCredentialMixin, start_simulator

from tests.simulators.example import ExampleSimulator


class ExampleAccountMixin(CommittedCredentialMixin):
    """``cls.sim`` and ``cls.credential`` (committed, as API logs, tokens and rate-limit
    rows need); each test starts with a clean simulator, no cached token and no shared
    rate-limit state."""

    example_api_key = "example-key"
    example_account_name = "Example"
    example_request_timeout = 2

    @classmethod
    def setUpClass(cls):
        cls.sim = start_simulator(cls, ExampleSimulator, **cls._example_simulator_options())
        cls.credential_id = cls.create_committed_credential({
            "name": cls.example_account_name, "platform": "example",
            "api_base_url": cls.sim.url, "example_api_key": cls.example_api_key,
            "request_timeout": cls.example_request_timeout,
            **cls._example_credential_extra_values(),
        })
        super().setUpClass()
        cls.credential = cls.env["integration.credential"].browse(cls.credential_id)

    @classmethod
    def _example_simulator_options(cls):
        return {"api_key": cls.example_api_key}

    @classmethod
    def _example_credential_extra_values(cls):
        return {}

    def setUp(self):
        super().setUp()
        self.sim.reset()
        self.credential._invalidate_access_token()
        self.env["channel.rate.limit"]._forget([self.credential_id])
