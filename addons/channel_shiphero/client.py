"""The one ShipHero client: email/password tokens, GraphQL documents (gql) over the
shared HTTP layer, credit-aware.

Credits (https://developer.shiphero.com/getting-started/#throttling): each account holds
at most 4004 and gets 60 back per second; every answer names its ``complexity``; a query
the bucket cannot pay fails with code 30 naming the wait. The bucket belongs to the
ShipHero account (the 3PL's own tools spend from it too), so the client asks ShipHero
(``user_quota``) before each page instead of guessing, sizes the page to what is there
(never above the bucket maximum) and hands the job back to the queue for the refill
instead of provoking code 30. A code 30 anyway (another client spent the credits) waits
the time it names.
"""

import logging
import re

from graphql import OperationDefinitionNode, print_ast

from odoo.addons.channel_base.exceptions import (
    AuthError,
    PermanentError,
    RateLimitedError,
    TransientError,
    WindowWaitError,
)
from odoo.addons.channel_base.http_client import ChannelClient
from odoo.addons.channel_base.token_strategies import (
    GRANT_REFUSALS,
    GrantResult,
    TokenStrategy,
)

from . import const, queries

_logger = logging.getLogger(__name__)

_SECONDS = re.compile(r"(\d+(?:\.\d+)?)\s*(second|minute|hour)", re.IGNORECASE)
_UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600}


class ShipheroLogin(TokenStrategy):
    """``POST /auth/token {username, password}`` once, then ``POST /auth/refresh
    {refresh_token}`` (the refresh token lasts while the account is active); the
    password again only when the refresh is refused."""

    name = "shiphero_login"

    def obtain(self, client, stored):
        if stored.refresh_token:
            client.remember_secret(stored.refresh_token)
            try:
                return self._call(client, const.REFRESH_PATH,
                                  {"refresh_token": stored.refresh_token}, "refresh")
            except AuthError as error:
                _logger.info("Credential %s: ShipHero refresh refused (%s); signing in again",
                             client.credential.id, error.message)
        credential = client.credential
        return self._call(client, const.TOKEN_PATH, {
            "username": credential.shiphero_email, "password": credential.shiphero_password,
        }, "sign-in")

    @staticmethod
    def _call(client, path, body, what):
        try:
            answer = client.request_json("POST", path, json=body, authenticate=False,
                                         answer_secrets=("access_token", "refresh_token"))
        except (AuthError, PermanentError) as error:
            if error.status in GRANT_REFUSALS:
                raise AuthError(f"ShipHero refused the {what}: {error.message}",
                                status=error.status, refresh_helps=False) from None
            raise
        if not isinstance(answer, dict) or not isinstance(answer.get("access_token"), str):
            raise AuthError(f"ShipHero's {what} answered without an access token.")
        return GrantResult(answer["access_token"],
                           answer.get("expires_in") or const.ACCESS_TOKEN_LIFETIME,
                           refresh_token=answer.get("refresh_token"))


def wait_seconds(text):
    """Seconds in ShipHero's ``time_remaining`` ("18 seconds") or message ("In 18 seconds
    you will have enough credits"); None when it names none."""
    match = _SECONDS.search(str(text or ""))
    if not match:
        return None
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]


def estimate_complexity(document, variables):
    """The credits a document may cost before it runs, the way ShipHero counts: one per
    operation plus, for every connection asked with ``first``, ``first`` times (one per
    node plus what each node asks below it)."""
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in document.definitions
                 if not isinstance(d, OperationDefinitionNode)}
    return 1 + _selection_cost(operation.selection_set, variables or {}, fragments)


def _selection_cost(selection_set, variables, fragments):
    total = 0
    for selection in (selection_set.selections if selection_set else ()):
        if selection.kind == "fragment_spread":
            total += _selection_cost(fragments[selection.name.value].selection_set,
                                     variables, fragments)
            continue
        inner = _selection_cost(selection.selection_set, variables, fragments)
        first = _argument(selection, "first", variables)
        total += first * (1 + inner) if first is not None else inner
    return total


def _argument(field, name, variables):
    for argument in field.arguments or ():
        if argument.name.value == name:
            value = argument.value
            if value.kind == "variable":
                return int(variables.get(value.name.value) or 0)
            return int(value.value)
    return None


#: Answer keys whose values are secrets (tokens, the webhook secret answered once).
SECRET_ANSWER_KEYS = ("access_token", "refresh_token", "shared_signature_secret")


def secret_values_in(answer):
    """Every value of a SECRET_ANSWER_KEYS key anywhere in a JSON answer."""
    if isinstance(answer, dict):
        for key, value in answer.items():
            if key in SECRET_ANSWER_KEYS and isinstance(value, str) and value:
                yield value
            else:
                yield from secret_values_in(value)
    elif isinstance(answer, list):
        for value in answer:
            yield from secret_values_in(value)


