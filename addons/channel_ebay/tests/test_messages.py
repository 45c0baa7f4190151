from odoo.tests import TransactionCase, tagged

from .. import const
from .common import EbayAccountMixin


@tagged("post_install", "-at_install")
class TestEbayMessages(EbayAccountMixin, TransactionCase):
    ebay_account_name = "eBay messages"

    def setUp(self):
        super().setUp()
        self.product.product_tmpl_id.ebay_item_id = "110000000042"

    def _read(self):
        self.credential._channel_stream(const.MESSAGES_STREAM).action_run_now()
        self.drain()

    def test_question_in_the_order_chatter_and_reply_sent_back(self):
        self.add_order(username="asking_buyer")
        self.run_stream()
        sale = self.ebay_orders()
        self.sim.add_message("asking_buyer", "110000000042", "Does it fit a 2012 Focus?",
                             message_id="MSG-1")
        self._read()
        self._read()  # read again: no duplicate
        questions = self.env["ebay.member.message"].search(
            [("credential_id", "=", self.credential.id)])
        self.assertEqual(len(questions), 1)
        self.assertEqual((questions.res_model, questions.res_id), ("sale.order", sale.id))
        self.assertIn("Does it fit a 2012 Focus?", sale.message_ids[0].body)
        sale.message_post(body="Yes, 2011 to 2014.", message_type="comment",
                          subtype_xmlid="mail.mt_comment")
        sale.message_post(body="internal note", message_type="comment",
                          subtype_xmlid="mail.mt_note")
        self.drain()
        self.assertEqual(self.sim.replies, [{"ParentMessageID": "MSG-1",
                                             "RecipientID": "asking_buyer",
                                             "ItemID": "110000000042",
                                             "Body": "Yes, 2011 to 2014."}])
        self.assertEqual(questions.state, "answered")
        self.assertIn("Reply delivered to asking_buyer", sale.message_ids[0].body)
        request = self.sim.calls(const.TRADING_PATH)[-1]
        self.assertEqual(request.headers["X-EBAY-API-CALL-NAME"], "AddMemberMessageRTQ")

    def test_question_without_an_order_goes_to_the_product(self):
        self.sim.add_message("window_shopper", "110000000042", "Any discount?")
        self._read()
        template = self.product.product_tmpl_id
        self.assertIn("Any discount?", template.message_ids[0].body)

    def test_question_about_an_unknown_listing_is_kept_unattached(self):
        self.sim.add_message("stranger", "110000000777", "Is this still available?",
                             message_id="MSG-UNKNOWN")
        self._read()
        question = self.env["ebay.member.message"].search(
            [("credential_id", "=", self.credential.id), ("message_id", "=", "MSG-UNKNOWN")])
        self.assertEqual(len(question), 1, "the question is kept, not lost")
        self.assertEqual((question.res_model, question.res_id), (False, 0))
        self.assertEqual(question.body, "Is this still available?")
        failed = self.env["sync.job"].search([("credential_id", "=", self.credential.id),
                                              ("operation", "=", const.OP_READ_MESSAGES),
                                              ("state", "=", "failed")])
        self.assertFalse(failed, "the read job does not fail on a question it cannot file")

    def test_optional_message_reads_stop_at_80_percent_of_the_budget(self):
        self.credential.write({"ebay_call_limit": 5000, "ebay_call_remaining": 0})
        self.sim.add_message("buyer", "110000000042", "Hello?")
        job = self.credential._enqueue_job(const.OP_READ_MESSAGES, payload={})
        self.drain(make_due=False)
        self.assertEqual(job.state, "pending")
        self.assertFalse(self.sim.trading_calls)
