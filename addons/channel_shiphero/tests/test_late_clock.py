"""The late-shipment clock, pure (no database): weekends, holidays, cutoff edges and
timezone boundaries."""

import unittest
from datetime import UTC, date, datetime, time

from odoo.tests import TransactionCase, tagged

from ..late_clock import (
    ShippingWeek,
    holiday_dates,
    hour_to_time,
    late_state,
    ship_by,
    week_of,
    working_hours_between,
)

NY = "America/New_York"
MON_FRI = {day: (time(8), time(17)) for day in range(5)}


def ny(*args):
    """An aware New York datetime, as UTC."""
    from zoneinfo import ZoneInfo
    return datetime(*args, tzinfo=ZoneInfo(NY)).astimezone(UTC)


def local(moment):
    from zoneinfo import ZoneInfo
    return moment.astimezone(ZoneInfo(NY)).replace(tzinfo=None)


class TestLateClock(unittest.TestCase):
    week = ShippingWeek(tz=NY, cutoff=time(14), hours=MON_FRI,
                        holidays=frozenset({date(2025, 7, 4)}))

    def test_before_cutoff_on_a_working_day_is_due_that_day(self):
        self.assertEqual(local(ship_by(ny(2025, 3, 3, 9, 0), self.week)),
                         datetime(2025, 3, 3, 17, 0))  # Monday

    def test_after_cutoff_is_due_the_next_working_day(self):
        self.assertEqual(local(ship_by(ny(2025, 3, 3, 15, 0), self.week)),
                         datetime(2025, 3, 4, 17, 0))

    def test_cutoff_edges(self):
        self.assertEqual(local(ship_by(ny(2025, 3, 3, 13, 59, 59), self.week)).day, 3)
        self.assertEqual(local(ship_by(ny(2025, 3, 3, 14, 0, 0), self.week)).day, 4,
                         "at the cutoff is after it")

    def test_friday_after_cutoff_and_weekend_are_due_monday(self):
        monday = datetime(2025, 3, 10, 17, 0)
        self.assertEqual(local(ship_by(ny(2025, 3, 7, 16, 0), self.week)), monday)
        self.assertEqual(local(ship_by(ny(2025, 3, 8, 10, 0), self.week)), monday)  # Saturday
        self.assertEqual(local(ship_by(ny(2025, 3, 9, 10, 0), self.week)), monday)  # Sunday

    def test_holiday_is_closed(self):
        # Thursday 3 July after cutoff: Friday 4 July is a holiday, due Monday 7 July.
        self.assertEqual(local(ship_by(ny(2025, 7, 3, 15, 0), self.week)),
                         datetime(2025, 7, 7, 17, 0))
        self.assertEqual(local(ship_by(ny(2025, 7, 4, 9, 0), self.week)),
                         datetime(2025, 7, 7, 17, 0), "ready on the holiday itself")

    def test_timezone_boundary(self):
        # 02:30 UTC Tuesday is 21:30 Monday in New York (EST): after Monday's cutoff.
        ready = datetime(2025, 3, 4, 2, 30, tzinfo=UTC)
        self.assertEqual(local(ship_by(ready, self.week)), datetime(2025, 3, 4, 17, 0))
        # Naive datetimes are UTC (Odoo's storage): 18:00 UTC = 13:00 EST, before cutoff.
        self.assertEqual(local(ship_by(datetime(2025, 3, 3, 18, 0), self.week)),
                         datetime(2025, 3, 3, 17, 0))

    def test_daylight_saving_change(self):
        # Sunday 9 March 2025 clocks go forward: ready Saturday, due Monday 17:00 EDT.
        deadline = ship_by(ny(2025, 3, 8, 12, 0), self.week)
        self.assertEqual(deadline, datetime(2025, 3, 10, 21, 0, tzinfo=UTC))

    def test_allocation_date_not_creation_date(self):
        # Created 1 March (Saturday), allocated 1 April (Tuesday) 10:00: due 1 April.
        self.assertEqual(local(ship_by(ny(2025, 4, 1, 10, 0), self.week)),
                         datetime(2025, 4, 1, 17, 0))

    def test_working_hours_late_skip_nights_and_weekends(self):
        deadline = ny(2025, 3, 7, 17, 0)  # Friday close
        self.assertEqual(working_hours_between(deadline, ny(2025, 3, 10, 10, 0), self.week), 2.0)
        state, hours = late_state(deadline, ny(2025, 3, 10, 10, 0), week=self.week)
        self.assertEqual((state, hours), ("late", 2.0))

    def test_at_risk_and_on_time_and_shipped(self):
        deadline = ny(2025, 3, 3, 17, 0)
        self.assertEqual(late_state(deadline, ny(2025, 3, 3, 15, 30), week=self.week),
                         ("at_risk", 0.0))
        self.assertEqual(late_state(deadline, ny(2025, 3, 3, 9, 0), week=self.week),
                         ("on_time", 0.0))
        self.assertEqual(late_state(deadline, ny(2025, 3, 5, 9, 0), ny(2025, 3, 3, 16, 0),
                                    week=self.week)[0], "shipped")
        self.assertEqual(late_state(deadline, ny(2025, 3, 5, 9, 0), ny(2025, 3, 4, 9, 0),
                                    week=self.week), ("shipped_late", 1.0))

    def test_week_from_calendar_rows(self):
        week = week_of(NY, 14.5, [(0, 8.0, 12.0), (0, 13.0, 17.0), (1, 8.0, 17.0)],
                       holiday_dates([(datetime(2025, 7, 4, 4), datetime(2025, 7, 5, 4))], NY))
        self.assertEqual(week.hours[0], (time(8), time(17)))
        self.assertEqual(week.cutoff, time(14, 30))
        self.assertEqual(week.holidays, frozenset({date(2025, 7, 4)}))
        self.assertEqual(hour_to_time(23.999), time(23, 59))


