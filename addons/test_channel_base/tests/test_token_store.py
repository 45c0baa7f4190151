"""The token store and its strategies, against the example simulator's OAuth endpoints."""

import threading
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.tests import TransactionCase, tagged
from odoo.tests.common import get_db_name

from odoo.addons.channel_base.exceptions import AuthError, PermanentError
from odoo.addons.channel_base.models.channel_access_token import RETRY_REFUSED_CONTEXT
from odoo.addons.channel_base.token_strategies import OAuthGrant

from ..client import ExampleClient
from ..token_clients import (
    ExampleClientCredentialsClient,
    ExampleConsentClient,
    ExamplePasswordClient,
    ExampleSessionClient,
)
from .token_common import TokenAccountMixin


class _DeviceCodeGrant(OAuthGrant):
    """A grant type the example platform does not offer (RFC 8628's device code)."""

    def obtain(self, client, stored):
        return self._grant(client, "urn:ietf:params:oauth:grant-type:device_code")


class ExampleUnsupportedGrantClient(ExampleClientCredentialsClient):
    token_strategy = _DeviceCodeGrant("/oauth2/token")


@tagged("post_install", "-at_install")
class TestTokenStrategies(TokenAccountMixin, TransactionCase):
    def test_client_credentials_grant_is_asked_once_and_reused(self):
        ExampleClientCredentialsClient(self.credential).fetch_orders_page(1)
        ExampleClientCredentialsClient(self.credential).fetch_orders_page(1)
        self.assertEqual(self.sim.grants, ["client_credentials"])
        row = self._stored_row()
        self.assertEqual(row["strategy"], "client_credentials")
        self.assertEqual(row["scope"], "orders")
        self.assertIsNone(row["refresh_token"])
        self.assertEqual(self.sim.requests[0].json, None, "a token request is form-encoded")
        self.assertEqual(self.sim.requests[0].headers.get("Content-Type"),
                         "application/x-www-form-urlencoded")

    def test_wrong_client_secret_fails_at_once(self):
        self.credential.example_client_secret = "not-the-secret"
        with self.assertRaises(AuthError) as caught:
            ExampleClientCredentialsClient(self.credential).fetch_orders_page(1)
        self.assertFalse(caught.exception.refresh_helps, "wrong credentials: no retry")
        self.assertIn("invalid_client", caught.exception.message)

    def test_unsupported_grant_is_our_bug_not_a_refusal(self):
        with self.assertRaises(PermanentError) as caught:
            ExampleUnsupportedGrantClient(self.credential).fetch_orders_page(1)
        self.assertNotIsInstance(caught.exception, AuthError,
                                 "a malformed request must not ask a person to reconnect")
        self.assertEqual(caught.exception.error_code, "unsupported_grant_type")
        self.assertIn("could not read our", caught.exception.message)

    def test_password_grant_refreshes_then_falls_back_to_password(self):
        client = ExamplePasswordClient(self.credential)
        client.fetch_orders_page(1)
        first = self._stored_row()
        self.assertEqual(self.sim.grants, ["password"])
        self.assertTrue(first["refresh_token"] and first["refresh_expires_at"])
        # The access token dies: the 401 discards it, the refresh token is kept.
        self.sim.expire_tokens()
        with self.assertRaises(AuthError) as caught:
            client.fetch_orders_page(1)
        self.assertTrue(caught.exception.refresh_helps)
        kept = self._stored_row()
        self.assertIsNone(kept["token"])
        self.assertEqual(kept["refresh_token"], first["refresh_token"])
        client.fetch_orders_page(1)
        self.assertEqual(self.sim.grants, ["password", "refresh_token"])
        second = self._stored_row()
        self.assertNotEqual(second["refresh_token"], first["refresh_token"], "rotated")
        # A refused refresh (revoked) falls back to the password grant.
        self.sim.revoke_refresh_tokens()
        self.sim.expire_tokens()
        self.credential._discard_access_token(second["token"])
        client.fetch_orders_page(1)
        self.assertEqual(self.sim.grants, ["password", "refresh_token", "refresh_token",
                                           "password"])
        self.assertEqual(self.sim.requests[-2].path, "/oauth2/token")

    def test_refresh_revokes_the_previous_access_token(self):
        client = ExamplePasswordClient(self.credential)
        client.fetch_orders_page(1)
        first = self._stored_row()
        self.credential._discard_access_token(first["token"])
        client.fetch_orders_page(1)
        self.assertEqual(self.sim.grants, ["password", "refresh_token"])
        self.assertNotIn(first["token"], self.sim.token_expiry, "the simulator revoked it")

    def test_wrong_password_fails_at_once(self):
        self.credential.example_password = "wrong-password-123"
        with self.assertRaises(AuthError) as caught:
            ExamplePasswordClient(self.credential).fetch_orders_page(1)
        self.assertFalse(caught.exception.refresh_helps)
        self.assertIn("invalid_grant", caught.exception.message)
        self.assertEqual(caught.exception.status, 400)

    def test_consent_refresh_token_is_exchanged_and_its_rotation_kept(self):
        consent = self.sim.consent_refresh_token()
        self.credential.example_refresh_token = consent
        client = ExampleConsentClient(self.credential)
        client.fetch_orders_page(1)
        self.assertEqual(self.sim.grants, ["refresh_token"])
        rotated = self._stored_row()["refresh_token"]
        self.assertTrue(rotated and rotated != consent)
        # The consent token was used up; the next exchange uses the rotated one.
        self.credential._discard_access_token(self._stored_row()["token"])
        client.fetch_orders_page(1)
        self.assertEqual(self.sim.grants, ["refresh_token", "refresh_token"])
        self.assertEqual(self.sim.requests[-2].body.decode().count(rotated), 1)

    def test_consent_refused_asks_for_reconnection(self):
        self.credential.example_refresh_token = "consent-revoked-0000"
        with self.assertRaises(AuthError) as caught:
            ExampleConsentClient(self.credential).fetch_orders_page(1)
        self.assertFalse(caught.exception.refresh_helps)

    def test_session_is_reused_across_jobs_and_signed_in_again_when_ended(self):
        ExampleSessionClient(self.credential).fetch_orders_page(1)
        ExampleSessionClient(self.credential).fetch_orders_page(1)  # another job of the run
        logins = [r for r in self.sim.requests if r.path == "/session/login"]
        self.assertEqual(len(logins), 1)
        session = self._stored_row()["token"]
        self.assertEqual(self.sim.requests[-1].headers.get("X-Session-Token"), session)
        self.sim.end_sessions()
        with self.assertRaises(AuthError):
            ExampleSessionClient(self.credential).fetch_orders_page(1)
        self.assertIsNone(self._stored_row()["token"], "the refused session was discarded")
        ExampleSessionClient(self.credential).fetch_orders_page(1)
        logins = [r for r in self.sim.requests if r.path == "/session/login"]
        self.assertEqual(len(logins), 2)

    def test_session_refused_key_fails_at_once(self):
        self.credential.example_api_key = "wrong-api-key-000"
        with self.assertRaises(AuthError) as caught:
            ExampleSessionClient(self.credential).fetch_orders_page(1)
        self.assertFalse(caught.exception.refresh_helps)


