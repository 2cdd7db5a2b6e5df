"""The clinic the made-up years need: enough practitioners, rooms and past closures.

Staff, rooms, hours, leave and closures are few, so they are made one at a time through
the ordinary services and models (and are in the audit log like any other setup).

Practitioners are added as the stories need them: the demand of every week (from a dry
run of the stories, ``diary.Demand``) is compared with the hours of the practitioners
already there, and a new practitioner joins in the first week that would otherwise run
the diary above ``UTILISATION``. Their time before joining is recorded as leave, so the
diary, the availability search and the reports all see them start that week.
"""

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User

from clinic.demo.scale.diary import Interval, Shift
from clinic.scheduling.models import (
    Appointment,
    Closure,
    Leave,
    Location,
    OpeningHours,
    Room,
    WorkingHours,
)
from clinic.staff.models import PractitionerProfile
from clinic.staff.roles import Role
from clinic.staff.services import staff_member_create

# The share of a practitioner's hours the diary aims to fill in its busiest weeks.
UTILISATION = 0.8

Week = tuple[int, int]  # ISO year and week


def week_of(day: date) -> Week:
    year, week, _ = day.isocalendar()
    return year, week


@dataclass(frozen=True)
class Hours:
    """The location's week: when it is open, who works when, and the days it is closed."""

    zone: ZoneInfo
    opening: Mapping[int, tuple[time, time]]
    shifts: Sequence[Shift]
    closures: Sequence[tuple[date, date]]

    def is_open(self, day: date) -> bool:
        if day.weekday() not in self.opening:
            return False
        return not any(first <= day <= last for first, last in self.closures)


def hours_at(location: Location) -> Hours:
    opening = {
        h.weekday: (h.opens, h.closes) for h in OpeningHours.objects.filter(location=location)
    }
    shifts = [
        Shift(h.practitioner_id, h.weekday, h.starts, h.ends)
        for h in WorkingHours.objects.filter(location=location, practitioner__user__is_active=True)
    ]
    closures = list(Closure.objects.filter(location=location).values_list("first_day", "last_day"))
    return Hours(location.zone, opening, shifts, closures)


def closures_ensure(location: Location, first_day: date, last_day: date) -> int:
    """Close for Christmas and New Year in every year of the range that has no closure
    then (the ordinary demo closes only the coming one)."""
    added = 0
    for year in range(first_day.year - 1, last_day.year + 1):
        christmas = date(year, 12, 24)
        if christmas < first_day - timedelta(days=9) or christmas > last_day:
            continue
        if not Closure.objects.filter(
            location=location, first_day__lte=christmas, last_day__gte=christmas
        ).exists():
            Closure.objects.create(
                location=location,
                first_day=christmas,
                last_day=christmas + timedelta(days=9),
                reason="Christmas and New Year",
            )
            added += 1
    return added


# --- How busy each week is, and how much time the practitioners give -------------------


def leave_intervals(since: datetime) -> dict[int, list[Interval]]:
    """Each practitioner's leave that ends after ``since``."""
    leave: dict[int, list[Interval]] = defaultdict(list)
    for practitioner, start, end in Leave.objects.filter(ends_at__gt=since).values_list(
        "practitioner_id", "starts_at", "ends_at"
    ):
        leave[practitioner].append((start, end))
    return leave


def busy_intervals(since: datetime) -> dict[tuple[str, int], list[Interval]]:
    """What the diary must leave alone from ``since`` on: active appointments (of every
    location, for the practitioners; a room belongs to one) and leave."""
    busy: dict[tuple[str, int], list[Interval]] = defaultdict(list)
    booked = Appointment.objects.filter(
        status__in=Appointment.ACTIVE, blocked_until__gt=since
    ).values_list("practitioner_id", "room_id", "blocked_from", "blocked_until")
    for practitioner, room, start, end in booked.iterator(chunk_size=5000):
        busy[("practitioner", practitioner)].append((start, end))
        busy[("room", room)].append((start, end))
    for practitioner, intervals in leave_intervals(since).items():
        busy[("practitioner", practitioner)].extend(intervals)
    return busy


