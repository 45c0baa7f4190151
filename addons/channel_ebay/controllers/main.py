"""eBay's two inbound routes: the OAuth consent callback (the RuName's accept URL) and the
Marketplace Account Deletion endpoint (challenge GET, signed POST)."""

import json
import logging

from werkzeug.wrappers import Response

from odoo import http
from odoo.http import request

from odoo.addons.channel_base.exceptions import ChannelError

from .. import const, mapping

_logger = logging.getLogger(__name__)
MAX_NOTIFICATION_BYTES = 64 * 1024


def _json(status, body):
    return Response(json.dumps(body), status=status, content_type="application/json")


class EbayController(http.Controller):

    @http.route("/channel/ebay/oauth/callback", type="http", auth="user", methods=["GET"])
    def ebay_oauth_callback(self, state=None, code=None, error=None, **_query):
        env = request.env
        credential_id = (state or "").split(".", 1)[0]
        credential = env["integration.credential"].browse(
            int(credential_id) if credential_id.isdigit() else 0).exists()
        if not credential or credential.platform != const.PLATFORM \
                or not credential._ebay_check_state(state):
            return _json(400, {"message": "Unknown or expired consent request: press Connect "
                                          "to eBay again."})
        if error or not code:
            credential.message_post(body=env._("eBay consent refused: %s", error or "no code"))
            return request.redirect(f"/odoo/action-channel_base.action_integration_credential/"
                                    f"{credential.id}")
        try:
            credential._ebay_complete_consent(code)
        except ChannelError as failure:
            credential.message_post(body=env._("eBay consent failed: %s", failure.message))
        return request.redirect(f"/odoo/action-channel_base.action_integration_credential/"
                                f"{credential.id}")

    @http.route("/channel/ebay/account_deletion/<int:credential_id>", type="http",
                auth="public", methods=["GET", "POST"], csrf=False, save_session=False)
    def ebay_account_deletion(self, credential_id, **query):
        env = request.env(su=True)
        credential = env["integration.credential"].browse(credential_id).exists()
        if not credential or not credential.active or credential.platform != const.PLATFORM:
            return _json(404, {"message": "Unknown endpoint"})
        if request.httprequest.method == "GET":
            return self._challenge(credential, query.get("challenge_code"))
        return self._notification(env, credential)

    def _challenge(self, credential, challenge_code):
        token = credential._secret("ebay_verification_token")
        if not challenge_code or not token:
            return _json(400, {"message": "challenge_code and a verification token needed"})
        return _json(200, {"challengeResponse": mapping.challenge_response(
            challenge_code, token, credential.ebay_deletion_endpoint)})

    def _notification(self, env, credential):
        httprequest = request.httprequest
        if (httprequest.content_length or 0) > MAX_NOTIFICATION_BYTES:
            env["channel.webhook.refusal"]._record("too_large", 413, const.PLATFORM,
                                                   httprequest, credential=credential)
            return _json(413, {"message": "Body too large"})
        raw_body = httprequest.get_data()
        try:
            verified = credential._ebay_verify_notification(
                raw_body, httprequest.headers.get("X-EBAY-SIGNATURE"))
        except ChannelError as failure:  # the key could not be fetched: eBay retries
            _logger.warning("eBay deletion notification: public key unavailable: %s",
                            failure.message)
            return _json(503, {"message": "Could not verify the signature now"})
        if not verified:
            env["channel.webhook.refusal"]._record("bad_signature", 412, const.PLATFORM,
                                                   httprequest, credential=credential)
            return _json(412, {"message": "Signature verification failed"})
        try:
            notification = credential._ebay_parse_deletion(raw_body)
        except (ValueError, KeyError, TypeError) as failure:
            return _json(400, {"message": f"Malformed notification: {failure}"})
        credential._ebay_process_deletion(notification)
        return Response(status=204)
