"""The secrets kit run on the example platform: every token strategy, the queue's
retry after a refused token, a refused grant and a failed job."""

from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.exceptions import AuthError
from odoo.addons.channel_base.tests.secrets_kit import SecretsKit

from ..token_clients import (
    ExampleClientCredentialsClient,
    ExampleConsentClient,
    ExamplePasswordClient,
    ExampleSessionClient,
)
from .token_common import TokenAccountMixin


@tagged("post_install", "-at_install")
class TestExampleSecretsKit(SecretsKit, TokenAccountMixin, TransactionCase):
    example_account_name = "Example secrets kit"

    def _secrets_kit_platform_secrets(self):
        return list(self.sim.token_expiry) + self.sim.issued_secrets + list(self.sim.sessions)

    def _secrets_kit_run_flows(self):
        self.credential.debug_logging = True  # keep every body: the strongest check
        self.credential.example_refresh_token = self.sim.consent_refresh_token()
        self._run_queue_flows()
        for client_class in (ExampleClientCredentialsClient, ExampleConsentClient,
                             ExampleSessionClient, ExamplePasswordClient):
            client_class(self.credential).fetch_orders_page(1)
        self.sim.expire_tokens()  # a refused token, then a refresh grant
        with self.assertRaises(AuthError):
            ExamplePasswordClient(self.credential).fetch_orders_page(1)
        ExamplePasswordClient(self.credential).fetch_orders_page(1)
        self._run_refused_grant()

    def _run_queue_flows(self):
        jobs = self.credential._enqueue_job("example.push_order", payload={"reference": "S-1"})
        jobs |= self.credential._enqueue_job("example.fail", payload={"message": "boom"})
        self._run(jobs)
        self.sim.expire_tokens()  # the queue's retry after a refused token
        self._run(self.credential._channel_stream("orders")._queue_run())  # the order import
        self.assertEqual(self.env["sync.job"].search_count([
            ("credential_id", "=", self.credential_id), ("state", "=", "done")]), 2)

    def _run_refused_grant(self):
        """A wrong password: the grant's form (holding it) is logged, the job fails and
        the account is marked for reconnection in its chatter."""
        self.credential.example_password = "the-wrong-password-42"
        with self.assertRaises(AuthError) as caught:
            ExamplePasswordClient(self.credential).fetch_orders_page(1)
        self.credential._mark_reconnect_needed(caught.exception.message)

    def _run(self, jobs):
        jobs.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
        self.env["sync.job"]._run_due_jobs(batch_size=50, time_budget=30)
        jobs.invalidate_recordset()
