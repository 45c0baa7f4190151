import time


from odoo import fields, models

from ..db import independent_cursor


class ChannelRateLimit(models.Model):
    """Shared rate-limit state per credential and bucket, so every worker on every host
    spends from the same allowance.

    Two kinds: a request ``window`` (N requests per period, realigned on the platform's
    remaining/reset headers) and a cost ``bucket`` (GraphQL credits that refill at a rate).
    The row is read and written under ``FOR UPDATE`` on an independent cursor that commits
    at once, so the lock is held for a millisecond, not for the caller's whole job.
    The credential is referenced by id without a foreign key: this is plumbing written
    outside the caller's transaction.
    """

    _name = "channel.rate.limit"
    _description = "Channel Rate Limit State"

    credential_ref = fields.Integer(required=True, index=True)
    bucket = fields.Char(required=True, default="default")
    kind = fields.Selection([("window", "Request Window"), ("bucket", "Cost Bucket")])
    capacity = fields.Float()
    period_seconds = fields.Float(help="Window length, or seconds to refill an empty bucket.")
    available = fields.Float()
    window_resets_at = fields.Float(help="Epoch seconds.")
    updated_at = fields.Float(help="Epoch seconds.")
    blocked_until = fields.Float(help="Epoch seconds; set from a 429's wait.")

    _sql_constraints = [
        ("bucket_uniq", "unique(credential_ref, bucket)", "One state row per bucket."),
    ]

    # All methods below work on their own cursor and take plain values.

    def _reserve(self, credential_id, bucket, kind, capacity, period_seconds, cost=1.0):
        """Take ``cost`` from the allowance. Returns 0 when granted, else seconds to wait
        (nothing is taken then)."""
        with independent_cursor(self.env) as cr:
            row = self._locked_row(cr, credential_id, bucket, kind, capacity, period_seconds)
            now = time.time()
            if row["blocked_until"] and row["blocked_until"] > now:
                return row["blocked_until"] - now
            available, resets_at = self._replenished(row, now)
            if available + 1e-9 < cost:
                wait = (resets_at - now) if row["kind"] == "window" else (
                    (cost - available) * row["period_seconds"] / max(row["capacity"], 1e-9)
                )
                self._store(cr, row["id"], available, resets_at, now)
                return max(wait, 0.01)
            self._store(cr, row["id"], available - cost, resets_at, now)
            return 0.0

    def _observe(self, credential_id, bucket, remaining=None, resets_in=None, capacity=None,
                 period_seconds=None, blocked_for=None):
        """Realign the shared state with what the platform just told us."""
        with independent_cursor(self.env) as cr:
            cr.execute(
                "SELECT id, kind, available, window_resets_at FROM channel_rate_limit "
                "WHERE credential_ref = %s AND bucket = %s FOR UPDATE",
                (credential_id, bucket),
            )
            row = cr.dictfetchone()
            if not row:
                return
            now = time.time()
            updates = {"updated_at": now}
            if capacity:
                updates["capacity"] = capacity
            if period_seconds:
                updates["period_seconds"] = period_seconds
            if remaining is not None:
                # Other workers' requests may be in flight: never raise our count above
                # what we already believe, within the same window.
                same_window = resets_in is None or (row["window_resets_at"] or 0) > now
                updates["available"] = (
                    min(row["available"], remaining) if same_window and row["kind"] == "window"
                    else remaining
                )
            if resets_in is not None:
                updates["window_resets_at"] = now + resets_in
            if blocked_for:
                updates["blocked_until"] = now + blocked_for
                if row["kind"] == "window":
                    updates["available"] = 0
            assignments = ", ".join(f"{column} = %s" for column in updates)
            cr.execute(
                f"UPDATE channel_rate_limit SET {assignments} WHERE id = %s",  # noqa: S608
                (*updates.values(), row["id"]),
            )

    def _acquire(self, credential_id, bucket, kind, capacity, period_seconds, cost=1.0,
                 max_wait=60.0, sleep=time.sleep):
        """Block until ``cost`` is granted or return the wait that exceeds ``max_wait``."""
        deadline = time.time() + max_wait
        while True:
            wait = self._reserve(credential_id, bucket, kind, capacity, period_seconds, cost)
            if not wait:
                return 0.0
            if time.time() + wait > deadline:
                return wait
            sleep(min(wait, max(deadline - time.time(), 0.01)))

    def _locked_row(self, cr, credential_id, bucket, kind, capacity, period_seconds):
        now = time.time()
        cr.execute(
            """INSERT INTO channel_rate_limit
                   (credential_ref, bucket, kind, capacity, period_seconds, available,
                    window_resets_at, updated_at, blocked_until)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 0)
               ON CONFLICT (credential_ref, bucket) DO NOTHING""",
            (credential_id, bucket, kind, capacity, period_seconds, capacity,
             now + period_seconds, now),
        )
        cr.execute(
            "SELECT * FROM channel_rate_limit WHERE credential_ref = %s AND bucket = %s "
            "FOR UPDATE",
            (credential_id, bucket),
        )
        row = cr.dictfetchone()
        if (row["kind"], row["capacity"], row["period_seconds"]) != (kind, capacity,
                                                                     period_seconds):
            # The configuration changed (plan upgrade, new setting): it wins.
            cr.execute(
                "UPDATE channel_rate_limit SET kind = %s, capacity = %s, period_seconds = %s, "
                "available = LEAST(available, %s), window_resets_at = LEAST(window_resets_at, %s) "
                "WHERE id = %s",
                (kind, capacity, period_seconds, capacity, now + period_seconds, row["id"]),
            )
            row.update(kind=kind, capacity=capacity, period_seconds=period_seconds,
                       available=min(row["available"], capacity),
                       window_resets_at=min(row["window_resets_at"], now + period_seconds))
        return row

    @staticmethod
    def _replenished(row, now):
        if row["kind"] == "window":
            if now >= (row["window_resets_at"] or 0):
                return row["capacity"], now + row["period_seconds"]
            return row["available"], row["window_resets_at"]
        rate = row["capacity"] / max(row["period_seconds"], 1e-9)
        elapsed = max(now - (row["updated_at"] or now), 0)
        return min(row["capacity"], row["available"] + elapsed * rate), row["window_resets_at"]

    @staticmethod
    def _store(cr, row_id, available, resets_at, now):
        cr.execute(
            "UPDATE channel_rate_limit SET available = %s, window_resets_at = %s, "
            "updated_at = %s WHERE id = %s",
            (available, resets_at, now, row_id),
        )

    def _state(self, credential_id, bucket="default"):
        with independent_cursor(self.env) as cr:
            cr.execute(
                "SELECT * FROM channel_rate_limit WHERE credential_ref = %s AND bucket = %s",
                (credential_id, bucket),
            )
            return cr.dictfetchone()

    def _forget(self, credential_ids):
        with independent_cursor(self.env) as cr:
            cr.execute(
                "DELETE FROM channel_rate_limit WHERE credential_ref = ANY(%s)",
                (list(credential_ids),),
            )


