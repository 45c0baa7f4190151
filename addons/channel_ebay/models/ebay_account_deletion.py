"""Marketplace Account Deletion: eBay tells every application when a user's account is
deleted; we anonymise what we hold of that user (partners with that eBay username, the
username on their orders) and record it. Endpoint: controllers/main.py."""

import json
import logging
import re
import secrets
import time
from urllib.parse import urlsplit

from odoo import api, fields, models

from .. import const, notification_signature
from ..client import EbayClient

_logger = logging.getLogger(__name__)
PUBLIC_KEY_TTL = 3600
#: eBay's rule for the verification token (developer.ebay.com/marketplace-account-deletion).
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,80}$")
_public_keys = {}  # (api base, kid) -> (expires, key, digest)


class EbayAccountDeletion(models.Model):
    _name = "ebay.account.deletion"
    _description = "eBay Account Deletion Notification"
    _order = "id desc"

    credential_id = fields.Many2one("integration.credential", "Account", required=True,
                                    ondelete="cascade", index=True)
    notification_id = fields.Char("Notification ID", required=True, index=True, readonly=True)
    event_date = fields.Char(readonly=True)
    partner_count = fields.Integer("Partners Anonymised", readonly=True)
    order_count = fields.Integer("Orders Anonymised", readonly=True)

    _sql_constraints = [("notification_uniq", "unique(credential_id, notification_id)",
                         "This notification was already processed.")]


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    ebay_deletion_endpoint = fields.Char("Account Deletion Endpoint",
                                         compute="_compute_ebay_deletion_endpoint")

    def _compute_ebay_deletion_endpoint(self):
        for credential in self:
            credential.ebay_deletion_endpoint = (
                f"{credential.get_base_url()}/channel/ebay/account_deletion/{credential.id}"
                if credential.id else False)

    # ------------------------------------------------------------------ setup health

    def _ebay_deletion_problems(self):
        """What keeps eBay from using the endpoint (it needs public HTTPS and a valid
        token; the subscription itself is made in eBay's developer portal)."""
        problems = []
        token = self._secret("ebay_verification_token") or ""
        if not TOKEN_PATTERN.match(token):
            problems.append(self.env._("The verification token must be 32 to 80 letters, "
                                       "digits, _ or -."))
        url = urlsplit(self.ebay_deletion_endpoint or "")
        if url.scheme != "https":
            problems.append(self.env._("eBay calls HTTPS endpoints only: set web.base.url to "
                                       "Odoo's public https:// address."))
        if (url.hostname or "") in ("localhost", "127.0.0.1") or (url.hostname or "").startswith(
                ("10.", "192.168.")):
            problems.append(self.env._("eBay cannot reach %s: use a public host name.",
                                       url.hostname))
        return problems

    def action_ebay_check_deletion_setup(self):
        self.ensure_one()
        problems = self._ebay_deletion_problems()
        if problems:
            return self._notification(" ".join(problems), kind="warning")
        return self._notification(self.env._(
            "Account deletion endpoint ready: give eBay %s and the verification token.",
            self.ebay_deletion_endpoint))

    def action_ebay_repair_deletion_setup(self):
        """Repair what Odoo can: a missing or invalid verification token is generated
        (eBay must then be given the new one)."""
        self.ensure_one()
        if not TOKEN_PATTERN.match(self._secret("ebay_verification_token") or ""):
            self.sudo().ebay_verification_token = secrets.token_urlsafe(48)[:64]
        return self.action_ebay_check_deletion_setup()

    # ------------------------------------------------------------------ signature

    def _ebay_verify_notification(self, raw_body, signature_header):
        header = notification_signature.parse_header(signature_header)
        if header is None:
            return False
        key, digest = self._ebay_public_key(header["kid"])
        return notification_signature.verify(key, raw_body, header, digest)

    def _ebay_public_key(self, kid):
        """getPublicKey (an application token: client credentials), cached an hour."""
        cache_key = (self._get_api_base_url(), kid)
        cached = _public_keys.get(cache_key)
        if cached and cached[0] > time.time():
            return cached[1], cached[2]
        client = EbayClient(self)
        token = client.request_json(
            "POST", const.TOKEN_PATH, authenticate=False, answer_secrets=("access_token",),
            headers=client._token_request_headers("client_credentials"),
            data={"grant_type": "client_credentials", "scope": const.SCOPES[0]})["access_token"]
        answer = client.request_json(
            "GET", const.ACCOUNT_DELETION_KEY_PATH.format(kid=kid), authenticate=False,
            headers={"Authorization": "Bearer " + token})
        _public_keys[cache_key] = (time.time() + PUBLIC_KEY_TTL, answer["key"],
                                   (answer.get("digest") or "SHA1").upper())
        return answer["key"], _public_keys[cache_key][2]

    # ------------------------------------------------------------------ processing

    @api.model
    def _ebay_parse_deletion(self, raw_body):
        payload = json.loads(raw_body)
        notification = payload["notification"]
        if (payload.get("metadata") or {}).get("topic") != "MARKETPLACE_ACCOUNT_DELETION":
            raise ValueError("not a MARKETPLACE_ACCOUNT_DELETION notification")
        return notification

    def _ebay_process_deletion(self, notification):
        """Anonymise the user's data once per notification id; the record says what."""
        Deletion = self.env["ebay.account.deletion"].sudo()
        if Deletion.search_count([("credential_id", "=", self.id),
                                  ("notification_id", "=", notification["notificationId"])]):
            return Deletion.browse()
        data = notification.get("data") or {}
        username = data.get("username")
        partners = self.env["res.partner"].sudo().with_context(active_test=False).search(
            [("ebay_username", "=", username)]) if username else self.env["res.partner"]
        partners |= partners.child_ids
        orders = self.env["sale.order"].sudo().search([("ebay_buyer_username", "=", username)]) \
            if username else self.env["sale.order"]
        partners.write({"name": self.env._("Deleted eBay user"), "email": False,
                        "phone": False, "street": False, "street2": False, "city": False,
                        "zip": False, "ebay_username": False, "comment": False})
        orders.write({"ebay_buyer_username": False})
        _logger.info("eBay account deletion %s: %s partners, %s orders anonymised",
                     notification["notificationId"], len(partners), len(orders))
        return Deletion.create({
            "credential_id": self.id, "notification_id": notification["notificationId"],
            "event_date": notification.get("eventDate"),
            "partner_count": len(partners), "order_count": len(orders)})
