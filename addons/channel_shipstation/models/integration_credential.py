from odoo import api, fields, models

from odoo.addons.channel_base.paged_import import StreamSpec

from ..client import ShipStationClient
from ..const import (
    DEFAULT_SOURCE_PLATFORMS,
    JWKS_URL,
    EXPORT_STREAM,
    OP_EXPORT,
    OP_EXPORT_SWEEP,
    PLATFORM,
    RATE_LIMIT_PERIOD,
    RATE_LIMIT_REQUESTS,
    SEND_ON,
    SHIPMENT_VOIDS_STREAM,
    SHIPMENTS_PAGE_SIZE,
    SHIPMENTS_STREAM,
    SHIPSTATION_TZ,
    TRACK_EVENTS,
    V1_BASE_URL,
    V2_BASE_URL,
    WEIGHT_UNITS,
)
from ..shipments_import import ShipmentsImport, ShipmentVoidsImport

MANAGER_GROUP = "channel_base.group_integration_manager"


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
    shipstation_first_run_warning = fields.Char(
        "First Run", compute="_compute_shipstation_next_run_count",
        help="Before this account has sent anything: how many transfers its first run "
        "would send with the settings on the form (unsaved changes included).")
    shipstation_weight_unit = fields.Selection(WEIGHT_UNITS, "Weight Unit", default="ounces")
    shipstation_poll_overlap_minutes = fields.Integer(
        "Polling Overlap (minutes)", default=30,
        help="Each poll looks this far behind the last successful one, so a shipment "
        "created while a poll was running, or in an ambiguous DST hour, is never missed.",
    )
    shipstation_poll_initial_days = fields.Integer(
        "First Poll Looks Back (days)", default=3
    )
    shipstation_page_size = fields.Integer(
        "Shipments per Page", default=SHIPMENTS_PAGE_SIZE,
        help="Labels read per request and per import job (at most 500). Lower it when "
        "labels carry many items and pages grow too large to read.",
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
    shipstation_track_event = fields.Selection(
        TRACK_EVENTS, "Tracking Webhook Event", default="track",
        help="Which V2 tracking event Register Webhooks subscribes to (with a V2 key): "
        "ShipStation lists both; deliveries of either update the transfers' delivery status.")
    shipstation_track_webhook_id = fields.Char("Tracking Webhook ID", readonly=True, copy=False)
    shipstation_batch_webhook_id = fields.Char(
        "batch_processed_v2 Webhook ID", readonly=True, copy=False)
    shipstation_shipment_count = fields.Integer(compute="_compute_shipstation_shipment_count")

    def _compute_shipstation_shipment_count(self):
        counts = dict(self.env["shipstation.shipment"]._read_group(
            [("credential_id", "in", self.ids)], ["credential_id"], ["__count"]))
        for credential in self:
            credential.shipstation_shipment_count = counts.get(credential, 0)

    @api.depends("platform", "company_id", "shipstation_send_on", "shipstation_start_date",
                 "shipstation_source_credential_ids", "shipstation_fulfil_own_orders",
                 "shipstation_warehouse_ids", "shipstation_picking_type_ids", "reconnect_needed")
    def _compute_shipstation_next_run_count(self):
        """Also on a form not saved yet (a new account, or changed settings): the warning
        shows what activating these settings would send before anyone saves them."""
        Picking = self.env["stock.picking"].sudo()
        for credential in self:
            domain = credential._shipstation_next_run_domain() \
                if credential.platform == PLATFORM else None
            count = Picking.search_count(domain) if domain is not None else 0
            credential.shipstation_next_run_count = count
            credential.shipstation_first_run_warning = \
                credential._shipstation_first_run_text(count) if count and \
                not credential._shipstation_has_sent() else False

    def _shipstation_has_sent(self):
        """Whether this account ever sent a transfer (False for an account not saved)."""
        self.ensure_one()
        return bool(self._origin.id) and bool(self.env["stock.picking"].sudo().search_count(
            [("channel_credential_id", "=", self._origin.id),
             ("shipstation_order_id", "!=", False)], limit=1))

    def _shipstation_first_run_text(self, count):
        if self.shipstation_send_on == "manual":
            return self.env._(
                "%s transfer(s) will be sent to ShipStation the first time someone clicks "
                "Send Ready Transfers Now.", count)
        return self.env._(
            "%s transfer(s) will be sent to ShipStation on the first run (within 15 minutes "
            "of saving). Move Send Transfers Created From forward, or narrow the warehouses "
            "or Fulfil Orders From, to send fewer.", count)

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
            OP_EXPORT_SWEEP: self._shipstation_sweep_exports,
        }
        if job.operation not in handlers:
            return super()._execute_sync_job(job)
        return handlers[job.operation](job)

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
        queued = self._shipstation_queue_polls()
        return self._notification(self.env._("Shipment poll queued.") if queued else
                                  self.env._("A shipment poll is already running."))

    def _shipstation_queue_polls(self):
        """Start a run of both shipment streams (those not running); returns their jobs."""
        self.ensure_one()
        return [job for job in (self._channel_stream(code)._queue_run()
                                for code in (SHIPMENTS_STREAM, SHIPMENT_VOIDS_STREAM)) if job]

    def _shipstation_page_size(self):
        return min(max(self.shipstation_page_size or SHIPMENTS_PAGE_SIZE, 1), SHIPMENTS_PAGE_SIZE)

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

    # ------------------------------------------------------------------ streams

    def _channel_stream_specs(self):
        """Shipments and voided labels polled as paged imports (the webhooks' safety net;
        voids are only ever listed) and the sweep of ready transfers no trigger sent,
        every 15 minutes each."""
        if self.platform != PLATFORM:
            return super()._channel_stream_specs()
        return [*super()._channel_stream_specs(),
                StreamSpec(SHIPMENTS_STREAM, "Shipments", interval_minutes=15,
                           paged_import=ShipmentsImport),
                StreamSpec(SHIPMENT_VOIDS_STREAM, "Voided labels", interval_minutes=15,
                           paged_import=ShipmentVoidsImport),
                StreamSpec(EXPORT_STREAM, "Send ready transfers", interval_minutes=15,
                           operation=OP_EXPORT_SWEEP)]

    @api.model
    def _shipstation_active_credentials(self):
        return self.sudo().search([("platform", "=", PLATFORM)])
