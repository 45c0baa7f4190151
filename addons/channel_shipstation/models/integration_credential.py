import hashlib
import json
import logging
from collections import Counter

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

from odoo.addons.channel_base.exceptions import ChannelError, PermanentError, TransientError
from odoo.addons.channel_base.tools import utc_window_start

from .. import mapping, signature
from ..client import ShipStationClient
from ..const import (
    DEFAULT_SOURCE_PLATFORMS,
    JWKS_URL,
    MAX_ORDERS_PER_REQUEST,
    OP_EXPORT,
    OP_POLL,
    PLATFORM,
    RATE_LIMIT_PERIOD,
    RATE_LIMIT_REQUESTS,
    SEND_ON,
    SHIPMENTS_CURSOR,
    SHIPSTATION_TZ,
    SINGLE_SHIPMENT_EVENT,
    V1_BASE_URL,
    V1_SHIP_NOTIFY,
    V2_BASE_URL,
    V2_FULFILLMENT_SHIPPED,
    V2_FULFILLMENT_SHIPPED_TYPE,
    WEIGHT_UNITS,
)
from .stock_picking import NO_EXPORT

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "channel_base.group_integration_manager"
UNMATCHED_DELIVERY_PREFIX = "shipment:"


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"

    platform = fields.Selection(
        selection_add=[(PLATFORM, "ShipStation")], ondelete={PLATFORM: "cascade"}
    )
    shipstation_api_key = fields.Char("API Key (V1)", groups=MANAGER_GROUP)
    shipstation_api_secret = fields.Char("API Secret (V1)", groups=MANAGER_GROUP)
    shipstation_v2_api_key = fields.Char(
        "API Key (V2)", groups=MANAGER_GROUP,
        help="Optional. Needed only to register the signed fulfillment_shipped_v2 webhook.",
    )
    shipstation_v2_base_url = fields.Char(
        "V2 API Base URL", default=V2_BASE_URL,
        help="Where the V2 webhook calls go; point it at the simulator to try without an "
        "account.",
    )
    shipstation_jwks_url = fields.Char(
        "V2 Signing Keys (JWKS) URL", default=JWKS_URL,
        help="Public keys that verify the RSA signature of V2 webhook deliveries.",
    )
    shipstation_store_id = fields.Char(
        "Store ID",
        help="ShipStation store the orders are created in; webhooks and polling are limited "
        "to it. Set it when the account has other stores (Shopify, Amazon...).",
    )
    shipstation_send_on = fields.Selection(
        SEND_ON, "Send Transfers", default="picking_ready",
        help="When an outgoing transfer becomes a ShipStation order. Changes and "
        "cancellations of transfers already sent are pushed whatever this says.",
    )
    shipstation_warehouse_ids = fields.Many2many(
        "stock.warehouse", string="Warehouses",
        help="Send the outgoing transfers of these warehouses (all when empty).",
    )
    shipstation_picking_type_ids = fields.Many2many(
        "stock.picking.type", string="Operation Types", domain=[("code", "=", "outgoing")],
        help="Send only these operation types (overrides the warehouses when set).",
    )
    shipstation_source_credential_ids = fields.Many2many(
        "integration.credential", "shipstation_source_credential_rel",
        "shipstation_credential_id", "source_credential_id", string="Fulfil Orders From",
        domain="[('platform', 'not in', ('shipstation', False)), ('company_id', '=', company_id)]",
        help="Transfers of sale orders imported from these channel accounts are sent. A new "
        "account starts with the company's IQ Reseller accounts, and an IQ Reseller account "
        "created later is added to it. Shopify and eBay orders reach ShipStation directly: "
        "add them only if Odoo ships them.",
    )
    shipstation_fulfil_own_orders = fields.Boolean(
        "Fulfil Odoo's Own Sale Orders",
        help="Also send transfers of sale orders entered in Odoo (not imported from a channel).",
    )
    shipstation_start_date = fields.Datetime(
        "Send Transfers Created From", default=fields.Datetime.now,
        help="Transfers created before this moment are never sent automatically (by default "
        "the creation of the account, so the first run does not send the company's history).",
    )
    shipstation_next_run_count = fields.Integer(
        "Transfers to Send", compute="_compute_shipstation_next_run_count",
        help="Transfers the next run will send: the sweep of the cron (or, when sending "
        "manually only, Send Ready Transfers Now).",
    )
    shipstation_weight_unit = fields.Selection(WEIGHT_UNITS, "Weight Unit", default="ounces")
    shipstation_service_map_ids = fields.One2many(
        "shipstation.service.map", "credential_id", string="Shipping Services"
    )
    shipstation_poll_overlap_minutes = fields.Integer(
        "Polling Overlap (minutes)", default=30,
        help="Each poll looks this far behind the last successful one, so a shipment "
        "created while a poll was running, or in an ambiguous DST hour, is never missed.",
    )
    shipstation_poll_initial_days = fields.Integer(
        "First Poll Looks Back (days)", default=3
    )
    shipstation_rate_limit = fields.Integer(
        "Requests per Window", default=RATE_LIMIT_REQUESTS,
        help="ShipStation V1 allows 40 requests a minute per API key.",
    )
    shipstation_rate_period = fields.Integer(
        "Window (seconds)", default=RATE_LIMIT_PERIOD
    )
    shipstation_v1_webhook_id = fields.Char("SHIP_NOTIFY Webhook ID", readonly=True, copy=False)
    shipstation_v2_webhook_id = fields.Char("V2 Webhook ID", readonly=True, copy=False)
    shipstation_shipment_count = fields.Integer(compute="_compute_shipstation_shipment_count")

    def _compute_shipstation_shipment_count(self):
        counts = dict(self.env["shipstation.shipment"]._read_group(
            [("credential_id", "in", self.ids)], ["credential_id"], ["__count"]))
        for credential in self:
            credential.shipstation_shipment_count = counts.get(credential, 0)

    def _compute_shipstation_next_run_count(self):
        Picking = self.env["stock.picking"].sudo()
        for credential in self:
            domain = credential._shipstation_next_run_domain() \
                if credential.platform == PLATFORM and credential.id else None
            credential.shipstation_next_run_count = Picking.search_count(domain) \
                if domain is not None else 0

    # ------------------------------------------------------------------ defaults

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("platform") == PLATFORM:
                # V1 timestamps are Pacific without offset: not a user choice.
                vals["source_timezone"] = SHIPSTATION_TZ
                if "shipstation_source_credential_ids" not in vals:
                    company_id = vals.get("company_id") or self.env.company.id
                    vals["shipstation_source_credential_ids"] = [fields.Command.set(
                        self._shipstation_default_sources(company_id).ids)]
        credentials = super().create(vals_list)
        credentials.filtered(
            lambda c: c.platform in DEFAULT_SOURCE_PLATFORMS)._shipstation_join_accounts()
        return credentials

    @api.onchange("platform", "company_id")
    def _onchange_shipstation_sources(self):
        if self.platform == PLATFORM and not self.shipstation_source_credential_ids:
            self.shipstation_source_credential_ids = self._shipstation_default_sources(
                self.company_id.id)

    @api.model
    def _shipstation_default_sources(self, company_id):
        return self.sudo().search([("platform", "in", DEFAULT_SOURCE_PLATFORMS),
                                   ("company_id", "=", company_id)])

    def _shipstation_join_accounts(self):
        """A new IQ Reseller account is fulfilled by the company's ShipStation accounts, as
        the ones created before it were by default (they can remove it)."""
        for source in self:
            accounts = self.sudo().search([("platform", "=", PLATFORM),
                                           ("company_id", "=", source.company_id.id)])
            for account in accounts:
                account.shipstation_source_credential_ids = [fields.Command.link(source.id)]
                account.message_post(body=self.env._(
                    "Orders of %(account)s are now sent to ShipStation (Fulfil Orders From).",
                    account=source.name))

    def write(self, vals):
        result = super().write(vals)
        if "source_timezone" in vals or "platform" in vals:
            wrong = self.filtered(
                lambda c: c.platform == PLATFORM and c.source_timezone != SHIPSTATION_TZ)
            if wrong:
                super(IntegrationCredential, wrong).write({"source_timezone": SHIPSTATION_TZ})
        return result

    def _default_api_base_url(self):
        if self.platform == PLATFORM:
            return V1_BASE_URL
        return super()._default_api_base_url()

    # ------------------------------------------------------------------ jobs

    def _execute_sync_job(self, job):
        if self.platform != PLATFORM:
            return super()._execute_sync_job(job)
        handlers = {
            OP_EXPORT: self._shipstation_export_pickings,
            OP_POLL: self._shipstation_poll_shipments,
        }
        if job.operation not in handlers:
            return super()._execute_sync_job(job)
        return handlers[job.operation](job)

    def _on_sync_job_failed(self, job):
        """Batch jobs target the credential; a batch that failed as a whole (validation
        error of the request, retries exhausted) marks each of its transfers."""
        parent = getattr(super(), "_on_sync_job_failed", None)
        if parent:
            parent(job)
        if self.platform != PLATFORM or job.operation != OP_EXPORT:
            return
        pickings = self.env["stock.picking"].browse(
            (job.payload or {}).get("picking_ids") or []).exists()
        pickings._shipstation_mark_failed(job.last_error)

    # ------------------------------------------------------------------ which transfers

    def _shipstation_accepts(self, picking):
        """Whether this account ships ``picking`` (outgoing, same company, configured
        warehouse or operation type, not bound to another channel)."""
        self.ensure_one()
        if picking.picking_type_code != "outgoing" or picking.company_id != self.company_id:
            return False
        if picking.channel_credential_id and picking.channel_credential_id != self:
            return False
        if self.shipstation_picking_type_ids:
            return picking.picking_type_id in self.shipstation_picking_type_ids
        if self.shipstation_warehouse_ids:
            return picking.picking_type_id.warehouse_id in self.shipstation_warehouse_ids
        return True

    def _shipstation_picking_domain(self):
        self.ensure_one()
        domain = [
            ("picking_type_code", "=", "outgoing"),
            ("company_id", "=", self.company_id.id),
            ("channel_credential_id", "in", [False, self.id]),
        ]
        if self.shipstation_picking_type_ids:
            domain.append(("picking_type_id", "in", self.shipstation_picking_type_ids.ids))
        elif self.shipstation_warehouse_ids:
            domain.append(
                ("picking_type_id.warehouse_id", "in", self.shipstation_warehouse_ids.ids))
        return domain

    def _shipstation_fulfils(self, picking):
        """Whether this account is configured to fulfil ``picking``'s order: from a channel
        chosen in Fulfil Orders From, or one of Odoo's own sale orders if ticked, and
        created since the start date. Only decides for transfers not sent yet."""
        self.ensure_one()
        if self.shipstation_start_date and picking.create_date \
                and picking.create_date < self.shipstation_start_date:
            return False
        sale = picking.sale_id
        if not sale:
            return False
        if sale.channel_credential_id:
            return sale.channel_credential_id in self.shipstation_source_credential_ids
        return self.shipstation_fulfil_own_orders

    def _shipstation_fulfil_domain(self):
        """``_shipstation_fulfils`` as a stock.picking domain."""
        self.ensure_one()
        sources = [("sale_id.channel_credential_id", "in",
                    self.shipstation_source_credential_ids.ids)]
        if self.shipstation_fulfil_own_orders:
            sources = expression.OR([sources, [("sale_id", "!=", False),
                                               ("sale_id.channel_credential_id", "=", False)]])
        if self.shipstation_start_date:
            start = fields.Datetime.to_string(self.shipstation_start_date)
            sources = expression.AND([sources, [("create_date", ">=", start)]])
        return sources

    def _shipstation_next_run_domain(self):
        """The transfers the next run sends (the cron sweep; when sending manually only,
        Send Ready Transfers Now), or None when no run will send anything."""
        self.ensure_one()
        if self.reconnect_needed and self.shipstation_send_on != "manual":
            return None
        if self.shipstation_send_on == "manual":
            return self._shipstation_unsent_domain(ready_only=True, include_failed=True)
        return self._shipstation_unsent_domain(
            ready_only=self.shipstation_send_on == "picking_ready")

    def _shipstation_unsent_domain(self, ready_only=True, include_failed=False):
        """Transfers this account fulfils that were never sent (the sweeps)."""
        domain = self._shipstation_picking_domain() + [("shipstation_order_id", "=", False)]
        domain = expression.AND([domain, self._shipstation_fulfil_domain()])
        if ready_only:
            domain.append(("state", "=", "assigned"))
        else:
            domain += [("state", "in", ("confirmed", "waiting", "assigned")),
                       ("sale_id.state", "=", "sale")]
        if not include_failed:
            domain.append(("channel_sync_state", "!=", "error"))
        return domain

    @api.model
    def _shipstation_credential_for(self, picking, credentials, asked=False):
        """The first of ``credentials`` (ShipStation accounts) that ships ``picking``. A
        transfer not bound yet must be one the account fulfils, unless a person ``asked``
        for it (the Send to ShipStation button)."""
        if picking.channel_credential_id:
            bound = picking.channel_credential_id.with_env(credentials.env)
            return bound if bound in credentials else self.browse()
        return next((c for c in credentials if c._shipstation_accepts(picking)
                     and (asked or c._shipstation_fulfils(picking))), self.browse())

    # ------------------------------------------------------------------ export

    def _shipstation_enqueue_exports(self, pickings):
        """Mark ``pickings`` to send and queue them in jobs of at most 100 (one createorders
        call each); return the jobs that will send them. A transfer already waiting in a
        queued job is not queued twice: that job reads it when it runs."""
        self.ensure_one()
        # Bookkeeping on the queue is ours, whoever confirmed the order or reserved stock.
        pickings = pickings.with_env(self.env).with_context(**{NO_EXPORT: True})
        pickings.write({"shipstation_export_pending": True, "channel_credential_id": self.id,
                        "channel_sync_state": "pending"})
        queued = pickings.filtered(lambda p: p.shipstation_export_job_id.state == "pending")
        jobs = queued.shipstation_export_job_id
        for ids in mapping.chunked((pickings - queued).sorted("id").ids,
                                   MAX_ORDERS_PER_REQUEST):
            digest = hashlib.sha1(",".join(map(str, ids)).encode()).hexdigest()[:16]  # noqa: S324
            job = self._enqueue_job(
                OP_EXPORT, record=self, payload={"picking_ids": ids},
                dedup_key=f"{OP_EXPORT}:{self.id}:{digest}",
                name=self.env._("Send %(count)s transfer(s) to ShipStation", count=len(ids)),
                # Below imports (10): a burst of confirmations is sent in full batches.
                priority=5,
            )
            pickings.browse(ids).write({"shipstation_export_job_id": job.id})
            jobs |= job
        return jobs

    def _shipstation_pickings_to_export(self, job):
        """The job's transfers still waiting, topped up to 100 with others waiting for this
        account: transfers queued one by one (an import confirming orders one at a time)
        still leave in full batches, and the jobs they left behind find nothing to send."""
        Picking = self.env["stock.picking"]
        own = Picking.browse((job.payload or {}).get("picking_ids") or []).exists().filtered(
            "shipstation_export_pending")
        room = MAX_ORDERS_PER_REQUEST - len(own)
        others = Picking.search([
            ("channel_credential_id", "=", self.id), ("shipstation_export_pending", "=", True),
            ("id", "not in", own.ids)], order="id", limit=room) if room > 0 else Picking
        candidates = own | others
        if not candidates:
            return candidates
        # Two jobs sweeping at once must not both send a transfer.
        self.env.cr.execute("SELECT id FROM stock_picking WHERE id IN %s FOR UPDATE SKIP LOCKED",
                            [tuple(candidates.ids)])
        locked = {row[0] for row in self.env.cr.fetchall()}
        return candidates.filtered(lambda picking: picking.id in locked)

    def _shipstation_export_pickings(self, job):
        pickings = self._shipstation_pickings_to_export(job)
        if not pickings:
            return {"sent": 0, "note": "already sent with another batch"}
        pickings.with_context(**{NO_EXPORT: True}).write({"shipstation_export_pending": False})
        database_uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        orders, failed, skipped = [], {}, {}
        for picking in pickings:
            reason = picking._shipstation_skip_reason(self)
            if reason:
                skipped[picking] = reason
                continue
            try:
                values = picking._shipstation_order_values(self, database_uuid)
                orders.append((picking, mapping.order_payload(values)))
            except (ValueError, UserError) as error:
                failed[picking] = str(error.args[0] if error.args else error)
        client = ShipStationClient(self)
        sent = 0
        for batch in mapping.chunked(orders, MAX_ORDERS_PER_REQUEST):
            answer = client.create_orders([payload for _picking, payload in batch])
            results = mapping.results_by_order_key(answer)
            for picking, payload in batch:
                no_result = (False, None, self.env._("ShipStation returned no result."))
                success, order_id, message = results.get(payload["orderKey"], no_result)
                if success:
                    picking._shipstation_mark_sent(self, payload, order_id)
                    sent += 1
                else:
                    failed[picking] = message or self.env._("Refused by ShipStation.")
        for picking, message in failed.items():
            picking._shipstation_mark_failed(message)
        for picking, reason in skipped.items():
            picking._shipstation_mark_skipped(reason)
        return {
            "sent": sent,
            "failed": {picking.name: message for picking, message in failed.items()},
            "skipped": {picking.name: reason for picking, reason in skipped.items()},
        }

    # ------------------------------------------------------------------ shipments in

    def _shipstation_apply_shipments(self, shipments):
        """Apply ``[(Shipment, raw V1 dict or None)]``, grouped by order, then validate the
        transfers they shipped together; an unmatched shipment is kept as a failed event a
        person can replay. Returns the count of each outcome."""
        groups = {}
        for info, raw in shipments:
            order = info.order_key or info.order_number or info.shipment_id
            groups.setdefault(order, []).append((info, raw))
        outcomes, plans = Counter(), []
        try:
            for group in groups.values():
                results, plan, refusal = self.env["shipstation.shipment"]._shipstation_apply(
                    self, [info for info, _raw in group])
                for info, raw in group:
                    outcomes[results[info.shipment_id]] += 1
                    if results[info.shipment_id] == "unmatched" and raw is not None:
                        self._shipstation_record_unmatched(info, raw, refusal)
                same = next((other for other in plans if plan and other.picking == plan.picking),
                            None)
                if same:  # two orders on one transfer (orderNumber fallback)
                    same.merge(plan)
                elif plan:
                    plans.append(plan)
            self.env["stock.picking"]._shipstation_validate_plans(plans)
            self.env.flush_all()
        except psycopg2.errors.UniqueViolation:
            # Another worker applied the same shipment at the same moment (webhook and
            # poll): retry; the next attempt finds it applied and changes nothing.
            raise TransientError(self.env._(
                "These shipments are being applied by another worker; will retry.")) from None
        return dict(outcomes)

    def _shipstation_apply_one(self, info):
        return self._shipstation_apply_shipments([(info, None)])

    def _shipstation_record_unmatched(self, info, raw, refusal=None):
        body = json.dumps({"resource_type": SINGLE_SHIPMENT_EVENT, "shipment": raw})
        error = self.env._(
            "No transfer for ShipStation shipment %(shipment)s (orderKey %(key)s, orderNumber "
            "%(number)s, tracking %(tracking)s). Replay this event once the transfer exists.",
            shipment=info.shipment_id, key=info.order_key or "-",
            number=info.order_number or "-", tracking=info.tracking_number or "-",
        )
        if refusal:
            error = self.env._(
                "ShipStation shipment %(shipment)s (orderKey %(key)s, orderNumber %(number)s, "
                "tracking %(tracking)s) was not applied: %(refusal)s. Replay this event once "
                "that is fixed (e.g. the Store ID set).",
                shipment=info.shipment_id, key=info.order_key or "-",
                number=info.order_number or "-", tracking=info.tracking_number or "-",
                refusal=refusal,
            )
        self.env["channel.webhook.event"]._store_delivery(
            self, UNMATCHED_DELIVERY_PREFIX + info.shipment_id, SINGLE_SHIPMENT_EVENT, {},
            body, state="failed", error=error,
        )
        _logger.warning("ShipStation credential %s: %s", self.id, error)

    def _shipstation_store_refusal(self, info):
        """Why a shipment whose orderKey is not ours must not be matched by its order
        number, or None. Order numbers are only unique within a store (another store of the
        account may be a marketplace using the same numbers), so the shipment must be in
        this account's store: as the shipment shows it, else as its V1 order says."""
        self.ensure_one()
        ours = mapping.int_or_none(self.shipstation_store_id)
        if ours is None:
            return self.env._(
                "its orderKey is not one of this account's orders, and an order number alone "
                "is only trusted when the account's Store ID is set")
        if info.store_id is None and info.order_id:
            info.store_id = self._shipstation_order_store(info.order_id)
        if info.store_id != ours:
            return self.env._(
                "its orderKey is not one of this account's orders and it belongs to store "
                "%(store)s, not this account's store %(ours)s",
                store=info.store_id or self.env._("(unknown)"), ours=ours)
        return None

    def _shipstation_order_store(self, order_id):
        """The store of a V1 order (``advancedOptions.storeId``), or None if not found."""
        try:
            order = ShipStationClient(self).get_order(order_id) or {}
        except PermanentError:
            return None
        advanced = order.get("advancedOptions") if isinstance(order, dict) else None
        return mapping.int_or_none((advanced or {}).get("storeId"))

    # ------------------------------------------------------------------ polling

    def _shipstation_poll_shipments(self, job):
        """List shipments created (and labels voided) since the last successful poll,
        minus an overlap, and apply them. The cursor moves in this transaction."""
        started = fields.Datetime.now()
        cursor = self._get_cursor(SHIPMENTS_CURSOR)
        since = utc_window_start(
            cursor.last_success_at, (self.shipstation_poll_overlap_minutes or 0) * 60,
            self.shipstation_poll_initial_days or 1,
        )
        since_text = mapping.to_pacific_text(since)
        filters = {"storeId": self.shipstation_store_id} if self.shipstation_store_id else {}
        client = ShipStationClient(self)
        created = self._shipstation_list_all(
            client, dict(filters, createDateStart=since_text, sortBy="CreateDate", sortDir="ASC"))
        voided = self._shipstation_list_all(client, dict(filters, voidDateStart=since_text))
        # A label listed twice (created and voided in the window): its latest state wins.
        latest = {str(raw.get("shipmentId")): raw for raw in created + voided}
        outcomes = self._shipstation_apply_shipments(self._shipstation_parse_v1(
            latest.values(), listed_store=filters.get("storeId")))
        self._set_cursor(SHIPMENTS_CURSOR, value=mapping.to_pacific_text(started),
                         success_at=started)
        return dict(outcomes, since=since_text, listed=len(latest))

    def _shipstation_list_all(self, client, filters):
        shipments, page = [], 1
        while True:
            answer = client.list_shipments(page=page, **filters) or {}
            shipments += answer.get("shipments") or []
            if page >= (answer.get("pages") or 1):
                return shipments
            page += 1

    @api.model
    def _shipstation_parse_v1(self, raws, listed_store=None):
        """[(Shipment, raw)]; ``listed_store``: the storeId the listing was filtered on, the
        store of shipments that do not show theirs."""
        parsed = []
        for raw in raws:
            try:
                info = mapping.shipment_from_v1(raw)
                if info.store_id is None:
                    info.store_id = mapping.int_or_none(listed_store)
                parsed.append((info, raw))
            except ValueError as error:
                raise PermanentError(self.env._(
                    "Unreadable ShipStation shipment %(raw)s: %(error)s",
                    raw=json.dumps(raw)[:300], error=error)) from None
        return parsed

    # ------------------------------------------------------------------ webhooks

    def _webhook_authenticate(self, raw_body, headers, query):
        """The URL token is required on every delivery, V2 included: ShipEngine signs every
        customer's deliveries with the same keys, so a valid signature only proves that
        ShipStation sent it, not that it is about this account. A signature, when present,
        must verify too."""
        if self.platform != PLATFORM:
            return super()._webhook_authenticate(raw_body, headers, query)
        if not super()._webhook_authenticate(raw_body, headers, query):
            _logger.warning("ShipStation delivery for credential %s refused: token missing or "
                            "wrong", self.id)
            return False
        if not signature.has_v2_signature(headers):
            return True
        try:
            signature.verify(raw_body, headers, self.shipstation_jwks_url or JWKS_URL,
                             ShipStationClient(self).fetch_jwks)
        except signature.SignatureError as error:
            _logger.warning("ShipStation V2 delivery for credential %s refused: %s",
                            self.id, error)
            return False
        except ChannelError as error:
            _logger.warning("ShipStation V2 delivery for credential %s refused: signing keys "
                            "unavailable (%s)", self.id, error)
            return False
        return True

    def _webhook_delivery_id(self, payload, raw_body, headers):
        if self.platform != PLATFORM or not isinstance(payload, dict):
            return super()._webhook_delivery_id(payload, raw_body, headers)
        resource_type = payload.get("resource_type")
        data = payload.get("data")
        if resource_type == V1_SHIP_NOTIFY and payload.get("resource_url"):
            # A redelivery of the same batch carries the same resource_url.
            return "v1:" + str(payload["resource_url"])[:400]
        if isinstance(data, dict) and data.get("shipment_id"):
            return f"v2:{resource_type}:{data['shipment_id']}"
        return super()._webhook_delivery_id(payload, raw_body, headers)

    def _process_webhook_event(self, event):
        if self.platform != PLATFORM:
            return super()._process_webhook_event(event)
        payload = event._payload()
        if not isinstance(payload, dict):
            raise PermanentError(self.env._("ShipStation event body is not a JSON object."))
        resource_type = payload.get("resource_type")
        if resource_type == V1_SHIP_NOTIFY:
            return self._shipstation_process_ship_notify(payload)
        if resource_type == V2_FULFILLMENT_SHIPPED_TYPE:
            return self._shipstation_process_fulfillment_shipped(payload)
        if resource_type == SINGLE_SHIPMENT_EVENT and event.delivery_id.startswith(
                UNMATCHED_DELIVERY_PREFIX):
            # Only events this module stored itself: never trust a posted shipment.
            return self._shipstation_replay_unmatched(payload)
        return {"ignored": resource_type}

    def _shipstation_process_ship_notify(self, payload):
        resource_url = payload.get("resource_url")
        refusal = mapping.resource_url_refusal(resource_url, self._get_api_base_url())
        if refusal:
            raise PermanentError(self.env._("SHIP_NOTIFY not followed: %s.", refusal))
        url = mapping.with_query(resource_url, includeShipmentItems="true")
        client = ShipStationClient(self)
        raws, page = [], 1
        while True:
            answer = client.get_resource(mapping.with_query(url, page=page) if page > 1
                                         else url) or {}
            raws += answer.get("shipments") or []
            if page >= (answer.get("pages") or 1):
                break
            page += 1
        return self._shipstation_apply_shipments(self._shipstation_parse_v1(raws))

    def _shipstation_process_fulfillment_shipped(self, payload):
        """A V2 fulfilment event is only a signal: the shipments are read from this
        account's own V1 API (by the order number it names, else by the regular poll),
        never taken from the posted body."""
        order_number = mapping.v2_event_order_number(payload)
        if not order_number:
            self._enqueue_job(OP_POLL, record=self, dedup_key=f"{OP_POLL}:{self.id}",
                              name=self.env._("Poll ShipStation shipments"))
            return {"poll_queued": True}
        filters = {"orderNumber": order_number}
        if self.shipstation_store_id:
            filters["storeId"] = self.shipstation_store_id
        # orderNumber filters may be "starts with" searches: keep the exact matches.
        raws = [raw for raw in self._shipstation_list_all(ShipStationClient(self), filters)
                if str(raw.get("orderNumber") or "") == order_number]
        outcomes = self._shipstation_apply_shipments(
            self._shipstation_parse_v1(raws, listed_store=filters.get("storeId")))
        if not raws:
            # V1 may not list a fresh label yet: the regular poll will catch it.
            self._enqueue_job(OP_POLL, record=self, dedup_key=f"{OP_POLL}:{self.id}",
                              name=self.env._("Poll ShipStation shipments"))
        return dict(outcomes, order_number=order_number, listed=len(raws))

    def _shipstation_replay_unmatched(self, payload):
        ((info, _raw),) = self._shipstation_parse_v1([payload.get("shipment")])
        outcomes = self._shipstation_apply_one(info)
        if outcomes.get("unmatched"):
            raise PermanentError(self.env._(
                "Still no transfer for ShipStation shipment %(shipment)s (orderKey %(key)s, "
                "orderNumber %(number)s).", shipment=info.shipment_id,
                key=info.order_key or "-", number=info.order_number or "-"))
        return outcomes

    # ------------------------------------------------------------------ carriers

    def _shipstation_carrier_for(self, carrier_code, service_code):
        """The Odoo carrier mapped to a ShipStation carrier/service (service match first)."""
        self.ensure_one()
        lines = self.shipstation_service_map_ids.filtered(
            lambda line: line.carrier_code == carrier_code)
        exact = lines.filtered(lambda line: line.service_code == service_code)
        generic = lines.filtered(lambda line: not line.service_code)
        return (exact or generic)[:1].delivery_carrier_id

    def _shipstation_codes_for(self, carrier):
        """(carrierCode, serviceCode) to request for an Odoo carrier, or (None, None)."""
        self.ensure_one()
        line = self.shipstation_service_map_ids.filtered(
            lambda line: line.delivery_carrier_id == carrier)[:1] if carrier else None
        if not line:
            return None, None
        return line.carrier_code, line.service_code or None

    # ------------------------------------------------------------------ connection

    def _test_connection(self):
        if self.platform != PLATFORM:
            return super()._test_connection()
        client = ShipStationClient(self)
        answer = client.ping() or {}
        message = self.env._("ShipStation V1 API reachable (%s orders).", answer.get("total", "?"))
        if self.sudo().shipstation_v2_api_key:
            client.v2_list_webhooks()
            message += " " + self.env._("V2 API key accepted.")
        return message

    # ------------------------------------------------------------------ buttons

    def action_shipstation_register_webhooks(self):
        self.ensure_one()
        self.check_access("write")
        credential = self.sudo()
        target_url = credential.webhook_url
        client = ShipStationClient(credential)
        try:
            v1_id = credential._shipstation_subscribe_v1(client, target_url)
            v2_id = False
            if credential.shipstation_v2_api_key:
                v2_id = credential._shipstation_subscribe_v2(client, target_url)
        except ChannelError as error:
            raise UserError(self.env._(
                "ShipStation refused the webhook registration: %s", error.message)) from None
        credential.write({"shipstation_v1_webhook_id": v1_id, "shipstation_v2_webhook_id": v2_id})
        v2_text = self.env._(", fulfillment_shipped_v2 %s", v2_id) if v2_id else ""
        message = self.env._("Webhooks registered: SHIP_NOTIFY %(v1)s%(v2)s.", v1=v1_id,
                             v2=v2_text)
        self.message_post(body=message)
        return self._notification(message)

    def _shipstation_subscribe_v1(self, client, target_url):
        route = target_url.split("?", 1)[0]
        hook_id = None
        for hook in client.list_webhooks():
            url = hook.get("Url") or ""
            if hook.get("HookType") != V1_SHIP_NOTIFY or url.split("?", 1)[0] != route:
                continue
            if url == target_url and hook_id is None:
                hook_id = hook.get("WebHookID")
            else:
                # Our route with an old token (secret regenerated) or a twin: remove it.
                client.request("DELETE", f"/webhooks/{hook.get('WebHookID')}")
        if hook_id is None:
            answer = client.subscribe_webhook(
                target_url, V1_SHIP_NOTIFY, store_id=mapping.int_or_none(
                    self.shipstation_store_id), friendly_name=f"Odoo {self.name}")
            hook_id = (answer or {}).get("WebHookID") or (answer or {}).get("id")
        return str(hook_id)

    def _shipstation_subscribe_v2(self, client, target_url):
        route = target_url.split("?", 1)[0]
        hook_id = None
        for hook in client.v2_list_webhooks():
            url = hook.get("url") or ""
            if hook.get("event") != V2_FULFILLMENT_SHIPPED or url.split("?", 1)[0] != route:
                continue
            if url == target_url and hook_id is None:
                hook_id = hook.get("webhook_id")
            else:
                client.request("DELETE", client.v2_base_url + "/v2/environment/webhooks/"
                               + str(hook.get("webhook_id")), headers=client._v2_headers(),
                               authenticate=False, bucket="v2")
        if hook_id is None:
            answer = client.v2_create_webhook(
                target_url, V2_FULFILLMENT_SHIPPED, f"Odoo {self.name}",
                store_id=mapping.int_or_none(self.shipstation_store_id))
            hook_id = (answer or {}).get("webhook_id")
        return str(hook_id)

    def action_shipstation_send_ready(self):
        """Queue every ready transfer not sent yet (failed ones included: a person asked)."""
        self.ensure_one()
        pickings = self.env["stock.picking"].search(
            self._shipstation_unsent_domain(ready_only=True, include_failed=True))
        jobs = self._shipstation_enqueue_exports(pickings)
        return self._notification(self.env._(
            "%(pickings)s transfer(s) queued in %(jobs)s job(s).",
            pickings=len(pickings), jobs=len(jobs)))

    def action_shipstation_poll_now(self):
        self.ensure_one()
        self._enqueue_job(OP_POLL, record=self, dedup_key=f"{OP_POLL}:{self.id}",
                          name=self.env._("Poll ShipStation shipments"), priority=15)
        return self._notification(self.env._("Shipment poll queued."))

    def action_shipstation_open_shipments(self):
        self.ensure_one()
        return self._open_records_action(
            "shipstation.shipment", self.env._("Shipments"), [("credential_id", "=", self.id)])

    def action_shipstation_open_next_run(self):
        self.ensure_one()
        domain = self._shipstation_next_run_domain()
        return self._open_records_action(
            "stock.picking", self.env._("Transfers the Next Run Sends"),
            domain if domain is not None else [("id", "=", False)])

    # ------------------------------------------------------------------ crons

    @api.model
    def _shipstation_active_credentials(self):
        return self.sudo().search([("platform", "=", PLATFORM)])

    @api.model
    def _cron_shipstation_export(self):
        """Catch ready transfers no trigger sent (e.g. a trigger that failed, or an account
        whose configuration changed). Accounts waiting for new credentials are skipped.
        Never raises: Odoo deactivates a cron that keeps failing."""
        for credential in self._scheduled_sync_credentials(PLATFORM):
            if credential.shipstation_send_on == "manual":
                continue
            try:
                with self.env.cr.savepoint():
                    pickings = self.env["stock.picking"].search(
                        credential._shipstation_unsent_domain(
                            ready_only=credential.shipstation_send_on == "picking_ready"))
                    credential._shipstation_enqueue_exports(pickings)
            except Exception:  # noqa: BLE001 - recorded, the next run tries again
                _logger.exception("ShipStation export sweep failed for credential %s",
                                  credential.id)

    @api.model
    def _cron_shipstation_poll(self):
        """Queue one poll per account; accounts waiting for new credentials are skipped."""
        for credential in self._scheduled_sync_credentials(PLATFORM):
            try:
                with self.env.cr.savepoint():
                    credential._enqueue_job(OP_POLL, record=credential,
                                            dedup_key=f"{OP_POLL}:{credential.id}",
                                            name=self.env._("Poll ShipStation shipments"))
            except Exception:  # noqa: BLE001 - recorded, the next run tries again
                _logger.exception("ShipStation poll could not be queued for credential %s",
                                  credential.id)
