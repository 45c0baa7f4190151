"""18.0.2.0.0: iQmetrix moves onto channel_base's shared mechanisms.

- failed / ignored ``iqmetrix_feed_entry`` rows become ``channel.inbox.item`` rows of the
  "feed" stream (payload: the entry's XML), attempts and times kept;
- ``iqmetrix_carrier_map`` rows become ``channel.carrier.map`` rows of the account;
- the feed marker (cursor "notifications") becomes the "feed" stream's cursor, and the
  account's poll interval the stream's interval;
- the old cron (noupdate, so Odoo would keep it) is deleted.

Then the old tables are dropped (with ``iqmetrix_oauth_token``: tokens are a cache,
re-obtained by the next call) and the old entries' chatter removed: Odoo deletes the
``ir.model`` rows of models a module no longer defines at the end of the upgrade, but
drops only the tables of models still in the registry, so it would leave these behind.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {"channel_shipment_events_off": True})
    _move_feed_entries(env)
    _move_carrier_maps(env)
    _move_feed_stream(env)
    _drop_old_tables(env.cr)
    old_cron = env.ref("channel_iqmetrix.ir_cron_iqmetrix_poll_feeds", raise_if_not_found=False)
    if old_cron:
        old_cron.unlink()


def _table_exists(cr, table):
    cr.execute("SELECT 1 FROM information_schema.tables WHERE table_name = %s", (table,))
    return bool(cr.fetchone())


def _move_feed_entries(env):
    if not _table_exists(env.cr, "iqmetrix_feed_entry"):
        return
    env.cr.execute(
        """SELECT credential_id, entry_id, entry_xml, error, attempts, state, create_date,
                  write_date
             FROM iqmetrix_feed_entry WHERE state IN ('failed', 'ignored') ORDER BY id""")
    env["channel.inbox.item"].create([{
        "credential_id": credential_id, "stream": "feed", "external_id": entry_id,
        "payload": xml or "", "payload_format": "xml", "error": error,
        "attempts": attempts or 1, "state": state, "first_attempt_at": created,
        "last_attempt_at": written,
    } for credential_id, entry_id, xml, error, attempts, state, created, written
        in env.cr.fetchall()])


def _move_carrier_maps(env):
    if not _table_exists(env.cr, "iqmetrix_carrier_map"):
        return
    env.cr.execute(
        """SELECT credential_id, sequence, carrier_id, shipping_method_code, shipping_provider
             FROM iqmetrix_carrier_map ORDER BY credential_id, sequence, id""")
    env["channel.carrier.map"].create([{
        "platform": "iqmetrix", "credential_id": credential_id, "sequence": sequence,
        "carrier_id": carrier_id, "method_code": method_code, "provider_name": provider,
    } for credential_id, sequence, carrier_id, method_code, provider in env.cr.fetchall()])


def _move_feed_stream(env):
    env.cr.execute(
        """UPDATE channel_sync_cursor SET stream = 'feed'
            WHERE stream = 'notifications' AND credential_id IN (
                  SELECT id FROM integration_credential WHERE platform = 'iqmetrix')""")
    env.cr.execute("SELECT column_name FROM information_schema.columns WHERE table_name = "
                   "'integration_credential' AND column_name = 'iqmetrix_poll_minutes'")
    intervals = {}
    if env.cr.fetchone():
        env.cr.execute("SELECT id, iqmetrix_poll_minutes FROM integration_credential "
                       "WHERE platform = 'iqmetrix'")
        intervals = dict(env.cr.fetchall())
    credentials = env["integration.credential"].with_context(active_test=False).search(
        [("platform", "=", "iqmetrix")])
    for credential in credentials:
        credential._channel_stream("feed").interval_minutes = max(
            1, intervals.get(credential.id) or 5)


OLD_MODELS = {"iqmetrix.oauth.token": "iqmetrix_oauth_token",
              "iqmetrix.feed.entry": "iqmetrix_feed_entry",
              "iqmetrix.carrier.map": "iqmetrix_carrier_map"}


def _drop_old_tables(cr):
    models = list(OLD_MODELS)
    cr.execute("DELETE FROM mail_message WHERE model = ANY(%s)", (models,))
    cr.execute("DELETE FROM mail_followers WHERE res_model = ANY(%s)", (models,))
    for table in OLD_MODELS.values():
        cr.execute(f"DROP TABLE IF EXISTS {table} CASCADE")  # noqa: S608 - constant names