@tagged("post_install", "-at_install")
class TestTokenStore(TokenAccountMixin, TransactionCase):
    example_account_name = "Example token store"

    def _worker_env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def test_two_workers_refreshing_at_once_ask_one_grant(self):
        self.sim.options["token_delay"] = 0.5
        self.addCleanup(self.sim.options.update, token_delay=0.0)
        results, errors = [], []
        barrier = threading.Barrier(2)

        def worker():
            try:
                with Registry(get_db_name()).cursor() as cr:
                    credential = self._worker_env(cr)["integration.credential"].browse(
                        self.credential_id)
                    barrier.wait()
                    results.append(ExamplePasswordClient(credential)._access_token())
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        self.assertFalse(errors, errors)
        self.assertEqual(self.sim.grants, ["password"], "the waiter reused the first grant")
        self.assertEqual(len(set(results)), 1)
        self.assertEqual(results[0], self._stored_row()["token"])

    def _refresh_elsewhere_during_next_answer(self, client_class):
        """While the next answer of this thread's session (a 401) is on its way, worker
        B (its own thread and cursor) meets the 401 first, discards the token and
        obtains a fresh one. Returns a dict that then holds B's token."""
        fresh = {}

        def worker_b_refreshes():
            with Registry(get_db_name()).cursor() as cr:
                credential = self._worker_env(cr)["integration.credential"].browse(
                    self.credential_id)
                worker_b = client_class(credential)
                try:
                    worker_b.fetch_orders_page(1)
                except AuthError:
                    worker_b.fetch_orders_page(1)
                fresh["token"] = worker_b._access_token()

        session = client_class(self.credential).session

        def on_answer(response, **_kwargs):
            session.hooks["response"].remove(on_answer)
            thread = threading.Thread(target=worker_b_refreshes)
            thread.start()
            thread.join(timeout=30)
            return response

        session.hooks["response"].append(on_answer)
        return fresh

    def test_a_401_discards_only_the_token_that_failed(self):
        worker_a = ExamplePasswordClient(self.credential)
        worker_a.fetch_orders_page(1)
        failed_token = self._stored_row()["token"]
        self.sim.expire_tokens()
        fresh = self._refresh_elsewhere_during_next_answer(ExamplePasswordClient)
        with self.assertRaises(AuthError):
            worker_a.fetch_orders_page(1)  # carried the failed token: 401
        self.assertTrue(fresh.get("token"))
        self.assertNotEqual(fresh["token"], failed_token)
        self.assertEqual(self._stored_row()["token"], fresh["token"],
                         "A's 401 must not discard the token B just obtained")
        grants = list(self.sim.grants)
        ExamplePasswordClient(self.credential).fetch_orders_page(1)
        self.assertEqual(self.sim.grants, grants, "the fresh token is used, no new grant")

    def test_queue_auth_retry_keeps_the_token_another_worker_obtained(self):
        ExampleClient(self.credential).fetch_orders_page(1)
        job = self.credential._enqueue_job("example.push_order", payload={"reference": "Q-1"})
        self.sim.expire_tokens()
        fresh = self._refresh_elsewhere_during_next_answer(ExampleClient)
        self._run(job)  # 401, the queue's retry-after-refresh, done
        self.assertEqual(job.state, "done", job.last_error)
        self.assertTrue(job.auth_refreshed)
        self.assertEqual(self._stored_row()["token"], fresh["token"],
                         "the queue must not wipe the token B just obtained: the retry used it")
        self.assertEqual(self.sim.requests[-1].headers.get("Authorization"),
                         "Bearer " + fresh["token"])

    def _run(self, job):
        job.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
        self.env["sync.job"]._run_due_jobs(batch_size=50, time_budget=30)
        job.invalidate_recordset()

    def test_secret_change_clears_the_store(self):
        ExamplePasswordClient(self.credential).fetch_orders_page(1)
        self.assertTrue(self._stored_row())
        self.credential.webhook_secret = "a-new-webhook-secret-value"
        self.assertTrue(self._stored_row(), "the webhook secret signs nothing we send")
        self.credential.example_password = "a-new-password-1234"
        self.assertIsNone(self._stored_row(), "tokens of the old password are gone")
        self.credential.example_password = self.sim.options["password"]
        ExamplePasswordClient(self.credential).fetch_orders_page(1)
        self.credential.api_base_url = self.sim.url + "/"
        self.assertIsNone(self._stored_row(), "tokens of another host are gone")

    def test_reconnect_needed_blocks_grants(self):
        self.credential._mark_reconnect_needed("refused by the platform")
        with self.assertRaises(AuthError) as caught:
            ExampleClientCredentialsClient(self.credential).fetch_orders_page(1)
        self.assertFalse(caught.exception.refresh_helps)
        self.assertIn("Reconnect needed", caught.exception.message)
        self.assertEqual(self.sim.grants, [])
        retrying = self.credential.with_context(**{RETRY_REFUSED_CONTEXT: True})
        ExampleClientCredentialsClient(retrying).fetch_orders_page(1)
        self.assertEqual(self.sim.grants, ["client_credentials"])

    def test_test_connection_may_ask_a_grant_while_reconnect_needed(self):
        self.credential._mark_reconnect_needed("refused by the platform")
        self.credential.action_test_connection()
        self.assertFalse(self.credential.reconnect_needed)
        self.assertTrue(self._stored_row()["token"])

    def test_store_is_readable_by_administrators_only(self):
        for name in ("token", "refresh_token", "scope"):
            self.assertEqual(self.env["channel.access.token"]._fields[name].groups,
                             "base.group_system")
