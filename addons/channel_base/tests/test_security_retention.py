from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestSecurityAndRetention(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.user = new_test_user(cls.env, "integration_user",
                                 groups="channel_base.group_integration_user")
        cls.manager = new_test_user(cls.env, "integration_manager",
                                    groups="channel_base.group_integration_manager")
        platform = cls.env["integration.credential"]._fields["platform"].selection
        cls.platform_key = platform[0][0] if platform else None

    def _credential(self, **values):
        if not self.platform_key:
            self.skipTest("no platform module installed")
        return self.env["integration.credential"].create(
            dict({"name": "Sec", "platform": self.platform_key}, **values))

    def test_secrets_readable_by_managers_only(self):
        credential = self._credential()
        self.assertTrue(credential.with_user(self.manager).webhook_secret)
        as_user = credential.with_user(self.user)
        self.assertEqual(as_user.name, "Sec")
        with self.assertRaises(AccessError):
            as_user.webhook_secret  # noqa: B018 - reading is the test
        with self.assertRaises(AccessError):
            as_user.write({"name": "renamed"})

    def test_other_company_credentials_are_invisible(self):
        self._credential(name="Company B account", company_id=self.company_b.id)
        visible = self.env["integration.credential"].with_user(self.manager).search(
            [("name", "=", "Company B account")])
        self.assertFalse(visible)
        self.manager.company_ids |= self.company_b
        visible = self.env["integration.credential"].with_user(self.manager).with_context(
            allowed_company_ids=[self.company_b.id]).search([("name", "=", "Company B account")])
        self.assertEqual(len(visible), 1)

    def test_neutralize_archives_and_clears_secrets(self):
        credential = self._credential()
        job = self.env["sync.job"]._enqueue("noop")
        path = get_module_path("channel_base") + "/data/neutralize.sql"
        with open(path) as neutralize:
            self.env.cr.execute(neutralize.read())
        self.env.invalidate_all()
        self.assertFalse(credential.active)
        self.assertFalse(credential.sudo().webhook_secret)
        self.assertEqual(job.state, "cancelled")

    def test_retention_removes_old_done_jobs_events_and_logs(self):
        credential = self._credential()
        old = fields.Datetime.now() - timedelta(days=40)
        Job = self.env["sync.job"]
        old_done, recent_done, old_failed = Job._enqueue_many(
            [{"operation": "noop"} for _ in range(3)])
        (old_done | recent_done).write({"state": "done"})
        old_failed.write({"state": "failed"})
        event, _new = self.env["channel.webhook.event"]._store_delivery(
            credential, "old-event", "x", {}, "{}", state="processed")
        failed_event, _new = self.env["channel.webhook.event"]._store_delivery(
            credential, "old-failed", "x", {}, "{}", state="failed")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE sync_job SET write_date = %s WHERE id IN %s",
            (old, (old_done.id, old_failed.id)))
        self.env.cr.execute(
            "UPDATE channel_webhook_event SET write_date = %s WHERE id IN %s",
            (old, (event.id, failed_event.id)))
        removed = Job._cron_vacuum()
        self.assertGreaterEqual(removed["sync_job"], 1)
        self.env.invalidate_all()
        self.assertFalse(old_done.exists())
        self.assertTrue(recent_done.exists())
        self.assertTrue(old_failed.exists(), "failed jobs are kept for a person to handle")
        self.assertFalse(event.exists())
        self.assertTrue(failed_event.exists(), "failed events are kept for replay")
