import threading
import time

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import TransactionCase, tagged
from odoo.tests.common import get_db_name

from odoo.addons.channel_base.exceptions import (
    PermanentError,
    RateLimitedError,
    TransientError,
)

from tests.simulators.example import ExampleSimulator

from ..client import ExampleClient

from .common import ExampleAccountMixin

API_KEY = "ex-KEY-5f2a9c1d-very-secret"


@tagged("post_install", "-at_install")
class TestHttpLayer(ExampleAccountMixin, TransactionCase):
    example_api_key = API_KEY
    example_account_name = "Example HTTP"
    example_request_timeout = 10

    def setUp(self):
        super().setUp()
        self._clear_logs()

    def _logs(self):
        """API logs are committed on their own cursor: read them from a fresh one (this
        test's transaction has an older snapshot)."""
        with Registry(get_db_name()).cursor() as cr:
            cr.execute("SELECT * FROM channel_api_log WHERE credential_id = %s ORDER BY id",
                       (self.credential_id,))
            return cr.dictfetchall()

    def _clear_logs(self):
        with Registry(get_db_name()).cursor() as cr:
            cr.execute("DELETE FROM channel_api_log WHERE credential_id = %s",
                       (self.credential_id,))
            cr.commit()  # pylint: disable=invalid-commit

    def test_every_kind_of_secret_is_masked_in_the_log(self):
        # Masking of successful exchanges is only observable while their bodies are kept.
        self.credential.debug_logging = True
        client = ExampleClient(self.credential)
        client.request("GET", "/orders", params={"page": 1, "api_key": API_KEY,
                                                   "token": "tok-in-query"},
                       headers={"X-Api-Key": API_KEY, "X-Trace": f"trace {API_KEY}"})
        client.request("POST", "/orders", json={"reference": "M1", "password": "hunter2-pw",
                                                "note": f"key is {API_KEY}"})
        token = client._access_token()
        webhook_secret = self.credential.sudo().webhook_secret
        logs = self._logs()
        self.assertEqual(len(logs), 3)  # token call + 2
        for log in logs:
            dump = " ".join(str(log[name] or "") for name in (
                "url", "request_headers", "request_body", "response_headers",
                "response_body", "error"))
            for secret in (API_KEY, token, "tok-in-query", "hunter2-pw", webhook_secret):
                self.assertNotIn(secret, dump, f"{secret!r} leaked in log {log['id']}")
        self.assertIn("page=1", logs[1]["url"])
        self.assertIn("M1", logs[2]["request_body"])

    def test_new_account_logs_without_bodies(self):
        account = self.env["integration.credential"].create(
            {"name": "Fresh", "platform": "example"})
        self.assertFalse(account.debug_logging, "debug logging is off unless a person turns it on")

    def test_successful_call_without_debug_logs_a_line_but_no_body(self):
        self.assertFalse(self.credential.debug_logging)
        self.sim.add_order({"reference": "PII-1", "customer": {
            "name": "Jane Private", "phone": "+15125550147", "street": "1 Secret Lane"}})
        ExampleClient(self.credential).request("GET", "/orders")
        log = self._logs()[-1]
        self.assertEqual((log["method"], log["status_code"], log["is_error"]), ("GET", 200, False))
        self.assertIn("/orders", log["url"])
        self.assertIsNotNone(log["duration_ms"])
        self.assertFalse(log["has_bodies"])
        for name in ("request_headers", "request_body", "response_headers", "response_body"):
            self.assertIsNone(log[name], name)

    def test_failed_call_keeps_its_masked_bodies_without_debug(self):
        self.assertFalse(self.credential.debug_logging)
        client = ExampleClient(self.credential)
        client._access_token()
        self.sim.inject("server_error", status=500, path="/orders",
                        body={"message": f"cannot store Jane Private, key {API_KEY}"})
        with self.assertRaises(TransientError):
            client.request("POST", "/orders", json={"reference": "F-1", "api_key": API_KEY})
        log = self._logs()[-1]
        self.assertEqual((log["status_code"], log["is_error"], log["has_bodies"]),
                         (500, True, True))
        self.assertIn("cannot store Jane Private, key ***", log["response_body"])
        self.assertIn("F-1", log["request_body"])
        dump = " ".join(str(log[name]) for name in (
            "url", "request_headers", "request_body", "response_headers", "response_body"))
        self.assertNotIn(API_KEY, dump)

    def test_unreadable_answer_keeps_its_body(self):
        client = ExampleClient(self.credential)
        client._access_token()
        self.sim.inject("malformed", path="/orders")
        with self.assertRaises(TransientError):
            client.request_json("GET", "/orders")
        log = self._logs()[-1]
        self.assertEqual((log["status_code"], log["is_error"], log["has_bodies"]),
                         (200, True, True))
        self.assertIn('"truncated": true', log["response_body"])
        self.assertIn("Unreadable JSON", log["error"])

    def test_debug_logging_keeps_bodies_of_successful_calls(self):
        self.credential.debug_logging = True
        ExampleClient(self.credential).request("POST", "/orders", json={"reference": "D-1"})
        log = self._logs()[-1]
        self.assertEqual((log["status_code"], log["has_bodies"]), (201, True))
        self.assertIn("D-1", log["request_body"])
        self.assertIn("D-1", log["response_body"])

    def test_error_messages_never_echo_a_secret(self):
        client = ExampleClient(self.credential)
        client._access_token()
        self.sim.inject("server_error", status=500, path="/orders",
                        body={"message": f"upstream refused key {API_KEY}"})
        with self.assertRaises(TransientError) as caught:
            client.request("GET", "/orders")
        self.assertIn("upstream refused key ***", caught.exception.message)
        self.assertNotIn(API_KEY, caught.exception.message)

    def test_log_survives_the_rollback_of_the_caller(self):
        client = ExampleClient(self.credential)
        with self.assertRaises(PermanentError), self.env.cr.savepoint():
            client.request("POST", "/orders", json={"no_reference": True})
        logs = self._logs()
        self.assertEqual(logs[-1]["status_code"], 400, "committed on its own cursor")
        self.assertIn("no_reference", logs[-1]["request_body"])

    def test_timeout_drop_and_malformed_are_transient(self):
        client = ExampleClient(self.credential)
        client._access_token()
        # Odoo's test harness raises any timeout under 10 s to 10 s.
        self.sim.inject("slow", seconds=10.5, path="/orders")
        with self.assertRaisesRegex(TransientError, "No answer .* within 10 s"):
            client.request("GET", "/orders")
        self.sim.inject("drop", path="/orders")
        with self.assertRaisesRegex(TransientError, "Could not reach"):
            client.request("GET", "/orders")
        self.sim.inject("malformed", path="/orders")
        with self.assertRaisesRegex(TransientError, "Unreadable JSON"):
            client.request_json("GET", "/orders")
        self.sim.inject("server_error", status=503, path="/orders")
        with self.assertRaisesRegex(TransientError, "HTTP 503"):
            client.request("GET", "/orders")
        errors = [log for log in self._logs() if log["is_error"]]
        self.assertEqual(len(errors), 4,
                         "timeout, drop, the unreadable answer and 503 are logged as errors")
        self.assertEqual(errors[0]["error"], "timeout")

    def test_429_carries_the_platform_wait_and_blocks_other_workers(self):
        self.credential.example_rate_limit = 100
        client = ExampleClient(self.credential)
        client._access_token()
        self.sim.inject("rate_limit", retry_after=42, path="/orders")
        with self.assertRaises(RateLimitedError) as caught:
            client.request("GET", "/orders")
        self.assertEqual(caught.exception.wait, 42)
        # The shared state now blocks every worker until the wait is over.
        other = ExampleClient(self.credential)
        other.max_inline_wait = 0.2
        started = len(self.sim.requests)
        with self.assertRaises(RateLimitedError) as blocked:
            other.request("GET", "/orders")
        self.assertGreater(blocked.exception.wait, 30)
        self.assertEqual(len(self.sim.requests), started, "no request was sent while blocked")

    def test_request_window_is_never_exceeded(self):
        sim = ExampleSimulator(api_key=API_KEY, rate_limit_per_minute=12, window_seconds=2)
        sim.start()
        self.addCleanup(sim.stop)
        self.credential.write({"api_base_url": sim.url, "example_rate_limit": 10})
        client = ExampleClient(self.credential)
        client.rate_limit_period = 2.0
        started = time.monotonic()
        for _ in range(25):
            client.request("GET", "/orders")
        elapsed = time.monotonic() - started
        statuses = [r for r in sim.requests if r.path == "/orders"]
        self.assertEqual(len(statuses), 25)
        self.assertFalse([log for log in self._logs() if log["status_code"] == 429])
        self.assertGreaterEqual(elapsed, 3.5, "25 requests at 10 per 2 s need two full waits")

    def test_token_is_fetched_once_by_concurrent_workers(self):
        results, errors = [], []
        barrier = threading.Barrier(4)

        def worker():
            try:
                with Registry(get_db_name()).cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    credential = env["integration.credential"].browse(self.credential_id)
                    barrier.wait()
                    results.append(ExampleClient(credential)._access_token())
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)

        # Forget the process cache so every thread goes to the database.
        self.credential._invalidate_access_token()
        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        self.assertFalse(errors)
        self.assertEqual(len(set(results)), 1)
        self.assertEqual(len([r for r in self.sim.requests if r.path == "/oauth/token"]), 1)