class ShipheroClient(ChannelClient):
    token_strategy = ShipheroLogin()
    # The hard request cap (7000 per rolling 5 minutes); credits are handled below.
    rate_limit_kind = "window"
    rate_limit_capacity = const.REQUESTS_PER_WINDOW
    rate_limit_period = const.REQUEST_WINDOW_SECONDS

    def _secrets_in_response(self, response):
        """Masked before the answer is logged: webhook_create answers its secret."""
        try:
            return list(secret_values_in(response.json()))
        except ValueError:
            return []

    def execute(self, document, variables=None):
        """The one request method: run ``document`` (from queries.py) with ``variables``;
        returns ``data``. A document that could cost more than the bucket holds at most
        is never sent."""
        estimate = estimate_complexity(document, variables)
        if estimate > const.CREDITS_MAX:
            raise PermanentError(
                f"Query would cost up to {estimate} credits, above ShipHero's maximum of "
                f"{const.CREDITS_MAX}: split it (smaller pages).")
        answer = self.request_json("POST", const.GRAPHQL_PATH, json={
            "query": print_ast(document), "variables": variables or {}})
        if not isinstance(answer, dict):
            raise TransientError("ShipHero answered without a GraphQL body.")
        if answer.get("errors"):
            raise self._graphql_error(answer["errors"])
        return answer.get("data") or {}

    def _graphql_error(self, errors):
        """GraphQL answers HTTP 200 with ``errors[{message, code, ...}]``
        (developer.shiphero.com/troubleshooting/error-glossary/)."""
        error = errors[0] if isinstance(errors[0], dict) else {"message": str(errors[0])}
        message = str(error.get("message") or error)[:1000]
        if str(error.get("code")) == str(const.THROTTLE_ERROR_CODE):
            wait = wait_seconds(error.get("time_remaining")) or wait_seconds(message) or 5.0
            return RateLimitedError(f"ShipHero credits exhausted: {message}", wait=wait,
                                    error_code="30")
        return PermanentError(f"ShipHero refused the query: {message}",
                              error_code=str(error.get("code") or ""))

    # ------------------------------------------------------------------ credits

    def quota(self):
        """``{credits_remaining, max_available, increment_rate}`` of the account."""
        return self.execute(queries.USER_QUOTA).get("user_quota") or {}

    def affordable_page(self, per_item, wanted=const.MAX_PAGE, reserve=0, known=None,
                        resume_key=None):
        """How many items a page may ask for now: what the bucket holds (less ``reserve``
        left to other syncs) divided by the cost of one item, at most ``wanted`` and never
        above the bucket maximum. Too few: the job is postponed until the refill.

        ``known``: the credits the previous page's answer left (``credits_after``), used
        instead of a ``user_quota`` question when they pay this page; otherwise ShipHero
        is asked. What the page is sized on is kept in ``credits_seen``.

        ``resume_key``: names the page (its cursor); when this process postponed it, the
        retry trusts what the bucket holds after the wait it asked for instead of asking
        ShipHero again (once; a code 30 anyway waits the time it names)."""
        promise = _PROMISED.pop(self._promise_key(resume_key), None) if resume_key else None
        known = promise or known
        ceiling = max((int((known or {}).get("max_available") or const.CREDITS_MAX) - 1)
                      // per_item, 1)
        smallest = min(wanted, const.MIN_PAGE, ceiling)
        if known and _spendable(known, reserve) >= smallest * per_item:
            quota, asked = known, 0
        else:
            quota, asked = self.quota(), const.QUOTA_COST
        maximum = int(quota.get("max_available") or const.CREDITS_MAX)
        rate = float(quota.get("increment_rate") or const.CREDITS_PER_SECOND)
        remaining = int(quota.get("credits_remaining") or 0) - asked
        self.credits_seen = {"credits_remaining": remaining, "max_available": maximum,
                             "increment_rate": rate}
        ceiling = max((maximum - 1) // per_item, 1)
        smallest = min(wanted, const.MIN_PAGE, ceiling)
        spendable = _spendable(self.credits_seen, reserve)
        first = min(wanted, ceiling, spendable // per_item)
        if first >= smallest:
            return first
        # After the wait ShipHero is asked again (QUOTA_COST), the page must leave the
        # question after it paid; one credit more: ShipHero answers whole credits, so a
        # refill to the exact credit may read one short.
        needed = 2 * const.QUOTA_COST + reserve + 1 + smallest * per_item + 1
        wait = max((needed - remaining - asked) / rate, 0.5)
        if resume_key:
            _PROMISED[self._promise_key(resume_key)] = dict(
                self.credits_seen, credits_remaining=min(
                    maximum, int(remaining + wait * rate) - const.QUOTA_COST))
        raise WindowWaitError(
            f"ShipHero credits low ({remaining} left, {needed} needed); waiting for the "
            f"refill", wait=wait)

    def _promise_key(self, resume_key):
        return (self.credential.env.cr.dbname, self.credential.id, resume_key)

    def page(self, document, variables, per_item, wanted=const.MAX_PAGE, reserve=0,
             known=None, resume_key=None):
        """One page of a connection query, sized to the credits available."""
        first = self.affordable_page(per_item, wanted, reserve, known, resume_key)
        return self.execute(document, dict(variables, first=first))

    def credits_after(self, result):
        """The credits left after a page: what it was sized on less the ``complexity``
        its answer names (the rows returned)."""
        seen = dict(self.credits_seen)
        seen["credits_remaining"] -= int((result or {}).get("complexity") or 0)
        return seen


#: (database, account id, page) -> credits the bucket holds once the wait this process
#: asked for is over (``affordable_page``'s ``resume_key``).
_PROMISED = {}


def _spendable(quota, reserve):
    """Credits a page may use: what is left, less the reserve, the operation's own 1 and
    the next ``user_quota`` question (so that it never meets an empty bucket)."""
    return int(quota.get("credits_remaining") or 0) - reserve - 1 - const.QUOTA_COST
