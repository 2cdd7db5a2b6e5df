"""Availability for 30 days for one practitioner: the target is under 50 ms.

Run from the repository root (pure Python, no database; DEBUG only lets the clinic
package load its settings):

    DEBUG=true .venv/bin/python docs/benchmarks/availability.py

The day looks like a busy clinic's: open 09:00 to 19:00 on weekdays and 09:00 to 14:00 on
Saturdays, four rooms, a closure, the practitioner on leave two days, and six 45-minute
appointments a day already booked for the practitioner and each room (with 10-minute
buffers). Over a daylight-saving change, in Europe/London.
"""

import statistics
import sys
import time as clock
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clinic.scheduling.availability import AvailabilityQuery, Interval, Resource, free_slots

LONDON = ZoneInfo("Europe/London")
FIRST = date(2026, 3, 16)
DAYS = 30


def _booked(offset_minutes: int) -> list[Interval]:
    busy = []
    for d in range(DAYS):
        day = FIRST + timedelta(days=d)
        for k in range(6):
            start = datetime.combine(day, time(9), tzinfo=LONDON).astimezone(UTC)
            start += timedelta(minutes=offset_minutes + k * 90)
            busy.append(Interval(start - timedelta(minutes=10), start + timedelta(minutes=55)))
    return busy


def _time(label: str, query: AvailabilityQuery) -> None:
    free_slots(query)  # warm-up
    timings = []
    for _ in range(50):
        start = clock.perf_counter()
        slots = free_slots(query)
        timings.append((clock.perf_counter() - start) * 1000)
    timings.sort()
    median, p95, worst = statistics.median(timings), timings[47], timings[-1]
    print(f"| {label} | {len(slots)} | {median:.1f} | {p95:.1f} | {worst:.1f} |")


def main() -> None:
    hours = {**{d: ((time(9), time(19)),) for d in range(5)}, 5: ((time(9), time(14)),)}
    leave = [
        Interval(
            datetime.combine(FIRST + timedelta(days=d), time(0), tzinfo=LONDON).astimezone(UTC),
            datetime.combine(FIRST + timedelta(days=d + 1), time(0), tzinfo=LONDON).astimezone(UTC),
        )
        for d in (3, 4)
    ]
    query = AvailabilityQuery(
        time_zone=LONDON,
        first_day=FIRST,
        last_day=FIRST + timedelta(days=DAYS - 1),
        duration=timedelta(minutes=45),
        buffer_before=timedelta(minutes=10),
        buffer_after=timedelta(minutes=10),
        opening_hours=hours,
        closures=((date(2026, 4, 3), date(2026, 4, 6)),),
        practitioners=(Resource(1, busy=_booked(0) + leave),),
        rooms=tuple(Resource(10 + r, busy=_booked(15 * r)) for r in range(4)),
    )
    print(f"{DAYS} days, 1 practitioner, 4 rooms, 50 runs each\n")
    print("| calendar | free slots | median ms | p95 ms | max ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    _time("busy: six bookings a day each", query)
    quiet = replace(
        query,
        practitioners=(Resource(1, busy=leave),),
        rooms=tuple(Resource(10 + r) for r in range(4)),
    )
    _time("quiet: nothing booked", quiet)


if __name__ == "__main__":
    main()
