import json
import logging

from odoo import api, fields, models
from odoo.tools import SQL

from ..db import independent_cursor
from ..job_context import current_job_id
from ..tools import mask_body, mask_headers, mask_url, pretty_body
from .integration_credential import MANAGER_GROUP

_logger = logging.getLogger(__name__)


class ChannelApiLog(models.Model):
    """Every request a connector made and what came back, with secrets masked.

    Written on an independent cursor so the trace of a failed job survives its rollback.
    """

    _name = "channel.api.log"
    _description = "Channel API Log"
    _order = "id desc"
    _rec_name = "url"

    credential_id = fields.Many2one(
        "integration.credential", "Account", ondelete="cascade", index=True, readonly=True
    )
    platform = fields.Selection(related="credential_id.platform")
    company_id = fields.Many2one(related="credential_id.company_id")
    method = fields.Char(readonly=True)
    url = fields.Char(readonly=True)
    # Bodies carry customers' names, addresses and phones: managers only. They are kept
    # for failed exchanges, and for every exchange only while debug logging is on.
    request_headers = fields.Text(readonly=True, groups=MANAGER_GROUP)
    request_body = fields.Text(readonly=True, groups=MANAGER_GROUP)
    status_code = fields.Integer(readonly=True)
    response_headers = fields.Text(readonly=True, groups=MANAGER_GROUP)
    response_body = fields.Text(readonly=True, groups=MANAGER_GROUP)
    has_bodies = fields.Boolean(
        "Bodies Kept", readonly=True,
        help="Request and response were stored (failed exchange, or debug logging on).")
    duration_ms = fields.Integer(readonly=True)
    is_error = fields.Boolean(readonly=True, index=True)
    error = fields.Text(readonly=True)
    # A plain id, not a foreign key: the log is written on its own cursor, which cannot
    # see a job created in the still-open transaction (and jobs are vacuumed before logs).
    job_ref = fields.Integer("Job Number", readonly=True, index="btree_not_null")
    job_id = fields.Many2one("sync.job", compute="_compute_job_id",
                             search="_search_job_id",
                             help="The sync job that made this call, when a job made it.")
    request_body_pretty = fields.Text("Request (formatted)", compute="_compute_pretty_bodies",
                                      groups=MANAGER_GROUP)
    response_body_pretty = fields.Text("Response (formatted)",
                                       compute="_compute_pretty_bodies", groups=MANAGER_GROUP)

    def _compute_job_id(self):
        existing = set(self.env["sync.job"].browse(
            {log.job_ref for log in self if log.job_ref}).exists().ids)
        for log in self:
            log.job_id = log.job_ref if log.job_ref in existing else False

    def _search_job_id(self, operator, value):
        if operator in ("=", "in") and value:
            ids = value if isinstance(value, list | tuple) else [value]
            return [("job_ref", "in", [int(i) for i in ids])]
        if operator == "=" and not value:
            return [("job_ref", "=", False)]
        return [("job_ref", "in", self.env["sync.job"]._search([("id", operator, value)]))]

    def _compute_pretty_bodies(self):
        for log in self:
            log.request_body_pretty = pretty_body(log.request_body)
            log.response_body_pretty = pretty_body(log.response_body)

    @api.model
    def _write_entry(self, credential, secret_values, method, url, request_headers,
                     request_body, status_code=None, response_headers=None, response_body=None,
                     duration_ms=0, error=None, full=True):
        """Mask and store one exchange (its bodies only when ``full``); returns the row id,
        or None when it could not be written: a failure to log never breaks the call."""
        values = {
            "credential_id": credential.id,
            "method": method,
            "url": mask_url(url, secret_values),
            "status_code": status_code,
            "duration_ms": int(duration_ms),
            "is_error": bool(error) or (status_code or 0) >= 400,
            "error": mask_body(error, secret_values) if error else None,
            "has_bodies": bool(full),
            "job_ref": current_job_id(),
        }
        if full:
            values.update(self._masked_bodies(secret_values, request_headers, request_body,
                                              response_headers, response_body))
        values.update(create_uid=self.env.uid, write_uid=self.env.uid)
        try:
            with independent_cursor(self.env) as cr:
                cr.execute(SQL(
                    """INSERT INTO channel_api_log (%s, create_date, write_date)
                       VALUES (%s, now() at time zone 'utc', now() at time zone 'utc')
                       RETURNING id""",
                    SQL(", ").join(map(SQL.identifier, values)),
                    SQL(", ").join(SQL("%s", value) for value in values.values()),
                ))
                return cr.fetchone()[0]
        except Exception as log_error:  # noqa: BLE001 - logging must not fail the request
            _logger.warning("API log not written for credential %s: %s",
                            credential.id, type(log_error).__name__)
        return None

    @api.model
    def _keep_failed_exchange(self, log_id, secret_values, request_headers, request_body,
                              response_headers, response_body, error):
        """An answer that looked fine (HTTP 200) turned out unusable (unreadable JSON, a
        refused XML feed): keep its bodies after all, for whoever investigates."""
        if not log_id:
            return
        values = self._masked_bodies(secret_values, request_headers, request_body,
                                     response_headers, response_body)
        values.update(is_error=True, has_bodies=True, error=mask_body(error, secret_values))
        try:
            with independent_cursor(self.env) as cr:
                cr.execute(SQL(
                    "UPDATE channel_api_log SET %s WHERE id = %s",
                    SQL(", ").join(SQL("%s = %s", SQL.identifier(column), value)
                                   for column, value in values.items()),
                    log_id,
                ))
        except Exception as log_error:  # noqa: BLE001 - logging must not fail the request
            _logger.warning("API log %s not completed: %s", log_id, type(log_error).__name__)

    @staticmethod
    def _masked_bodies(secret_values, request_headers, request_body, response_headers,
                       response_body):
        return {
            "request_headers": json.dumps(mask_headers(request_headers, secret_values)),
            "request_body": mask_body(request_body, secret_values),
            "response_headers": json.dumps(mask_headers(response_headers, secret_values)),
            "response_body": mask_body(response_body, secret_values),
        }
