"""A database cursor independent of the caller's transaction.

API logs, rate-limit state and cached tokens must survive a rollback of the job that
produced them and be visible to other workers at once, so they are written on their own
connection and committed immediately. Odoo's test mode shares one connection for every
``registry.cursor()``, which would make such writes roll back with the test's savepoints;
hence a real connection from the pool even under tests.
"""

from contextlib import contextmanager

from odoo import sql_db


@contextmanager
def independent_cursor(env, lock_timeout_ms=5000):
    cursor = sql_db.db_connect(env.cr.dbname).cursor()
    try:
        # Read committed: after waiting for a lock, see what the other worker committed
        # (Odoo's default repeatable read would raise a serialization failure instead).
        cursor.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        # Never wait forever on a row the caller's own transaction holds.
        cursor.execute("SET LOCAL lock_timeout = %s", (f"{int(lock_timeout_ms)}ms",))
        yield cursor
        cursor.commit()
    except Exception:
        cursor.rollback()
        raise
    finally:
        cursor.close()
