"""When a message is due: plain values in, aware datetimes out (no database here).

Two ways to say "before an appointment" are kept apart on purpose:

- ``hours_before``: an elapsed duration. 48 hours before 10:00 on the Monday after the
  clocks go forward is 09:00 on the Saturday, local time: 48 real hours.
- ``day_before_at``: a wall time. "The day before at 18:00" is 18:00 local on the
  previous calendar day, whatever the clocks did in between.

Quiet hours (no emails from 21:00 until 08:00, say) push a due time to the end of the
quiet spell, in the location's own time.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def wall_time(day: date, at: time, zone: ZoneInfo) -> datetime:
    """``at`` on ``day`` in ``zone``, as a UTC instant. A wall time the clocks skip
    (01:30 on the morning they go forward) is read as the instant an hour later, as the
    clock on the wall would show; a time that happens twice is the first one.

    UTC, because Python never calls a local time in the repeated hour equal to a time in
    another zone, even when it is the same instant."""
    local = datetime.combine(day, at).replace(tzinfo=zone, fold=0)
    return local.astimezone(UTC)


def hours_before(start: datetime, hours: int) -> datetime:
    return (start.astimezone(UTC) - timedelta(hours=hours)).astimezone(start.tzinfo)


def day_before_at(start: datetime, at: time, zone: ZoneInfo) -> datetime:
    local_day = start.astimezone(zone).date()
    return wall_time(local_day - timedelta(days=1), at, zone)


def days_before_at(start: datetime, days: int, at: time, zone: ZoneInfo) -> datetime:
    local_day = start.astimezone(zone).date()
    return wall_time(local_day - timedelta(days=days), at, zone)


def days_after_at(moment: datetime, days: int, at: time, zone: ZoneInfo) -> datetime:
    local_day = moment.astimezone(zone).date()
    return wall_time(local_day + timedelta(days=days), at, zone)


@dataclass(frozen=True)
class QuietHours:
    """A nightly spell without emails, from ``start`` until ``end`` local time. When
    ``start`` is later than ``end`` the spell runs over midnight (21:00 until 08:00)."""

    start: time
    end: time

    def contains(self, local: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """``moment`` itself when emails may go then, otherwise the end of the spell."""
        local = moment.astimezone(zone)
        if not self.contains(local.time().replace(tzinfo=None)):
            return moment
        day = local.date()
        if self.start > self.end and local.time() >= self.start:
            day += timedelta(days=1)
        return wall_time(day, self.end, zone)
