"""Webhooks: channel_base's route verifies the HMAC (base64 of HMAC-SHA256 over the raw
body, keyed with the app's client secret, in X-Shopify-Hmac-Sha256), stores each delivery
once per ``X-Shopify-Event-Id`` + topic and answers at once; the job applies it.
https://shopify.dev/docs/apps/build/webhooks/verify-deliveries ;
https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates
"""

from odoo import fields, models

from odoo.addons.channel_base.exceptions import PermanentError
from odoo.addons.channel_base.models.integration_credential_verification import header_value

from .. import const, mapping
from ..client import ShopifyClient, raise_user_errors
from ..orders_stream import fetch_order
from ..queries import WEBHOOK_CREATE, WEBHOOKS


class ShopifyComplianceRequest(models.Model):
    """A mandatory compliance webhook received (customers/data_request, customers/redact,
    shop/redact), and what was done about it."""

    _name = "shopify.compliance.request"
    _description = "Shopify Compliance Request"
    _order = "id desc"

    credential_id = fields.Many2one("integration.credential", "Account", required=True,
                                    ondelete="cascade", index=True)
    topic = fields.Char(required=True, readonly=True)
    shop_domain = fields.Char(readonly=True)
    customer_email = fields.Char(readonly=True)
    order_ids = fields.Char("Shopify Orders", readonly=True)
    outcome = fields.Text(readonly=True)


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ verification

    def _webhook_signature_header(self):
        if self.platform != const.PLATFORM:
            return super()._webhook_signature_header()
        return const.HMAC_HEADER

    def _webhook_signing_secret(self):
        if self.platform != const.PLATFORM:
            return super()._webhook_signing_secret()
        return self.sudo()._secret("shopify_client_secret")

    def _webhook_signature_encoding(self):
        if self.platform != const.PLATFORM:
            return super()._webhook_signature_encoding()
        return "base64"

    def _webhook_delivery_id(self, payload, raw_body, headers):
        if self.platform != const.PLATFORM:
            return super()._webhook_delivery_id(payload, raw_body, headers)
        event_id = header_value(headers, const.EVENT_ID_HEADER)
        if not event_id:
            return super()._webhook_delivery_id(payload, raw_body, headers)
        return f"{event_id}:{header_value(headers, const.TOPIC_HEADER) or ''}"

    def _webhook_event_type(self, payload, headers):
        if self.platform != const.PLATFORM:
            return super()._webhook_event_type(payload, headers)
        return header_value(headers, const.TOPIC_HEADER) or False

    def _followed_url_extra_bases(self):
        if self.platform != const.PLATFORM:
            return super()._followed_url_extra_bases()
        return [*super()._followed_url_extra_bases(), "https://storage.googleapis.com"]

    # ------------------------------------------------------------------ processing

    def _process_webhook_event(self, event):
        if self.platform != const.PLATFORM:
            return super()._process_webhook_event(event)
        topic = event.event_type
        payload = event._payload()
        if topic in const.ORDER_TOPICS:
            return self._shopify_webhook_order(payload)
        handlers = {
            "app/uninstalled": self._shopify_webhook_uninstalled,
            "bulk_operations/finish": self._shopify_webhook_bulk_finish,
            "inventory_levels/update": self._shopify_webhook_inventory,
            "products/update": self._shopify_webhook_product,
        }
        if topic in const.COMPLIANCE_TOPICS:
            return self._shopify_compliance(topic, payload)
        if topic not in handlers:
            raise PermanentError(self.env._("Unexpected Shopify topic %s.", topic))
        return handlers[topic](payload)

    def _shopify_webhook_order(self, payload):
        """Order webhooks carry the REST representation: it only tells us which order
        changed; the order is read again through GraphQL (the one mapping we keep) and
        imported like a page, so an older delivery changes nothing."""
        number = payload.get("id") if isinstance(payload, dict) else None
        if not number:
            raise PermanentError(self.env._("Order webhook without an order id."))
        order = fetch_order(self, mapping.gid("Order", number))
        if order is None:
            return {"skipped": "order not found on Shopify"}
        return self._shopify_import_orders([order])

    def _shopify_webhook_uninstalled(self, payload):
        self.sudo().shopify_uninstalled = True
        self._mark_reconnect_needed(self.env._(
            "The app was uninstalled from the Shopify shop: install it again and set the "
            "new access token"))
        return {"paused": True}

    def _shopify_webhook_bulk_finish(self, payload):
        operation = payload.get("admin_graphql_api_id") if isinstance(payload, dict) else None
        if operation and operation == self.shopify_bulk_operation_id:
            self._enqueue_job(const.OP_BULK_POLL, payload={"id": operation},
                              dedup_key=f"shopify.bulk_poll:{self.id}", priority=5)
            return {"queued": "bulk result import"}
        return {"skipped": "not our running bulk operation"}

    def _shopify_webhook_inventory(self, payload):
        """Shopify changed a quantity (a sale, a person): forget our compare value so the
        next push re-reads it; Odoo stays the source of truth for what it publishes."""
        item = mapping.gid("InventoryItem", (payload or {}).get("inventory_item_id"))
        location = mapping.gid("Location", (payload or {}).get("location_id"))
        levels = self.env["shopify.inventory.level"].search([
            ("credential_id", "=", self.id), ("inventory_item_gid", "=", item),
            ("location_gid", "=", location)])
        if levels and payload.get("available") is not None:
            levels.quantity = int(payload["available"])
        self._shopify_queue_inventory_push()
        return {"updated": len(levels)}

    def _shopify_webhook_product(self, payload):
        bindings = self.env["channel.product.binding"].search([
            ("credential_id", "=", self.id),
            ("external_sku", "=", mapping.gid("Product", (payload or {}).get("id")))])
        return {"skipped": "Odoo is the source of truth for the products it publishes",
                "bound": len(bindings)}

    # ------------------------------------------------------------------ compliance

    def _shopify_compliance(self, topic, payload):
        payload = payload if isinstance(payload, dict) else {}
        customer = payload.get("customer") or {}
        orders = [str(number) for number in payload.get("orders_to_redact")
                  or payload.get("orders_requested") or []]
        outcome = {"customers/data_request": self._shopify_data_request,
                   "customers/redact": self._shopify_redact_customer,
                   "shop/redact": self._shopify_redact_shop}[topic](customer, orders)
        self.env["shopify.compliance.request"].sudo().create({
            "credential_id": self.id, "topic": topic, "shop_domain": payload.get("shop_domain"),
            "customer_email": customer.get("email") if topic != "customers/redact" else False,
            "order_ids": ", ".join(orders), "outcome": outcome})
        return {"recorded": topic}

    def _shopify_partners_of(self, email, orders):
        sales = self.env["sale.order"].search([("channel_credential_id", "=", self.id),
                                               ("channel_external_id", "in", orders)])
        partners = sales.partner_id | sales.partner_shipping_id
        if email:
            partners |= self.env["res.partner"].search([("email", "=ilike", email)])
        return partners, sales

    def _shopify_data_request(self, customer, orders):
        partners, sales = self._shopify_partners_of(customer.get("email"), orders)
        return self.env._("Data held: %(partners)s partner(s), orders %(orders)s. Send it to "
                          "the shop owner within 30 days.", partners=len(partners),
                          orders=", ".join(sales.mapped("name")) or "none")

    def _shopify_redact_customer(self, customer, orders):
        partners, sales = self._shopify_partners_of(customer.get("email"), orders)
        partners = partners.filtered(lambda p: not p.user_ids and p != self.company_id.partner_id)
        partners.write({"name": self.env._("Redacted Shopify customer"), "email": False,
                        "phone": False, "street": False, "street2": False, "zip": False,
                        "city": False, "vat": False, "comment": False})
        return self.env._("Redacted %(count)s partner(s) of orders %(orders)s.",
                          count=len(partners), orders=", ".join(sales.mapped("name")) or "none")

    def _shopify_redact_shop(self, customer, orders):
        sales = self.env["sale.order"].search([("channel_credential_id", "=", self.id)])
        partners = (sales.partner_id | sales.partner_shipping_id).filtered(
            lambda p: not p.user_ids and p != self.company_id.partner_id)
        return self._shopify_redact_customer({}, sales.mapped("channel_external_id")) \
            if partners else self.env._("No customer data held.")

    # ------------------------------------------------------------------ subscriptions

    def _shopify_callback_url(self):
        return self.sudo().webhook_url

    def _shopify_registered_topics(self):
        """{topic enum: callback URL} of the shop's subscriptions."""
        client, after, found = ShopifyClient(self), None, {}
        while True:
            answer = client.execute(WEBHOOKS, {"after": after})["webhookSubscriptions"]
            for node in mapping.nodes(answer):
                found[node["topic"]] = (node.get("endpoint") or {}).get("callbackUrl")
            info = answer.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                return found
            after = info.get("endCursor")

    def _shopify_missing_topics(self):
        url = self._shopify_callback_url()
        registered = self._shopify_registered_topics()
        return [topic for topic, enum in const.TOPICS.items() if registered.get(enum) != url]

    def _shopify_check_webhooks(self, job=None):
        """Registered vs required (the daily health stream, and Check Webhooks); a newly
        missing subscription (Shopify deletes failing ones) is said in the chatter."""
        missing = self._shopify_missing_topics()
        text = ", ".join(missing) or False
        if text and text != self.shopify_webhooks_missing:
            self.message_post(body=self.env._(
                "Webhook subscriptions missing on Shopify: %s. Press Register / Repair "
                "Webhooks.", text))
        self.sudo().write({"shopify_webhooks_missing": text,
                           "shopify_webhooks_checked_at": fields.Datetime.now()})
        return {"missing": missing}

    def action_shopify_check_webhooks(self):
        self.ensure_one()
        missing = self._shopify_check_webhooks()["missing"]
        if missing:
            return self._notification(self.env._("Missing webhooks: %s. Press Register "
                                                 "Webhooks to repair.", ", ".join(missing)),
                                      kind="warning")
        return self._notification(self.env._("Every required webhook is registered."))

    def action_shopify_register_webhooks(self):
        """Register (repair) every required subscription that is missing."""
        self.ensure_one()
        client = ShopifyClient(self)
        missing = self._shopify_missing_topics()
        for topic in missing:
            answer = client.execute(WEBHOOK_CREATE, {
                "topic": const.TOPICS[topic],
                "sub": {"callbackUrl": self._shopify_callback_url(), "format": "JSON"}})
            raise_user_errors(answer["webhookSubscriptionCreate"], f"webhook {topic}")
        self.sudo().write({"shopify_webhooks_missing": False,
                           "shopify_webhooks_checked_at": fields.Datetime.now()})
        self.message_post(body=self.env._("Webhooks registered: %s.",
                                          ", ".join(missing) or "none missing"))
        return self._notification(self.env._("%s webhook(s) registered.", len(missing)))

