"""Answers larger than a client's limit are refused before they are read whole."""

from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.exceptions import PermanentError
from odoo.addons.channel_base.http_client import ChannelClient

from ..client import ExampleClient
from ..token_clients import ExampleSmallAnswersClient
from .token_common import TokenAccountMixin

LIMIT = ExampleSmallAnswersClient.max_response_bytes


@tagged("post_install", "-at_install")
class TestBoundedAnswers(TokenAccountMixin, TransactionCase):
    example_account_name = "Example bounded answers"

    def _refused(self, size, mode):
        client = ExampleSmallAnswersClient(self.credential)
        with self.assertRaises(PermanentError) as caught:
            client.fetch_big(size, mode)
        return caught.exception

    def test_default_limit_is_ten_mebibytes(self):
        self.assertEqual(ChannelClient.max_response_bytes, 10 * 1024 * 1024)
        self.assertEqual(ExampleClient.max_response_bytes, 10 * 1024 * 1024)

    def test_answers_within_the_limit_are_read_whole(self):
        client = ExampleSmallAnswersClient(self.credential)
        for mode in ("length", "chunked"):
            response = client.fetch_big(LIMIT, mode)
            self.assertEqual(len(response.content), LIMIT, mode)
        self.assertEqual(client.fetch_orders_page(1)["orders"], [], "JSON still parsed")

    def test_announced_oversized_answer_is_refused_before_reading(self):
        error = self._refused(50 * 1024 * 1024, "length")
        self.assertIn(str(LIMIT), error.message)
        self.assertIn(f"{50 * 1024 * 1024} bytes announced", error.message)
        self.assertIn("/big", error.message)
        self._assert_refusal_logged()

    def test_chunked_oversized_answer_is_refused_past_the_limit(self):
        error = self._refused(50 * 1024 * 1024, "chunked")
        self.assertIn(str(LIMIT), error.message)
        self.assertIn("bytes read", error.message)
        seen = int(error.message.split("over ")[1].split(" bytes")[0])
        self.assertGreater(seen, LIMIT)
        self.assertLess(seen, LIMIT + 256 * 1024, "reading stopped soon after the limit")
        self._assert_refusal_logged()

    def _assert_refusal_logged(self):
        log = self._api_logs()[-1]
        self.assertTrue(log["is_error"])
        self.assertIn("refused", log["error"])
        self.assertEqual(log["status_code"], 200)
        self.assertLessEqual(len(log["response_body"] or ""), 4096, "only a small prefix")

    def test_a_refusal_does_not_break_the_next_call(self):
        self._refused(LIMIT + 1, "chunked")
        self.assertEqual(ExampleSmallAnswersClient(self.credential).fetch_big(10, "length")
                         .content, b"x" * 10)
