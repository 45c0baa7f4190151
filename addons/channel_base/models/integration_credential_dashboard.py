from datetime import timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import file_path

from ..dashboard_graph import seven_day_svg
from ..paged_import import PAGE_OPERATION
from .channel_inbox_item import INBOX_RETRY_OPERATION
from .sync_job import NOOP_OPERATION, WEBHOOK_OPERATION

CONNECTION_STATES = [
    ("connected", "Connected"),
    ("reconnect", "Reconnect needed"),
    ("paused", "Paused"),
    ("never_tested", "Never tested"),
]
GENERIC_ICON_URL = "/channel_base/static/description/icon.png"
GRAPH_DAYS = 7


class IntegrationCredential(models.Model):
    """What a dashboard card answers: is anything to fix, is the account connected, how
    the last week went, how fast the platform answers, when each stream last succeeded."""

    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    to_fix_count = fields.Integer(
        "To Fix", compute="_compute_to_fix_count",
        help="Failed jobs plus inbox items that failed: what a person must look at.")
    connection_state = fields.Selection(
        CONNECTION_STATES, compute="_compute_connection_state",
        help="Reconnect needed: the platform refused the credentials. Paused: every stream "
        "of the account is paused. Connected: a call to the platform succeeded (or the "
        "last Test Connection did). Never tested: no call has succeeded yet.")
    last_api_success_at = fields.Datetime(
        "Last Successful Call", compute="_compute_connection_state")
    platform_icon_url = fields.Char(compute="_compute_platform_icon_url")
    api_p50_ms_24h = fields.Float("Median Response (ms, 24 h)", compute="_compute_api_timing")
    api_p95_ms_24h = fields.Float("95th Percentile (ms, 24 h)", compute="_compute_api_timing")
    dashboard_graph = fields.Html(compute="_compute_dashboard_graph", sanitize=False)
    stream_last_success = fields.Html(
        "Last Success per Stream", compute="_compute_stream_last_success", sanitize=False)

    # ------------------------------------------------------------------ to fix

    @api.depends("job_failed_count", "inbox_open_count")
    def _compute_to_fix_count(self):
        for credential in self:
            credential.to_fix_count = credential.job_failed_count + credential.inbox_open_count

    def action_open_to_fix(self):
        """Exactly what is to fix: the failed jobs, or (when no job failed) the inbox
        items that failed. The card names both counts and links each list."""
        self.ensure_one()
        if self.job_failed_count or not self.inbox_open_count:
            action = self.action_open_failed_jobs()
            action["context"] = dict(action["context"], search_default_failed=1)
            return action
        action = self.action_open_inbox()
        action["domain"] = [("credential_id", "=", self.id), ("state", "=", "failed")]
        return action

    # ------------------------------------------------------------------ connection

    def _compute_connection_state(self):
        last_success = self._last_api_success()
        for credential in self:
            credential.last_api_success_at = last_success.get(credential.id)
            credential.connection_state = credential._connection_state(
                last_success.get(credential.id))

    def _connection_state(self, last_api_success_at):
        if self.reconnect_needed:
            return "reconnect"
        streams = self.stream_ids
        if streams and all(streams.mapped("paused")):
            return "paused"
        # The alerts helper may add the kept Test Connection result; use it when present.
        if "last_connection_test_ok" in self._fields and self["last_connection_test_ok"]:
            return "connected"
        return "connected" if last_api_success_at else "never_tested"

    def _last_api_success(self):
        if not self.ids:
            return {}
        self.env.cr.execute(SQL(
            "SELECT credential_id, MAX(create_date) FROM channel_api_log "
            "WHERE credential_id = ANY(%s) AND NOT is_error GROUP BY credential_id",
            list(self.ids)))
        return dict(self.env.cr.fetchall())

    # ------------------------------------------------------------------ logos

    @api.depends("platform")
    def _compute_platform_icon_url(self):
        for credential in self:
            credential.platform_icon_url = credential._platform_icon_url()

    def _platform_icon_module(self):
        """The module whose icon is this platform's logo: ``channel_<platform>`` unless the
        platform module says otherwise."""
        return f"channel_{self.platform}" if self.platform else False

    def _platform_icon_url(self):
        module = self._platform_icon_module()
        if not module:
            return GENERIC_ICON_URL
        try:
            file_path(f"{module}/static/description/icon.png")
        except (FileNotFoundError, ValueError):
            return GENERIC_ICON_URL
        return f"/{module}/static/description/icon.png"

    # ------------------------------------------------------------------ API timing

    def _compute_api_timing(self):
        timing = self._api_timing_since(fields.Datetime.now() - timedelta(hours=24))
        for credential in self:
            p50, p95 = timing.get(credential.id, (0.0, 0.0))
            credential.api_p50_ms_24h = p50
            credential.api_p95_ms_24h = p95

    def _api_timing_since(self, since):
        """{credential id: (p50 ms, p95 ms)} of the calls since ``since``."""
        if not self.ids:
            return {}
        self.env.cr.execute(SQL(
            """SELECT credential_id,
                      percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms),
                      percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms)
                 FROM channel_api_log
                WHERE credential_id = ANY(%s) AND create_date >= %s
             GROUP BY credential_id""", list(self.ids), since))
        return {row[0]: (row[1] or 0.0, row[2] or 0.0) for row in self.env.cr.fetchall()}

    # ------------------------------------------------------------------ 7-day graph

    def _compute_dashboard_graph(self):
        today = fields.Date.context_today(self)
        first_day = today - timedelta(days=GRAPH_DAYS - 1)
        per_day = self._week_numbers(first_day)
        for credential in self:
            days = []
            for offset in range(GRAPH_DAYS):
                day = first_day + timedelta(days=offset)
                numbers = per_day.get((credential.id, day), {})
                days.append({"label": day.strftime("%a %d %b"), "short": day.strftime("%a")[:2],
                             "done": numbers.get("done", 0), "failed": numbers.get("failed", 0),
                             "calls": numbers.get("calls", 0)})
            credential.dashboard_graph = seven_day_svg(days)

    def _week_numbers(self, first_day):
        """{(credential id, day): {"done", "failed", "calls"}} since ``first_day`` (UTC
        days), two grouped queries."""
        if not self.ids:
            return {}
        self.env["sync.job"].flush_model(["state", "finished_at", "credential_id"])
        since = fields.Datetime.to_datetime(first_day)
        numbers = {}
        self.env.cr.execute(SQL(
            """SELECT credential_id, finished_at::date, state, COUNT(*) FROM sync_job
                WHERE credential_id = ANY(%s) AND finished_at >= %s
                  AND state IN ('done', 'failed')
             GROUP BY 1, 2, 3""", list(self.ids), since))
        for credential_id, day, state, count in self.env.cr.fetchall():
            numbers.setdefault((credential_id, day), {})[state] = count
        self.env.cr.execute(SQL(
            """SELECT credential_id, create_date::date, COUNT(*) FROM channel_api_log
                WHERE credential_id = ANY(%s) AND create_date >= %s GROUP BY 1, 2""",
            list(self.ids), since))
        for credential_id, day, count in self.env.cr.fetchall():
            numbers.setdefault((credential_id, day), {})["calls"] = count
        return numbers

    # ------------------------------------------------------------------ streams

    def _stream_last_successes(self):
        """{(credential id, stream code): last success}: the later of the stream cursor's
        last success and the stream's last run finished without failing."""
        successes = {}
        cursors = self.env["channel.sync.cursor"].sudo().search_read(
            [("credential_id", "in", self.ids)], ["credential_id", "stream", "last_success_at"])
        for cursor in cursors:
            if cursor["last_success_at"]:
                successes[(cursor["credential_id"][0], cursor["stream"])] = \
                    cursor["last_success_at"]
        for stream in self.mapped("stream_ids"):
            if stream.last_finished_at and stream.run_state != "failed":
                key = (stream.credential_id.id, stream.code)
                successes[key] = max(successes.get(key) or stream.last_finished_at,
                                     stream.last_finished_at)
        return successes

    def _compute_stream_last_success(self):
        successes = self._stream_last_successes()
        for credential in self:
            credential.stream_last_success = credential._stream_lines(successes)

    def _stream_lines(self, successes):
        lines = []
        for stream in self.stream_ids:
            moment = successes.get((self.id, stream.code))
            lines.append((stream.name, moment, stream.run_state == "failed"))
        known = {stream.code for stream in self.stream_ids}
        for (credential_id, code), moment in sorted(successes.items()):
            if credential_id == self.id and code not in known:
                lines.append((code, moment, False))
        if not lines:
            return Markup('<div class="text-muted">%s</div>') % self.env._("Nothing synced yet")
        return Markup("").join(self._stream_line(*line) for line in lines)

    def _stream_line(self, name, moment, failed):
        when = fields.Datetime.context_timestamp(self, moment).strftime("%Y-%m-%d %H:%M") \
            if moment else self.env._("never")
        css = "text-danger" if failed else ("text-muted" if not moment else "")
        return Markup('<div class="d-flex justify-content-between %s"><span>%s</span>'
                      '<span>%s</span></div>') % (css, escape(name), escape(when))

    # ------------------------------------------------------------------ operation labels

    @api.model
    def _sync_job_operation_labels(self):
        """{operation: label} of every job operation, for the job screens. Platform modules
        extend it: ``return {**super()._sync_job_operation_labels(), "shop.import_orders":
        self.env._("Import orders")}``; an operation nobody names is shown humanised."""
        return {
            WEBHOOK_OPERATION: self.env._("Process webhook"),
            NOOP_OPERATION: self.env._("No-op"),
            PAGE_OPERATION: self.env._("Import a page"),
            INBOX_RETRY_OPERATION: self.env._("Retry an inbox item"),
        }

    # ------------------------------------------------------------------ card menu

    def action_open_performance(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "channel_base.action_channel_api_performance")
        action["domain"] = [("credential_id", "=", self.id)]
        return action

    def action_open_account_form(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
                "view_mode": "form", "views": [(False, "form")]}
