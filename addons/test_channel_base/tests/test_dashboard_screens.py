"""The screens an operator reads (issue 12): dashboard card numbers, the "to fix" path,
job history in words, the API log's links and timings, and the record banners."""

from lxml import etree

from odoo.modules.registry import Registry
from odoo.tests import TransactionCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools.safe_eval import safe_eval

from odoo.addons.channel_base.job_display import humanize_operation, result_sentence
from odoo.addons.channel_base.paged_import import PAGE_OPERATION
from odoo.addons.channel_base.tools import pretty_body

from .common import ExampleAccountMixin


class TestScreenHelpers(TransactionCase):
    """Pure helpers behind the screens."""

    def test_result_sentence_counts_in_words(self):
        self.assertEqual(result_sentence('{"created": 12, "failed": 1, "items": 13}', "orders"),
                         "12 orders created, 1 failed")
        self.assertEqual(result_sentence('{"items": 4, "created": 0, "more": true}', "orders"),
                         "4 orders read, nothing new; the next page follows")
        self.assertEqual(result_sentence("noop"), "noop")
        self.assertEqual(result_sentence('{"id": "X-1"}'), "")

    def test_humanized_operation(self):
        self.assertEqual(humanize_operation("shop.import_orders"), "Import orders")

    def test_pretty_bodies(self):
        self.assertEqual(pretty_body('{"a":{"b":1}}'), '{\n  "a": {\n    "b": 1\n  }\n}')
        self.assertEqual(pretty_body("<a><b>1</b></a>"), "<a>\n  <b>1</b>\n</a>")
        self.assertEqual(pretty_body("<a><b>"), "<a><b>", "unparseable bodies stay as they are")
        refused = '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'
        self.assertEqual(pretty_body(refused), refused, "no entity is ever expanded")


@tagged("post_install", "-at_install")
class TestDashboardCard(TransactionCase):
    """Numbers of a card, from rows written in the test's own transaction."""

    def setUp(self):
        super().setUp()
        self.account = self.env["integration.credential"].create(
            {"name": "Card", "platform": "example", "api_base_url": "http://127.0.0.1:9"})

    def _log(self, duration_ms, is_error=False):
        return self.env["channel.api.log"].create({
            "credential_id": self.account.id, "method": "GET", "url": "http://127.0.0.1:9/x",
            "status_code": 500 if is_error else 200, "duration_ms": duration_ms,
            "is_error": is_error})

    def _failed_job(self):
        job = self.account._enqueue_job("example.fail", payload={"message": "broken on purpose"})
        job.action_run_now()
        self.assertEqual(job.state, "failed")
        return job

    def test_p50_p95_and_error_rate_from_known_rows(self):
        for duration in range(10, 101, 10):  # 10, 20, ..., 100 ms
            self._log(duration, is_error=duration == 100)
        self.account.invalidate_recordset()
        self.assertAlmostEqual(self.account.api_p50_ms_24h, 55.0)
        self.assertAlmostEqual(self.account.api_p95_ms_24h, 95.5)
        self.assertAlmostEqual(self.account.api_error_rate_24h, 10.0)
        self.env.flush_all()
        day = self.env["channel.api.performance"].search([("credential_id", "=", self.account.id)])
        self.assertEqual(len(day), 1, "one row per account and day")
        self.assertEqual((day.call_count, day.error_count), (10, 1))
        self.assertAlmostEqual(day.p50_ms, 55.0)
        self.assertAlmostEqual(day.p95_ms, 95.5)
        self.assertAlmostEqual(day.error_rate, 10.0)

    def test_to_fix_counts_failed_jobs_and_failed_inbox_items_and_opens_them(self):
        self.assertEqual(self.account.to_fix_count, 0)
        self.assertNotEqual(self.account.color, 1, "not red while nothing failed")
        self.env["channel.inbox.item"]._record_failure(
            self.account, "orders", "X-1", {"id": "X-1"}, "Unknown SKU")
        self.account.invalidate_recordset()
        self.assertEqual(self.account.to_fix_count, 1)
        inbox_action = self.account.action_open_to_fix()
        self.assertEqual(inbox_action["res_model"], "channel.inbox.item")
        items = self.env["channel.inbox.item"].search(inbox_action["domain"])
        self.assertEqual(items.mapped("external_id"), ["X-1"])
        failed = self._failed_job()
        self.account._enqueue_job("noop")  # pending: not to fix
        self.account.invalidate_recordset()
        self.assertEqual(self.account.to_fix_count, 2)
        self.assertEqual(self.account.color, 1, "red once something failed")
        action = self.account.action_open_to_fix()
        self.assertEqual(action["res_model"], "sync.job")
        self.assertEqual(self.env["sync.job"].search(action["domain"]), failed,
                         "exactly the failed jobs")

    def test_connection_states(self):
        self.assertEqual(self.account.connection_state, "never_tested")
        self._log(20, is_error=True)
        self.account.invalidate_recordset()
        self.assertEqual(self.account.connection_state, "never_tested",
                         "a failed call proves nothing")
        self._log(20)
        self.account.invalidate_recordset()
        self.assertEqual(self.account.connection_state, "connected")
        self.assertTrue(self.account.last_api_success_at)
        self.account.stream_ids.action_pause()
        self.account.invalidate_recordset()
        self.assertEqual(self.account.connection_state, "paused")
        self.account._mark_reconnect_needed("401 Unauthorized")
        self.account.invalidate_recordset()
        self.assertEqual(self.account.connection_state, "reconnect")

    def test_platform_logo_and_generic_fallback(self):
        self.assertEqual(self.account.platform_icon_url,
                         "/test_channel_base/static/description/icon.png")
        self.assertEqual(self.account._platform_icon_url(), self.account.platform_icon_url)
        # A platform whose module ships no icon gets the generic one.
        missing = self.account.with_context()
        self.assertEqual(
            type(missing)._platform_icon_url(missing.new({"platform": False})),
            "/channel_base/static/description/icon.png")

    def test_seven_day_graph_counts_today(self):
        self._failed_job()
        self._log(30)
        self.account.invalidate_recordset()
        graph = str(self.account.dashboard_graph)
        self.assertIn("<svg", graph)
        self.assertEqual(graph.count("jobs done</title>"), 7, "one bar per day")
        self.assertIn(": 1 jobs failed</title>", graph)
        self.assertIn(": 1 API calls</title>", graph)

    def test_operation_labels_and_display_names(self):
        job = self.account._enqueue_job("example.push_order", payload={"reference": "R"})
        self.assertEqual(job.operation_label, "Send order to Example",
                         "the platform's label table names it")
        other = self.account._enqueue_job("example.unknown_thing")
        self.assertEqual(other.operation_label, "Unknown thing")
        stream = self.account._channel_stream("orders")
        page = self.account._enqueue_job(PAGE_OPERATION, record=stream, payload={})
        self.assertEqual(page.display_label, f"Import a page: {stream.display_name}")

    def test_views_load(self):
        for model, view_types in {
            "integration.credential": ["kanban", "list", "form", "search"],
            "sync.job": ["list", "form", "search"],
            "channel.api.log": ["list", "form", "search"],
            "channel.api.performance": ["list", "graph", "search"],
            "channel.webhook.event": ["list", "form"],
            "sale.order": ["form", "search"],
            "stock.picking": ["form", "search", "list"],
        }.items():
            views = self.env[model].get_views([(False, view_type) for view_type in view_types])
            self.assertEqual(set(views["views"]), set(view_types), model)
        kanban = self.env["integration.credential"].get_views([(False, "kanban")])
        arch = kanban["views"]["kanban"]["arch"]
        self.assertIn("o_channel_to_fix", arch)
        self.assertIn('t-name="menu"', arch)
        self.assertIn("inbox_open_badge", arch, "the inbox mechanism's badge is kept")
        help_html = self.env.ref("channel_base.action_integration_dashboard").help
        self.assertIn("New account", help_html)


