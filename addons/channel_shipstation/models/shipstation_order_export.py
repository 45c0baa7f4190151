"""ShipStation order export: which transfers an account ships, and sending them as
ShipStation orders."""

import hashlib

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

from .. import mapping
from ..client import ShipStationClient
from ..const import MAX_ORDERS_PER_REQUEST, OP_EXPORT, PLATFORM
from .stock_picking import NO_EXPORT


class ShipStationOrderExport(models.Model):
    # One file per flow on the credential is the layout every platform follows.
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    def _on_sync_job_failed(self, job):
        """Batch jobs target the credential; a batch that failed as a whole (validation
        error of the request, retries exhausted) marks each of its transfers."""
        parent = getattr(super(), "_on_sync_job_failed", None)
        if parent:
            parent(job)
        if self.platform != PLATFORM or job.operation != OP_EXPORT:
            return
        pickings = self.env["stock.picking"].browse(
            (job.payload or {}).get("picking_ids") or []).exists()
        pickings._shipstation_mark_failed(job.last_error)

    def _shipstation_accepts(self, picking):
        """Whether this account ships ``picking`` (outgoing, same company, configured
        warehouse or operation type, not bound to another channel)."""
        self.ensure_one()
        if picking.picking_type_code != "outgoing" or picking.company_id != self.company_id:
            return False
        if picking.channel_credential_id and picking.channel_credential_id != self:
            return False
        if self.shipstation_picking_type_ids:
            return picking.picking_type_id in self.shipstation_picking_type_ids
        if self.shipstation_warehouse_ids:
            return picking.picking_type_id.warehouse_id in self.shipstation_warehouse_ids
        return True

    def _shipstation_picking_domain(self):
        self.ensure_one()
        domain = [
            ("picking_type_code", "=", "outgoing"),
            ("company_id", "=", self.company_id.id),
            # _origin: also the domain of a form not saved yet (the first-run warning).
            ("channel_credential_id", "in", [False, self._origin.id]),
        ]
        if self.shipstation_picking_type_ids:
            domain.append(
                ("picking_type_id", "in", self.shipstation_picking_type_ids._origin.ids))
        elif self.shipstation_warehouse_ids:
            domain.append(("picking_type_id.warehouse_id", "in",
                           self.shipstation_warehouse_ids._origin.ids))
        return domain

    def _shipstation_fulfils(self, picking):
        """Whether this account is configured to fulfil ``picking``'s order: from a channel
        chosen in Fulfil Orders From, or one of Odoo's own sale orders if ticked, and
        created since the start date. Only decides for transfers not sent yet."""
        self.ensure_one()
        if self.shipstation_start_date and picking.create_date \
                and picking.create_date < self.shipstation_start_date:
            return False
        sale = picking.sale_id
        if not sale:
            return False
        if sale.channel_credential_id:
            return sale.channel_credential_id in self.shipstation_source_credential_ids
        return self.shipstation_fulfil_own_orders

    def _shipstation_fulfil_domain(self):
        """``_shipstation_fulfils`` as a stock.picking domain."""
        self.ensure_one()
        sources = [("sale_id.channel_credential_id", "in",
                    self.shipstation_source_credential_ids._origin.ids)]
        if self.shipstation_fulfil_own_orders:
            sources = expression.OR([sources, [("sale_id", "!=", False),
                                               ("sale_id.channel_credential_id", "=", False)]])
        if self.shipstation_start_date:
            start = fields.Datetime.to_string(self.shipstation_start_date)
            sources = expression.AND([sources, [("create_date", ">=", start)]])
        return sources

    def _shipstation_next_run_domain(self):
        """The transfers the next run sends (the cron sweep; when sending manually only,
        Send Ready Transfers Now), or None when no run will send anything."""
        self.ensure_one()
        if self.reconnect_needed and self.shipstation_send_on != "manual":
            return None
        if self.shipstation_send_on == "manual":
            return self._shipstation_unsent_domain(ready_only=True, include_failed=True)
        return self._shipstation_unsent_domain(
            ready_only=self.shipstation_send_on == "picking_ready")

    def _shipstation_unsent_domain(self, ready_only=True, include_failed=False):
        """Transfers this account fulfils that were never sent (the sweeps)."""
        domain = self._shipstation_picking_domain() + [("shipstation_order_id", "=", False)]
        domain = expression.AND([domain, self._shipstation_fulfil_domain()])
        if ready_only:
            domain.append(("state", "=", "assigned"))
        else:
            domain += [("state", "in", ("confirmed", "waiting", "assigned")),
                       ("sale_id.state", "=", "sale")]
        if not include_failed:
            domain.append(("channel_sync_state", "!=", "error"))
        return domain

    @api.model
    def _shipstation_credential_for(self, picking, credentials, asked=False):
        """The first of ``credentials`` (ShipStation accounts) that ships ``picking``. A
        transfer not bound yet must be one the account fulfils, unless a person ``asked``
        for it (the Send to ShipStation button)."""
        if picking.channel_credential_id:
            bound = picking.channel_credential_id.with_env(credentials.env)
            return bound if bound in credentials else self.browse()
        return next((c for c in credentials if c._shipstation_accepts(picking)
                     and (asked or c._shipstation_fulfils(picking))), self.browse())

    def _shipstation_enqueue_exports(self, pickings):
        """Mark ``pickings`` to send and queue them in jobs of at most 100 (one createorders
        call each); return the jobs that will send them. A transfer already waiting in a
        queued job is not queued twice: that job reads it when it runs."""
        self.ensure_one()
        # Bookkeeping on the queue is ours, whoever confirmed the order or reserved stock.
        pickings = pickings.with_env(self.env).with_context(**{NO_EXPORT: True})
        pickings.write({"shipstation_export_pending": True, "channel_credential_id": self.id,
                        "channel_sync_state": "pending"})
        queued = pickings.filtered(lambda p: p.shipstation_export_job_id.state == "pending")
        jobs = queued.shipstation_export_job_id
        for ids in mapping.chunked((pickings - queued).sorted("id").ids,
                                   MAX_ORDERS_PER_REQUEST):
            digest = hashlib.sha1(",".join(map(str, ids)).encode()).hexdigest()[:16]  # noqa: S324
            job = self._enqueue_job(
                OP_EXPORT, record=self, payload={"picking_ids": ids},
                dedup_key=f"{OP_EXPORT}:{self.id}:{digest}",
                name=self.env._("Send %(count)s transfer(s) to ShipStation", count=len(ids)),
                # Below imports (10): a burst of confirmations is sent in full batches.
                priority=5,
            )
            pickings.browse(ids).write({"shipstation_export_job_id": job.id})
            jobs |= job
        return jobs

    def _shipstation_sweep_exports(self, job):
        """Queue the ready transfers no trigger sent (a trigger that failed, a
        configuration that changed); nothing when sending manually only."""
        if self.shipstation_send_on == "manual":
            return {"queued": 0, "note": "sending manually only"}
        pickings = self.env["stock.picking"].search(self._shipstation_unsent_domain(
            ready_only=self.shipstation_send_on == "picking_ready"))
        return {"queued": len(pickings), "jobs": len(self._shipstation_enqueue_exports(pickings))}

    def _shipstation_pickings_to_export(self, job):
        """The job's transfers still waiting, topped up to 100 with others waiting for this
        account: transfers queued one by one (an import confirming orders one at a time)
        still leave in full batches, and the jobs they left behind find nothing to send."""
        Picking = self.env["stock.picking"]
        own = Picking.browse((job.payload or {}).get("picking_ids") or []).exists().filtered(
            "shipstation_export_pending")
        room = MAX_ORDERS_PER_REQUEST - len(own)
        others = Picking.search([
            ("channel_credential_id", "=", self.id), ("shipstation_export_pending", "=", True),
            ("id", "not in", own.ids)], order="id", limit=room) if room > 0 else Picking
        candidates = own | others
        if not candidates:
            return candidates
        # Two jobs sweeping at once must not both send a transfer.
        self.env.cr.execute("SELECT id FROM stock_picking WHERE id IN %s FOR UPDATE SKIP LOCKED",
                            [tuple(candidates.ids)])
        locked = {row[0] for row in self.env.cr.fetchall()}
        return candidates.filtered(lambda picking: picking.id in locked)

    def _shipstation_export_pickings(self, job):
        pickings = self._shipstation_pickings_to_export(job)
        if not pickings:
            return {"sent": 0, "note": "already sent with another batch"}
        pickings.with_context(**{NO_EXPORT: True}).write({"shipstation_export_pending": False})
        database_uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        orders, failed, skipped = [], {}, {}
        for picking in pickings:
            reason = picking._shipstation_skip_reason(self)
            if reason:
                skipped[picking] = reason
                continue
            try:
                values = picking._shipstation_order_values(self, database_uuid)
                orders.append((picking, mapping.order_payload(values)))
            except (ValueError, UserError) as error:
                failed[picking] = str(error.args[0] if error.args else error)
        client = ShipStationClient(self)
        sent = 0
        for batch in mapping.chunked(orders, MAX_ORDERS_PER_REQUEST):
            answer = client.create_orders([payload for _picking, payload in batch])
            results = mapping.results_by_order_key(answer)
            for picking, payload in batch:
                no_result = (False, None, self.env._("ShipStation returned no result."))
                success, order_id, message = results.get(payload["orderKey"], no_result)
                if success:
                    picking._shipstation_mark_sent(self, payload, order_id)
                    sent += 1
                else:
                    failed[picking] = message or self.env._("Refused by ShipStation.")
        for picking, message in failed.items():
            picking._shipstation_mark_failed(message)
        for picking, reason in skipped.items():
            picking._shipstation_mark_skipped(reason)
        return {
            "sent": sent,
            "failed": {picking.name: message for picking, message in failed.items()},
            "skipped": {picking.name: reason for picking, reason in skipped.items()},
        }
