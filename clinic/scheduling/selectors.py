from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections
from django.db.models import (
    CharField,
    DateTimeField,
    Exists,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Concat
from django.utils import timezone

from clinic.scheduling.availability import (
    AvailabilityQuery,
    DatedHours,
    Interval,
    Resource,
    Slot,
    free_slots,
)
from clinic.scheduling.models import (
    LONGEST_BLOCK,
    Appointment,
    AppointmentType,
    Closure,
    FreedSlot,
    Leave,
    Location,
    OpeningHours,
    Room,
    WorkingHours,
    in_force_during,
)
from clinic.scheduling.signals import CardBadges
from clinic.shared_cache import BOOK_SETTING, kept
from clinic.staff.models import PractitionerProfile
from patients.models import Patient


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants that begin and end a local day (23 or 25 hours on change days)."""
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


def appointments_on(day: date, *, practitioner_user_id: int | None = None) -> QuerySet[Appointment]:
    """A day's appointments with everything a day list shows, in one query."""
    start, end = day_bounds(day, ZoneInfo(settings.TIME_ZONE))
    appointments = Appointment.objects.filter(starts_at__gte=start, starts_at__lt=end)
    if practitioner_user_id is not None:
        appointments = appointments.filter(practitioner__user_id=practitioner_user_id)
    return appointments.select_related(
        "patient", "practitioner__user", "room", "appointment_type", "location"
    ).order_by("starts_at", "room__name")


def appointments_between(first: date, last: date) -> QuerySet[Appointment]:
    """Appointments from the start of ``first`` to the end of ``last``, local days."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start, _ = day_bounds(first, zone)
    _, end = day_bounds(last, zone)
    return (
        Appointment.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("patient", "practitioner__user", "room", "appointment_type", "location")
        .order_by("starts_at", "room__name")
    )


Period = tuple[date | None, date | None]


def _dated(rows: Iterable[tuple[Period, int, time, time]]) -> DatedHours:
    """Rows of hours with their effective dates, as weeks by period."""
    periods: dict[Period, dict[int, list[tuple[time, time]]]] = {}
    for period, weekday, starts, ends in rows:
        periods.setdefault(period, {}).setdefault(weekday, []).append((starts, ends))
    return DatedHours([(first, last, week) for (first, last), week in periods.items()])


def _opening_hours(location: Location, first_day: date, last_day: date) -> DatedHours:
    """The location's opening hours that apply on some day of the range."""
    rows = OpeningHours.objects.filter(in_force_during(first_day, last_day), location=location)
    return _dated(((h.valid_from, h.valid_until), h.weekday, h.opens, h.closes) for h in rows)


def _closures(location: Location, first_day: date, last_day: date) -> list[tuple[date, date]]:
    return [
        (c.first_day, c.last_day)
        for c in Closure.objects.filter(
            location=location, first_day__lte=last_day, last_day__gte=first_day
        )
    ]


def _week(rows: Sequence[WorkingHours]) -> DatedHours:
    return _dated(((r.valid_from, r.valid_until), r.weekday, r.starts, r.ends) for r in rows)


def _practitioners_here(
    location: Location, practitioner_ids: Sequence[int] | None, first_day: date, last_day: date
) -> dict[int, DatedHours]:
    """Each active practitioner's hours at the location over the range, by id, in two
    queries; one with no hours here then cannot be booked here, so is left out."""
    profiles = PractitionerProfile.objects.filter(user__is_active=True).prefetch_related(
        Prefetch(
            "working_hours",
            queryset=WorkingHours.objects.filter(
                in_force_during(first_day, last_day), location=location
            ),
            to_attr="hours_here",
        )
    )
    if practitioner_ids is not None:
        profiles = profiles.filter(pk__in=practitioner_ids)
    return {p.pk: _week(p.hours_here) for p in profiles.order_by("pk") if p.hours_here}


def _rooms_in_use(location: Location, room_ids: Sequence[int] | None) -> list[Room]:
    rooms = Room.objects.filter(location=location, is_active=True).order_by("name")
    if room_ids is not None:
        rooms = rooms.filter(pk__in=room_ids)
    return list(rooms)


def _held(whose: Q, range_start: datetime, range_end: datetime) -> QuerySet[FreedSlot]:
    """Freed times held for a waiting patient over the range: busy for everyone else, in
    the same query as the appointments (a UNION), so a search costs no more."""
    return (
        FreedSlot.held(timezone.now())
        .filter(whose, starts_at__lt=range_end, ends_at__gt=range_start)
        .order_by()
    )


Busy = dict[tuple[str, int], list[Interval]]  # ("p", practitioner id) or ("r", room id)


def _blocking(start: datetime, end: datetime) -> Q:
    """Appointments whose blocked time overlaps [start, end): the block begins before the
    end and ends after the start, so (none being longer than ``LONGEST_BLOCK``) it began
    after ``start - LONGEST_BLOCK``, a bound the indexes on blocked_from can use."""
    return Q(
        blocked_from__lt=end,
        blocked_from__gt=start - LONGEST_BLOCK,
        blocked_until__gt=start,
    )


def _busy(
    practitioner_ids: Iterable[int],
    rooms: list[Room],
    range_start: datetime,
    range_end: datetime,
    ignore_appointment_ids: Sequence[int],
) -> Busy:
    """Leave, and active appointments with their buffers, in two queries.

    Appointments are looked for 12 hours either side of the range, as an appointment
    that begins outside it may hold time inside it through its buffers; and, as none
    blocks longer than ``LONGEST_BLOCK``, only among those whose block begins at most that
    long before (``_blocking``), which the indexes on (practitioner or room, blocked_from)
    answer without reading every appointment the practitioner or room ever had.
    """
    busy: Busy = {}
    for leave in Leave.objects.filter(
        practitioner__in=practitioner_ids, starts_at__lt=range_end, ends_at__gt=range_start
    ):
        busy.setdefault(("p", leave.practitioner_id), []).append(
            Interval(leave.starts_at, leave.ends_at)
        )
    taken = (
        Appointment.objects.filter(
            Q(practitioner__in=practitioner_ids) | Q(room__in=rooms),
            _blocking(range_start - timedelta(hours=12), range_end + timedelta(hours=12)),
            status__in=Appointment.ACTIVE,
        )
        .exclude(pk__in=ignore_appointment_ids)
        .order_by()
        .values_list("practitioner_id", "room_id", "blocked_from", "blocked_until")
    ).union(
        _held(Q(practitioner__in=practitioner_ids) | Q(room__in=rooms), range_start, range_end)
        .values_list("practitioner_id", "room_id", "starts_at", "ends_at"),
        all=True,
    )  # fmt: skip
    for practitioner_id, room_id, blocked_from, blocked_until in taken:
        interval = Interval(blocked_from, blocked_until)
        busy.setdefault(("p", practitioner_id), []).append(interval)
        busy.setdefault(("r", room_id), []).append(interval)
    return busy


def availability_query(
    *,
    location: Location,
    appointment_type: AppointmentType,
    first_day: date,
    last_day: date,
    practitioner_ids: Sequence[int] | None = None,
    room_ids: Sequence[int] | None = None,
    not_before: datetime | None = None,
    ignore_appointment_ids: Sequence[int] = (),
    duration_minutes: int | None = None,
) -> AvailabilityQuery:
    """Everything ``free_slots`` needs for a location over local days, in seven queries.

    1. opening hours; 2. closures over the range; 3. practitioners with their working
    hours here (prefetched: 4); 5. leave; 6. rooms; 7. the active appointments of those
    practitioners or rooms over the range, as busy time that includes their buffers.
    Hours come with their effective dates: those that apply on some day of the range.
    ``ignore_appointment_ids`` leaves out appointments about to move (a plan's later
    sessions being re-proposed), so their own times count as free. The length is the
    type's unless ``duration_minutes`` is given.
    """
    zone = location.zone
    range_start, _ = day_bounds(first_day, zone)
    _, range_end = day_bounds(last_day, zone)
    opening = _opening_hours(location, first_day, last_day)
    closures = _closures(location, first_day, last_day)
    weeks = _practitioners_here(location, practitioner_ids, first_day, last_day)
    rooms = _rooms_in_use(location, room_ids)
    busy = _busy(list(weeks), rooms, range_start, range_end, ignore_appointment_ids)
    return AvailabilityQuery(
        time_zone=zone,
        first_day=first_day,
        last_day=last_day,
        duration=timedelta(minutes=duration_minutes or appointment_type.duration_minutes),
        buffer_before=timedelta(minutes=appointment_type.buffer_before_minutes),
        buffer_after=timedelta(minutes=appointment_type.buffer_after_minutes),
        opening_hours=opening,
        closures=closures,
        practitioners=[
            Resource(pk, hours=week, busy=busy.get(("p", pk), ())) for pk, week in weeks.items()
        ],
        rooms=[Resource(r.pk, busy=busy.get(("r", r.pk), ())) for r in rooms],
        not_before=not_before,
    )


def free_slots_for(**kwargs: Any) -> list[Slot]:
    """Free slots straight from the database: ``availability_query`` then ``free_slots``.
    A range that is over before ``not_before`` has none, and asks nothing (a past day in
    the book)."""
    not_before: datetime | None = kwargs.get("not_before")
    if not_before is not None:
        _, range_end = day_bounds(kwargs["last_day"], kwargs["location"].zone)
        if range_end <= not_before:
            return []
    return free_slots(availability_query(**kwargs))


def _rooms_used_by(
    practitioner_ids: Sequence[int], range_start: datetime, range_end: datetime
) -> set[int]:
    return set(
        Appointment.objects.filter(
            practitioner__in=practitioner_ids,
            status__in=Appointment.ACTIVE,
            starts_at__gte=range_start,
            starts_at__lt=range_end,
        ).values_list("room_id", flat=True)
    )


def _rooms_busy(
    rooms: Sequence[Room], first_day: date, last_day: date, zone: ZoneInfo, ignore: Sequence[int]
) -> dict[int, list[Interval]]:
    """The rooms' active appointments over local days, buffers included (12 hours either
    side, as in ``_busy``)."""
    start, _ = day_bounds(first_day, zone)
    _, end = day_bounds(last_day, zone)
    busy: dict[int, list[Interval]] = {}
    taken = (
        Appointment.objects.filter(
            _blocking(start - timedelta(hours=12), end + timedelta(hours=12)),
            room__in=rooms,
            status__in=Appointment.ACTIVE,
        )
        .exclude(pk__in=ignore)
        .order_by()
        .values_list("room_id", "blocked_from", "blocked_until")
    ).union(
        _held(Q(room__in=rooms), start, end).values_list("room_id", "starts_at", "ends_at"),
        all=True,
    )
    for room_id, blocked_from, blocked_until in taken:
        busy.setdefault(room_id, []).append(Interval(blocked_from, blocked_until))
    return busy


def free_slots_in_any_room(
    *,
    location: Location,
    practitioner_ids: Sequence[int],
    ignore_appointment_ids: Sequence[int] = (),
    **kwargs: Any,
) -> list[Slot]:
    """Free starts for chosen practitioners in whichever room is free, loading rooms' busy
    time only as far as it is needed (a clinic may have dozens of rooms; one will do).

    1. Everything but the rooms, as ``availability_query`` loads it: the starts at which
       a practitioner is free, given some room.
    2. The rooms those practitioners already use in the range come first, then the others
       by name in batches that double. Each batch's busy time is read only over the days
       of the starts still without a room, and those starts take the batch's free rooms.
    A slot names the free rooms among those looked at: at least one, not every one.
    """
    base = availability_query(
        location=location, practitioner_ids=practitioner_ids, room_ids=[],
        ignore_appointment_ids=ignore_appointment_ids, **kwargs,
    )  # fmt: skip
    rooms = _rooms_in_use(location, None)
    if not rooms or not base.practitioners:
        return []
    zone = base.time_zone
    missing = {s.start: s for s in free_slots(replace(base, rooms=[Resource(0)]))}
    range_start, _ = day_bounds(base.first_day, zone)
    _, range_end = day_bounds(base.last_day, zone)
    used = _rooms_used_by(practitioner_ids, range_start, range_end)
    ordered = sorted(rooms, key=lambda room: room.pk not in used)  # stable: by name after
    found: dict[datetime, Slot] = {}
    taken, size = 0, max(1, len(used & {room.pk for room in rooms}))
    while missing and taken < len(ordered):
        batch, taken, size = ordered[taken : taken + size], taken + size, size * 2
        first = min(missing).astimezone(zone).date()
        last = max(missing).astimezone(zone).date()
        busy = _rooms_busy(batch, first, last, zone, ignore_appointment_ids)
        query = replace(
            base, first_day=first, last_day=last,
            rooms=[Resource(room.pk, busy=busy.get(room.pk, ())) for room in batch],
        )  # fmt: skip
        for slot in free_slots(query):
            if missing.pop(slot.start, None) is not None:
                found[slot.start] = slot
    return [found[start] for start in sorted(found)]


def bookable_types() -> QuerySet[AppointmentType]:
    """The appointment types the clinic offers now, by name."""
    return AppointmentType.objects.filter(is_active=True).order_by("name")


# How long the book's setting (what the manager sets up: locations, types, hours, closures,
# leave) is kept in the shared cache at most; each change to it starts a new generation
# (ready() in clinic/scheduling/apps.py), so this only bounds a change made another way.
BOOK_SETTING_SECONDS = 300


def _locations() -> list[Location]:
    return list(Location.objects.order_by("name"))


def every_location() -> list[Location]:
    """Every location by name, as Today offers them, kept under the book setting's
    generation."""
    return kept(BOOK_SETTING, "locations", _locations, seconds=BOOK_SETTING_SECONDS)


def locations_and_types() -> tuple[list[Location], list[AppointmentType]]:
    """Every location by name and the types the clinic offers now: what every page of
    the book offers to choose from, kept under the book setting's generation."""

    def read() -> tuple[list[Location], list[AppointmentType]]:
        return _locations(), list(bookable_types())

    return kept(BOOK_SETTING, "locations-and-types", read, seconds=BOOK_SETTING_SECONDS)


def default_type(types: Sequence[AppointmentType]) -> AppointmentType | None:
    """What the front desk books most from the calendar: the first consultation type."""
    consultations = [t for t in types if t.kind == AppointmentType.Kind.CONSULTATION]
    return next(iter(consultations or types), None)


def nearby_free_starts(
    appointment: Appointment, *, now: datetime, count: int = 6, days: int = 7
) -> list[datetime]:
    """The free starts closest to an appointment's own, for its practitioner, room and
    type, from its day (or today) over ``days`` days: ``availability_query``'s queries.

    The appointment's own time counts as free, as it would be once it moved.
    """
    zone = appointment.location.zone
    first = max(appointment.starts_at.astimezone(zone).date(), now.astimezone(zone).date())
    slots = free_slots_for(
        location=appointment.location,
        appointment_type=appointment.appointment_type,
        first_day=first,
        last_day=first + timedelta(days=days - 1),
        practitioner_ids=[appointment.practitioner_id],
        room_ids=[appointment.room_id],
        not_before=now,
        ignore_appointment_ids=[appointment.pk],
    )
    starts = [slot.start for slot in slots if slot.start != appointment.starts_at]
    return sorted(sorted(starts, key=lambda start: abs(start - appointment.starts_at))[:count])


# --- The appointment book's reads: one location, one visible range --------------------


def appointments_in_book(
    location: Location, first_day: date, last_day: date
) -> QuerySet[Appointment]:
    """A location's appointments over its own local days (cut at its midnight), unordered
    and bare: what the book's cards are, for a subquery."""
    start, _ = day_bounds(first_day, location.zone)
    _, end = day_bounds(last_day, location.zone)
    return Appointment.objects.filter(location=location, starts_at__gte=start, starts_at__lt=end)


def appointments_at(location: Location, first_day: date, last_day: date) -> QuerySet[Appointment]:
    """A location's appointments over its own local days, with what a card shows, in one
    query (days are cut at the location's midnight, not the clinic's). The location comes
    with them: the rules that follow its day (``can_check_in``) read its zone."""
    return (
        appointments_in_book(location, first_day, last_day)
        .select_related("patient", "practitioner__user", "room", "appointment_type", "location")
        .only(*_APPOINTMENT_FIELDS, *SHOWN_WITH_AN_APPOINTMENT)
        .order_by("starts_at", "room__name", "pk")
    )


class _InUtc(Func):
    """A moment read as its wall clock in UTC, a naive datetime, on PostgreSQL; the
    column as it is elsewhere. Django reads each ``timestamptz`` with a loader written in
    Python, psycopg reads a ``timestamp`` with its compiled one: for the book's hundreds
    of rows, a third of the time their reading took."""

    template = "%(expressions)s"
    output_field = DateTimeField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        in_utc = "(%(expressions)s AT TIME ZONE 'UTC')"
        return self.as_sql(compiler, connection, template=in_utc, **extra_context)


# Each row's patient looked up by key, one row at a time: joined, PostgreSQL hashed the
# whole patients' table to find a day's few hundred (2.9 ms of the 3.2 the busiest day's
# query ran at 10,000 patients, and growing with them).
_PATIENT_NAME = Subquery(
    Patient.objects.filter(pk=OuterRef("patient_id"))
    .order_by()
    .values(name=Concat("first_name", Value(" "), "last_name"))
)
# Then the three moments (on PostgreSQL each row is what comes before as read, those three
# made aware, and what comes after as read), then the badges.
_ROW_COLUMNS = (
    "pk", "practitioner_id", "room_id", "appointment_type_id", "patient_id", "status",
    "patient_name", "practitioner__user__first_name", "practitioner__user__last_name",
    "practitioner__user__username", "practitioner__user_id", "room__name",
    "appointment_type__name", "appointment_type__kind",
    "starts_utc", "ends_utc", "history_utc",
    "badge_cancel_requested", "badge_clearance",
)  # fmt: skip
_MOMENTS = _ROW_COLUMNS.index("starts_utc")
_NO_CLEARANCE = Value(None, output_field=CharField())


def with_badges(appointments: QuerySet[Appointment], badges: CardBadges) -> QuerySet[Appointment]:
    """``appointments`` with the cards' badges as columns: ``badge_cancel_requested`` and
    ``badge_clearance`` (False and None where ``badges`` has none)."""
    cancel, clearance = badges.cancel_requested, badges.clearance
    return appointments.annotate(
        badge_cancel_requested=Value(False) if cancel is None else cancel,
        badge_clearance=_NO_CLEARANCE if clearance is None else clearance,
    )


class AppointmentRow(NamedTuple):
    """An appointment as the book's grid draws it: a plain row, not a model instance
    (a busy day has hundreds, each with its patient, practitioner, room and type)."""

    pk: int
    practitioner_id: int
    room_id: int
    appointment_type_id: int
    patient_id: int
    status: str
    patient_name: str  # as Patient.full_name
    practitioner_first_name: str
    practitioner_last_name: str
    practitioner_username: str
    practitioner_user_id: int
    room_name: str
    type_name: str
    type_kind: str
    starts_at: datetime
    ends_at: datetime
    history_received_at: datetime | None
    # The badges, when asked for (``appointment_rows_at``): the patient asked to cancel;
    # the value the clearance word is read from.
    cancel_requested: bool
    clearance: Any

    @property
    def practitioner_name(self) -> str:  # as str(PractitionerProfile)
        full = f"{self.practitioner_first_name} {self.practitioner_last_name}".strip()
        return full or self.practitioner_username


def appointment_rows_at(
    location: Location,
    first_day: date,
    last_day: date,
    *,
    statuses: Sequence[str] = (),
    limit: int | None = None,
    badges: CardBadges | None = None,
) -> list[AppointmentRow]:
    """``appointments_at`` as plain rows, in one query: only those in ``statuses`` when
    given, the first ``limit`` when given, with the columns of ``badges`` when given
    (``cancel_requested`` False and ``clearance`` None otherwise)."""
    shown = appointments_in_book(location, first_day, last_day)
    if statuses:
        shown = shown.filter(status__in=statuses)
    rows = (
        with_badges(shown, badges or CardBadges())
        .annotate(
            patient_name=_PATIENT_NAME,
            starts_utc=_InUtc("starts_at"),
            ends_utc=_InUtc("ends_at"),
            history_utc=_InUtc("history_received_at"),
        )
        .order_by("starts_at", "room__name", "pk")
        .values_list(*_ROW_COLUMNS)
    )
    found = rows[:limit] if limit is not None else rows
    if connections[found.db].vendor != "postgresql":  # read as aware moments already
        return list(map(AppointmentRow._make, found))
    # PostgreSQL gave the moments as naive UTC wall clocks: each is made aware again, once
    # a distinct moment (a busy day's hundreds of rows start and end at a few dozen), and
    # each row is made once.
    aware: dict[datetime, datetime] = {}

    def made_aware(moment: datetime) -> datetime:
        found = aware.get(moment)
        if found is None:
            found = aware[moment] = moment.replace(tzinfo=UTC)
        return found

    new = tuple.__new__
    return [
        new(
            AppointmentRow,
            (
                *row[:_MOMENTS],
                made_aware(row[_MOMENTS]),
                made_aware(row[_MOMENTS + 1]),
                row[_MOMENTS + 2] and row[_MOMENTS + 2].replace(tzinfo=UTC),
                *row[_MOMENTS + 3 :],
            ),
        )
        for row in found
    ]


# What a card, a row of Today or of the day list shows of an appointment's patient,
# practitioner, room and type: a busy day has hundreds of rows, and the patient's record
# and the practitioner's account are wide. Of the appointment itself, all but its busy
# time with buffers, who booked it and when it was written (none of them shown).
SHOWN_WITH_AN_APPOINTMENT = (
    "patient__first_name",
    "patient__last_name",
    "practitioner__user__first_name",
    "practitioner__user__last_name",
    "practitioner__user__username",
    "room__name",
    "appointment_type__name",
    "appointment_type__kind",
    "location__name",
    "location__time_zone",
)
_APPOINTMENT_FIELDS = [
    field.name
    for field in Appointment._meta.concrete_fields
    if not field.is_relation
    and field.name not in ("blocked_from", "blocked_until", "created_at", "updated_at")
]


class PractitionerWeek(NamedTuple):
    """An active practitioner who works at a location on some day of a range, with
    their hours there by weekday of the range (``weekdays_over``)."""

    pk: int
    name: str  # as str(PractitionerProfile)
    user_id: int
    hours: "WeekHours"


def practitioner_weeks_at(
    location: Location, first_day: date, last_day: date
) -> list[PractitionerWeek]:
    """The active practitioners who work at a location on some day of the range, by
    name, each with their hours there that apply then, in one query of plain rows (a
    location has dozens of practitioners and hundreds of hours rows)."""
    rows = (
        WorkingHours.objects.filter(
            in_force_during(first_day, last_day),
            location=location,
            practitioner__user__is_active=True,
        )
        .order_by(
            "practitioner__user__last_name",
            "practitioner__user__first_name",
            "practitioner_id",
            "weekday",
            "starts",
        )
        .values_list(
            "practitioner_id",
            "practitioner__user__first_name",
            "practitioner__user__last_name",
            "practitioner__user__username",
            "practitioner__user_id",
            "valid_from",
            "valid_until",
            "weekday",
            "starts",
            "ends",
        )
    )
    people: dict[int, tuple[str, int]] = {}
    hours: dict[int, list[tuple[Period, int, time, time]]] = {}
    for pk, first, last, username, user_id, valid_from, valid_until, weekday, starts, ends in rows:
        if pk not in people:
            people[pk] = (f"{first} {last}".strip() or username, user_id)
            hours[pk] = []
        hours[pk].append(((valid_from, valid_until), weekday, starts, ends))
    return [
        PractitionerWeek(pk, name, user_id, weekdays_over(_dated(hours[pk]), first_day, last_day))
        for pk, (name, user_id) in people.items()
    ]


# Hours by weekday (Monday 0) for the days a page shows.
WeekHours = dict[int, list[tuple[time, time]]]


def weekdays_over(hours: DatedHours, first_day: date, last_day: date) -> WeekHours:
    """The hours of each weekday of a range of at most a week, as they apply on that day."""
    days = (first_day + timedelta(days=n) for n in range(min((last_day - first_day).days, 6) + 1))
    return {day.weekday(): hours.on(day) for day in days}


def opening_week(location: Location, first_day: date, last_day: date) -> WeekHours:
    """A location's opening hours for each weekday of a range of at most a week, as they
    apply on that day, in one query."""
    return weekdays_over(_opening_hours(location, first_day, last_day), first_day, last_day)


def closures_over(location: Location, first_day: date, last_day: date) -> list[Closure]:
    return list(
        Closure.objects.filter(location=location, first_day__lte=last_day, last_day__gte=first_day)
    )


def leave_over(
    practitioner_ids: Iterable[int], first_day: date, last_day: date, zone: ZoneInfo
) -> list[Leave]:
    start, _ = day_bounds(first_day, zone)
    _, end = day_bounds(last_day, zone)
    return list(
        Leave.objects.filter(
            practitioner__in=list(practitioner_ids), starts_at__lt=end, ends_at__gt=start
        )
    )


def appointments_clashing(
    location: Location, *, now: datetime, days: int, limit: int
) -> list[tuple[Appointment, str]]:
    """Booked appointments still to come at a location, over ``days`` days, that fall on
    a closure or in their practitioner's leave, each with the reason, at most ``limit``
    (and one more, to tell there are more), in two queries: the location's closures, then
    the appointments on one of them or in leave (an EXISTS, however much leave the chain
    has booked)."""
    zone = location.zone
    today = now.astimezone(zone).date()
    until = now + timedelta(days=days)
    closures = list(
        Closure.objects.filter(
            location=location, last_day__gte=today, first_day__lte=until.astimezone(zone).date()
        )
    )
    on_closure = Q()
    for closure in closures:
        start, _ = day_bounds(closure.first_day, zone)
        _, end = day_bounds(closure.last_day, zone)
        on_closure |= Q(starts_at__lt=end, ends_at__gt=start)
    in_leave = Leave.objects.filter(
        practitioner_id=OuterRef("practitioner_id"),
        starts_at__lt=OuterRef("ends_at"),
        ends_at__gt=OuterRef("starts_at"),
    )
    to_come = Appointment.objects.filter(
        location=location, status__in=Appointment.UPCOMING, starts_at__gte=now, starts_at__lt=until
    )
    # Found from the leave side: the few leave rows of the window, each with its
    # practitioner's appointments over it (their index), rather than a look at the leave
    # table for each of the location's thousands of appointments to come.
    on_leave = to_come.filter(
        Q(practitioner__leave__starts_at__lt=F("ends_at"))
        & Q(practitioner__leave__ends_at__gt=F("starts_at"))
        # Implied (the appointment starts after now), said so the plan starts from leave.
        & Q(practitioner__leave__ends_at__gt=now)
    ).values("pk")
    found = (
        to_come.filter(on_closure | Q(pk__in=on_leave))
        .annotate(in_leave=Exists(in_leave))
        .select_related("patient", "practitioner__user", "location")
        .order_by("starts_at")[: limit + 1]
    )  # fmt: skip
    return [(appointment, _clash_reason(appointment, closures)) for appointment in found]


def _clash_reason(appointment: Appointment, closures: list[Closure]) -> str:
    day = appointment.starts_at.astimezone(appointment.location.zone).date()
    for closure in closures:
        if closure.first_day <= day <= closure.last_day:
            return (
                f"the clinic is closed ({closure.reason})"
                if closure.reason
                else "the clinic is closed"
            )
    if getattr(appointment, "in_leave", False):
        return f"{appointment.practitioner} is on leave"
    return "outside the hours"


def appointments_of_patient(
    patient_id: int, *, now: datetime, limit: int
) -> tuple[list[Appointment], list[Appointment]]:
    """A patient's appointments to come (soonest first) and gone (latest first), at most
    ``limit`` of each plus one more to tell that there are more, in two queries."""
    mine = Appointment.objects.filter(patient_id=patient_id).select_related(
        "location", "appointment_type", "practitioner__user"
    )
    upcoming = mine.filter(starts_at__gte=now).order_by("starts_at", "pk")[: limit + 1]
    past = mine.filter(starts_at__lt=now).order_by("-starts_at", "-pk")[: limit + 1]
    return list(upcoming), list(past)
