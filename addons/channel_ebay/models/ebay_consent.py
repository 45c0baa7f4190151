"""User consent (OAuth authorization code grant) and the 18-month refresh token.

*Connect to eBay* opens eBay's consent page with a one-time ``state``; eBay sends the
browser back to the RuName's accept URL, ``/channel/ebay/oauth/callback``
(controllers/main.py), which checks the state and exchanges the code (Basic App ID:Cert ID)
for the refresh token, stored as a secret with its expiry. Access tokens are then
refreshed by channel_base's token store (RefreshTokenGrant, under its lock). The consent's
expiry is warned ahead (an alert on the account); a refused refresh (``invalid_grant``)
marks the account *Reconnect needed* (channel_base)."""

import hmac
import secrets
from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.channel_base.models import integration_credential_alerts as alerts

from .. import const, mapping
from ..client import EbayClient

CONSENT_CAUSE = "ebay_consent_expiry"
alerts.ALERT_ACTIVITY_TYPES.setdefault(
    CONSENT_CAUSE, "channel_ebay.mail_activity_type_ebay_consent_expiry")


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _ebay_auth_base(self):
        """auth.ebay.com / auth.sandbox.ebay.com; another API base (the simulator) serves
        its own consent page."""
        base = self._get_api_base_url()
        if base == const.PRODUCTION_API:
            return const.PRODUCTION_AUTH
        if base == const.SANDBOX_API:
            return const.SANDBOX_AUTH
        return base

    def action_ebay_connect(self):
        self.ensure_one()
        app_id, runame = self._secret("ebay_app_id"), self.ebay_runame
        if not app_id or not runame:
            raise UserError(self.env._("Set the App ID and the RuName first."))
        state = f"{self.id}.{secrets.token_urlsafe(24)}"
        self.sudo().ebay_oauth_state = state
        return {"type": "ir.actions.act_url", "target": "self",
                "url": mapping.authorization_url(self._ebay_auth_base(), app_id, runame,
                                                 const.SCOPES, state)}

    def _ebay_check_state(self, state):
        expected = self.sudo().ebay_oauth_state or ""
        return bool(expected) and hmac.compare_digest(expected.encode(), (state or "").encode())

    def _ebay_complete_consent(self, code):
        """Exchange the consent code; keep the refresh token and its expiry."""
        self.ensure_one()
        answer = EbayClient(self).exchange_code(code, self.ebay_runame) or {}
        if not answer.get("refresh_token"):
            raise UserError(self.env._("eBay answered the consent without a refresh token."))
        lifetime = int(answer.get("refresh_token_expires_in") or const.REFRESH_TOKEN_LIFETIME)
        self.sudo().write({
            "ebay_refresh_token": answer["refresh_token"], "ebay_oauth_state": False,
            "ebay_refresh_token_expires_at": fields.Datetime.now() + timedelta(seconds=lifetime)})
        self._clear_reconnect_needed()
        self._alert_resolve(CONSENT_CAUSE, self.env._("Connected to eBay again."))
        self.message_post(body=self.env._("Connected to eBay; the consent lasts until %s.",
                                          self.ebay_refresh_token_expires_at))

    def _ebay_consent_days_left(self):
        if not self.ebay_refresh_token_expires_at:
            return None
        return (self.ebay_refresh_token_expires_at - fields.Datetime.now()).days

    def _cron_ebay_check_consent(self):
        """Daily: an alert a month before a consent expires (and once it has)."""
        for credential in self.search([("platform", "=", const.PLATFORM),
                                       ("ebay_refresh_token_expires_at", "!=", False)]):
            days = credential._ebay_consent_days_left()
            if days is not None and days <= const.REFRESH_WARN_DAYS:
                credential._alert_raise(
                    CONSENT_CAUSE, credential.env._("eBay consent expires in %s days", days),
                    credential.env._(
                        "Press Connect to eBay on %(account)s before %(date)s, or its syncs stop.",
                        account=credential.display_name,
                        date=credential.ebay_refresh_token_expires_at), count=1)
