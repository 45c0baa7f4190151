"""How a platform client obtains its access token: one small class per way of signing in.

A strategy is asked for a grant only by the token store (``channel.access.token``), under
the credential's advisory lock, and only when the stored access token is missing or
expired. It receives the client (whose one ``request`` method it calls, so every exchange
is logged with secrets masked) and the stored row (:class:`StoredTokens`), and returns a
:class:`GrantResult`; the store persists it. A platform client declares one::

    class DscoClient(ChannelClient):
        token_strategy = ClientCredentialsGrant("/oauth2/token")

        def _token_grant_fields(self, grant_type):
            return {"client_id": ..., "client_secret": ...}

A refusal of the credentials themselves raises ``AuthError(refresh_helps=False)``: the
queue then fails the job and pauses the account instead of asking again.
"""

import logging
import time
from typing import NamedTuple

from .exceptions import AuthError, PermanentError

_logger = logging.getLogger(__name__)

#: Statuses a token endpoint answers when it refuses the grant (RFC 6749 §5.2: 400 with
#: ``invalid_grant``/``invalid_request``..., 401 for ``invalid_client``).
GRANT_REFUSALS = (400, 401, 403)
#: RFC 6749 §5.2 codes that blame the request, not the credentials (``invalid_client``,
#: ``invalid_grant`` and ``unauthorized_client`` are refusals of the credentials).
MALFORMED_GRANT_CODES = ("invalid_request", "unsupported_grant_type", "invalid_scope")
#: Keys of a token answer whose values are secrets, masked before the answer is logged.
OAUTH_SECRET_KEYS = ("access_token", "refresh_token", "id_token")


class StoredTokens(NamedTuple):
    """What the store holds for a credential (expiries are epoch seconds, 0 when unknown)."""

    access_token: str | None = None
    access_expires: float = 0.0
    refresh_token: str | None = None
    refresh_expires: float = 0.0
    scope: str | None = None
    strategy: str | None = None


class GrantResult(NamedTuple):
    """A grant's answer. ``refresh_token=None`` keeps the stored refresh token (a platform
    that does not rotate it); ``refresh_expires_in=None`` means it lasts until refused."""

    access_token: str
    expires_in: float | None = None
    refresh_token: str | None = None
    refresh_expires_in: float | None = None
    scope: str | None = None


class TokenStrategy:
    """Base strategy. Subclasses implement :meth:`obtain`; :meth:`auth_headers` says how a
    request carries the token (a bearer header by default)."""

    name = "custom"

    def obtain(self, client, stored):
        """A fresh :class:`GrantResult` for ``client``'s credential, given the stored
        :class:`StoredTokens` (a refresh token to use, the last scope)."""
        raise NotImplementedError

    def auth_headers(self, token):
        return {"Authorization": "Bearer " + token}


class FetchTokenHook(TokenStrategy):
    """The older client hook ``_fetch_access_token() -> (token, expires_in)``, as a strategy:
    clients that set ``uses_access_token = True`` without a ``token_strategy`` get this."""

    name = "fetch_hook"

    def __init__(self, fetch_token=None):
        self.fetch_token = fetch_token

    def obtain(self, client, stored):
        fetch = self.fetch_token or client._fetch_access_token
        token, expires_in = fetch()
        return GrantResult(token, expires_in)


class OAuthGrant(TokenStrategy):
    """An OAuth 2.0 token endpoint (RFC 6749 §4): form-encoded POST, JSON answer. The
    client adds its own fields (client id and secret, user name, scope...) through
    ``client._token_grant_fields(grant_type)`` and headers (HTTP Basic client
    authentication, RFC 6749 §2.3.1) through ``client._token_request_headers(grant_type)``;
    ``token_path`` may be a path on the API base URL or a full URL."""

    def __init__(self, token_path="/oauth/token", scope=None):  # noqa: S107 - a path
        self.token_path = token_path
        self.scope = scope

    def _grant(self, client, grant_type, **fields):
        form = {"grant_type": grant_type, **fields, **client._token_grant_fields(grant_type)}
        if self.scope and "scope" not in form:
            form["scope"] = self.scope
        try:
            answer = client.request_json("POST", self.token_path, data=form,
                                         headers=client._token_request_headers(grant_type),
                                         authenticate=False, answer_secrets=OAUTH_SECRET_KEYS)
        except (AuthError, PermanentError) as error:
            if error.error_code in MALFORMED_GRANT_CODES:
                # Our request is wrong, not the account's credentials: no "reconnect
                # needed" that would send a person to re-enter a correct password.
                raise PermanentError(
                    f"The platform could not read our {grant_type} grant request: "
                    f"{error.message}", status=error.status,
                    error_code=error.error_code) from None
            if error.status in GRANT_REFUSALS:
                raise AuthError(f"The platform refused the {grant_type} grant: {error.message}",
                                status=error.status, refresh_helps=False) from None
            raise
        return self._result(answer, grant_type)

    @staticmethod
    def _result(answer, grant_type):
        if not isinstance(answer, dict) or not isinstance(answer.get("access_token"), str):
            raise AuthError(f"The {grant_type} grant answered without an access token.")
        return GrantResult(
            access_token=answer["access_token"],
            expires_in=answer.get("expires_in"),
            refresh_token=answer.get("refresh_token"),
            refresh_expires_in=answer.get("refresh_token_expires_in"),
            scope=answer.get("scope"),
        )