def booked_minutes(location: Location, since: datetime) -> dict[Week, int]:
    """Minutes each week's active appointments at the location already block."""
    minutes: dict[Week, int] = defaultdict(int)
    zone = location.zone
    booked = Appointment.objects.filter(
        location=location, status__in=Appointment.ACTIVE, blocked_until__gt=since
    ).values_list("blocked_from", "blocked_until")
    for start, end in booked.iterator(chunk_size=5000):
        minutes[week_of(start.astimezone(zone).date())] += int((end - start).total_seconds() // 60)
    return minutes


def shift_minutes(shift: Shift) -> int:
    start = datetime.combine(date.min, shift.starts)
    return int((datetime.combine(date.min, shift.ends) - start).total_seconds() // 60)


def weekly_capacity(
    hours: Hours,
    shifts: Sequence[Shift],
    weeks: Sequence[date],
    away: Callable[[date], bool] = lambda day: False,
) -> dict[Week, int]:
    """Minutes of work ``shifts`` give in each week starting on a Monday in ``weeks``."""
    by_weekday: dict[int, int] = defaultdict(int)
    for shift in shifts:
        by_weekday[shift.weekday] += shift_minutes(shift)
    capacity = {}
    for monday in weeks:
        days = (monday + timedelta(days=n) for n in range(7))
        capacity[week_of(monday)] = sum(
            by_weekday[d.weekday()] for d in days if hours.is_open(d) and not away(d)
        )
    return capacity


def join_days(
    need: Mapping[Week, int], have: Mapping[Week, int], weeks: Sequence[date], per_new: int
) -> list[date]:
    """The Monday each new practitioner joins: whenever a week's need (averaged over four
    weeks, so that the week after a closure does not count double) would fill the hours
    of those already there past ``UTILISATION``."""
    joined: list[date] = []
    keys = [week_of(monday) for monday in weeks]
    for index, monday in enumerate(weeks):
        around = keys[max(0, index - 1) : index + 3]
        wanted = sum(need.get(k, 0) for k in around) / len(around)
        while wanted > UTILISATION * (have.get(keys[index], 0) + per_new * len(joined)):
            joined.append(monday)
    return joined


# --- Staff and rooms --------------------------------------------------------------------

FIRST_NAMES = (
    "Aoife", "Bea", "Carys", "Dev", "Elena", "Farah", "Gus", "Hana", "Ivo", "Jess", "Kofi", "Lina",
    "Marek", "Nia", "Omar", "Pia", "Quinn", "Rhea", "Sami", "Tess", "Umar", "Vera", "Wren",
)  # fmt: skip
LAST_NAMES = (
    "Adeyemi", "Brennan", "Castillo", "Dhillon", "Ellis", "Fairweather", "Gallagher", "Holm",
    "Iqbal", "Jensen", "Kaur", "Lindgren", "Mwangi", "Nakamura", "Okonkwo", "Petrov", "Quist",
    "Rowe", "Sato", "Thorne", "Ueda", "Varga", "Whitfield", "Xu", "Yilmaz", "Zielinska", "Abbott",
    "Banerjee", "Crane",
)  # fmt: skip
JOB_TITLES = ("Aesthetic nurse practitioner", "Aesthetic doctor", "Dermatology nurse")
COLOURS = [c.value for c in PractitionerProfile.CalendarColour]


def _practitioner_name(number: int) -> tuple[str, str, str]:
    # 23 first names and 29 last names: the pairs do not repeat for 667 practitioners.
    first = FIRST_NAMES[number % len(FIRST_NAMES)]
    last = LAST_NAMES[number % len(LAST_NAMES)]
    username = f"{first}.{last}".lower()
    if number >= len(FIRST_NAMES) * len(LAST_NAMES):
        username += str(number)
    return first, last, username


def _weekly_pattern(number: int) -> list[tuple[int, time, time]]:
    """Half work Monday to Friday, half Tuesday to Saturday, so Saturdays are covered."""
    if number % 2 == 0:
        return [(day, time(9), time(18)) for day in range(5)]
    return [(day, time(9), time(18)) for day in range(1, 5)] + [(5, time(9), time(14))]


def pattern_shifts(number: int) -> list[Shift]:
    return [Shift(0, day, starts, ends) for day, starts, ends in _weekly_pattern(number)]


def practitioners_add(
    *, location: Location, joining: Sequence[date], first_day: date
) -> list[PractitionerProfile]:
    """New practitioners with their weekly hours, away until the day each joins."""
    zone = location.zone
    added = []
    number = PractitionerProfile.objects.count()
    for joins in joining:
        while True:
            first, last, username = _practitioner_name(number)
            if not User.objects.filter(username=username).exists():
                break
            number += 1
        user = staff_member_create(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@clinic.example",
            roles=[Role.PRACTITIONER],
            job_title=JOB_TITLES[number % len(JOB_TITLES)],
            registration_body="NMC",
            registration_number=f"{10 + number:02d}C{(number * 7919) % 10000:04d}E",
            calendar_colour=COLOURS[number % len(COLOURS)],
        )
        profile = user.practitioner_profile
        for weekday, starts, ends in _weekly_pattern(number):
            WorkingHours.objects.create(
                practitioner=profile, location=location, weekday=weekday, starts=starts, ends=ends
            )
        if joins > first_day:
            Leave.objects.create(
                practitioner=profile,
                starts_at=datetime.combine(first_day - timedelta(days=1), time(0), tzinfo=zone),
                ends_at=datetime.combine(joins, time(0), tzinfo=zone),
                reason="Before joining the clinic",
            )
        added.append(profile)
        number += 1
    return added


def rooms_ensure(location: Location) -> int:
    """A room for every practitioner at work on the busiest weekday."""
    working: dict[int, set[int]] = defaultdict(set)
    for practitioner, weekday in WorkingHours.objects.filter(location=location).values_list(
        "practitioner_id", "weekday"
    ):
        working[weekday].add(practitioner)
    wanted = max((len(people) for people in working.values()), default=0)
    have = Room.objects.filter(location=location, is_active=True).count()
    names = set(Room.objects.filter(location=location).values_list("name", flat=True))
    number = 0
    for _ in range(wanted - have):
        number += 1
        while f"Room {number}" in names:
            number += 1
        Room.objects.create(location=location, name=f"Room {number}")
    return max(0, wanted - have)


def mondays(first_day: date, last_day: date) -> list[date]:
    monday = first_day - timedelta(days=first_day.weekday())
    weeks = []
    while monday <= last_day:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def on_leave(intervals: Sequence[Interval], zone: ZoneInfo) -> Callable[[date], bool]:
    """Whether a day falls inside any of the leave intervals (judged at midday)."""

    def away(day: date) -> bool:
        noon = datetime.combine(day, time(12), tzinfo=zone).astimezone(UTC)
        return any(start <= noon < end for start, end in intervals)

    return away
