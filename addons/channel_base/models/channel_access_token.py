import time
from datetime import datetime, timezone

from odoo import fields, models

from ..db import independent_cursor

TOKEN_MARGIN_SECONDS = 60
TOKEN_LOCK_NAMESPACE = 7841  # advisory-lock class id for token refreshes
_PROCESS_CACHE = {}  # (dbname, credential id) -> (token, expires epoch); a cache, not a truth


class ChannelAccessToken(models.Model):
    """Short-lived access tokens (OAuth, sessions), shared by all workers.

    Kept apart from the credential row so a refresh never waits on someone editing the
    credential, and written on an independent cursor so a token fetched by a job that
    later fails is not thrown away. Readable by administrators only.
    """

    _name = "channel.access.token"
    _description = "Channel Access Token Cache"

    credential_ref = fields.Integer(required=True, index=True)
    token = fields.Char(groups="base.group_system")
    expires_at = fields.Datetime()

    _sql_constraints = [("credential_uniq", "unique(credential_ref)", "One token per credential.")]

    def _get(self, credential_id, fetch_token):
        """A valid token, fetched at most once across all workers: the refresh happens
        under an advisory lock, re-reading the row first so a worker that waited for the
        lock uses the token the first one just stored."""
        key = (self.env.cr.dbname, credential_id)
        cached = _PROCESS_CACHE.get(key)
        if cached and cached[1] > time.time() + TOKEN_MARGIN_SECONDS:
            return cached[0]
        with independent_cursor(self.env, lock_timeout_ms=60000) as cr:
            cr.execute("SELECT pg_advisory_xact_lock(%s, %s)",
                       (TOKEN_LOCK_NAMESPACE, credential_id))
            cr.execute("SELECT token, expires_at FROM channel_access_token "
                       "WHERE credential_ref = %s", (credential_id,))
            row = cr.fetchone()
            if row and row[0] and row[1]:
                expires = row[1].replace(tzinfo=timezone.utc).timestamp()
                if expires > time.time() + TOKEN_MARGIN_SECONDS:
                    _PROCESS_CACHE[key] = (row[0], expires)
                    return row[0]
            token, expires_in = fetch_token()
            expires = time.time() + float(expires_in or 3600)
            cr.execute(
                """INSERT INTO channel_access_token (credential_ref, token, expires_at)
                   VALUES (%s, %s, %s)
                   ON CONFLICT (credential_ref)
                   DO UPDATE SET token = EXCLUDED.token, expires_at = EXCLUDED.expires_at""",
                (credential_id, token,
                 datetime.fromtimestamp(expires, timezone.utc).replace(tzinfo=None)),
            )
        _PROCESS_CACHE[key] = (token, expires)
        return token

    def _forget(self, credential_ids):
        for credential_id in credential_ids:
            _PROCESS_CACHE.pop((self.env.cr.dbname, credential_id), None)
        with independent_cursor(self.env) as cr:
            cr.execute("DELETE FROM channel_access_token WHERE credential_ref = ANY(%s)",
                       (list(credential_ids),))

    def _cached_token(self, credential_id):
        """The token this process holds, for masking; never fetches."""
        cached = _PROCESS_CACHE.get((self.env.cr.dbname, credential_id))
        return cached[0] if cached else None
