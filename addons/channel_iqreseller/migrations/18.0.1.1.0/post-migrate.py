"""Move IQ Reseller onto the shared mechanisms of channel_base:

- the poll interval (iqr_poll_interval, now removed) becomes the interval of each
  account's "orders" stream; the old poll cron goes (channel_base's stream cron runs it);
- failed one-order import jobs (the old place of orders a person must fix) become
  channel.inbox.item rows of the "orders" stream, with the same payload and error;
  the jobs are cancelled;
- one-order import jobs still waiting become import-chunk jobs of that one order;
  waiting poll jobs are cancelled (the stream's run replaces them).
"""

from odoo import SUPERUSER_ID, api
from odoo.tools.sql import column_exists

OLD_POLL = "iqreseller.poll_orders"
OLD_IMPORT = "iqreseller.import_order"
CHUNK = "iqreseller.import_orders"
STREAM = "orders"


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    _copy_poll_intervals(env)
    _park_failed_imports(env)
    _convert_waiting_jobs(env)
    cron = env.ref("channel_iqreseller.ir_cron_iqreseller_poll", raise_if_not_found=False)
    if cron:
        cron.unlink()


def _copy_poll_intervals(env):
    if not column_exists(env.cr, "integration_credential", "iqr_poll_interval"):
        return
    env.cr.execute("SELECT id, iqr_poll_interval FROM integration_credential "
                   "WHERE platform = 'iqreseller' AND iqr_poll_interval > 0")
    for credential_id, minutes in env.cr.fetchall():
        credential = env["integration.credential"].with_context(active_test=False).browse(
            credential_id)
        credential._channel_stream(STREAM).interval_minutes = minutes


def _park_failed_imports(env):
    Inbox = env["channel.inbox.item"]
    jobs = env["sync.job"].search([("operation", "=", OLD_IMPORT), ("state", "=", "failed")],
                                  order="id")
    for job in jobs:
        payload = job.payload or {}
        soid = str((payload.get("so") or {}).get("soid") or "")
        if soid and job.credential_id:
            Inbox._record_failure(job.credential_id, STREAM, soid, payload,
                                  job.last_error or "Import failed before the upgrade.")
    jobs.write({"state": "cancelled"})


def _convert_waiting_jobs(env):
    Job = env["sync.job"]
    for job in Job.search([("operation", "=", OLD_IMPORT),
                           ("state", "in", ("pending", "running"))]):
        job.write({"operation": CHUNK, "payload": {"orders": [job.payload or {}]},
                   "state": "pending"})
    Job.search([("operation", "=", OLD_POLL),
                ("state", "in", ("pending", "running"))]).write({"state": "cancelled"})
