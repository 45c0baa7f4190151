from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

BODY_FIELDS = ("request_headers", "request_body", "response_headers", "response_body")


@tagged("post_install", "-at_install")
class TestApiLogBodiesAreForManagers(TransactionCase):
    """Bodies hold customers' names, addresses and phones: Integration users see that a
    call happened and how it ended, managers also see what was exchanged."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(cls.env, "log_user", groups="channel_base.group_integration_user")
        cls.manager = new_test_user(cls.env, "log_manager",
                                    groups="channel_base.group_integration_manager")
        credential = cls.credential = cls.env["integration.credential"].create(
            {"name": "Example log access", "platform": "example"})
        cls.log = cls.env["channel.api.log"].create({
            "credential_id": credential.id, "method": "GET", "url": "http://sim/orders",
            "status_code": 500, "is_error": True, "has_bodies": True,
            "request_body": "{}", "response_body": '{"customer": "Jane Private"}',
            "request_headers": "{}", "response_headers": "{}",
        })

    def test_user_reads_the_line_but_not_the_bodies(self):
        as_user = self.log.with_user(self.user)
        line = as_user.read(["method", "url", "status_code", "duration_ms", "is_error"])[0]
        self.assertEqual((line["method"], line["status_code"]), ("GET", 500))
        for name in BODY_FIELDS:
            with self.assertRaises(AccessError, msg=name):
                as_user.read([name])
        with self.assertRaises(AccessError):
            as_user.search([("response_body", "ilike", "Jane")])
        as_manager = self.log.with_user(self.manager)
        self.assertIn("Jane Private", as_manager.read(["response_body"])[0]["response_body"])

    def test_views_open_for_users_without_the_bodies(self):
        Log = self.env["channel.api.log"]
        user_views = Log.with_user(self.user).get_views(
            [(False, "list"), (False, "form"), (False, "search")])["views"]
        manager_views = Log.with_user(self.manager).get_views(
            [(False, "form"), (False, "search")])["views"]
        for name in BODY_FIELDS:
            self.assertNotIn(f'name="{name}"', user_views["form"]["arch"])
            self.assertIn(f'name="{name}"', manager_views["form"]["arch"])
        self.assertNotIn('name="response_body"', user_views["search"]["arch"])
        self.assertIn('name="response_body"', manager_views["search"]["arch"])
        # What the list and form of a user load reads without an access error.
        for view_type in ("list", "form"):
            names = etree.fromstring(user_views[view_type]["arch"]).xpath("//field/@name")
            self.log.with_user(self.user).read([name for name in names if name in Log._fields])

    def test_dashboard_and_account_form_open_for_users(self):
        Credential = self.env["integration.credential"].with_user(self.user)
        views = Credential.get_views([(False, "kanban"), (False, "form"), (False, "list")])
        for view_type in ("kanban", "form", "list"):
            names = set(etree.fromstring(views["views"][view_type]["arch"]).xpath(
                "//field/@name"))
            self.assertNotIn("webhook_secret", names)
            values = self.credential.with_user(self.user).read(
                [name for name in names if name in Credential._fields])[0]
            self.assertIn("name", values)
        self.assertEqual(
            self.credential.with_user(self.user).webhook_refused_today_count, 0)
        action = self.credential.with_user(self.user).action_open_webhook_refusals()
        self.assertFalse(self.env["channel.webhook.refusal"].with_user(self.user).search(
            action["domain"]))