@tagged("post_install", "-at_install")
class TestJobHistory(ExampleAccountMixin, TransactionCase):
    """Attempt rows written by the runner, a clean job after a successful retry, and API
    calls linked to the job that made them, against the example simulator."""

    example_account_name = "Example screens"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["product.product"].create({"name": "Screen gadget", "default_code": "SCR-1"})

    def _drain(self):
        self.env["sync.job"]._run_due_jobs(batch_size=8, time_budget=60, max_jobs=20)
        self.env.invalidate_all()

    def test_attempt_history_after_a_failure_and_a_successful_retry(self):
        self.sim.seed_orders(3, "SCR-1")
        self.sim.fail_page(1, status=503, times=1)
        stream = self.credential._channel_stream("orders")
        stream.action_run_now()
        self._drain()
        job = stream.run_job_id
        self.assertEqual(job.state, "pending", "a 503 is retried later")
        self.assertIn("503", job.last_error)
        self.assertEqual(job.attempt_ids.outcome, "retry")
        self.assertIn("503", job.attempt_ids.error)
        self.assertGreater(job.attempt_ids.wait_seconds, 0, "the backoff wait is recorded")
        self.assertEqual(job.finished_at, job.attempt_ids.finished_at,
                         "a failed attempt's end is stamped to the microsecond too")
        self.assertGreater(job.finished_at, job.started_at)
        job.action_run_now()
        self.env.invalidate_all()
        self.assertEqual(job.state, "done")
        self.assertFalse(job.last_error, "no stale error once the retry succeeded")
        self.assertFalse(job.error_kind)
        attempts = job.attempt_ids.sorted("id")
        self.assertEqual(attempts.mapped("outcome"), ["retry", "done"])
        self.assertEqual(attempts.mapped("attempt"), [1, 2])
        self.assertFalse(attempts[1].error)
        self.assertGreaterEqual(attempts[1].duration_ms, 0)
        self.assertEqual(job.result_summary, "3 orders created")
        self.assertEqual(job.result_record_count, 3, "the result names the orders it made")
        opened = job.action_open_result_records()
        self.assertEqual(opened["res_model"], "sale.order")
        self.assertEqual(len(self.env["sale.order"].search(opened["domain"])), 3)
        # The claim stamps the start and the outcome its end, both to the microsecond: a
        # fast job's duration is its real (non-zero) time, as its attempt row says.
        elapsed = (job.finished_at - job.started_at).total_seconds()
        self.assertGreater(elapsed, 0)
        self.assertLess(elapsed, 60)
        self.assertAlmostEqual(job.duration_seconds, elapsed, places=2)  # shown to 2 digits
        self.assertAlmostEqual(attempts[1].duration_ms, elapsed * 1000, delta=1)
        stream.invalidate_recordset()
        self.credential.invalidate_recordset()
        self.assertEqual(self.credential.last_sync_at, stream.last_finished_at)
        self.assertIn("Orders", str(self.credential.stream_last_success))
        self.assertNotIn("never", str(self.credential.stream_last_success))

    def _committed_log_job_refs(self):
        """API logs are committed on their own cursor: read them from a fresh one (this
        test's transaction has an older snapshot)."""
        with Registry(get_db_name()).cursor() as cr:
            cr.execute("SELECT job_ref FROM channel_api_log WHERE credential_id = %s",
                       (self.credential_id,))
            return [row[0] for row in cr.fetchall()]

    def test_api_calls_link_to_the_job_that_made_them(self):
        job = self.credential._enqueue_job("example.push_order", payload={"reference": "LINK-1"})
        job.action_run_now()
        self.env.invalidate_all()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertIn(job.id, self._committed_log_job_refs(), "the job's call names the job")
        self.assertEqual(job.attempt_ids.outcome, "done")
        self.credential._test_connection()  # a call outside any job
        self.assertIn(None, self._committed_log_job_refs())
        Log = self.env["channel.api.log"]
        linked = Log.create({"credential_id": self.credential.id, "job_ref": job.id})
        unlinked = Log.create({"credential_id": self.credential.id, "job_ref": job.id + 10**6})
        self.assertEqual(linked.job_id, job)
        self.assertFalse(unlinked.job_id, "a vacuumed job shows no link, and breaks nothing")
        self.assertEqual(Log.search([("job_id", "=", job.id)]) & (linked | unlinked), linked)
        job.invalidate_recordset()
        self.assertEqual(job.api_log_count, 1, "the rows this transaction sees")
        self.assertEqual(Log.search(job.action_open_api_logs()["domain"]), linked)


