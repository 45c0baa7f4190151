"""Keep webhook tokens out of the HTTP access log.

Platforms that cannot sign their deliveries authenticate with a secret in the URL
(``/channel/webhook/<platform>/<id>?token=...``), and werkzeug's request logger writes
every request line at INFO: without this filter the secret would sit in every log file
and log shipper of the installation. The filter rewrites the record before any handler
formats it, so no handler (file, syslog, a test's capture) ever sees the value.
"""

import logging
import re

from .tools import MASK

#: Loggers that write request lines: werkzeug's access log, and Odoo's HTTP layer.
ACCESS_LOGGERS = ("werkzeug", "odoo.http")

# The value of a ``token`` query parameter on a webhook path, wherever it sits in the query.
WEBHOOK_TOKEN = re.compile(r"(/channel/webhook/[^\s?]*\?(?:[^\s&]*&)*?token=)[^\s&#\"']*")


def mask_webhook_tokens(text):
    return WEBHOOK_TOKEN.sub(lambda match: match.group(1) + MASK, text)


class WebhookTokenFilter(logging.Filter):
    """Masks webhook tokens in a record's message and arguments; never drops a record."""

    def filter(self, record):
        if isinstance(record.msg, str) and "/channel/webhook/" in record.msg:
            record.msg = mask_webhook_tokens(record.msg)
        if isinstance(record.args, tuple) and any(
            isinstance(arg, str) and "/channel/webhook/" in arg for arg in record.args
        ):
            record.args = tuple(
                mask_webhook_tokens(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


def install_access_log_filter():
    """Attach the filter once per logger (module reloads must not stack filters)."""
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, WebhookTokenFilter) for existing in logger.filters):
            logger.addFilter(WebhookTokenFilter())
