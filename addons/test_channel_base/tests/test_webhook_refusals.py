import json
import logging
from contextlib import closing

from odoo import SUPERUSER_ID, api, sql_db
from odoo.tests import Form, HttpCase, tagged
from odoo.tests.common import get_db_name

from odoo.addons.channel_base.tests.common import CommittedCredentialMixin

from .test_alerts import alerts_of

UNKNOWN_ID = 987654321


def _committed_env_cursor():
    """A cursor on its own connection: refusals are committed outside the request's (and
    this test's) transaction, so only a fresh snapshot sees them, as a user's next page
    load would."""
    return closing(sql_db.db_connect(get_db_name()).cursor())


@tagged("post_install", "-at_install")
class TestWebhookRefusals(CommittedCredentialMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        cls.credential_id = cls.create_committed_credential(
            {"name": "Example refusals", "platform": "example"})
        cls.archived_id = cls.create_committed_credential(
            {"name": "Example archived", "platform": "example", "active": False})
        super().setUpClass()
        cls.credential = cls.env["integration.credential"].browse(cls.credential_id)
        cls.secret = cls.credential.sudo().webhook_secret
        cls.addClassCleanup(cls._delete_anonymous_refusals)

    @classmethod
    def _delete_anonymous_refusals(cls):
        with _committed_env_cursor() as cr:
            cr.execute("DELETE FROM channel_webhook_refusal WHERE path LIKE %s",
                       (f"%/{UNKNOWN_ID}",))
            cr.commit()  # pylint: disable=invalid-commit

    def setUp(self):
        super().setUp()
        with _committed_env_cursor() as cr:
            cr.execute("DELETE FROM channel_webhook_refusal WHERE credential_id IN %s "
                       "OR path LIKE %s", ((self.credential_id, self.archived_id),
                                           f"%/{UNKNOWN_ID}"))
            # ... and the alerts earlier refusals opened (see the alert test below).
            cr.execute("DELETE FROM mail_activity WHERE res_model = 'integration.credential' "
                       "AND res_id IN %s", ((self.credential_id, self.archived_id),))
            cr.commit()  # pylint: disable=invalid-commit

    def _post(self, credential_id=None, token=None, platform="example", body=None):
        url = f"/channel/webhook/{platform}/{credential_id or self.credential_id}"
        if token is not False:
            url += f"?token={self.secret if token is None else token}"
        raw = body if body is not None else json.dumps({"id": "evt", "order": {}}).encode()
        return self.url_open(url, data=raw, headers={"Content-Type": "application/json"})

    def _refusals(self):
        with _committed_env_cursor() as cr:
            cr.execute("SELECT * FROM channel_webhook_refusal WHERE credential_id IN %s "
                       "OR path LIKE %s ORDER BY id", ((self.credential_id, self.archived_id),
                                                       f"%/{UNKNOWN_ID}"))
            return cr.dictfetchall()

    def test_bad_token_is_recorded_with_reason_and_source(self):
        forged = "forged-token-value-123"
        response = self._post(token=forged)
        self.assertEqual(response.status_code, 401)
        (refusal,) = self._refusals()
        self.assertEqual(refusal["reason"], "bad_token")
        self.assertEqual(refusal["status_code"], 401)
        self.assertEqual(refusal["remote_addr"], "127.0.0.1")
        self.assertEqual(refusal["credential_id"], self.credential_id)
        self.assertEqual(refusal["company_id"], self.credential.company_id.id)
        self.assertEqual(refusal["platform"], "example")
        self.assertEqual(refusal["path"], f"/channel/webhook/example/{self.credential_id}")
        stored = json.dumps(refusal, default=str)
        self.assertNotIn(forged, stored)
        self.assertNotIn(self.secret, stored)
        self.assertEqual(self._post(token=False).status_code, 401)
        self.assertEqual([r["reason"] for r in self._refusals()], ["bad_token", "bad_token"])

    def test_every_refusal_reason_and_status(self):
        self.env["ir.config_parameter"].sudo().set_param("channel_base.webhook_max_bytes", 100)
        cases = [
            ({"body": b"x" * 500}, 413, "too_large", self.credential_id),
            ({"credential_id": UNKNOWN_ID}, 404, "unknown_credential", None),
            ({"platform": "shopify"}, 404, "platform_mismatch", self.credential_id),
            ({"credential_id": self.archived_id}, 404, "archived_credential", self.archived_id),
            ({"token": "nope"}, 401, "bad_token", self.credential_id),
        ]
        for post_args, status, _reason, _credential in cases:
            self.assertEqual(self._post(**post_args).status_code, status, post_args)
        refusals = self._refusals()
        self.assertEqual(
            [(r["status_code"], r["reason"], r["credential_id"]) for r in refusals],
            [(status, reason, credential) for _args, status, reason, credential in cases])
        self.assertEqual(refusals[2]["platform"], "shopify")

    def test_accepted_delivery_is_not_a_refusal(self):
        self.assertEqual(self._post().status_code, 200)
        self.assertFalse(self._refusals())

    def test_dashboard_counter_shows_todays_refusals_and_opens_them(self):
        self._post(token="bad-1")
        self._post(token="bad-2")
        self._post(credential_id=UNKNOWN_ID)
        with _committed_env_cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            credential = env["integration.credential"].browse(self.credential_id)
            self.assertEqual(credential.webhook_refused_today_count, 2)
            action = credential.action_open_webhook_refusals()
            self.assertEqual(action["res_model"], "channel.webhook.refusal")
            self.assertEqual(action["context"], {"search_default_today": 1})
            listed = env["channel.webhook.refusal"].search(action["domain"])
            self.assertEqual(listed.mapped("reason"), ["bad_token", "bad_token"])
            cr.rollback()
        kanban = self.env["integration.credential"].get_views([(False, "kanban")])
        arch = kanban["views"]["kanban"]["arch"]
        self.assertIn('name="action_open_webhook_refusals"', arch)
        self.assertIn('name="webhook_refused_today_count"', arch)

    def test_refused_deliveries_menu_lists_them(self):
        menu = self.env.ref("channel_base.menu_webhook_refusal")
        self.assertEqual(menu.action.res_model, "channel.webhook.refusal")
        self.assertEqual(menu.parent_id, self.env.ref("channel_base.menu_integrations_monitor"))
        views = self.env["channel.webhook.refusal"].get_views([(False, "list"), (False, "search")])
        for field in ("create_date", "reason", "remote_addr", "path", "credential_id"):
            self.assertIn(f'name="{field}"', views["views"]["list"]["arch"])

    def test_retention_removes_old_refusals(self):
        self._post(token="old")
        with _committed_env_cursor() as cr:
            cr.execute("UPDATE channel_webhook_refusal SET create_date = now() - interval '40 days'"
                       " WHERE credential_id = %s", (self.credential_id,))
            cr.commit()  # pylint: disable=invalid-commit
        self._post(token="recent")
        # Run the cron where the committed rows are visible, as the real cron would.
        with _committed_env_cursor() as cr:
            removed = api.Environment(cr, SUPERUSER_ID, {})["sync.job"]._cron_vacuum()
            cr.commit()  # pylint: disable=invalid-commit
        self.assertGreaterEqual(removed["channel_webhook_refusal"], 1)
        self.assertEqual(len(self._refusals()), 1, "today's refusal is kept")

    # ------------------------------------------------------------------ access log

    def test_access_log_masks_the_token(self):
        # logging.INFO, not "INFO": Odoo names its level 25 "INFO" too.
        with self.assertLogs("werkzeug", level=logging.INFO) as captured:
            self.assertEqual(self._post().status_code, 200)
            self.assertEqual(self._post(token="wrong-token-456").status_code, 401)
        lines = [line for line in captured.output if "/channel/webhook/" in line]
        self.assertEqual(len(lines), 2, captured.output)
        for line in lines:
            self.assertNotIn(self.secret, line)
            self.assertNotIn("wrong-token-456", line)
            self.assertIn("token=***", line)
        self.assertIn(f"/channel/webhook/example/{self.credential_id}", lines[0])

    # ------------------------------------------------------------------ alert

    def _committed_refusal_alerts(self):
        with _committed_env_cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            credential = env["integration.credential"].browse(self.credential_id)
            return [(activity.channel_alert_count, activity.user_id.id)
                    for activity in alerts_of(credential, "webhook_refused")]

    def test_repeated_refusals_open_one_alert_and_a_new_secret_closes_it(self):
        self._post(token="wrong-1")
        self._post(token="wrong-2")
        self.assertEqual(self._committed_refusal_alerts(), [], "two are not yet repeated")
        self._post(token="wrong-3")
        self._post(token="wrong-4")
        ((count, user_id),) = self._committed_refusal_alerts()
        self.assertEqual(count, 4, "one alert, its occurrences counted")
        self.assertEqual(user_id, SUPERUSER_ID, "the creator of the account")
        with _committed_env_cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            credential = env["integration.credential"].browse(self.credential_id)
            credential.action_regenerate_webhook_secret()
            type(self).secret = credential.sudo().webhook_secret  # the other tests' token
            cr.commit()  # pylint: disable=invalid-commit
        self.assertEqual(self._committed_refusal_alerts(), [])


@tagged("post_install", "-at_install")
class TestAccountFromTheForm(HttpCase):
    def test_account_created_in_the_form_receives_webhooks(self):
        form = Form(self.env["integration.credential"])
        form.name = "Made in the UI"
        form.platform = "example"
        credential = form.save()
        secret = credential.sudo().webhook_secret
        self.assertTrue(secret, "the form sends webhook_secret=False; a secret is generated")
        self.assertGreaterEqual(len(secret), 32)
        url = credential.sudo().webhook_url
        self.assertTrue(url.endswith(f"?token={secret}"), url)
        path = url[url.index("/channel/webhook/"):]
        body = json.dumps({"id": "ui-1", "event": "order.created", "order": {}}).encode()
        response = self.url_open(path, data=body, headers={"Content-Type": "application/json"})
        self.assertEqual(response.status_code, 200, response.text)

    def test_explicit_secret_is_kept_and_each_account_gets_its_own(self):
        Credential = self.env["integration.credential"]
        given = Credential.create({"name": "Given", "platform": "example",
                                   "webhook_secret": "chosen-secret-value"})
        self.assertEqual(given.sudo().webhook_secret, "chosen-secret-value")
        first, second = Credential.create([
            {"name": "A", "platform": "example", "webhook_secret": False},
            {"name": "B", "platform": "example", "webhook_secret": ""},
        ])
        self.assertTrue(first.sudo().webhook_secret)
        self.assertTrue(second.sudo().webhook_secret)
        self.assertNotEqual(first.sudo().webhook_secret, second.sudo().webhook_secret)