@tagged("post_install", "-at_install")
class TestRecordScreens(TransactionCase):
    """Sale orders and transfers: banner, both ends on one tab, the attention filter."""

    def setUp(self):
        super().setUp()
        Credential = self.env["integration.credential"]
        self.sales = Credential.create({"name": "Shop", "platform": "example"})
        self.fulfilment = Credential.create({"name": "Warehouse", "platform": "example"})
        product = self.env["product.product"].create(
            {"name": "Boxed", "type": "consu", "is_storable": True})
        partner = self.env["res.partner"].create({"name": "Buyer"})
        self.order = self.env["sale.order"].create({
            "partner_id": partner.id, "channel_credential_id": self.sales.id,
            "channel_external_id": "SO-77",
            "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1})]})
        self.order.action_confirm()
        self.picking = self.order.picking_ids
        self.picking.channel_credential_id = self.fulfilment

    def _search_filter_domain(self, model, filter_name):
        arch = self.env[model].get_views([(False, "search")])["views"]["search"]["arch"]
        node = etree.fromstring(arch).xpath(f"//filter[@name='{filter_name}']")[0]
        return safe_eval(node.get("domain"))

    def test_transfer_shows_where_it_came_from_and_went(self):
        self.assertEqual(self.picking.channel_sale_credential_id, self.sales)
        self.assertEqual(self.picking.channel_sale_external_id, "SO-77")
        grouped = self.env["stock.picking"]._read_group(
            [("id", "=", self.picking.id)], ["channel_sale_credential_id"], ["__count"])
        self.assertEqual(grouped, [(self.sales, 1)], "transfers group by sales channel")
        arch = self.env["stock.picking"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertEqual(etree.fromstring(arch).xpath("count(//page[@name='channel'])"), 1)

    def test_needs_attention_filters_find_every_record_in_error(self):
        domain = self._search_filter_domain("stock.picking", "channel_attention")
        self.assertNotIn(self.picking, self.env["stock.picking"].search(domain))
        self.picking._channel_mark_error("Address refused by the warehouse")
        self.assertIn(self.picking, self.env["stock.picking"].search(domain))
        order_domain = self._search_filter_domain("sale.order", "channel_error")
        self.order._channel_mark_error("Could not send status", state="flagged")
        self.assertIn(self.order, self.env["sale.order"].search(order_domain))

    def test_banner_and_read_only_references(self):
        for model in ("sale.order", "stock.picking"):
            arch = self.env[model].get_views([(False, "form")])["views"]["form"]["arch"]
            banner = etree.fromstring(arch).xpath("//div[@name='channel_attention_banner']")
            self.assertEqual(len(banner), 1, model)
            self.assertIn("error", banner[0].get("invisible"))
        self.assertTrue(self.env["sale.order"]._fields["channel_external_ref"].readonly)
