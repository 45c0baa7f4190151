import base64
import os
from datetime import timedelta
from unittest.mock import patch
from urllib.parse import parse_qs, urlencode, urlsplit

from odoo import fields
from odoo.tests import HttpCase, TransactionCase, tagged

from odoo.addons.channel_base.exceptions import AuthError

from .. import const
from ..client import EbayClient
from .common import APP_ID, CERT_ID, REFRESH_TOKEN, RUNAME, EbayAccountMixin


@tagged("post_install", "-at_install")
class TestEbayTokens(EbayAccountMixin, TransactionCase):
    ebay_account_name = "eBay tokens"

    def _grants(self):
        return self.sim.calls(const.TOKEN_PATH)

    def test_refresh_grant_with_basic_auth_and_token_reuse(self):
        client = EbayClient(self.credential)
        client.call("GET", const.INVENTORY + "/location")
        EbayClient(self.credential).call("GET", const.INVENTORY + "/location")
        grants = self._grants()
        self.assertEqual(len(grants), 1, "one access token for every call while it is valid")
        form = parse_qs(grants[0].body.decode())
        self.assertEqual(form["grant_type"], ["refresh_token"])
        self.assertEqual(form["refresh_token"], [REFRESH_TOKEN])
        self.assertIn("https://api.ebay.com/oauth/api_scope/sell.inventory", form["scope"][0])
        self.assertEqual(grants[0].headers["Authorization"], "Basic " + base64.b64encode(
            f"{APP_ID}:{CERT_ID}".encode()).decode())
        location_call = self.sim.calls(const.INVENTORY + "/location")[0]
        self.assertTrue(location_call.headers["Authorization"].startswith("Bearer v^1.1"))

    def test_expired_access_token_is_refreshed_by_the_queue(self):
        EbayClient(self.credential).call("GET", const.INVENTORY + "/location")
        self.sim.expire_tokens()
        job = self.credential._enqueue_job(const.OP_READ_RATE_LIMITS, payload={})
        self.drain()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(len(self._grants()), 2, "one new token after the 401")
        self.assertEqual(self.credential.ebay_call_limit, 5000)

    def test_revoked_consent_is_reconnect_needed(self):
        self.sim.revoke_refresh_tokens()
        job = self.credential._enqueue_job(const.OP_READ_RATE_LIMITS, payload={})
        self.drain()
        self.assertEqual(job.state, "failed")
        self.assertIn("invalid_grant", job.last_error)
        self.assertTrue(self.credential.reconnect_needed)
        self.assertNotIn(REFRESH_TOKEN, job.last_error)

    def test_wrong_cert_id_is_a_clear_auth_error(self):
        self.credential.sudo().ebay_cert_id = "not-the-cert"
        with self.assertRaises(AuthError) as caught:
            EbayClient(self.credential).call("GET", const.INVENTORY + "/location")
        self.assertFalse(caught.exception.refresh_helps)
        self.assertIn("invalid_client", caught.exception.message)
        self.assertNotIn("not-the-cert", caught.exception.message)

    def test_connect_button_opens_the_consent_page_with_a_state(self):
        action = self.credential.action_ebay_connect()
        url = urlsplit(action["url"])
        self.assertEqual(f"{url.scheme}://{url.netloc}{url.path}",
                         self.sim.url + "/oauth2/authorize")
        query = parse_qs(url.query)
        self.assertEqual(query["client_id"], [APP_ID])
        self.assertEqual(query["redirect_uri"], [RUNAME])
        self.assertEqual(query["response_type"], ["code"])
        self.assertEqual(query["scope"], [" ".join(const.SCOPES)])
        self.assertTrue(self.credential._ebay_check_state(query["state"][0]))
        self.assertFalse(self.credential._ebay_check_state(query["state"][0] + "x"))

    def test_real_hosts_sandbox_and_production(self):
        account = self.env["integration.credential"].create({
            "name": "eBay hosts", "platform": "ebay", "environment": "sandbox"})
        self.assertEqual(account._get_api_base_url(), "https://api.sandbox.ebay.com")
        self.assertEqual(account._ebay_auth_base(), "https://auth.sandbox.ebay.com")
        production = self.env["integration.credential"].create({
            "name": "eBay hosts live", "platform": "ebay", "environment": "production"})
        self.assertEqual(production._get_api_base_url(), "https://api.ebay.com")
        self.assertEqual(production._ebay_auth_base(), "https://auth.ebay.com")
        variable = f"CHANNEL_{production.account_code.upper()}_EBAY_SANDBOX"
        with patch.dict(os.environ, {variable: "true"}):
            self.assertEqual(production._default_api_base_url(), "https://api.sandbox.ebay.com")

    def test_app_and_cert_id_from_the_server_environment(self):
        code = self.credential.account_code.upper()
        self.credential.sudo().write({"ebay_app_id": "db-app", "ebay_cert_id": "db-cert"})
        with patch.dict(os.environ, {f"CHANNEL_{code}_EBAY_APP_ID": APP_ID,
                                     f"CHANNEL_{code}_EBAY_CERT_ID": CERT_ID}):
            EbayClient(self.credential).call("GET", const.INVENTORY + "/location")
        self.assertEqual(self._grants()[0].headers["Authorization"], "Basic " + base64.b64encode(
            f"{APP_ID}:{CERT_ID}".encode()).decode())

    def test_consent_expiry_is_warned_a_month_ahead(self):
        self.credential.sudo().ebay_refresh_token_expires_at = \
            fields.Datetime.now() + timedelta(days=40)
        self.env["integration.credential"]._cron_ebay_check_consent()
        self.assertFalse(self.credential._alert_activity("ebay_consent_expiry"))
        self.credential.sudo().ebay_refresh_token_expires_at = \
            fields.Datetime.now() + timedelta(days=10)
        self.env["integration.credential"]._cron_ebay_check_consent()
        activity = self.credential._alert_activity("ebay_consent_expiry")
        self.assertTrue(activity)
        self.assertRegex(activity.summary, r"expires in (9|10) days")