class ClientCredentialsGrant(OAuthGrant):
    """``grant_type=client_credentials``: the application's own id and secret (DSCO)."""

    name = "client_credentials"

    def obtain(self, client, stored):
        return self._grant(client, "client_credentials")


class PasswordGrant(OAuthGrant):
    """``grant_type=password``, renewed with ``grant_type=refresh_token`` while the stored
    refresh token lasts; a refused refresh (expired early, revoked, rotated elsewhere)
    falls back to the password grant (iQmetrix). ``refresh_lifetime`` (seconds) applies
    when the answer does not say how long its refresh token lasts."""

    name = "password"

    def __init__(self, token_path="/oauth/token", scope=None,  # noqa: S107 - a path
                 refresh_lifetime=None):
        super().__init__(token_path, scope)
        self.refresh_lifetime = refresh_lifetime

    def obtain(self, client, stored):
        if stored.refresh_token and _still_valid(stored.refresh_expires):
            try:
                return self._with_lifetime(
                    self._grant(client, "refresh_token", refresh_token=stored.refresh_token))
            except AuthError as error:
                _logger.info("Credential %s: refresh refused (%s); password grant",
                             client.credential.id, error.message)
        return self._with_lifetime(self._grant(client, "password"))

    def _with_lifetime(self, result):
        if result.refresh_token and result.refresh_expires_in is None and self.refresh_lifetime:
            return result._replace(refresh_expires_in=self.refresh_lifetime)
        return result


class RefreshTokenGrant(OAuthGrant):
    """A long-lived refresh token obtained once by user consent (eBay) and kept as a
    secret on the credential (``refresh_token_field``), exchanged for access tokens. When
    the platform rotates it, the new one lives in the token store (committed at once on
    the store's cursor, so a rollback of the job cannot lose it) and is used from then on;
    the credential keeps the consent token. Writing a new consent token (a secret change)
    clears the store, so the new consent is used. The credential row is never written
    from the store's cursor: a job may hold its row lock."""

    name = "refresh_token"

    def __init__(self, refresh_token_field,
                 token_path="/oauth/token", scope=None):  # noqa: S107 - a path
        super().__init__(token_path, scope)
        self.refresh_token_field = refresh_token_field

    def obtain(self, client, stored):
        refresh_token = stored.refresh_token or client.credential._secret(self.refresh_token_field)
        if not refresh_token:
            raise AuthError("No refresh token: the account must be connected (consent) first.",
                            refresh_helps=False)
        client.remember_secret(refresh_token)
        return self._grant(client, "refresh_token", refresh_token=refresh_token)


class SessionLogin(TokenStrategy):
    """A sign-in call answering a session token valid ``lifetime`` seconds (IQ Reseller):
    reused by every job while it lasts, signed in again when expired or refused (a 401
    discards it). The client builds the sign-in body with ``_session_login_payload()``;
    ``answer_key`` is where the answer holds the token; requests carry it in
    ``header_name`` (with ``header_prefix``)."""

    name = "session"

    def __init__(self, login_path, lifetime, answer_key="token",
                 header_name="Authorization", header_prefix="Bearer "):
        self.login_path = login_path
        self.lifetime = lifetime
        self.answer_key = answer_key
        self.header_name = header_name
        self.header_prefix = header_prefix

    def obtain(self, client, stored):
        try:
            answer = client.request_json("POST", self.login_path,
                                         json=client._session_login_payload(),
                                         authenticate=False, answer_secrets=(self.answer_key,))
        except (AuthError, PermanentError) as error:
            if error.status in GRANT_REFUSALS:
                raise AuthError(f"The platform refused the sign-in: {error.message}",
                                status=error.status, refresh_helps=False) from None
            raise
        token = answer.get(self.answer_key) if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            raise AuthError("The sign-in answered without a session token.")
        return GrantResult(token, self.lifetime)

    def auth_headers(self, token):
        return {self.header_name: self.header_prefix + token}


def _still_valid(expires_epoch):
    """0 means the platform did not say: valid until it refuses."""
    return not expires_epoch or expires_epoch > time.time()