@tagged("post_install", "-at_install")
class TestLateStateOnOrders(TransactionCase):
    """The clock on orders: the warehouse's calendar with a holiday, filters."""

    def test_ship_by_uses_the_calendar_holidays_and_cutoff(self):
        calendar = self.env["resource.calendar"].create({
            "name": "3PL week", "tz": NY, "attendance_ids": [
                (0, 0, {"name": f"Day {day}", "dayofweek": str(day), "hour_from": 8,
                        "hour_to": 17, "day_period": "morning"}) for day in range(5)],
            "global_leave_ids": [(0, 0, {"name": "Independence Day",
                                         "date_from": datetime(2025, 7, 4, 4, 0),
                                         "date_to": datetime(2025, 7, 5, 3, 59, 59)})]})
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1)
        warehouse.write({"shiphero_calendar_id": calendar.id, "shiphero_cutoff_hour": 14.0})
        product = self.env["product.product"].create({"name": "Clock", "type": "consu"})
        order = self.env["sale.order"].create({
            "partner_id": self.env.user.partner_id.id, "warehouse_id": warehouse.id,
            "order_line": [(0, 0, {"product_id": product.id})]})
        # Allocated Thursday 3 July 2025 15:00 New York (19:00 UTC), after the cutoff.
        order._shiphero_add_allocation_events(
            [("allocated", datetime(2025, 7, 3, 19, 0), "A1")], "test")
        self.assertEqual(order.shiphero_ready_since, datetime(2025, 7, 3, 19, 0))
        self.assertEqual(order.shiphero_ship_by, datetime(2025, 7, 7, 21, 0),
                         "Friday is a holiday: due Monday 17:00 EDT")
        order._shiphero_update_late_state(now=datetime(2025, 7, 8, 14, 0))  # 10:00 EDT
        self.assertEqual((order.shiphero_late_state, order.shiphero_late_hours), ("late", 2.0))
        late = self.env["sale.order"].search([("shiphero_late_state", "=", "late"),
                                              ("id", "=", order.id)])
        self.assertEqual(late, order, "the Late Shipments filter finds it")
        order._shiphero_add_allocation_events(
            [("deallocated", datetime(2025, 7, 3, 20, 0), "A1")], "test")
        self.assertFalse(order.shiphero_ship_by, "deallocated: the clock stops")
