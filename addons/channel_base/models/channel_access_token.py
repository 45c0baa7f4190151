import time
from datetime import UTC, datetime

from odoo import fields, models

from ..db import independent_cursor
from ..exceptions import AuthError
from ..token_strategies import StoredTokens

TOKEN_MARGIN_SECONDS = 60
TOKEN_LOCK_NAMESPACE = 7841  # advisory-lock class id for token refreshes
# (dbname, credential id) -> (token, expires epoch, strategy name); a cache, not a truth
_PROCESS_CACHE = {}
#: Context key under which a grant is asked even while the credential waits for a person
#: (set by Test Connection, the person's own retry).
RETRY_REFUSED_CONTEXT = "channel_retry_refused_credentials"


def _epoch(moment):
    return moment.replace(tzinfo=UTC).timestamp() if moment else 0.0


def _naive_utc(epoch):
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None) if epoch else None


class ChannelAccessToken(models.Model):
    """The tokens of one credential (access token, refresh token, their expiries, scope,
    and the strategy that obtained them), shared by all workers.

    Kept apart from the credential row so a refresh never waits on someone editing the
    credential, and written on an independent cursor so tokens obtained by a job that
    later fails are not thrown away. Renewed under an advisory lock: two workers never
    ask a grant at once (the loser would hold a revoked token and a used refresh token).
    Readable by administrators only.
    """

    _name = "channel.access.token"
    _description = "Channel Token Store"

    credential_ref = fields.Integer(required=True, index=True)
    token = fields.Char(string="Access Token", groups="base.group_system")
    expires_at = fields.Datetime(string="Access Token Expires")
    refresh_token = fields.Char(groups="base.group_system")
    refresh_expires_at = fields.Datetime(string="Refresh Token Expires")
    scope = fields.Char(groups="base.group_system")
    strategy = fields.Char(help="Name of the token strategy that obtained these tokens.")

    _sql_constraints = [("credential_uniq", "unique(credential_ref)", "One token per credential.")]

    # ------------------------------------------------------------------ obtaining

    def _access_token(self, client, strategy):
        """A valid access token for ``client``'s credential, obtained through ``strategy``
        at most once across all workers: under the lock the row is read again, so a
        worker that waited uses what the first one stored."""
        credential_id = client.credential.id
        cached = self._cached(credential_id, strategy.name)
        if cached:
            return cached
        with independent_cursor(self.env, lock_timeout_ms=60000) as cr:
            cr.execute("SELECT pg_advisory_xact_lock(%s, %s)",
                       (TOKEN_LOCK_NAMESPACE, credential_id))
            stored = self._read(cr, credential_id)
            if stored.strategy and stored.strategy != strategy.name:
                stored = StoredTokens()  # another way of signing in: its tokens do not apply
            client.remember_secret(stored.refresh_token)
            if stored.access_token and _fresh(stored.access_expires):
                return self._cache(credential_id, stored.access_token, stored.access_expires,
                                   strategy.name)
            self._check_grant_allowed(client.credential)
            result = strategy.obtain(client, stored)
            client.remember_secret(result.access_token)
            client.remember_secret(result.refresh_token)
            expires = self._store(cr, credential_id, stored, result, strategy.name)
        return self._cache(credential_id, result.access_token, expires, strategy.name)

    def _check_grant_allowed(self, credential):
        """No grant for credentials the platform refused: a job queued while the account
        waits for a person fails at once instead of trying the wrong password again,
        which could lock the account. Test Connection may retry."""
        if credential.reconnect_needed and not self.env.context.get(RETRY_REFUSED_CONTEXT):
            raise AuthError(self.env._(
                "Reconnect needed: the platform refused these credentials (%(reason)s). Fix "
                "them or use Test Connection; no token is asked for until then.",
                reason=credential.reconnect_reason or "-"), refresh_helps=False)

    def _read(self, cr, credential_id):
        cr.execute("SELECT token, expires_at, refresh_token, refresh_expires_at, scope, strategy "
                   "FROM channel_access_token WHERE credential_ref = %s", (credential_id,))
        row = cr.fetchone()
        if not row:
            return StoredTokens()
        return StoredTokens(row[0], _epoch(row[1]), row[2], _epoch(row[3]), row[4], row[5])

    def _store(self, cr, credential_id, stored, result, strategy_name):
        """Save a grant (one UPSERT); a result without a refresh token keeps the stored
        one. Returns the access token's expiry epoch."""
        now = time.time()
        expires = now + float(result.expires_in or 3600)
        refresh, refresh_expires = stored.refresh_token, stored.refresh_expires
        if result.refresh_token:
            refresh = result.refresh_token
            refresh_expires = now + float(result.refresh_expires_in) \
                if result.refresh_expires_in else 0.0
        cr.execute(
            """INSERT INTO channel_access_token
                   (credential_ref, token, expires_at, refresh_token, refresh_expires_at,
                    scope, strategy, create_date, write_date)
               VALUES (%s, %s, %s, %s, %s, %s, %s, now() at time zone 'utc',
                       now() at time zone 'utc')
               ON CONFLICT (credential_ref) DO UPDATE SET
                   token = EXCLUDED.token, expires_at = EXCLUDED.expires_at,
                   refresh_token = EXCLUDED.refresh_token,
                   refresh_expires_at = EXCLUDED.refresh_expires_at,
                   scope = EXCLUDED.scope, strategy = EXCLUDED.strategy,
                   write_date = EXCLUDED.write_date""",
            (credential_id, result.access_token, _naive_utc(expires), refresh,
             _naive_utc(refresh_expires), result.scope or stored.scope, strategy_name),
        )
        return expires

    # ------------------------------------------------------------------ process cache

    def _cached(self, credential_id, strategy_name):
        cached = _PROCESS_CACHE.get((self.env.cr.dbname, credential_id))
        if cached and _fresh(cached[1]) and cached[2] == strategy_name:
            return cached[0]
        return None

    def _cache(self, credential_id, token, expires, strategy_name):
        _PROCESS_CACHE[(self.env.cr.dbname, credential_id)] = (token, expires, strategy_name)
        return token

    def _cached_token(self, credential_id):
        """The token this process holds, for masking; never fetches."""
        cached = _PROCESS_CACHE.get((self.env.cr.dbname, credential_id))
        return cached[0] if cached else None

    # ------------------------------------------------------------------ discarding

    def _discard_access_token(self, credential_id, token):
        """Forget ``token`` if it is still the stored one (another worker may already
        have replaced it with a fresh one, which survives); keep the refresh token."""
        key = (self.env.cr.dbname, credential_id)
        if _PROCESS_CACHE.get(key, (None,))[0] == token:
            _PROCESS_CACHE.pop(key, None)
        with independent_cursor(self.env) as cr:
            cr.execute("UPDATE channel_access_token SET token = NULL, expires_at = NULL "
                       "WHERE credential_ref = %s AND token = %s", (credential_id, token))

    def _forget(self, credential_ids):
        """Drop every token of these credentials (their secrets changed, or they are gone)."""
        for credential_id in credential_ids:
            _PROCESS_CACHE.pop((self.env.cr.dbname, credential_id), None)
        with independent_cursor(self.env) as cr:
            cr.execute("DELETE FROM channel_access_token WHERE credential_ref = ANY(%s)",
                       (list(credential_ids),))

    def _stored_secrets(self, credential_id):
        """Every token held for the credential (store and process cache), for masking
        and for the secrets kit."""
        with independent_cursor(self.env) as cr:
            stored = self._read(cr, credential_id)
        values = [stored.access_token, stored.refresh_token, self._cached_token(credential_id)]
        return [value for value in values if value]


def _fresh(expires_epoch):
    return expires_epoch > time.time() + TOKEN_MARGIN_SECONDS
