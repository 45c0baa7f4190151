"""A committed example account holding the secrets of every token strategy."""

from odoo.modules.registry import Registry
from odoo.tests.common import get_db_name

from .common import ExampleAccountMixin

API_KEY = "ex-api-key-7c41d0b2e9"
CLIENT_SECRET = "ex-client-secret-91ad77f0"
PASSWORD = "ex-password-3b8e61c4aa"


class TokenAccountMixin(ExampleAccountMixin):
    """The example account (committed: worker threads read it) with the client secret
    and password the simulator's OAuth endpoints expect."""

    example_api_key = API_KEY
    example_account_name = "Example tokens"
    example_request_timeout = 10

    @classmethod
    def _example_simulator_options(cls):
        return dict(super()._example_simulator_options(), client_secret=CLIENT_SECRET,
                    password=PASSWORD)

    @classmethod
    def _example_credential_extra_values(cls):
        return {"example_client_secret": CLIENT_SECRET, "example_password": PASSWORD}

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
