"""What a lost stream event would miss: a scheduled re-read of the orders DSCO has open
(getOrders, status created / shipment_pending, paged by scrollId: cost proportional to
the open orders) imports those Odoo does not have; and the order stream's health (the
stream exists on DSCO with the stored id, its partition and position) with Repair."""

from datetime import timedelta

from odoo import fields, models

from odoo.addons.channel_base.exceptions import PermanentError
from odoo.addons.channel_base.paged_import import PagedImport

from .. import const
from ..client import DscoClient


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class IntegrationCredential(models.Model):
    _inherit = "integration.credential"  # pylint: disable=consider-merging-classes-inherited

    dsco_stream_health = fields.Text("Order Stream Health", readonly=True, copy=False)
    dsco_stream_checked_at = fields.Datetime("Stream Checked At", readonly=True, copy=False)
    dsco_stream_ok = fields.Boolean("Order Stream OK", readonly=True, copy=False)
    dsco_permission_error = fields.Char(
        "DSCO Permission Error", compute="_compute_dsco_permission_error",
        help="The last call DSCO refused with 403 (the client lacks that API's permission).")

    def _compute_dsco_permission_error(self):
        for credential in self:
            job = self.env["sync.job"].sudo().search([
                ("credential_id", "=", credential.id), ("state", "=", "failed"),
                ("last_error", "=like", "HTTP 403 %")], order="id desc", limit=1)
            credential.dsco_permission_error = job and self.env._(
                "%(operation)s: %(error)s", operation=job.operation, error=job.last_error)

    # ------------------------------------------------------------------ reconciliation

    def _dsco_reconcile_orders(self, job):
        """Import the open DSCO orders Odoo does not have (a lost or skipped event)."""
        now = fields.Datetime.now()
        params = {"ordersCreatedSince": _iso(now - timedelta(days=const.RECONCILE_DAYS)),
                  "until": _iso(now - timedelta(seconds=const.RECONCILE_UNTIL_LAG_SECONDS)),
                  "status": ["created", "shipment_pending"],
                  "ordersPerPage": const.ORDERS_PER_PAGE}
        client = DscoClient(self)
        read, stats, pages = 0, {"created": 0, "failed": 0, "skipped": 0}, 0
        while True:
            answer = client.call("GET", const.ORDER_PAGE_PATH, params=params) or {}
            orders = answer.get("orders") or []
            pages += 1
            if not orders:
                break
            read += len(orders)
            page_stats = self._dsco_import_events([{"payload": order} for order in orders])
            for key in stats:
                stats[key] += page_stats[key]
            if not answer.get("scrollId"):
                break
            params = {"scrollId": answer["scrollId"]}
        return {"open_on_dsco": read, "pages": pages, **stats}

    # ------------------------------------------------------------------ stream health

    def action_dsco_check_stream(self):
        self.ensure_one()
        ok, report = self._dsco_stream_report()
        self.sudo().write({"dsco_stream_ok": ok, "dsco_stream_health": report,
                           "dsco_stream_checked_at": fields.Datetime.now()})
        return self._notification(report, "success" if ok else "warning")

    def _dsco_stream_report(self):
        """(ok, text): what is registered on DSCO vs what the connector needs."""
        if not self.dsco_stream_id:
            return False, self.env._("No order stream yet: the first stream read creates it.")
        streams = DscoClient(self).call("GET", const.STREAM_PATH,
                                        params={"id": self.dsco_stream_id}) or []
        stream = next((s for s in streams if s.get("id") == self.dsco_stream_id), None)
        if stream is None:
            return False, self.env._(
                "Order stream %s is not on DSCO any more: press Repair.", self.dsco_stream_id)
        partition = next((p for p in stream.get("partitions") or []
                          if p.get("partitionId") == const.PARTITION), None)
        problems = []
        if stream.get("objectType") != "order":
            problems.append(self.env._("its object type is %s", stream.get("objectType")))
        if partition is None:
            problems.append(self.env._("partition %s is missing", const.PARTITION))
        elif partition.get("status") not in (None, "active"):
            problems.append(self.env._("partition status %s", partition.get("status")))
        ours = PagedImport.load_cursor(self._get_cursor(const.ORDERS_STREAM).value) or "-"
        text = self.env._(
            "Order stream %(id)s: DSCO position %(dsco)s, Odoo position %(odoo)s, last event "
            "%(max)s.", id=self.dsco_stream_id, dsco=(partition or {}).get("position"),
            odoo=ours, max=(partition or {}).get("maxPosition"))
        if problems:
            return False, text + " " + self.env._("Problems: %s. Press Repair.",
                                                 "; ".join(problems))
        return True, text

    def action_dsco_repair_stream(self):
        """Re-create the order stream when DSCO no longer has it: a new stream starts at
        its own first position, then the reconciliation re-reads the open orders, so the
        orders of the gap are imported too."""
        self.ensure_one()
        ok, _report = self._dsco_stream_report()
        if ok:
            return self.action_dsco_check_stream()
        if self._channel_stream(const.ORDERS_STREAM).run_state == "running":
            raise PermanentError(self.env._("The order stream is being read: repair later."))
        old = self.dsco_stream_id
        self.sudo().dsco_stream_id = False
        self._set_cursor(const.ORDERS_STREAM, False)
        stream_id = self._dsco_ensure_stream()
        self.message_post(body=self.env._(
            "Order stream repaired: %(old)s replaced by %(new)s; open orders re-read.",
            old=old or "-", new=stream_id))
        self._channel_stream(const.RECONCILE_STREAM).action_run_now()
        return self.action_dsco_check_stream()

    def _dsco_stream_not_found(self, error):
        """A 404 on the stream read: say what to do."""
        return PermanentError(self.env._(
            "DSCO order stream %(id)s not found (%(error)s). Press Check Order Stream / "
            "Repair on the account.", id=self.dsco_stream_id, error=error.message),
            status=404)


