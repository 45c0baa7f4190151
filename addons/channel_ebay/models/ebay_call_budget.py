"""The daily call budget (Trading API: 5,000 calls a day by default, reset at midnight
Pacific time). Bulk Inventory calls carry 25 SKUs each and quantity changes are coalesced
per SKU, so the Trading budget goes to what only Trading can do; what is optional (buyer
messages) stops at 80 % so that stock updates still run late in the day; the real limits
and usage are read with the Developer Analytics API (getRateLimits)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from odoo import fields, models

from odoo.addons.channel_base.exceptions import RateLimitedError

from .. import const
from ..client import EbayClient

PACIFIC = ZoneInfo("America/Los_Angeles")
OPTIONAL_SHARE = 0.8


def pacific_day_bounds(now_utc):
    """(start of today Pacific, start of tomorrow Pacific) as naive UTC datetimes."""
    local = now_utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(PACIFIC)
    start = datetime.combine(local.date(), time(0), PACIFIC)
    end = start + timedelta(days=1)
    utc = ZoneInfo("UTC")
    return (start.astimezone(utc).replace(tzinfo=None), end.astimezone(utc).replace(tzinfo=None))


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _compute_ebay_calls_today(self):
        start, _end = pacific_day_bounds(fields.Datetime.now())
        counts = dict(self.env["channel.api.log"].sudo()._read_group(
            [("credential_id", "in", self.ids), ("create_date", ">=", start),
             ("url", "like", const.TRADING_PATH)], ["credential_id"], ["__count"]))
        for credential in self:
            credential.ebay_calls_today = counts.get(credential, 0)

    def _ebay_spend_trading(self, calls, optional=False):
        """Refuse (postpone to tomorrow, Pacific) Trading calls beyond the day's budget;
        optional work stops at 80 % of it."""
        self.invalidate_recordset(["ebay_calls_today"])
        budget = self.ebay_daily_call_budget or const.DAILY_CALL_BUDGET
        start, _end = pacific_day_bounds(fields.Datetime.now())
        if self.ebay_call_limit and (self.ebay_call_limits_at or start) >= start:
            # what getRateLimits said remains today (a reading of yesterday is ignored)
            budget = min(budget, self.ebay_calls_today + self.ebay_call_remaining)
        limit = budget * OPTIONAL_SHARE if optional else budget
        if self.ebay_calls_today + calls > limit:
            _start, end = pacific_day_bounds(fields.Datetime.now())
            raise RateLimitedError(self.env._(
                "eBay daily call budget: %(used)s of %(budget)s Trading calls used today%(o)s; "
                "postponed until the budget resets.", used=self.ebay_calls_today, budget=budget,
                o=self.env._(" (optional work stops at 80%)") if optional else ""),
                wait=(end - fields.Datetime.now()).total_seconds())

    def _ebay_read_rate_limits(self, job):
        """getRateLimits: the Trading API's daily limit and what remains of it."""
        answer = EbayClient(self).call("GET", const.ANALYTICS_RATE_LIMITS,
                                       params={"api_name": "TradingAPI"}) or {}
        for api in answer.get("rateLimits") or []:
            for resource in api.get("resources") or []:
                for rate in resource.get("rates") or []:
                    if int(rate.get("timeWindow") or 0) == 86400:
                        self.sudo().write({"ebay_call_limit": rate.get("limit") or 0,
                                           "ebay_call_remaining": rate.get("remaining") or 0,
                                           "ebay_call_limits_at": fields.Datetime.now()})
                        return {"limit": rate.get("limit"), "remaining": rate.get("remaining")}
        return {"skipped": "no daily Trading API rate in the answer"}
