"""Webhooks in (https://developer.shiphero.com/webhooks): signed with the subscription's
``shared_signature_secret`` (base64 HMAC-SHA256 of the body in ``X-ShipHero-HMAC-SHA256``),
deduplicated on ``X-Shiphero-Message-ID``, answered ``{"code": "200", "Status": "Success",
"Message": "Success"}``; processed as jobs after the answer. "Register webhooks" creates
the five subscriptions and keeps each secret (answered once); "subscriptions health"
compares what ShipHero has with what we need."""

import logging

from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.channel_base import verification
from odoo.addons.channel_base.exceptions import PermanentError
from odoo.addons.channel_base.models.integration_credential_verification import header_value

from .. import const, mapping, queries
from ..client import ShipheroClient

_logger = logging.getLogger(__name__)
MANAGER = "channel_base.group_integration_manager"


class ShipheroWebhookSubscription(models.Model):
    _name = "shiphero.webhook.subscription"
    _description = "ShipHero Webhook Subscription"

    credential_id = fields.Many2one("integration.credential", "Account", required=True,
                                    ondelete="cascade", index=True)
    name = fields.Char("Event", required=True)
    shop_name = fields.Char()
    external_id = fields.Char("ShipHero Webhook ID")
    url = fields.Char("URL")
    secret = fields.Char("Shared Signature Secret", groups=MANAGER)

    _sql_constraints = [
        ("subscription_uniq", "unique(credential_id, name, shop_name)", "One per event."),
    ]


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    shiphero_subscription_ids = fields.One2many(
        "shiphero.webhook.subscription", "credential_id", "Webhook Subscriptions")

    # ------------------------------------------------------------------ verification

    def _webhook_signature_header(self):
        if self.platform != const.PLATFORM:
            return super()._webhook_signature_header()
        return const.WEBHOOK_SIGNATURE_HEADER

    def _webhook_verify_hmac(self, raw_body, signature):
        """Each subscription has its own secret: any of them may have signed."""
        if self.platform != const.PLATFORM:
            return super()._webhook_verify_hmac(raw_body, signature)
        secrets = [s for s in self.sudo().shiphero_subscription_ids.mapped("secret") if s]
        verified = any(verification.verify_hmac_sha256(secret, raw_body, signature,
                                                       encoding="base64")
                       for secret in secrets)
        if not verified:
            _logger.warning("ShipHero webhook for credential %s refused: signature %s",
                            self.id, "missing" if not signature else "does not match")
        return verified

    def _webhook_delivery_id(self, payload, raw_body, headers):
        if self.platform != const.PLATFORM:
            return super()._webhook_delivery_id(payload, raw_body, headers)
        message_id = header_value(headers, const.WEBHOOK_MESSAGE_ID_HEADER)
        return message_id or super()._webhook_delivery_id(payload, raw_body, headers)

    def _webhook_parse(self, raw_body, headers):
        payload = super()._webhook_parse(raw_body, headers)
        if self.platform == const.PLATFORM and not mapping.event_type(payload):
            raise ValueError("Not a ShipHero webhook: no webhook_type and no purchase_order.")
        return payload

    def _webhook_event_type(self, payload, headers):
        if self.platform != const.PLATFORM:
            return super()._webhook_event_type(payload, headers)
        return mapping.event_type(payload)

    def _webhook_success_body(self, message):
        if self.platform != const.PLATFORM:
            return super()._webhook_success_body(message)
        return dict(const.WEBHOOK_ANSWER)

    # ------------------------------------------------------------------ processing

    def _process_webhook_event(self, event):
        if self.platform != const.PLATFORM:
            return super()._process_webhook_event(event)
        payload = event._payload()
        kind = mapping.event_type(payload)
        handlers = {
            const.EVENT_ALLOCATED: self._shiphero_on_allocation,
            const.EVENT_DEALLOCATED: self._shiphero_on_allocation,
            const.EVENT_SHIPMENT: self._shiphero_on_shipment,
            const.EVENT_CANCELED: self._shiphero_on_cancel,
            const.EVENT_PO_UPDATE: self._shiphero_on_po_update,
        }
        if kind not in handlers:
            return {"skipped": f"event {kind} not handled"}
        return handlers[kind](payload)

    def _shiphero_order_of_webhook(self, payload):
        """The order a delivery names (uuid, else legacy id, else order number)."""
        uuid, legacy, number = mapping.webhook_order_keys(payload)
        Sale = self.env["sale.order"]
        base = [("channel_credential_id", "=", self.id)]
        for domain in ([("channel_external_id", "=", uuid)] if uuid else [],
                       [("shiphero_legacy_id", "=", legacy)] if legacy else [],
                       [("channel_external_ref", "=", number)] if number else []):
            if domain:
                order = Sale.search(base + domain, limit=1)
                if order:
                    return order
        # Not imported yet (a webhook before the import): read it now, then apply.
        if uuid:
            self._shiphero_refresh_order_by_uuid(uuid)
            order = Sale.search(base + [("channel_external_id", "=", uuid)], limit=1)
            if order:
                return order
        raise PermanentError(self.env._("No order %s of this account.", number or uuid or legacy))

    def _shiphero_refresh_order_by_uuid(self, uuid):
        data = ShipheroClient(self).execute(queries.ORDER, {
            "id": uuid, "lines": const.LINES_PER_ORDER})
        node = (data.get("order") or {}).get("data")
        if node:
            self._shiphero_import_orders([node], source="webhook")

    def _shiphero_on_allocation(self, payload):
        order = self._shiphero_order_of_webhook(payload)
        allocated = payload.get("webhook_type") == const.EVENT_ALLOCATED
        at = mapping.timestamp(payload.get("allocated_at" if allocated else "deallocated_at"))
        if not at:
            raise PermanentError(self.env._("Allocation event without its time."))
        new = order._shiphero_add_allocation_events(
            [("allocated" if allocated else "deallocated", at,
              str(payload.get("allocation_reference") or ""))], "webhook")
        return {"updated": new, "skipped": 1 - new,
                "records": {"sale.order": [order.id]}}

    def _shiphero_on_shipment(self, payload):
        shipment = mapping.shipment_of_webhook(payload)
        order = self._shiphero_order_of_webhook({
            "order_uuid": shipment["order_uuid"], "order_number": shipment["order_number"],
            "order_id": (payload.get("fulfillment") or {}).get("order_id")})
        shipment["order_id"] = order.channel_external_id
        result = self._shiphero_import_shipments([shipment], source="webhook")
        result["records"] = {"sale.order": [order.id]}
        return result

    def _shiphero_on_cancel(self, payload):
        order = self._shiphero_order_of_webhook(payload)
        if order.state == "cancel":
            return {"skipped": 1}
        order._shiphero_cancel("webhook")
        return {"updated": 1, "records": {"sale.order": [order.id]}}

    # ------------------------------------------------------------------ registration

    def _shiphero_webhook_target_url(self):
        return self.sudo().webhook_url

    def action_shiphero_register_webhooks(self):
        """webhook_create for each missing event (a stale one is deleted first); the
        secret ShipHero answers once is kept on the subscription."""
        self.ensure_one()
        client = ShipheroClient(self)
        url = self._shiphero_webhook_target_url()
        shop = self.shiphero_webhook_shop_name or "odoo"
        registered = self._shiphero_registered_webhooks(client)
        created = []
        for name in const.WEBHOOK_EVENTS:
            current = registered.get((name, shop))
            ours = self.sudo().shiphero_subscription_ids.filtered(
                lambda s, name=name: s.name == name and s.shop_name == shop and s.secret)
            if current and current.get("url") == url and ours:
                continue
            if current:
                client.execute(queries.WEBHOOK_DELETE, {"data": self._shiphero_account_data(
                    {"name": name, "shop_name": shop})})
            data = client.execute(queries.WEBHOOK_CREATE, {"data": self._shiphero_account_data(
                {"name": name, "url": url, "shop_name": shop})})
            hook = (data.get("webhook_create") or {}).get("webhook") or {}
            self._shiphero_keep_subscription(name, shop, hook, url)
            created.append(name)
        self._shiphero_check_subscriptions(client)
        return self._notification(self.env._("%(count)s webhooks registered: %(names)s",
                                             count=len(created), names=", ".join(created) or "-"))

    def _shiphero_keep_subscription(self, name, shop, hook, url):
        if not hook.get("shared_signature_secret"):
            raise UserError(self.env._("ShipHero did not answer the secret of %s.", name))
        Subscription = self.env["shiphero.webhook.subscription"].sudo()
        existing = Subscription.search([("credential_id", "=", self.id), ("name", "=", name),
                                        ("shop_name", "=", shop)])
        values = {"external_id": hook.get("id"), "url": url,
                  "secret": hook["shared_signature_secret"]}
        if existing:
            existing.write(values)
        else:
            Subscription.create(dict(values, credential_id=self.id, name=name, shop_name=shop))

    def _shiphero_account_data(self, data):
        if self.shiphero_customer_account_id:
            data["customer_account_id"] = self.shiphero_customer_account_id
        return data

    def _shiphero_registered_webhooks(self, client):
        variables = {}
        if self.shiphero_customer_account_id:
            variables["customer_account_id"] = self.shiphero_customer_account_id
        data = client.execute(queries.WEBHOOKS, variables)
        return {(hook.get("name"), hook.get("shop_name")): hook
                for hook in mapping.nodes((data.get("webhooks") or {}).get("data"))}

    def _shiphero_check_subscriptions(self, client=None):
        """What is registered at ShipHero vs what we need (the five events, our URL, a
        secret kept); stored on the account as a sentence. Returns the missing ones."""
        self.ensure_one()
        registered = self._shiphero_registered_webhooks(client or ShipheroClient(self))
        shop = self.shiphero_webhook_shop_name or "odoo"
        url = self._shiphero_webhook_target_url()
        secrets = {s.name for s in self.sudo().shiphero_subscription_ids if s.secret}
        missing = [name for name in const.WEBHOOK_EVENTS
                   if (registered.get((name, shop)) or {}).get("url") != url
                   or name not in secrets]
        self.shiphero_webhook_state = (
            self.env._("Healthy: all %s subscriptions registered.", len(const.WEBHOOK_EVENTS))
            if not missing else self.env._("Missing or wrong: %s", ", ".join(missing)))
        return missing

    def action_shiphero_check_subscriptions(self):
        missing = self._shiphero_check_subscriptions()
        return self._notification(self.shiphero_webhook_state,
                                  "warning" if missing else "success")

    def action_shiphero_repair_subscriptions(self):
        return self.action_shiphero_register_webhooks()
