import contextlib

from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.exceptions import (
    AuthError,
    PermanentError,
    RateLimitedError,
    TransientError,
    WindowWaitError,
)

from .. import const, queries
from ..client import ShipheroClient, estimate_complexity, wait_seconds
from .common import ShipheroAccountMixin


@tagged("post_install", "-at_install")
class TestShipheroClient(ShipheroAccountMixin, TransactionCase):
    shiphero_account_name = "ShipHero client"

    def test_sign_in_then_refresh_without_the_password(self):
        ShipheroClient(self.credential).quota()
        self.assertEqual(len(self.sim.refresh_tokens), 1)
        self.clock.advance(const.ACCESS_TOKEN_LIFETIME + 10)  # the access token expired
        self.sim.expire_tokens()
        with self.assertRaises(AuthError):  # the refused token is discarded...
            ShipheroClient(self.credential).quota()
        ShipheroClient(self.credential).quota()  # ...and the next call refreshes
        paths = [r.path for r in self.sim.requests if r.path.startswith("/auth/")]
        self.assertEqual(paths, ["/auth/token", "/auth/refresh"], "password sent once only")

    def test_refused_refresh_signs_in_with_the_password_again(self):
        ShipheroClient(self.credential).quota()
        self.sim.revoke_refresh_tokens()
        self.sim.expire_tokens()
        self.credential.env["channel.access.token"].sudo()._discard_access_token(
            self.credential.id, self.sim.issued_secrets[0])
        with self.assertRaises(AuthError):
            ShipheroClient(self.credential).quota()
        ShipheroClient(self.credential).quota()
        paths = [r.path for r in self.sim.requests if r.path.startswith("/auth/")]
        self.assertEqual(paths[-2:], ["/auth/refresh", "/auth/token"])

    def test_wrong_password_is_a_definite_refusal(self):
        self.credential.shiphero_password = "wrong-password-123"
        with self.assertRaises(AuthError) as caught:
            ShipheroClient(self.credential).quota()
        self.assertFalse(caught.exception.refresh_helps)
        self.credential.shiphero_password = "shiphero-pa55word-s3cret"

    def test_page_sized_to_the_credits_left_and_postponed_instead_of_code_30(self):
        client = ShipheroClient(self.credential)
        self.assertEqual(client.affordable_page(26), 100)
        # 600 credits, less this question, the page's own 1 and the next question: 22
        # orders of 26 credits fit
        self.sim.set_credits(600)
        self.assertEqual(client.affordable_page(26), 22)
        self.sim.set_credits(100)  # not even the smallest page: wait for the refill
        with self.assertRaises(WindowWaitError) as caught:
            client.affordable_page(26)
        self.assertAlmostEqual(caught.exception.wait, (4 + 10 * 26 - 100) / 60, delta=0.02)
        self.assertEqual(self.sim.throttled, 0, "no credit error provoked")

    def test_never_above_the_bucket_maximum(self):
        self.assertEqual(ShipheroClient(self.credential).affordable_page(50, wanted=100), 80)
        before = len(self.sim.requests)
        with self.assertRaises(PermanentError):
            ShipheroClient(self.credential).execute(
                queries.ORDERS_PAGE, {"first": 100, "lines": 100})
        self.assertEqual(len(self.sim.requests), before, "never sent")

    def test_code_30_waits_the_time_it_names(self):
        self.sim.set_credits(5)
        with self.assertRaises(RateLimitedError) as caught:
            ShipheroClient(self.credential).execute(
                queries.ORDERS_PAGE, {"first": 10, "lines": 25})
        self.assertEqual(caught.exception.error_code, "30")
        self.assertEqual(caught.exception.wait, 5.0)  # (261 - 5) / 60 -> "5 seconds"
        self.assertEqual(self.sim.throttled, 1)

    def test_complexity_estimate_and_wait_parsing(self):
        self.assertEqual(estimate_complexity(queries.ORDERS_PAGE, {"first": 100, "lines": 25}),
                         1 + 100 * 26)
        self.assertEqual(estimate_complexity(queries.USER_QUOTA, {}), 1)
        self.assertEqual(wait_seconds("18 seconds"), 18)
        self.assertEqual(wait_seconds("In 2 minutes you will have enough credits"), 120)
        self.assertIsNone(wait_seconds(None))

    def test_answer_reports_the_credits_charged(self):
        self.sim.seed_orders(3)
        data = ShipheroClient(self.credential).execute(
            queries.ORDERS_PAGE, {"first": 100, "lines": 25})
        self.assertEqual(data["orders"]["complexity"], 1 + 3 * 4, "rows returned, not asked")

    def test_malformed_answer_5xx_and_refused_query_are_classified(self):
        client = ShipheroClient(self.credential)
        client.quota()  # signed in
        self.sim.inject("malformed", path="/graphql")
        with self.assertRaises(TransientError):
            client.quota()
        self.sim.inject("server_error", path="/graphql", status=502)
        with self.assertRaises(TransientError):
            client.quota()
        with self.assertRaises(PermanentError) as caught:  # a GraphQL error, HTTP 200
            client.execute(queries.gql("query { user_quota { credits_left } }"))
        self.assertIn("credits_left", caught.exception.message)

    def test_at_the_edge_of_the_bucket_no_code_30(self):
        self.sim.seed_orders(30)
        client = ShipheroClient(self.credential)
        client.quota()  # signed in
        for credits in (259, 260, 261, 262, 263, 287, 288):
            self.sim.set_credits(credits + 0.9)
            with contextlib.suppress(WindowWaitError):  # too few: postponed, fine
                client.page(queries.ORDERS_PAGE, {"lines": const.LINES_PER_ORDER},
                            1 + const.LINES_PER_ORDER)
        self.assertEqual(self.sim.throttled, 0, "the quota question's own cost counted")
