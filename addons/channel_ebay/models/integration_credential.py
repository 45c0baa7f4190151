from odoo import api, fields, models

from odoo.addons.channel_base.models.integration_credential_env_secrets import server_secret
from odoo.addons.channel_base.paged_import import StreamSpec

from .. import const
from ..client import EbayClient
from ..orders_stream import EbayOpenOrdersImport, EbayOrdersImport

MANAGER = "channel_base.group_integration_manager"
TRUE_WORDS = ("1", "true", "yes", "on")


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"

    platform = fields.Selection(selection_add=[("ebay", "eBay")], ondelete={"ebay": "cascade"})
    ebay_app_id = fields.Char("eBay App ID (Client ID)", groups=MANAGER)
    ebay_cert_id = fields.Char("eBay Cert ID (Client Secret)", groups=MANAGER)
    ebay_dev_id = fields.Char("eBay Dev ID", groups=MANAGER)
    ebay_refresh_token = fields.Char("eBay Refresh Token", groups=MANAGER, copy=False,
                                     help="Obtained by Connect to eBay (user consent).")
    ebay_verification_token = fields.Char(
        "Account Deletion Verification Token", groups=MANAGER, copy=False,
        help="The token given to eBay with the Marketplace Account Deletion endpoint "
        "(32 to 80 letters, digits, _ and -).")
    ebay_runame = fields.Char("RuName (eBay Redirect URL name)",
                              help="The RuName of your application's redirect URL, whose "
                              "accept URL is <Odoo URL>/channel/ebay/oauth/callback.")
    # Not a secret of the account (writing one drops its tokens and clears Reconnect
    # needed): the one-time state of a consent in progress, for administrators only.
    ebay_oauth_state = fields.Char(groups="base.group_system", copy=False, readonly=True)
    ebay_refresh_token_expires_at = fields.Datetime(
        "Consent Expires", copy=False, readonly=True,
        help="eBay refresh tokens last 18 months: connect again before this date.")
    ebay_marketplace_id = fields.Selection(const.MARKETPLACES, "Marketplace", default="EBAY_US")
    ebay_fulfillment_policy_id = fields.Char("Fulfillment Policy ID")
    ebay_payment_policy_id = fields.Char("Payment Policy ID")
    ebay_return_policy_id = fields.Char("Return Policy ID")
    ebay_merchant_location_key = fields.Char("Merchant Location Key")
    ebay_fulfil_in_odoo = fields.Boolean(
        "Odoo Ships eBay Orders",
        help="Off (default, for visibility): eBay orders reserve stock, their delivery is "
        "done when eBay reports them shipped (eBay orders reach ShipStation directly). On: "
        "Odoo ships them and posts each shipment's carrier and tracking to eBay.")
    ebay_orders_page_size = fields.Integer(
        "Orders per Page", default=const.ORDERS_PAGE_SIZE,
        help="getOrders limit (the spec says at most 1000, newer pages less: 200 is safe).")
    ebay_orders_overlap_minutes = fields.Integer(
        "Order Poll Overlap (min)", default=const.ORDERS_OVERLAP_MINUTES,
        help="Each order poll starts this long before the last one ended, so an order "
        "eBay indexed late is still read (imports are idempotent).")
    ebay_daily_call_budget = fields.Integer(
        "Daily Trading Call Budget", default=const.DAILY_CALL_BUDGET,
        help="Trading API calls per day (eBay's default limit is 5,000).")
    ebay_call_limit = fields.Integer("eBay Call Limit (today)", readonly=True, copy=False)
    ebay_call_remaining = fields.Integer("eBay Calls Remaining", readonly=True, copy=False)
    ebay_call_limits_at = fields.Datetime("Call Limits Read At", readonly=True, copy=False)
    ebay_calls_today = fields.Integer("Trading Calls Today", compute="_compute_ebay_calls_today")

    def _is_ebay_sandbox(self):
        """The sandbox switch: ``CHANNEL_<CODE>_EBAY_SANDBOX`` / odoo.conf, else the field."""
        value, _source, _where = server_secret(self.account_code, "ebay_sandbox")
        if value is not None:
            return str(value).strip().lower() in TRUE_WORDS
        return self.environment == "sandbox"

    def _default_api_base_url(self):
        if self.platform != const.PLATFORM:
            return super()._default_api_base_url()
        return const.SANDBOX_API if self._is_ebay_sandbox() else const.PRODUCTION_API

    @api.onchange("environment")
    def _onchange_ebay_environment(self):
        if self.platform == const.PLATFORM:
            self.api_base_url = self._default_api_base_url()

    def _test_connection(self):
        if self.platform != const.PLATFORM:
            return super()._test_connection()
        answer = EbayClient(self).call("GET", const.INVENTORY + "/location", params={"limit": 1})
        return self.env._("eBay reachable, token accepted (%s inventory locations).",
                          (answer or {}).get("total", 0))

    def _channel_stream_specs(self):
        if self.platform != const.PLATFORM:
            return super()._channel_stream_specs()
        return [*super()._channel_stream_specs(),
                StreamSpec(const.ORDERS_STREAM, "Orders (by last modified date)",
                           interval_minutes=15, paged_import=EbayOrdersImport, priority=5),
                StreamSpec(const.OPEN_ORDERS_STREAM, "Open orders (reconciliation)",
                           interval_minutes=360, paged_import=EbayOpenOrdersImport),
                StreamSpec(const.MESSAGES_STREAM, "Buyer messages", interval_minutes=60,
                           operation=const.OP_READ_MESSAGES),
                StreamSpec("rate_limits", "Call limits (getRateLimits)", interval_minutes=120,
                           operation=const.OP_READ_RATE_LIMITS, priority=20)]

    def _sync_job_operation_labels(self):
        return {**super()._sync_job_operation_labels(),
                const.OP_PUSH_LISTINGS: self.env._("List on eBay"),
                const.OP_PUSH_QUANTITIES: self.env._("Update eBay prices and quantities"),
                const.OP_PUSH_SHIPMENT: self.env._("Post shipping fulfilment to eBay"),
                const.OP_PUSH_OFFERS: self.env._("Update eBay offers"),
                const.OP_WITHDRAW_GROUP: self.env._("Withdraw eBay multi-variation listing"),
                const.OP_READ_RATE_LIMITS: self.env._("Read eBay call limits"),
                const.OP_READ_MESSAGES: self.env._("Read eBay buyer messages"),
                const.OP_SEND_MESSAGE: self.env._("Send eBay message")}

    def _execute_sync_job(self, job):
        if self.platform != const.PLATFORM:
            return super()._execute_sync_job(job)
        handlers = {
            const.OP_PUSH_LISTINGS: self._ebay_push_listings,
            const.OP_PUSH_QUANTITIES: self._ebay_push_quantities,
            const.OP_PUSH_SHIPMENT: self._ebay_push_shipment,
            const.OP_PUSH_OFFERS: self._ebay_push_offers,
            const.OP_WITHDRAW_GROUP: self._ebay_withdraw_group,
            const.OP_READ_RATE_LIMITS: self._ebay_read_rate_limits,
            const.OP_READ_MESSAGES: self._ebay_read_messages,
            const.OP_SEND_MESSAGE: self._ebay_send_message,
        }
        if job.operation not in handlers:
            return super()._execute_sync_job(job)
        return handlers[job.operation](job)

    def action_ebay_import_orders(self):
        self.ensure_one()
        self._channel_stream(const.ORDERS_STREAM).action_run_now()
        return self._notification(self.env._("eBay order import queued."))
