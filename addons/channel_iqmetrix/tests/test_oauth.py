import requests

from odoo.tests import tagged

from odoo.addons.channel_base.exceptions import AuthError

from ..client import IqmetrixClient
from .common import CLIENT_SECRET, PASSWORD, USERNAME, IqmetrixCase


@tagged("post_install", "-at_install")
class TestOauth(IqmetrixCase):

    def client(self):
        return IqmetrixClient(self.credential)

    def fetch(self):
        return self.client().fetch_feed_page()

    def test_password_grant_once_then_reused(self):
        self.fetch()
        self.fetch()
        self.assertEqual(self.sim.grants, ["password"])
        token_calls = [r for r in self.sim.requests if r.path == "/v1/oauth2/token"]
        self.assertEqual(token_calls[0].headers["Content-Type"],
                         "application/x-www-form-urlencoded")
        stored = self.stored_tokens()
        self.assertEqual(stored["strategy"], "password")
        self.assertTrue(stored["token"] and stored["refresh_token"])
        self.assertIn(stored["token"], self.sim.access_tokens)

    def test_refresh_before_expiry_replaces_both_tokens(self):
        self.fetch()
        before = self.stored_tokens()
        self.set_stored_token_expiry(access_in=30)  # inside the store's one-minute margin
        self.fetch()
        after = self.stored_tokens()
        self.assertEqual(self.sim.grants, ["password", "refresh_token"])
        self.assertNotEqual(after["token"], before["token"])
        self.assertNotEqual(after["refresh_token"], before["refresh_token"])
        old = requests.get(self.client().feed_url(), timeout=10, headers={
            "Authorization": f"Bearer {before['token']}"})
        self.assertEqual(old.status_code, 401, "the refresh revoked the old access token")

    def test_token_revoked_elsewhere_is_renewed_by_the_queue_retry(self):
        self.fetch()
        self.sim.expire_access_tokens()  # e.g. another worker's refresh revoked it
        job = self.import_feed()  # 401, token discarded, the queue retries once: refresh
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self.sim.grants, ["password", "refresh_token"])
        statuses = [r.path for r in self.sim.requests]
        self.assertEqual(statuses.count("/v1/Suppliers(60455)/Notifications"), 3)

    def test_expired_refresh_token_falls_back_to_password_grant(self):
        self.fetch()
        self.sim.expire_access_tokens()
        self.sim.expire_refresh_tokens()
        with self.assertRaises(AuthError):
            self.fetch()  # the refused access token is discarded
        self.fetch()
        self.assertEqual(self.sim.grants, ["password", "password"])
        refresh_attempts = [r for r in self.sim.requests
                            if r.path == "/v1/oauth2/token" and b"refresh_token" in r.body]
        self.assertEqual(len(refresh_attempts), 1, "tried the refresh first, refused")
        self.assertIn(self.stored_tokens()["refresh_token"], self.sim.refresh_tokens)

    def test_refresh_token_past_its_lifetime_is_not_tried(self):
        self.fetch()
        self.set_stored_token_expiry(access_in=-10, refresh_in=-10)
        self.fetch()
        self.assertEqual(self.sim.grants, ["password", "password"])
        self.assertFalse([r for r in self.sim.requests if b"grant_type=refresh_token" in r.body])

    def test_changed_credentials_drop_the_tokens(self):
        self.fetch()
        self.assertTrue(self.stored_tokens())
        self.credential.iqmetrix_client_id = "iqm-client"  # same value still counts
        self.assertFalse(self.stored_tokens())

    def test_refused_password_fails_the_job_without_leaking_secrets(self):
        self.credential.iqmetrix_password = "wrong-password-77"
        job = self.import_feed()
        self.assertEqual(job.state, "failed")
        self.assertEqual(job.error_kind, "auth")
        self.assertIn("invalid_grant", job.last_error)
        self.credential.iqmetrix_password = PASSWORD
        for log in self.api_logs():
            dump = " ".join(str(value) for value in log.values())
            for secret in ("wrong-password-77", PASSWORD, CLIENT_SECRET, USERNAME):
                self.assertNotIn(secret, dump)

    def test_tokens_never_appear_in_the_api_log(self):
        self.fetch()
        self.set_stored_token_expiry(access_in=30)
        self.fetch()
        tokens = list(self.sim.access_tokens) + list(self.sim.refresh_tokens)
        logs = self.api_logs()
        self.assertTrue(logs)
        for log in logs:
            dump = " ".join(str(value) for value in log.values())
            for token in tokens:
                self.assertNotIn(token, dump)

    # ------------------------------------------------------------------ refused credentials

    def change_password_on_iqmetrix(self, password):
        self.addCleanup(self.sim.options.__setitem__, "password", self.sim.options["password"])
        self.sim.options["password"] = password

    def password_grant_attempts(self):
        return [r for r in self.sim.requests
                if r.path == "/v1/oauth2/token" and b"grant_type=password" in r.body]

    def import_jobs(self):
        return self.env["sync.job"].search([("res_model", "=", "channel.stream"),
                                            ("res_id", "=", self.feed_stream().id)])

    def poll(self):
        """One run of the streams cron with the feed due, then the queue."""
        self.feed_stream().next_run_at = False
        self.env["channel.stream"]._cron_queue_due_streams()
        self.run_jobs()

    def test_wrong_password_pauses_polling_until_fixed(self):
        self.credential.iqmetrix_password = "wrong-password-77"
        self.poll()
        job = self.import_jobs()
        self.assertEqual((job.state, job.error_kind), ("failed", "auth"))
        self.assertTrue(self.credential.reconnect_needed)
        self.assertIn("invalid_grant", self.credential.reconnect_reason)
        refused = len(self.password_grant_attempts())
        self.assertEqual(refused, 1, "a refused password is not asked again: no retry")
        self.assertFalse(self.stored_tokens(), "nothing of the refused credentials is kept")

        self.poll()  # the next cron run: nothing queued, nothing asked of iQmetrix
        self.assertEqual(self.import_jobs(), job)
        self.assertEqual(len(self.password_grant_attempts()), refused)

        # A job queued meanwhile (a manual fetch, a status push) fails without a grant.
        self.credential.action_iqmetrix_fetch_orders()
        self.run_jobs()
        manual = self.import_jobs() - job
        self.assertEqual((manual.state, manual.error_kind), ("failed", "auth"))
        self.assertIn("Reconnect needed", manual.last_error)
        self.assertEqual(len(self.password_grant_attempts()), refused)

        self.credential.iqmetrix_password = PASSWORD
        self.assertFalse(self.credential.reconnect_needed, "new credentials: try again")
        self.poll()
        fixed = self.import_jobs() - job - manual
        self.assertEqual(fixed.state, "done", fixed.last_error)
        self.assertEqual(self.sim.grants, ["password"])

    def test_test_connection_retries_and_clears_the_flag(self):
        self.credential.iqmetrix_password = "wrong-password-77"
        self.poll()
        self.assertTrue(self.credential.reconnect_needed)
        # Fixed on iQmetrix's side (e.g. the password reset there to ours).
        self.change_password_on_iqmetrix("wrong-password-77")
        self.credential.action_test_connection()
        self.assertFalse(self.credential.reconnect_needed)
        self.assertEqual(self.sim.grants, ["password"])

    def test_refused_client_is_an_auth_error(self):
        self.credential.iqmetrix_client_secret = "not-the-secret"
        with self.assertRaises(AuthError) as refused:
            self.fetch()
        self.assertIn("invalid_client", refused.exception.message)

    def test_refused_renewal_is_not_asked_again(self):
        self.fetch()
        self.assertTrue(self.stored_tokens())
        self.set_stored_token_expiry(access_in=-10)
        self.sim.expire_refresh_tokens()
        self.change_password_on_iqmetrix("changed-on-iqmetrix")
        job = self.import_feed()  # refresh refused, then the password
        self.assertEqual((job.state, job.error_kind), ("failed", "auth"))
        self.assertTrue(self.credential.reconnect_needed)
        token_calls = [r for r in self.sim.requests if r.path == "/v1/oauth2/token"]
        self.assertEqual(len(token_calls), 3, "the first password, the refresh, the password")
        self.credential.action_iqmetrix_fetch_orders()  # neither is tried again
        self.run_jobs()
        self.assertEqual(len([r for r in self.sim.requests if r.path == "/v1/oauth2/token"]),
                         len(token_calls))

    def test_token_refused_by_the_api_is_not_kept(self):
        self.fetch()
        self.sim.inject("unauthorized", count=1, path="/v1/Suppliers(60455)/Notifications")
        with self.assertRaises(AuthError):
            self.fetch()
        self.assertFalse(self.stored_tokens()["token"],
                         "the access token iQmetrix refused is not cached")
        self.fetch()
        self.assertEqual(self.sim.grants, ["password", "refresh_token"])
