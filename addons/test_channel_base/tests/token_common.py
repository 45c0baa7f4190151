"""A committed example account holding the secrets of every token strategy."""

from odoo.modules.registry import Registry
from odoo.tests.common import get_db_name

from odoo.addons.channel_base.tests.common import CommittedCredentialMixin, start_simulator

from tests.simulators.example import ExampleSimulator

API_KEY = "ex-api-key-7c41d0b2e9"
CLIENT_SECRET = "ex-client-secret-91ad77f0"
PASSWORD = "ex-password-3b8e61c4aa"


class TokenAccountMixin(CommittedCredentialMixin):
    """``cls.sim`` and ``cls.credential`` (committed: worker threads read it); each test
    starts with a clean simulator and an empty token store."""

    token_account_name = "Example tokens"

    @classmethod
    def setUpClass(cls):
        cls.sim = start_simulator(cls, ExampleSimulator, api_key=API_KEY,
                                  client_secret=CLIENT_SECRET, password=PASSWORD)
        cls.credential_id = cls.create_committed_credential({
            "name": cls.token_account_name, "platform": "example",
            "api_base_url": cls.sim.url, "example_api_key": API_KEY,
            "example_client_secret": CLIENT_SECRET, "example_password": PASSWORD,
            "request_timeout": 10,
        })
        super().setUpClass()
        cls.credential = cls.env["integration.credential"].browse(cls.credential_id)

    def setUp(self):
        super().setUp()
        self.sim.reset()
        self.credential._invalidate_access_token()

    def _stored_row(self):
        """The committed token store row (written on its own cursor, after our snapshot)."""
        with Registry(get_db_name()).cursor() as cr:
            cr.execute("SELECT * FROM channel_access_token WHERE credential_ref = %s",
                       (self.credential_id,))
            return cr.dictfetchone()

    def _api_logs(self):
        with Registry(get_db_name()).cursor() as cr:
            cr.execute("SELECT * FROM channel_api_log WHERE credential_id = %s ORDER BY id",
                       (self.credential_id,))
            return cr.dictfetchall()
