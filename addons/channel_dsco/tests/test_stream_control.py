from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.paged_import import POLL_OPERATION

from .common import DscoAccountMixin


@tagged("post_install", "-at_install")
class TestDscoStreamControl(DscoAccountMixin, TransactionCase):
    dsco_account_name = "DSCO stream control"

    def poll_jobs(self, state="pending"):
        return self.env["sync.job"].search([("credential_id", "=", self.credential.id),
                                            ("operation", "=", POLL_OPERATION),
                                            ("state", "=", state)])

    def test_stream_is_polled_every_poll_interval_not_every_minute(self):
        self.add_orders(1)
        self.run_orders_stream()
        poll = self.poll_jobs()
        self.assertEqual(len(poll), 1, "the run queued the next poll")
        due_in = (poll.next_attempt_at - fields.Datetime.now()).total_seconds()
        self.assertTrue(5 <= due_in <= 11, due_in)
        stream = self.credential._channel_stream("orders")
        self.assertEqual((stream.run_state, stream.interval_minutes), ("idle", 1))
        self.add_orders(1, prefix="NEXT")
        reads = len(self.sim.event_reads())
        self.drain()  # the poll is due: a run, the new order, the next poll queued
        self.assertEqual(len(self.dsco_orders()), 2)
        self.assertEqual(len(self.sim.event_reads()), reads + 1)
        self.assertEqual(len(self.poll_jobs()), 1)
        self.assertEqual(self.poll_jobs("done").result.count("queued"), 1)

    def test_poll_skipped_when_paused_or_when_the_stream_ran_meanwhile(self):
        self.run_orders_stream()
        stream = self.credential._channel_stream("orders")
        stream.action_pause()
        reads = len(self.sim.event_reads())
        self.drain()
        self.assertEqual(len(self.sim.event_reads()), reads, "paused: no read")
        self.assertIn("paused", self.poll_jobs("done").result)
        stream.action_resume()
        stream.action_run_now()  # a Run Now moves the pending poll after itself
        self.drain()
        self.assertEqual(len(self.sim.event_reads()), reads + 1)

    def test_a_minute_or_more_uses_the_schedule(self):
        self.credential.dsco_poll_seconds = 60
        try:
            self.run_orders_stream()
            self.assertFalse(self.poll_jobs())
        finally:
            self.credential.dsco_poll_seconds = 10

    def test_replay_from_a_position_reads_again_without_duplicates(self):
        ids = self.add_orders(3)
        self.run_orders_stream()
        stream_id = self.credential.dsco_stream_id
        first_event = self.sim.events[stream_id, 0][0]["id"]
        # an order lost on our side (deleted by mistake) is brought back by the replay
        lost = self.dsco_orders().filtered(lambda o: o.channel_external_id == ids[2])
        lost._action_cancel()
        lost.unlink()
        wizard = self.env["dsco.replay.wizard"].with_context(
            active_id=self.credential.id).create({"position": first_event})
        self.assertEqual(wizard.current_position, self.sim.events[stream_id, 0][-1]["id"])
        wizard.action_replay()
        self.assertEqual(self.credential._get_cursor("orders").value, f'"{first_event}"')
        self.drain()
        self.assertEqual(self.sim.event_reads()[-1], first_event)
        self.assertEqual(sorted(self.dsco_orders().mapped("channel_external_id")), sorted(ids))
        self.assertEqual(len(self.dsco_orders()), 3, "the two others not duplicated")
        self.assertIn("replayed from position", self.credential.message_ids[0].body)

    def test_replay_refused_while_the_stream_runs(self):
        stream = self.credential._channel_stream("orders")
        stream.action_run_now()
        wizard = self.env["dsco.replay.wizard"].create({
            "credential_id": self.credential.id, "position": "0"})
        with self.assertRaisesRegex(Exception, "being read"):
            wizard.action_replay()
        self.drain()
        self.assertTrue(fields.Datetime.now() - stream.last_run_at < timedelta(minutes=1))
