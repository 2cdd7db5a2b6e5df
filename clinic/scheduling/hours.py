"""A week of hours (opening hours, working hours) as plain values: no database here.

A week maps a weekday (0 Monday ... 6 Sunday) to the intervals of that day, in the
location's local wall-clock time. A day with no intervals is closed.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, time
from itertools import pairwise

Interval = tuple[time, time]
Week = Mapping[int, Sequence[Interval]]

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def overlap(a: Interval, b: Interval) -> bool:
    """Whether two intervals share time; one ending as the other begins does not."""
    return a[0] < b[1] and b[0] < a[1]


def first_overlap(intervals: Iterable[Interval]) -> tuple[Interval, Interval] | None:
    """The first pair of overlapping intervals, earlier one first, or None."""
    ordered = sorted(intervals)
    for earlier, later in pairwise(ordered):
        if overlap(earlier, later):
            return earlier, later
    return None


def week_problems(week: Week) -> list[str]:
    """What is wrong with a week, in words; an empty list when it is sound."""
    problems = []
    for weekday, intervals in sorted(week.items()):
        if weekday not in range(7):
            problems.append(f"{weekday} is not a day of the week.")
            continue
        day = WEEKDAY_NAMES[weekday]
        for starts, ends in intervals:
            if not starts < ends:
                problems.append(f"{day}: {span((starts, ends))} ends before it starts.")
        pair = first_overlap(intervals)
        if pair is not None:
            problems.append(f"{day}: {span(pair[0])} and {span(pair[1])} overlap.")
    return problems


def span(interval: Interval) -> str:
    return f"{interval[0]:%H:%M} to {interval[1]:%H:%M}"


def fits(week: Week, local_start: datetime, local_end: datetime) -> bool:
    """Whether a local start and end lie on one day inside one of that day's intervals.

    The same test the booking service makes, so an appointment that fits here could be
    booked under these hours.
    """
    if local_start.date() != local_end.date():
        return False
    return any(
        starts <= local_start.time() and local_end.time() <= ends
        for starts, ends in week.get(local_start.weekday(), ())
    )
