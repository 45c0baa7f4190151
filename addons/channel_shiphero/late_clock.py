"""The late-shipment clock: pure functions, no ORM.

An order's ship-by deadline starts from the time it became ready to ship (its latest
allocation, not its creation). Allocated before the same-day cutoff on a working day: due
at that day's close. After the cutoff, or on a closed day (weekend, holiday): due at the
close of the next working day. Lateness counts working hours only.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS_AHEAD = 366


@dataclass(frozen=True)
class ShippingWeek:
    """When the warehouse ships: ``hours`` {weekday (0 = Monday): (open, close)} in local
    time, ``holidays`` closed dates, ``cutoff`` the same-day cutoff (local), ``tz``."""

    tz: str
    cutoff: time
    hours: dict
    holidays: frozenset = field(default_factory=frozenset)

    def is_open(self, day):
        return day.weekday() in self.hours and day not in self.holidays

    def local(self, day, moment):
        return datetime.combine(day, moment, ZoneInfo(self.tz))


def _aware(moment):
    """Naive datetimes are UTC (Odoo's storage)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _next_open_day(week, day):
    for offset in range(1, MAX_DAYS_AHEAD):
        candidate = day + timedelta(days=offset)
        if week.is_open(candidate):
            return candidate
    raise ValueError("No working day within a year: check the shipping calendar.")


def ship_by(ready_at, week):
    """The deadline (aware, UTC) of an order ready to ship at ``ready_at``."""
    local = _aware(ready_at).astimezone(ZoneInfo(week.tz))
    day = local.date()
    if not (week.is_open(day) and local.timetz().replace(tzinfo=None) < week.cutoff):
        day = _next_open_day(week, day)
    return week.local(day, week.hours[day.weekday()][1]).astimezone(UTC)


def working_hours_between(start, end, week):
    """Working hours (open hours of open days) from ``start`` to ``end``; 0 if end <= start."""
    start, end = _aware(start), _aware(end)
    if end <= start:
        return 0.0
    tz = ZoneInfo(week.tz)
    day, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    seconds = 0.0
    while day <= last:
        if week.is_open(day):
            opens, closes = week.hours[day.weekday()]
            low = max(start, week.local(day, opens))
            high = min(end, week.local(day, closes))
            seconds += max((high - low).total_seconds(), 0.0)
        day += timedelta(days=1)
    return seconds / 3600.0


def late_state(deadline, now, shipped_at=None, at_risk_hours=2.0, week=None):
    """``(state, working hours late)``: state is ``shipped`` (on time), ``shipped_late``,
    ``late``, ``at_risk`` or ``on_time``."""
    deadline, now = _aware(deadline), _aware(now)
    if shipped_at:
        shipped_at = _aware(shipped_at)
        late = working_hours_between(deadline, shipped_at, week) if week else max(
            (shipped_at - deadline).total_seconds() / 3600.0, 0.0)
        return ("shipped_late" if shipped_at > deadline else "shipped"), late
    if now > deadline:
        late = working_hours_between(deadline, now, week) if week else (
            (now - deadline).total_seconds() / 3600.0)
        return "late", late
    if deadline - now <= timedelta(hours=at_risk_hours):
        return "at_risk", 0.0
    return "on_time", 0.0


def hour_to_time(hours):
    """14.5 -> 14:30 (Odoo's float_time fields)."""
    hours = max(min(float(hours or 0.0), 23.999), 0.0)
    minutes = round(hours * 60)
    return time(min(minutes // 60, 23), minutes % 60 if minutes < 1440 else 59)


def week_of(tz, cutoff_hours, attendances, holidays):
    """A ShippingWeek from resource.calendar data: ``attendances`` [(weekday, from, to)]
    (float hours), ``holidays`` dates."""
    hours = {}
    for weekday, hour_from, hour_to in attendances:
        opens, closes = hours.get(int(weekday), (24.0, 0.0))
        hours[int(weekday)] = (min(opens, hour_from), max(closes, hour_to))
    return ShippingWeek(tz=tz or "UTC", cutoff=hour_to_time(cutoff_hours),
                        hours={day: (hour_to_time(low), hour_to_time(high))
                               for day, (low, high) in hours.items()},
                        holidays=frozenset(holidays))


def holiday_dates(leaves, tz):
    """Dates fully or partly covered by ``leaves`` [(start, end)] (naive UTC)."""
    zone = ZoneInfo(tz or "UTC")
    days = set()
    for start, end in leaves:
        day = _aware(start).astimezone(zone).date()
        last = (_aware(end) - timedelta(seconds=1)).astimezone(zone).date()
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return days


__all__ = ["ShippingWeek", "date", "holiday_dates", "late_state", "ship_by", "week_of",
           "working_hours_between"]
