import json
import logging

from odoo import api, fields, models

from ..db import independent_cursor
from ..tools import mask_body, mask_headers, mask_url

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
        "integration.credential", ondelete="cascade", index=True, readonly=True
    )
    platform = fields.Selection(related="credential_id.platform")
    company_id = fields.Many2one(related="credential_id.company_id")
    method = fields.Char(readonly=True)
    url = fields.Char(readonly=True)
    request_headers = fields.Text(readonly=True)
    request_body = fields.Text(readonly=True)
    status_code = fields.Integer(readonly=True)
    response_headers = fields.Text(readonly=True)
    response_body = fields.Text(readonly=True)
    duration_ms = fields.Integer(readonly=True)
    is_error = fields.Boolean(readonly=True, index=True)
    error = fields.Text(readonly=True)

    @api.model
    def _write_entry(self, credential, secret_values, method, url, request_headers,
                     request_body, status_code=None, response_headers=None, response_body=None,
                     duration_ms=0, error=None, full=True):
        """Mask and store one exchange; a failure to log never breaks the call itself."""
        values = (
            credential.id,
            method,
            mask_url(url, secret_values),
            json.dumps(mask_headers(request_headers, secret_values)) if full else None,
            mask_body(request_body, secret_values) if full else None,
            status_code,
            json.dumps(mask_headers(response_headers, secret_values)) if full else None,
            mask_body(response_body, secret_values) if full else None,
            int(duration_ms),
            bool(error) or (status_code or 0) >= 400,
            mask_body(error, secret_values) if error else None,
        )
        try:
            with independent_cursor(self.env) as cr:
                cr.execute(
                    """INSERT INTO channel_api_log
                           (credential_id, method, url, request_headers, request_body,
                            status_code, response_headers, response_body, duration_ms,
                            is_error, error, create_date, write_date, create_uid, write_uid)
                       VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
                               now() at time zone 'utc', now() at time zone 'utc', %s, %s)""",
                    (*values, self.env.uid, self.env.uid),
                )
        except Exception as log_error:  # noqa: BLE001 - logging must not fail the request
            _logger.warning("API log not written for credential %s: %s",
                            credential.id, type(log_error).__name__)