@tagged("post_install", "-at_install")
class TestEbayConsentCallback(EbayAccountMixin, HttpCase):
    ebay_account_name = "eBay consent"

    def test_callback_exchanges_the_code_once_and_keeps_the_refresh_token(self):
        self.authenticate("admin", "admin")
        self.credential.sudo().reconnect_needed = True
        state = parse_qs(urlsplit(self.credential.action_ebay_connect()["url"]).query)["state"][0]
        code = self.sim.consent_code()
        query = urlencode({"state": state, "code": code})  # eBay's codes hold ^ and #
        response = self.url_open(f"/channel/ebay/oauth/callback?{query}", allow_redirects=False)
        self.assertEqual(response.status_code, 303, response.text[:300])
        self.credential.invalidate_recordset()
        self.assertFalse(self.credential.message_ids.filtered(
            lambda m: "failed" in (m.body or "")).mapped("body"))
        refresh = self.credential.sudo().ebay_refresh_token
        self.assertNotEqual(refresh, REFRESH_TOKEN)
        self.assertIn(refresh, self.sim.refresh_tokens)
        self.assertFalse(self.credential.reconnect_needed)
        self.assertAlmostEqual(
            (self.credential.ebay_refresh_token_expires_at - fields.Datetime.now()).days,
            547, delta=1)
        form = parse_qs(self.sim.calls(const.TOKEN_PATH)[0].body.decode())
        self.assertEqual((form["grant_type"], form["redirect_uri"]),
                         (["authorization_code"], [RUNAME]))
        # the state is used once: replaying the callback is refused
        again = self.url_open(f"/channel/ebay/oauth/callback?{query}", allow_redirects=False)
        self.assertEqual(again.status_code, 400)
        self.assertEqual(len(self.sim.calls(const.TOKEN_PATH)), 1)

    def test_forged_state_is_refused(self):
        self.authenticate("admin", "admin")
        self.credential.action_ebay_connect()
        response = self.url_open(
            f"/channel/ebay/oauth/callback?state={self.credential.id}.forged&code=x",
            allow_redirects=False)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.sim.calls(const.TOKEN_PATH))
