import json
import logging

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from odoo import http
from odoo.http import request

from ..tools import mask_headers, without_nul

_logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 2 * 1024 * 1024


def _answer(status, message):
    return Response(
        json.dumps({"status": status, "message": message}),
        status=status,
        content_type="application/json",
    )


def _accepted(credential, message):
    """A 200: the platform's own success body where it asks for one
    (``credential._webhook_success_body(message)``), else ours."""
    body = credential._webhook_success_body(message)
    if body is None:
        return _answer(200, message)
    return Response(json.dumps(body), status=200, content_type="application/json")


def _unknown_endpoint_reason(credential, platform):
    if not credential:
        return "unknown_credential"
    if credential.platform != platform:
        return "platform_mismatch"
    return "archived_credential"


class ChannelWebhookController(http.Controller):
    """The single entry point for every platform's webhooks.

    Order matters: size, credential, authentication, and only then is the body parsed.
    Every refusal (413, 404, 401) is recorded in ``channel.webhook.refusal``.
    The raw event is stored and its processing queued in the request's transaction, and
    the platform gets its 200 before any business logic runs.
    """

    @http.route(
        "/channel/webhook/<string:platform>/<int:credential_id>",
        type="http", auth="public", methods=["POST"], csrf=False, save_session=False,
    )
    def channel_webhook(self, platform, credential_id, **_query):
        env = request.env(su=True)
        max_bytes = int(env["ir.config_parameter"].get_param(
            "channel_base.webhook_max_bytes", DEFAULT_MAX_BYTES))
        raw_body = self._read_body(max_bytes)
        # Looked up before the size verdict only to name the account on a refusal.
        credential = env["integration.credential"].browse(credential_id).exists()
        if raw_body is None:
            return self._refuse(env, "too_large", 413, "Body too large", platform, credential)
        if not credential or not credential.active or credential.platform != platform:
            return self._refuse(env, _unknown_endpoint_reason(credential, platform), 404,
                                "Unknown webhook endpoint", platform, credential)
        headers = dict(request.httprequest.headers)
        query = request.httprequest.args.to_dict()
        if not credential._webhook_authenticate(raw_body, headers, query):
            _logger.warning("Webhook for credential %s refused: bad signature or token",
                            credential.id)
            reason = "bad_signature" if credential._webhook_is_signed() else "bad_token"
            return self._refuse(env, reason, 401, "Authentication failed", platform,
                                credential)
        return self._accept(credential, raw_body, headers)

    def _refuse(self, env, reason, status, message, platform, credential):
        """Answer a refusal and leave a trace a person can see (Refused Deliveries)."""
        env["channel.webhook.refusal"]._record(
            reason, status, platform, request.httprequest, credential=credential or None)
        return _answer(status, message)

    def _read_body(self, max_bytes):
        """The body, or None when it exceeds ``max_bytes`` (checked before reading it
        whole: the declared length first, then a bounded read for chunked bodies)."""
        httprequest = request.httprequest
        # werkzeug enforces this limit while streaming a body without a declared length.
        httprequest.max_content_length = max_bytes
        if (httprequest.content_length or 0) > max_bytes:
            return None
        try:
            return httprequest.get_data()
        except RequestEntityTooLarge:
            return None

    def _accept(self, credential, raw_body, headers):
        Event = credential.env["channel.webhook.event"]
        secrets = credential._secret_values()
        stored_headers = mask_headers(headers, secrets)
        text_body = without_nul(raw_body.decode("utf-8", errors="replace"))
        try:
            payload = credential._webhook_parse(raw_body, headers)
        except ValueError as error:
            delivery_id = credential._webhook_delivery_id(None, raw_body, headers)
            Event._store_delivery(credential, delivery_id, None, stored_headers, text_body,
                                  state="failed", error=str(error))
            return _answer(400, f"Malformed body: {error}")
        delivery_id = credential._webhook_delivery_id(payload, raw_body, headers)
        event_type = credential._webhook_event_type(payload, headers)
        event, is_new = Event._store_delivery(
            credential, delivery_id, event_type, stored_headers, text_body
        )
        if not is_new:
            return _accepted(credential, "Duplicate delivery ignored")
        event._enqueue_processing()
        return _accepted(credential, "Accepted")
