"""The one Shopify client: GraphQL over HTTPS, documents parsed with gql, the cost bucket
kept per account in channel_base's shared ``channel.rate.limit`` (a cost bucket).

Every answer's ``extensions.cost.throttleStatus`` realigns the bucket (maximumAvailable,
currentlyAvailable, restoreRate); before a query its requested cost is taken from the
bucket (the job waits, or is postponed, when there is not enough); a THROTTLED answer
waits the computed refill time; a document above 1000 points is never sent.
https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits
"""

from gql import gql
from graphql import print_ast

from odoo.addons.channel_base.exceptions import (
    PermanentError,
    RateLimitedError,
    TransientError,
    WindowWaitError,
)
from odoo.addons.channel_base.http_client import ChannelClient

from . import const
from .cost import requested_cost

BUCKET = "graphql"


def parse_document(text):
    """The parsed document of ``text`` (gql 3 answers it, gql 4 wraps it in a request)."""
    parsed = gql(text)
    return getattr(parsed, "document", parsed)


class ShopifyError(PermanentError):
    """GraphQL errors or userErrors Shopify answered."""


class ShopifyClient(ChannelClient):
    rate_limit_kind = "bucket"
    rate_limit_capacity = const.BUCKET_DEFAULT_MAX
    rate_limit_period = const.BUCKET_DEFAULT_MAX / const.BUCKET_DEFAULT_RESTORE

    def __init__(self, credential):
        super().__init__(credential)
        state = self.env["channel.rate.limit"]._state(self.credential.id, BUCKET)
        if state and state["capacity"] and state["period_seconds"]:
            # What the shop last told us (its plan), not the default.
            self.rate_limit_capacity = state["capacity"]
            self.rate_limit_period = state["period_seconds"]

    def _auth_headers(self):
        return {const.ACCESS_TOKEN_HEADER: self.credential.shopify_access_token or ""}

    @property
    def graphql_path(self):
        return const.GRAPHQL_PATH.format(
            version=self.credential.shopify_api_version or const.API_VERSION)

    def execute(self, document, variables=None):
        """The one request method: run ``document`` (text) and return its ``data``."""
        parsed = parse_document(document)
        cost = requested_cost(parsed, variables)
        if cost > const.MAX_QUERY_COST:
            raise PermanentError(
                f"Query would cost {cost} points, above Shopify's single-query maximum "
                f"of {const.MAX_QUERY_COST}: ask for smaller pages.")
        body = {"query": print_ast(parsed), "variables": variables or {}}
        reserved = min(cost, self.rate_limit_capacity)
        self._realigned = False
        try:
            answer = self.request_json("POST", self.graphql_path, json=body, cost=reserved,
                                       bucket=BUCKET)
        except (TransientError, PermanentError) as error:
            if not isinstance(error, WindowWaitError) and not self._realigned:
                self._refund(reserved)  # a 5xx or a timeout: Shopify spent nothing
            raise
        return self._data(answer, cost)

    def _refund(self, points):
        state = self.env["channel.rate.limit"]._state(self.credential.id, BUCKET)
        if state:
            self.env["channel.rate.limit"]._observe(
                self.credential.id, BUCKET,
                remaining=min(state["capacity"], state["available"] + points))

    def _data(self, answer, cost):
        if not isinstance(answer, dict):
            raise TransientError("Shopify answered no GraphQL document.")
        errors = answer.get("errors") or []
        if any(_code(error) == "THROTTLED" for error in errors):
            raise RateLimitedError("Shopify throttled the query (THROTTLED).",
                                   wait=self._refill_wait(answer, cost), status=200)
        if errors:
            raise ShopifyError("Shopify GraphQL errors: " + "; ".join(
                str(error.get("message")) for error in errors if isinstance(error, dict)))
        return answer.get("data") or {}

    def _refill_wait(self, answer, cost):
        status = _throttle_status(answer) or {}
        available = float(status.get("currentlyAvailable") or 0)
        rate = float(status.get("restoreRate") or const.BUCKET_DEFAULT_RESTORE)
        wait = max((cost - available) / max(rate, 1e-9), 0.5)
        # every other worker waits too: the bucket is empty until then
        self.env["channel.rate.limit"]._observe(self.credential.id, BUCKET, blocked_for=wait)
        return wait

    def _observe_rate_limit(self, response, bucket):
        """Realign the shared bucket on the answer's throttleStatus (also on a THROTTLED
        answer, whatever its HTTP status)."""
        try:
            status = _throttle_status(response.json())
        except ValueError:
            status = None
        if not status:
            return super()._observe_rate_limit(response, bucket)
        self._realigned = True
        maximum = float(status.get("maximumAvailable") or const.BUCKET_DEFAULT_MAX)
        rate = float(status.get("restoreRate") or const.BUCKET_DEFAULT_RESTORE)
        self.env["channel.rate.limit"]._observe(
            self.credential.id, bucket, remaining=float(status.get("currentlyAvailable") or 0),
            capacity=maximum, period_seconds=maximum / max(rate, 1e-9))
        return None

    def _wait_hint(self, response):
        """A 429 (throttled over HTTP status) waits the refill time of its throttleStatus."""
        try:
            status = _throttle_status(response.json())
        except ValueError:
            status = None
        if status:
            available = float(status.get("currentlyAvailable") or 0)
            rate = float(status.get("restoreRate") or const.BUCKET_DEFAULT_RESTORE)
            return max((const.MAX_QUERY_COST / 2 - available) / rate, 1.0)
        return super()._wait_hint(response)

    def download(self, url, max_bytes):
        """A bulk-operation result (JSONL) at an URL the account allows."""
        url = self.credential._check_followed_url(url)
        previous, self.max_response_bytes = self.max_response_bytes, max_bytes
        try:
            return self.request("GET", url, authenticate=False).content
        finally:
            self.max_response_bytes = previous


def _code(error):
    return ((error or {}).get("extensions") or {}).get("code") if isinstance(error, dict) \
        else None


def _throttle_status(answer):
    if not isinstance(answer, dict):
        return None
    return ((answer.get("extensions") or {}).get("cost") or {}).get("throttleStatus")


def raise_user_errors(payload, what):
    """A mutation's userErrors as one readable PermanentError."""
    errors = (payload or {}).get("userErrors") or []
    if errors:
        raise ShopifyError(f"Shopify refused {what}: " + "; ".join(
            f"{'.'.join(error.get('field') or []) or '-'}: {error.get('message')}"
            for error in errors))
