import requests

from odoo.tests import tagged

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
        self.assertEqual(stored["grant_type"], "password")
        self.assertTrue(stored["access_token"] and stored["refresh_token"])
        self.assertIn(stored["access_token"], self.sim.access_tokens)

    def test_refresh_before_expiry_replaces_both_tokens(self):
        self.fetch()
        before = self.stored_tokens()
        self.set_stored_token_expiry(access_in=60)  # inside the 5-minute margin
        self.fetch()
        after = self.stored_tokens()
        self.assertEqual(self.sim.grants, ["password", "refresh_token"])
        self.assertEqual(after["grant_type"], "refresh_token")
        self.assertNotEqual(after["access_token"], before["access_token"])
        self.assertNotEqual(after["refresh_token"], before["refresh_token"])
        old = requests.get(self.client().feed_url(), timeout=10, headers={
            "Authorization": f"Bearer {before['access_token']}"})
        self.assertEqual(old.status_code, 401, "the refresh revoked the old access token")

    def test_token_revoked_elsewhere_is_renewed_within_the_call(self):
        self.fetch()
        self.sim.expire_access_tokens()  # e.g. another worker's refresh revoked it
        self.fetch()  # 401, discard, refresh, retry: no error reaches the caller
        self.assertEqual(self.sim.grants, ["password", "refresh_token"])
        statuses = [r.path for r in self.sim.requests]
        self.assertEqual(statuses.count("/v1/Suppliers(60455)/Notifications"), 3)

    def test_expired_refresh_token_falls_back_to_password_grant(self):
        self.fetch()
        self.sim.expire_access_tokens()
        self.sim.expire_refresh_tokens()
        self.fetch()
        self.assertEqual(self.sim.grants, ["password", "password"])
        refresh_attempts = [r for r in self.sim.requests
                            if r.path == "/v1/oauth2/token" and b"refresh_token" in r.body]
        self.assertEqual(len(refresh_attempts), 1, "tried the refresh first, refused")
        self.assertEqual(self.stored_tokens()["grant_type"], "password")

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
        self.set_stored_token_expiry(access_in=60)
        self.fetch()
        tokens = list(self.sim.access_tokens) + list(self.sim.refresh_tokens)
        logs = self.api_logs()
        self.assertTrue(logs)
        for log in logs:
            dump = " ".join(str(value) for value in log.values())
            for token in tokens:
                self.assertNotIn(token, dump)
