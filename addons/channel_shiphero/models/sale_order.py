from datetime import datetime, timedelta

from odoo import api, fields, models

from .. import late_clock, mapping

LATE_STATES = [("on_time", "On Time"), ("at_risk", "At Risk"), ("late", "Late"),
               ("shipped", "Shipped on Time"), ("shipped_late", "Shipped Late")]


class SaleOrder(models.Model):
    _inherit = "sale.order"

    shiphero_brand_id = fields.Many2one("res.partner", "Brand", index=True, readonly=True)
    shiphero_legacy_id = fields.Char("ShipHero Legacy ID", index=True, readonly=True)
    shiphero_fulfillment_status = fields.Char("Fulfilment Status", readonly=True, index=True)
    shiphero_allocation_ids = fields.One2many("shiphero.allocation.event", "order_id",
                                              "Allocation History")
    shiphero_ready_since = fields.Datetime(
        "Ready to Ship Since", compute="_compute_shiphero_ready_since", store=True,
        help="The latest allocation not followed by a deallocation.")
    shiphero_history_ids = fields.One2many("shiphero.order.history", "order_id",
                                           "ShipHero Order History")
    shiphero_shipment_ids = fields.One2many("shiphero.shipment", "order_id", "Shipments")
    shiphero_ship_by = fields.Datetime("Ship By", readonly=True)
    shiphero_shipped_at = fields.Datetime("Shipped At", readonly=True)
    shiphero_late_state = fields.Selection(LATE_STATES, "Late-Shipment State", readonly=True,
                                           index=True)
    shiphero_late_hours = fields.Float("Working Hours Late", readonly=True)

    @api.depends("shiphero_allocation_ids.kind", "shiphero_allocation_ids.event_at")
    def _compute_shiphero_ready_since(self):
        for order in self:
            order.shiphero_ready_since = mapping.ready_since(
                [(event.kind, event.event_at) for event in order.shiphero_allocation_ids])

    # ------------------------------------------------------------------ allocations

    def _shiphero_add_allocation_events(self, events, source):
        """Keep ``events`` [(kind, at, reference)] not kept yet; returns how many were new."""
        self.ensure_one()
        known = {(event.kind, event.event_at, event.reference or "")
                 for event in self.shiphero_allocation_ids}
        new = [(kind, at, reference or "") for kind, at, reference in events
               if at and (kind, at, reference or "") not in known]
        if new:
            self.env["shiphero.allocation.event"].create([
                {"order_id": self.id, "kind": kind, "event_at": at, "reference": reference,
                 "source": source} for kind, at, reference in new])
            self._shiphero_update_late_state()
        return len(new)

    # ------------------------------------------------------------------ late clock

    def _shiphero_week(self):
        """The shipping week of the order's warehouse (its calendar or the company's)."""
        self.ensure_one()
        warehouse = self.warehouse_id
        calendar = warehouse.shiphero_calendar_id or self.company_id.resource_calendar_id
        cutoff = warehouse.shiphero_cutoff_hour or self.company_id.shiphero_cutoff_hour
        attendances = [(int(a.dayofweek), a.hour_from, a.hour_to)
                       for a in calendar.attendance_ids
                       if not a.display_type and a.day_period != "lunch"]
        leaves = calendar.global_leave_ids
        holidays = late_clock.holiday_dates(
            [(leave.date_from, leave.date_to) for leave in leaves], calendar.tz)
        return late_clock.week_of(calendar.tz, cutoff, attendances, holidays)

    def _shiphero_update_late_state(self, now=None):
        """Recompute ship-by, state and working hours late (on allocation, deallocation,
        shipment, and by the hourly cron for open orders)."""
        now = now or fields.Datetime.now()
        weeks = {}  # one shipping week per warehouse and company, not one per order
        for order in self:
            if not order.shiphero_ready_since or order.state == "cancel":
                order.write({"shiphero_ship_by": False, "shiphero_late_state": False,
                             "shiphero_late_hours": 0.0})
                continue
            key = (order.warehouse_id.id, order.company_id.id)
            if key not in weeks:
                weeks[key] = order._shiphero_week()
            week = weeks[key]
            deadline = late_clock.ship_by(order.shiphero_ready_since, week)
            state, hours = late_clock.late_state(
                deadline, now, order.shiphero_shipped_at,
                order.company_id.shiphero_at_risk_hours, week)
            order.write({"shiphero_ship_by": _naive(deadline), "shiphero_late_state": state,
                         "shiphero_late_hours": round(hours, 2)})

    @api.model
    def _cron_shiphero_refresh_late_states(self):
        self.search([("shiphero_ready_since", "!=", False), ("shiphero_shipped_at", "=", False),
                     ("state", "!=", "cancel")])._shiphero_update_late_state()


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    shiphero_line_id = fields.Char("ShipHero Line ID", readonly=True)


def _naive(moment):
    return moment.replace(tzinfo=None) if isinstance(moment, datetime) else moment


class SaleOrderShiphero(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    shiphero_reconciled_at = fields.Datetime("Last Reconciled", readonly=True)

    def _shiphero_apply_order_node(self, node, source):
        """Bring the order in line with a ShipHero order node: status, allocations,
        cancellation, and shipments when the node carries them. True when it changed."""
        self.ensure_one()
        changed = False
        status = node.get("fulfillment_status")
        if status and status != self.shiphero_fulfillment_status:
            self.shiphero_fulfillment_status = status
            changed = True
        changed |= bool(self._shiphero_add_allocation_events(
            mapping.allocation_events(node), source))
        if (source == "reconciliation" and "allocations" in node and not node["allocations"]
                and self.shiphero_ready_since and status not in ("fulfilled", "canceled")):
            # Allocated here, not at ShipHero: a lost Order Deallocated.
            at = max(fields.Datetime.now(), self.shiphero_ready_since + timedelta(seconds=1))
            changed |= bool(self._shiphero_add_allocation_events(
                [("deallocated", at, "")], source))
        if status == "canceled" and self.state != "cancel":
            self._shiphero_cancel(source)
            changed = True
        if node.get("shipments"):
            credential = self.channel_credential_id
            result = credential._shiphero_import_shipments(
                [dict(mapping.shipment_of_node(s), order_id=self.channel_external_id)
                 for s in node["shipments"]], source=source)
            changed |= bool(result["created"])
        return changed

    def _shiphero_cancel(self, source):
        """Cancelled at ShipHero: the order and its open transfers, said in the chatter."""
        self.ensure_one()
        self.shiphero_fulfillment_status = "canceled"
        if self.state != "cancel":
            self.with_context(disable_cancel_warning=True)._action_cancel()
        self.message_post(body=self.env._(
            "Cancelled in ShipHero (%(origin)s); the order and its open transfers are "
            "cancelled.", origin=source))
        self._shiphero_update_late_state()
