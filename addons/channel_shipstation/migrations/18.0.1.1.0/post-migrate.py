"""Data of the mechanisms ShipStation moved onto (issue 15):

- its own service map (``shipstation.service.map``) became rows of the shared
  ``channel.carrier.map``: each account's rows are copied (same carrier, carrier and service
  code); Odoo drops the old table after this script (its model no longer exists);
- unmatched shipments kept as synthetic failed webhook events (delivery id
  ``shipment:<shipmentId>``, type ``SHIPSTATION_SHIPMENT``) became ``channel.inbox.item``
  rows of the stream ``shipments``: the failed ones are moved, with their error; all the
  synthetic events are then deleted (nothing processes them any more);
- the two crons became declared streams (``shipments``, ``export_sweep``) of channel_base's
  one stream cron: the old cron records (noupdate, so Odoo keeps them) are deleted and poll
  jobs still waiting are cancelled (their operation no longer exists)."""

import json

from odoo import SUPERUSER_ID, api
from odoo.tools.sql import table_exists

OLD_TABLE = "shipstation_service_map"
OLD_EVENT_TYPE = "SHIPSTATION_SHIPMENT"
OLD_PREFIX = "shipment:"
OLD_CRONS = ("channel_shipstation.ir_cron_shipstation_export",
             "channel_shipstation.ir_cron_shipstation_poll")
OLD_POLL_OPERATION = "shipstation.poll_shipments"


def move_service_maps(cr):
    """Copy the old rows once (a row already in the shared map is not copied again)."""
    if not table_exists(cr, OLD_TABLE):
        return 0
    cr.execute("""
        INSERT INTO channel_carrier_map (platform, credential_id, carrier_id, carrier_code,
                                         service_code, company_id, sequence, active,
                                         create_uid, create_date, write_uid, write_date)
        SELECT 'shipstation', old.credential_id, old.delivery_carrier_id, old.carrier_code,
               NULLIF(old.service_code, ''), account.company_id, 10, TRUE,
               old.create_uid, old.create_date, old.write_uid, old.write_date
          FROM shipstation_service_map old
          JOIN integration_credential account ON account.id = old.credential_id
         WHERE NOT EXISTS (
               SELECT 1 FROM channel_carrier_map new
                WHERE new.platform = 'shipstation'
                  AND new.credential_id = old.credential_id
                  AND new.carrier_id = old.delivery_carrier_id
                  AND new.carrier_code = old.carrier_code
                  AND COALESCE(new.service_code, '') = COALESCE(old.service_code, ''))
    """)
    return cr.rowcount


def move_unmatched_events(env):
    """Park each failed synthetic shipment event in the inbox; returns the items."""
    events = env["channel.webhook.event"].search([
        ("event_type", "=", OLD_EVENT_TYPE), ("delivery_id", "=like", OLD_PREFIX + "%")])
    items = env["channel.inbox.item"]
    for event in events.filtered(lambda event: event.state == "failed"):
        shipment = (json.loads(event.body or "{}") or {}).get("shipment") or {}
        items |= items._record_failure(
            event.credential_id, "shipments", event.delivery_id[len(OLD_PREFIX):], shipment,
            event.error or "Unmatched ShipStation shipment.")
    events.unlink()
    return items


def drop_old_crons(env):
    for xmlid in OLD_CRONS:
        cron = env.ref(xmlid, raise_if_not_found=False)
        if cron:
            cron.unlink()
    env.cr.execute("UPDATE sync_job SET state = 'cancelled' WHERE operation = %s "
                   "AND state = 'pending'", (OLD_POLL_OPERATION,))


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    move_service_maps(cr)
    move_unmatched_events(env)
    drop_old_crons(env)
