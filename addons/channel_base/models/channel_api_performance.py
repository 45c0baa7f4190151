from odoo import fields, models, tools
from odoo.tools import SQL


class ChannelApiPerformance(models.Model):
    """API response time and error rate per account and (UTC) day, read from the API
    log by a database view: median and 95th percentile of ``duration_ms``."""

    _name = "channel.api.performance"
    _description = "Channel API Performance per Day"
    _auto = False
    _order = "day desc, credential_id"
    _rec_name = "day"

    day = fields.Date(readonly=True)
    credential_id = fields.Many2one("integration.credential", "Account", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    call_count = fields.Integer("Calls", readonly=True)
    error_count = fields.Integer("Errors", readonly=True)
    error_rate = fields.Float("Error Rate (%)", readonly=True, aggregator="avg",
                              digits=(16, 1))
    p50_ms = fields.Float("Median (ms)", readonly=True, aggregator="avg", digits=(16, 0))
    p95_ms = fields.Float("95th Percentile (ms)", readonly=True, aggregator="max",
                          digits=(16, 0))

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL(
            """CREATE VIEW %s AS (
                SELECT MIN(log.id) AS id,
                       log.credential_id,
                       credential.company_id,
                       log.create_date::date AS day,
                       COUNT(*) AS call_count,
                       COUNT(*) FILTER (WHERE log.is_error) AS error_count,
                       100.0 * COUNT(*) FILTER (WHERE log.is_error) / COUNT(*) AS error_rate,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY log.duration_ms) AS p50_ms,
                       percentile_cont(0.95) WITHIN GROUP (ORDER BY log.duration_ms) AS p95_ms
                  FROM channel_api_log log
                  JOIN integration_credential credential ON credential.id = log.credential_id
              GROUP BY log.credential_id, credential.company_id, log.create_date::date
            )""", SQL.identifier(self._table)))
