"""The one eBay client: OAuth user tokens (a consent refresh token exchanged for 2-hour
access tokens), JSON for the Sell Inventory / Fulfillment / Analytics REST APIs and XML
for the Trading API (built with lxml, answers read with channel_base's hardened parser)."""

import base64

from lxml import etree

from odoo.addons.channel_base.exceptions import (
    AuthError, PermanentError, RateLimitedError, TransientError)
from odoo.addons.channel_base.http_client import ChannelClient
from odoo.addons.channel_base.token_strategies import OAUTH_SECRET_KEYS, RefreshTokenGrant
from odoo.addons.channel_base.verification import XmlDocumentError, XmlMalformed, parse_xml

from . import const, mapping

#: Trading error codes: 931/932/16110/21917053 = token invalid, expired or revoked;
#: 518 = call usage limit reached (Trading API error reference).
TRADING_AUTH_ERRORS = {"931", "932", "16110", "21917053"}
TRADING_LIMIT_ERRORS = {"518", "21919144"}


class EbayClient(ChannelClient):
    token_strategy = RefreshTokenGrant("ebay_refresh_token", const.TOKEN_PATH,
                                       scope=" ".join(const.SCOPES))
    rate_limit_kind = "window"
    # Inventory API: 2,000,000 calls/day; per-second bursts kept modest (no documented cap).
    rate_limit_capacity = 20
    rate_limit_period = 1.0

    # ------------------------------------------------------------------ OAuth

    def _token_grant_fields(self, grant_type):
        return {}

    def _token_request_headers(self, grant_type):
        """HTTP Basic client authentication: base64(App ID:Cert ID)."""
        pair = f"{self.credential.ebay_app_id}:{self.credential.ebay_cert_id}"
        value = "Basic " + base64.b64encode(pair.encode()).decode()
        self.remember_secret(value.split(" ", 1)[1])
        return {"Authorization": value}

    def exchange_code(self, code, runame):
        """authorization_code grant: the consent's code (used once, never stored)."""
        self.remember_secret(code)
        try:
            return self.request_json(
                "POST", const.TOKEN_PATH, authenticate=False, answer_secrets=OAUTH_SECRET_KEYS,
                headers=self._token_request_headers("authorization_code"),
                data={"grant_type": "authorization_code", "code": code, "redirect_uri": runame})
        except (AuthError, PermanentError) as error:
            raise AuthError(f"eBay refused the consent code: {error.message}",
                            status=error.status, refresh_helps=False) from None

    # ------------------------------------------------------------------ errors

    def _error_message(self, response):
        """eBay REST errors: ``{"errors": [{errorId, domain, category, message}]}``."""
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("errors"), list):
            return mapping.errors_text(body["errors"])[:1000] or super()._error_message(response)
        if isinstance(body, dict) and isinstance(body.get("error"), str):  # RFC 6749 §5.2
            return f"{body['error']}: {body.get('error_description') or ''}"[:1000]
        return super()._error_message(response)

    # ------------------------------------------------------------------ REST

    def call(self, method, path, **kwargs):
        """The one REST request method: JSON in, JSON out (``path`` under const)."""
        headers = {"Content-Language": self.locale(), "Accept": "application/json",
                   **kwargs.pop("headers", {})}
        return self.request_json(method, path, headers=headers, **kwargs)

    def locale(self):
        return const.MARKETPLACE_LOCALE.get(self.credential.ebay_marketplace_id, "en-US")

    # ------------------------------------------------------------------ Trading (XML)

    def trading(self, call_name, request_element):
        """POST one Trading call (``request_element`` is the ``<XxxRequest>`` root); the
        answer's root element when Ack is Success or Warning."""
        token = self._access_token()
        headers = {
            "X-EBAY-API-CALL-NAME": call_name,
            "X-EBAY-API-SITEID": const.TRADING_SITE_ID,
            "X-EBAY-API-COMPATIBILITY-LEVEL": const.TRADING_COMPATIBILITY_LEVEL,
            "X-EBAY-API-IAF-TOKEN": token,
            "Content-Type": "text/xml",
        }
        body = etree.tostring(request_element, xml_declaration=True, encoding="utf-8")
        response = self.request("POST", const.TRADING_PATH, data=body, headers=headers,
                                authenticate=False, bucket="trading")
        try:
            root = parse_xml(response.content)
        except XmlDocumentError as error:
            self._record_failed_answer(response, str(error))
            if isinstance(error, XmlMalformed):
                raise TransientError(f"{call_name}: {error}") from None
            raise PermanentError(f"{call_name}: {error}") from None
        self._raise_for_ack(call_name, root, token)
        return root

    def _raise_for_ack(self, call_name, root, token):
        ack, errors = mapping.trading_ack(root)
        if ack in ("Success", "Warning"):
            return
        codes = {error["code"] for error in errors}
        text = f"{call_name} failed: " + mapping.trading_errors_text(errors)
        if codes & TRADING_AUTH_ERRORS:
            self._discard_access_token(token)
            raise AuthError(text, failed_token=token)
        if codes & TRADING_LIMIT_ERRORS:
            raise RateLimitedError(text, wait=3600)
        if ack == "PartialFailure":
            return
        raise PermanentError(text)
