import logging
import time
from datetime import UTC, datetime

from odoo import fields, models

from odoo.addons.channel_base.db import independent_cursor
from odoo.addons.channel_base.exceptions import AuthError

from .. import const

_logger = logging.getLogger(__name__)

TOKEN_LOCK_NAMESPACE = 7849  # advisory-lock class id of iQmetrix token renewals
_PROCESS_CACHE = {}  # (dbname, credential id) -> (access token, expiry epoch); a cache only


def _epoch(moment):
    return moment.replace(tzinfo=UTC).timestamp() if moment else 0.0


def _naive_utc(epoch):
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)


class IqmetrixOauthToken(models.Model):
    """The access and refresh tokens of one iQmetrix credential, kept in one row.

    channel_base's ``channel.access.token`` caches one token per credential; iQmetrix also
    hands out a refresh token, and a refresh revokes the previous access token, so both
    must be replaced together: one row, one UPSERT, under an advisory lock so that two
    workers never refresh at once (the loser of the race would hold a revoked token and a
    used refresh token). Written on an independent cursor, like the base token cache, so a
    job that fails after renewing does not throw the new tokens away.
    """

    _name = "iqmetrix.oauth.token"
    _description = "iQmetrix OAuth Tokens"

    credential_ref = fields.Integer(required=True, index=True)
    access_token = fields.Char(groups="base.group_system")
    access_expires_at = fields.Datetime()
    refresh_token = fields.Char(groups="base.group_system")
    refresh_expires_at = fields.Datetime()
    grant_type = fields.Char(help="Grant that produced the stored tokens.")

    _sql_constraints = [
        ("credential_uniq", "unique(credential_ref)", "One token pair per credential."),
    ]

    def _access_token(self, client):
        """A valid access token for the client's credential, renewed at most once across
        all workers: refresh grant while the refresh token lasts, else password grant."""
        credential_id = client.credential.id
        key = (self.env.cr.dbname, credential_id)
        cached = _PROCESS_CACHE.get(key)
        if cached and cached[1] > time.time() + const.ACCESS_TOKEN_MARGIN_SECONDS:
            return cached[0]
        refused = None
        with independent_cursor(self.env, lock_timeout_ms=60000) as cr:
            cr.execute("SELECT pg_advisory_xact_lock(%s, %s)",
                       (TOKEN_LOCK_NAMESPACE, credential_id))
            cr.execute(
                "SELECT access_token, access_expires_at, refresh_token, refresh_expires_at "
                "FROM iqmetrix_oauth_token WHERE credential_ref = %s", (credential_id,))
            access, access_expires, refresh, refresh_expires = cr.fetchone() or (None,) * 4
            client.remember_secret(refresh)
            if access and _epoch(access_expires) > time.time() + const.ACCESS_TOKEN_MARGIN_SECONDS:
                _PROCESS_CACHE[key] = (access, _epoch(access_expires))
                return access
            try:
                answer, grant_type = self._renew(client, refresh, _epoch(refresh_expires))
            except AuthError as error:
                # Refused: keep no token of the refused credentials (a used or revoked
                # refresh token would only earn another refusal on the next try). The
                # deletion commits with the cursor; the error is raised after.
                cr.execute("DELETE FROM iqmetrix_oauth_token WHERE credential_ref = %s",
                           (credential_id,))
                refused = error
            else:
                access, access_expires = self._store(cr, credential_id, answer, grant_type)
        if refused:
            _PROCESS_CACHE.pop(key, None)
            raise refused
        _PROCESS_CACHE[key] = (access, access_expires)
        return access

    def _store(self, cr, credential_id, answer, grant_type):
        """Save a grant's tokens (one UPSERT); returns (access token, expiry epoch)."""
        now = time.time()
        access = answer["access_token"]
        access_expires = now + float(answer.get("expires_in") or 3600)
        refresh_expires = now + const.REFRESH_TOKEN_LIFETIME_SECONDS \
            - const.REFRESH_TOKEN_MARGIN_SECONDS
        cr.execute(
            """INSERT INTO iqmetrix_oauth_token
                   (credential_ref, access_token, access_expires_at, refresh_token,
                    refresh_expires_at, grant_type, create_date, write_date)
               VALUES (%s, %s, %s, %s, %s, %s, now() at time zone 'utc',
                       now() at time zone 'utc')
               ON CONFLICT (credential_ref) DO UPDATE SET
                   access_token = EXCLUDED.access_token,
                   access_expires_at = EXCLUDED.access_expires_at,
                   refresh_token = EXCLUDED.refresh_token,
                   refresh_expires_at = EXCLUDED.refresh_expires_at,
                   grant_type = EXCLUDED.grant_type,
                   write_date = EXCLUDED.write_date""",
            (credential_id, access, _naive_utc(access_expires),
             answer.get("refresh_token"), _naive_utc(refresh_expires), grant_type),
        )
        return access, access_expires

    def _renew(self, client, refresh_token, refresh_expires):
        self._check_not_refused(client.credential)
        if refresh_token and refresh_expires > time.time():
            try:
                return client.refresh_grant(refresh_token), "refresh_token"
            except AuthError as error:
                # Expired early, revoked, or issued to other client credentials.
                _logger.info("iQmetrix credential %s: refresh refused (%s); password grant",
                             client.credential.id, error.message)
        return client.password_grant(), "password"

    def _check_not_refused(self, credential):
        """No grant for credentials iQmetrix refused: a job queued while the account
        waits for a person (a status push) fails at once instead of trying the wrong
        password again, which could lock the account. Test Connection may retry."""
        if credential.reconnect_needed and not credential.env.context.get(
                "iqmetrix_retry_refused_credentials"):
            raise AuthError(credential.env._(
                "Reconnect needed: iQmetrix refused these credentials (%(reason)s). Fix "
                "them or use Test Connection; no token is asked for until then.",
                reason=credential.reconnect_reason or "-"), refresh_helps=False)

    def _discard_access_token(self, credential_id, token):
        """Forget ``token`` if it is still the stored one; keep the refresh token."""
        key = (self.env.cr.dbname, credential_id)
        if _PROCESS_CACHE.get(key, (None,))[0] == token:
            _PROCESS_CACHE.pop(key, None)
        with independent_cursor(self.env) as cr:
            cr.execute(
                "UPDATE iqmetrix_oauth_token SET access_token = NULL, access_expires_at = NULL "
                "WHERE credential_ref = %s AND access_token = %s", (credential_id, token))

    def _discard_access_tokens(self, credential_ids):
        for credential_id in credential_ids:
            _PROCESS_CACHE.pop((self.env.cr.dbname, credential_id), None)
        with independent_cursor(self.env) as cr:
            cr.execute(
                "UPDATE iqmetrix_oauth_token SET access_token = NULL, access_expires_at = NULL "
                "WHERE credential_ref = ANY(%s)", (list(credential_ids),))

    def _forget(self, credential_ids):
        """Drop both tokens (credentials changed, or the credential is gone)."""
        for credential_id in credential_ids:
            _PROCESS_CACHE.pop((self.env.cr.dbname, credential_id), None)
        with independent_cursor(self.env) as cr:
            cr.execute("DELETE FROM iqmetrix_oauth_token WHERE credential_ref = ANY(%s)",
                       (list(credential_ids),))
