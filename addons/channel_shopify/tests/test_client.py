from odoo.tests import TransactionCase, tagged

from odoo.addons.channel_base.exceptions import AuthError, PermanentError, RateLimitedError

from ..client import BUCKET, ShopifyClient
from ..queries import SHOP
from .common import ShopifyAccountMixin

HUGE = "query { orders(first: 250) { edges { node { id lineItems(first: 250) " \
       "{ edges { node { id } } } } } } }"


@tagged("post_install", "-at_install")
class TestShopifyClient(ShopifyAccountMixin, TransactionCase):
    shopify_account_name = "Shopify client"

    def test_connection_test_names_the_shop_and_sends_the_token_header(self):
        action = self.credential.action_test_connection()
        self.assertIn("Sandbox Shop", action["params"]["message"])
        request = self.sim.requests[-1]
        self.assertEqual(request.path, "/admin/api/2025-01/graphql.json")
        self.assertEqual(request.headers["X-Shopify-Access-Token"], self.credential.sudo()
                         .shopify_access_token)
        self.assertTrue(self.credential.last_connection_test_ok)

    def test_wrong_token_is_an_auth_error_without_the_token(self):
        self.credential.sudo().shopify_access_token = "shpat_wrong_token_value"
        with self.assertRaises(AuthError) as caught:
            ShopifyClient(self.credential).execute(SHOP)
        self.assertIn("Invalid API key or access token", caught.exception.message)
        self.assertNotIn("shpat_wrong_token_value", caught.exception.message)
        self.credential.sudo().shopify_access_token = self.sim.options["access_token"]

    def test_bucket_state_follows_every_answer(self):
        ShopifyClient(self.credential).execute(SHOP)
        state = self.env["channel.rate.limit"]._state(self.credential.id, BUCKET)
        self.assertEqual(state["kind"], "bucket")
        self.assertEqual(state["capacity"], 1000.0)
        self.assertAlmostEqual(state["period_seconds"], 20.0)  # 1000 / 50 per second
        self.assertAlmostEqual(state["available"], 999, delta=1)  # shop: 1 point
        # a shop on a bigger plan: the answer's throttleStatus wins
        self.sim.options.update(bucket_max=2000.0, restore_rate=100.0)
        self.sim.set_available(2000)
        ShopifyClient(self.credential).execute(SHOP)
        ShopifyClient(self.credential).execute(SHOP)
        state = self.env["channel.rate.limit"]._state(self.credential.id, BUCKET)
        self.assertEqual(state["capacity"], 2000.0)
        self.assertAlmostEqual(state["period_seconds"], 20.0)

    def test_wait_before_a_query_costing_more_than_available(self):
        """The bucket says 5 points left: a query asking 312 is not sent, the job waits."""
        ShopifyClient(self.credential).execute(SHOP)
        self.sim.set_available(5)
        ShopifyClient(self.credential).execute(SHOP)  # learns: 4 left
        sent = len(self.sim.requests)
        from ..orders_stream import ShopifyOrdersImport
        from odoo.addons.channel_base.exceptions import WindowWaitError
        with self.assertRaises(WindowWaitError):
            ShopifyOrdersImport().fetch_page(self.credential, {"since": "2020-01-01T00:00:00Z"})
        self.assertEqual(len(self.sim.requests), sent, "nothing sent into an empty bucket")
        self.assertFalse([c for c in self.sim.costs if c[2]], "no THROTTLED provoked")

    def test_throttled_answer_waits_the_refill_time_then_succeeds(self):
        for status in (200, 429):  # the docs do not say which status THROTTLED has
            with self.subTest(status=status):
                self.sim.options["throttle_status"] = status
                self.env["channel.rate.limit"]._forget([self.credential.id])
                self.sim.set_available(100)
                self.sim.throttle_next()
                with self.assertRaises(RateLimitedError) as caught:
                    ShopifyClient(self.credential).execute(SHOP)
                self.assertGreater(caught.exception.wait, 0)
                self.env["channel.rate.limit"]._forget([self.credential.id])
                shop = ShopifyClient(self.credential).execute(SHOP)
                self.assertEqual(shop["shop"]["name"], "Sandbox Shop")

    def test_throttled_job_is_retried_and_succeeds(self):
        self.sim.seed_orders(2, sku="SHOP-MUG")
        self.sim.throttle_next()
        self.credential._channel_stream("orders").action_run_now()
        self.drain()
        self.env["channel.rate.limit"]._forget([self.credential.id])
        self.drain()
        self.assertEqual(len(self.shopify_orders()), 2)
        self.assertEqual(sum(1 for c in self.sim.costs if c[2]), 1)

    def test_a_query_above_the_single_query_maximum_is_never_sent(self):
        sent = len(self.sim.requests)
        with self.assertRaises(PermanentError) as caught:
            ShopifyClient(self.credential).execute(HUGE)
        self.assertIn("single-query maximum", caught.exception.message)
        self.assertEqual(len(self.sim.requests), sent)

    def test_every_orders_page_stays_under_the_maximum(self):
        # a Plus shop: the bucket refills fast enough for the job to wait inline
        self.sim.options["restore_rate"] = 5000.0
        self.sim.seed_orders(30, sku="SHOP-MUG")
        self.run_orders_stream()
        requested = [c[0] for c in self.sim.costs]
        self.assertTrue(requested)
        self.assertLessEqual(max(requested), 1000)
        self.assertGreater(max(requested), 500, "pages as large as the maximum allows")
        self.assertEqual(len(self.shopify_orders()), 30)

    def test_malformed_answer_and_server_error_are_transient(self):
        from odoo.addons.channel_base.exceptions import TransientError
        self.sim.inject("malformed")
        with self.assertRaises(TransientError):
            ShopifyClient(self.credential).execute(SHOP)
        self.sim.inject("server_error", status=502)
        with self.assertRaises(TransientError):
            ShopifyClient(self.credential).execute(SHOP)
