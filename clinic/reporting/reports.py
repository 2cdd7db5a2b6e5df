"""The manager's reports. Each is a function of a Period returning a Report.

The counting is done by the database (GROUP BY with conditional counts), so each report
runs the same few queries whatever the number of patients and appointments; Python only
arranges the grouped rows (and, for utilisation, walks the calendar of opening and
working hours, which grows with the days in the range, not with the data).
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from clinic.messaging.models import PatientMessage
from clinic.reporting.filters import Period
from clinic.reporting.tables import (
    DAY,
    HOURS,
    PERCENT,
    TEXT,
    Chart,
    Column,
    Report,
    rate,
    with_total,
)
from clinic.scheduling.models import (
    Appointment,
    Closure,
    Leave,
    Location,
    OpeningHours,
    Room,
    WorkingHours,
    in_force_during,
)
from clinic.staff.models import PractitionerProfile
from patients.models import Patient
from treatments.models import Consultation, ScreeningFinding, TreatmentPlan, TreatmentSession

A = Appointment.Status


def _appointments(period: Period) -> QuerySet[Appointment]:
    """Appointments starting in the period, at the location and with the practitioner
    chosen."""
    rows = Appointment.objects.filter(starts_at__gte=period.start, starts_at__lt=period.end)
    if period.location is not None:
        rows = rows.filter(location=period.location)
    if period.practitioner is not None:
        rows = rows.filter(practitioner=period.practitioner)
    return rows


def _name(first: str | None, last: str | None) -> str:
    return f"{first or ''} {last or ''}".strip() or "Unknown"


# --- Appointments by type and status ---------------------------------------------------


def appointments(period: Period) -> Report:
    statuses = list(A)
    counts = (
        _appointments(period)
        .values("appointment_type__name", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_type: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for count in counts:
        by_type[count["appointment_type__name"]][count["status"]] += count["n"]
    rows: list[dict[str, Any]] = []
    for name in sorted(by_type):
        row = {"type": name, **{s.value: by_type[name][s.value] for s in statuses}}
        row["all"] = sum(by_type[name].values())
        rows.append(row)
    with_total(rows, {"type": "All types"}, [s.value for s in statuses] + ["all"])
    return Report(
        name="appointments",
        title="Appointments by type and status",
        columns=[
            Column("type", "Appointment type", TEXT),
            *(Column(s.value, s.label) for s in statuses),
            Column("all", "All"),
        ],
        rows=rows,
        chart=Chart(series=tuple(s.value for s in statuses), stacked=True),
        notes=["Appointments are counted by the day they start, whatever their status now."],
        empty="No appointments in this range.",
    )


# --- Utilisation -----------------------------------------------------------------------


def _booked_minutes(period: Period, by: str) -> dict[int, float]:
    length = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
    rows = (
        _appointments(period)
        .exclude(status=A.CANCELLED)
        .values(by)
        .annotate(booked=Sum(length))
        .order_by()
    )
    return {row[by]: row["booked"].total_seconds() / 60 for row in rows if row["booked"]}


def _minutes(day: date, start: time, end: time, zone: ZoneInfo) -> tuple[datetime, datetime]:
    begins = datetime.combine(day, start, tzinfo=zone)
    ends = datetime.combine(day, end, tzinfo=zone)
    return begins, ends


def _overlap(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> float:
    seconds = (min(a[1], b[1]) - max(a[0], b[0])).total_seconds()
    return max(seconds, 0) / 60


def _closed_days(period: Period) -> dict[int, set[date]]:
    closed: dict[int, set[date]] = defaultdict(set)
    for closure in Closure.objects.filter(first_day__lte=period.last, last_day__gte=period.first):
        day = max(closure.first_day, period.first)
        while day <= min(closure.last_day, period.last):
            closed[closure.location_id].add(day)
            day += timedelta(days=1)
    return closed


@dataclass(frozen=True)
class _Calendar:
    """The range's days by weekday, and each location's time zone and closed days."""

    zones: dict[int, ZoneInfo]
    closed: dict[int, set[date]]
    days_by_weekday: dict[int, list[date]]

    @classmethod
    def of(cls, period: Period) -> "_Calendar":
        zones = {pk: ZoneInfo(name) for pk, name in Location.objects.values_list("pk", "time_zone")}
        days_by_weekday: dict[int, list[date]] = defaultdict(list)
        for day in period.days:
            days_by_weekday[day.weekday()].append(day)
        return cls(zones, _closed_days(period), days_by_weekday)

    def spans(
        self, hours: OpeningHours | WorkingHours, start: time, end: time
    ) -> Iterator[tuple[datetime, datetime]]:
        """From ``start`` to ``end`` on each day of the row's weekday that the row applies
        to (its effective dates: hours changed later leave earlier days as they were) and
        the location is not closed."""
        for day in self.days_by_weekday[hours.weekday]:
            if day not in self.closed[hours.location_id] and hours.applies_on(day):
                yield _minutes(day, start, end, self.zones[hours.location_id])


def _leave_by_practitioner(period: Period) -> dict[int, list[tuple[datetime, datetime]]]:
    leave: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for absence in Leave.objects.filter(starts_at__lt=period.end, ends_at__gt=period.start):
        leave[absence.practitioner_id].append((absence.starts_at, absence.ends_at))
    return leave


def _working_minutes(period: Period, calendar: _Calendar) -> dict[int, float]:
    """Each practitioner's working hours in the range, less closed days and leave."""
    hours = WorkingHours.objects.filter(in_force_during(period.first, period.last))
    if period.practitioner is not None:
        hours = hours.filter(practitioner=period.practitioner)
    if period.location is not None:
        hours = hours.filter(location=period.location)
    leave = _leave_by_practitioner(period)
    working: dict[int, float] = defaultdict(float)
    for shift in hours:
        for span in calendar.spans(shift, shift.starts, shift.ends):
            away = sum(_overlap(span, gone) for gone in leave[shift.practitioner_id])
            working[shift.practitioner_id] += max(_overlap(span, span) - away, 0)
    return working


def _practitioner_rows(period: Period, calendar: _Calendar) -> list[dict[str, Any]]:
    """A row for each practitioner who worked or was booked in the range."""
    working = _working_minutes(period, calendar)
    booked = _booked_minutes(period, "practitioner")
    profiles = PractitionerProfile.objects.select_related("user").order_by(
        "user__first_name", "user__last_name"
    )
    if period.practitioner is not None:
        profiles = profiles.filter(pk=period.practitioner.pk)
    return [
        _use_row(f"{profile}", booked.get(profile.pk, 0), working.get(profile.pk, 0))
        for profile in profiles
        if working.get(profile.pk) or booked.get(profile.pk)
    ]


def _open_minutes(period: Period, calendar: _Calendar) -> dict[int, float]:
    """Each location's opening hours in the range, less closed days."""
    opening = OpeningHours.objects.filter(in_force_during(period.first, period.last))
    if period.location is not None:
        opening = opening.filter(location=period.location)
    open_minutes: dict[int, float] = defaultdict(float)
    for spell in opening:
        for span in calendar.spans(spell, spell.opens, spell.closes):
            open_minutes[spell.location_id] += _overlap(span, span)
    return open_minutes


def _room_rows(period: Period, calendar: _Calendar) -> list[dict[str, Any]]:
    """A row for each room in use, or booked in the range though out of use now."""
    open_minutes = _open_minutes(period, calendar)
    booked = _booked_minutes(period, "room")
    rooms = Room.objects.select_related("location").order_by("location__name", "name")
    if period.location is not None:
        rooms = rooms.filter(location=period.location)
    return [
        _use_row(
            f"Room: {room.name} ({room.location.name})",
            booked.get(room.pk, 0),
            open_minutes.get(room.location_id, 0),
        )
        for room in rooms
        if room.is_active or booked.get(room.pk)
    ]


def utilisation(period: Period) -> Report:
    """Booked minutes over the minutes each practitioner works (less leave and closed
    days) and each room's location is open (less closed days)."""
    calendar = _Calendar.of(period)
    rows = _practitioner_rows(period, calendar)
    notes = [
        "Booked time counts every appointment not cancelled, no-shows included: the time "
        "was held. Available time is working hours (practitioners) or opening hours "
        "(rooms), less closed days and leave.",
    ]
    if period.practitioner is None:
        rows += _room_rows(period, calendar)
    else:
        notes.append("Rooms are left out while one practitioner is chosen.")
    return Report(
        name="utilisation",
        title="Utilisation of practitioners and rooms",
        columns=[
            Column("who", "Practitioner or room", TEXT),
            Column("booked", "Booked hours", HOURS),
            Column("available", "Available hours", HOURS),
            Column("use", "Utilisation", PERCENT),
        ],
        rows=rows,
        chart=Chart(series=("use",), horizontal=True),
        notes=notes,
        empty="No working or opening hours in this range.",
    )


def _use_row(who: str, booked: float, available: float) -> dict[str, Any]:
    return {
        "who": who,
        "booked": booked / 60,
        "available": available / 60,
        "use": round(100 * booked / available, 1) if available else None,
    }


# --- No-shows and late cancellations --------------------------------------------------


def attendance(period: Period) -> Report:
    now = timezone.now()
    grouped = (
        _appointments(period)
        .values("practitioner", "practitioner__user__first_name", "practitioner__user__last_name")
        .annotate(
            all=Count("pk"),
            due=Count("pk", filter=Q(starts_at__lt=now) & ~Q(status=A.CANCELLED)),
            no_shows=Count("pk", filter=Q(status=A.NO_SHOW)),
            late_cancels=Count("pk", filter=Q(status=A.CANCELLED, late_cancel=True)),
        )
        .order_by("practitioner__user__first_name", "practitioner__user__last_name")
    )
    rows: list[dict[str, Any]] = []
    for row in grouped:
        rows.append(
            {
                "who": _name(
                    row["practitioner__user__first_name"], row["practitioner__user__last_name"]
                ),
                **{k: row[k] for k in ("all", "due", "no_shows", "late_cancels")},
            }
        )
    with_total(rows, {"who": "All practitioners"}, ("all", "due", "no_shows", "late_cancels"))
    for line in rows:
        line["no_show_rate"] = rate(line["no_shows"], line["due"])
        line["late_cancel_rate"] = rate(line["late_cancels"], line["all"])
    return Report(
        name="attendance",
        title="No-shows and late cancellations",
        columns=[
            Column("who", "Practitioner", TEXT),
            Column("all", "Appointments"),
            Column("due", "Due so far"),
            Column("no_shows", "No-shows"),
            Column("no_show_rate", "No-show rate", PERCENT),
            Column("late_cancels", "Late cancellations"),
            Column("late_cancel_rate", "Late-cancellation rate", PERCENT),
        ],
        rows=rows,
        chart=Chart(series=("no_show_rate", "late_cancel_rate")),
        notes=[
            "No-show rate: no-shows over the appointments already due that were not "
            "cancelled. Late-cancellation rate: cancellations inside the notice period over "
            "all appointments.",
        ],
        empty="No appointments in this range.",
    )


# --- New patients and consultation-to-plan conversion ------------------------------


def _months(period: Period) -> list[date]:
    months, month = [], period.first.replace(day=1)
    while month <= period.last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _month(value: datetime | date, zone: ZoneInfo) -> date:
    if isinstance(value, datetime):
        value = value.astimezone(zone) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def _signed_consultations(period: Period) -> QuerySet[Consultation]:
    """Consultations signed in the period, by the practitioner chosen. Patients belong to
    no location, so the location filter does not apply."""
    consultations = Consultation.objects.filter(
        status=Consultation.Status.SIGNED, signed_at__gte=period.start, signed_at__lt=period.end
    )
    if period.practitioner is not None:
        consultations = consultations.filter(practitioner_id=period.practitioner.user_id)
    return consultations


def conversion(period: Period) -> Report:
    zone = period.zone
    new_patients = {
        _month(row["month"], zone): row["n"]
        for row in Patient.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
        .annotate(month=TruncMonth("created_at", tzinfo=zone))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    }
    booked_plan = TreatmentPlan.objects.filter(
        consultation=OuterRef("pk"), activated_at__isnull=False
    )
    consultations = _signed_consultations(period)
    signed = {
        _month(row["month"], zone): row
        for row in consultations.annotate(month=TruncMonth("signed_at", tzinfo=zone))
        .values("month")
        .annotate(n=Count("pk"), planned=Count("pk", filter=Exists(booked_plan)))
        .order_by()
    }
    rows: list[dict[str, Any]] = []
    for month in _months(period):
        done = signed.get(month, {"n": 0, "planned": 0})
        rows.append(
            {
                "month": month,
                "new_patients": new_patients.get(month, 0),
                "consultations": done["n"],
                "planned": done["planned"],
                "conversion": rate(done["planned"], done["n"]),
            }
        )
    notes = [
        "Conversion: signed consultations that led to a booked treatment plan, by the month "
        "of signing. A plan booked later counts for the consultation's month.",
        "New patients are counted by the day they were registered; patients belong to no "
        "location or practitioner, so those filters apply to the consultations only.",
    ]
    return Report(
        name="conversion",
        title="New patients and consultation-to-plan conversion",
        columns=[
            Column("month", "Month", DAY),
            Column("new_patients", "New patients"),
            Column("consultations", "Consultations signed"),
            Column("planned", "Led to a booked plan"),
            Column("conversion", "Conversion", PERCENT),
        ],
        rows=rows,
        chart=Chart(series=("new_patients", "consultations", "planned")),
        notes=notes,
    )


# --- Plan completion -----------------------------------------------------------------


def _plans(period: Period) -> QuerySet[TreatmentPlan]:
    plans = TreatmentPlan.objects.filter(
        activated_at__gte=period.start, activated_at__lt=period.end
    )
    if period.location is not None:
        plans = plans.filter(location=period.location)
    if period.practitioner is not None:
        plans = plans.filter(preferred_practitioner=period.practitioner)
    return plans


def plans(period: Period) -> Report:
    P = TreatmentPlan.Status
    S = TreatmentSession.Status
    counts = {
        row["status"]: row
        for row in _plans(period)
        .values("status")
        .annotate(
            n=Count("pk", distinct=True),
            skipped=Count("sessions", filter=Q(sessions__status=S.CANCELLED)),
        )
        .order_by()
    }
    booked = sum(row["n"] for row in counts.values())
    rows: list[dict[str, Any]] = []
    for status in (P.COMPLETED, P.ACTIVE, P.PAUSED, P.CANCELLED):
        row = counts.get(status.value, {"n": 0, "skipped": 0})
        rows.append(
            {
                "status": status.label if status != P.ACTIVE else "Under way",
                "plans": row["n"],
                "share": rate(row["n"], booked),
                "skipped": row["skipped"],
            }
        )
    with_total(rows, {"status": "All booked plans", "share": 100.0}, ("plans", "skipped"))
    return Report(
        name="plans",
        title="Treatment plan completion",
        columns=[
            Column("status", "Plans booked in the range, now", TEXT),
            Column("plans", "Plans"),
            Column("share", "Share", PERCENT),
            Column("skipped", "Sessions skipped"),
        ],
        rows=rows if booked else [],
        chart=Chart(series=("plans",)),
        notes=[
            "Plans are counted by the day they were booked, with the state they are in now; "
            "the practitioner filter picks the plan's preferred practitioner. Sessions "
            "skipped are the ones a plan cancelled before they took place.",
        ],
        empty="No plans were booked in this range.",
    )


def _later_sessions_done(period: Period) -> QuerySet[TreatmentSession]:
    """Sessions after the first that have a window and were done in the range (by their
    appointment's start), at the location and with the practitioner chosen."""
    sessions = TreatmentSession.objects.filter(
        number__gt=1,
        status=TreatmentSession.Status.COMPLETED,
        window_first__isnull=False,
        window_last__isnull=False,
        appointment__starts_at__gte=period.start,
        appointment__starts_at__lt=period.end,
    )
    if period.location is not None:
        sessions = sessions.filter(appointment__location=period.location)
    if period.practitioner is not None:
        sessions = sessions.filter(appointment__practitioner=period.practitioner)
    return sessions


def _adherence_rows(period: Period) -> list[dict[str, Any]]:
    """Per practitioner and in all: the sessions done, those inside their window (the
    day they took place, at the chosen location's midnight) and the rate."""
    grouped = (
        _later_sessions_done(period)
        .annotate(day=TruncDate("appointment__starts_at", tzinfo=period.zone))
        .values(
            "appointment__practitioner",
            "appointment__practitioner__user__first_name",
            "appointment__practitioner__user__last_name",
        )
        .annotate(
            done=Count("pk"),
            inside=Count("pk", filter=Q(day__gte=F("window_first"), day__lte=F("window_last"))),
        )
        .order_by(
            "appointment__practitioner__user__first_name",
            "appointment__practitioner__user__last_name",
        )
    )
    rows: list[dict[str, Any]] = [
        {
            "who": _name(
                row["appointment__practitioner__user__first_name"],
                row["appointment__practitioner__user__last_name"],
            ),
            "done": row["done"],
            "inside": row["inside"],
        }
        for row in grouped
    ]
    with_total(rows, {"who": "All practitioners"}, ("done", "inside"))
    for row in rows:
        row["adherence"] = rate(row["inside"], row["done"])
    return rows


def intervals(period: Period) -> Report:
    """Sessions after the first, done in the range: was each inside its window?"""
    return Report(
        name="intervals",
        title="Interval adherence",
        columns=[
            Column("who", "Practitioner", TEXT),
            Column("done", "Sessions after the first, done"),
            Column("inside", "Inside their window"),
            Column("adherence", "Adherence", PERCENT),
        ],
        rows=_adherence_rows(period),
        chart=Chart(series=("adherence",), horizontal=True),
        notes=[
            "Each session after the first has a window of days after the one before it. "
            "Sessions are counted by the day they took place; skipped sessions are left out.",
        ],
        empty="No sessions after a first one were done in this range.",
    )


# --- Screening -----------------------------------------------------------------------


def _findings(period: Period) -> QuerySet[ScreeningFinding]:
    """Findings of the consultations signed in the period (by the practitioner chosen)."""
    return ScreeningFinding.objects.filter(consultation__in=_signed_consultations(period))


def screening(period: Period) -> Report:
    screened = _signed_consultations(period).count()
    grouped = (
        _findings(period)
        .values("code", "title", "level")
        .annotate(found=Count("pk"), overridden=Count("pk", filter=Q(overridden_at__isnull=False)))
        .order_by("-found", "title")
    )
    levels = dict(ScreeningFinding._meta.get_field("level").choices or [])
    rows = [
        {
            "rule": row["title"],
            "level": levels.get(row["level"], row["level"]),
            "found": row["found"],
            "share": rate(row["found"], screened),
            "overridden": row["overridden"],
        }
        for row in grouped
    ]
    return Report(
        name="screening",
        title="Screening outcomes by rule",
        columns=[
            Column("rule", "Rule", TEXT),
            Column("level", "Level", TEXT),
            Column("found", "Consultations where it applied"),
            Column("share", "Share of signed consultations", PERCENT),
            Column("overridden", "Overridden"),
        ],
        rows=rows,
        chart=Chart(series=("found", "overridden"), horizontal=True),
        notes=[
            f"Findings of the {screened:,} consultations signed in the range, as the "
            "practitioner saw them then. Patients are not tied to a location, so the "
            "location filter does not apply here.",
        ],
        empty="No screening findings in this range.",
    )


def overrides(period: Period) -> Report:
    grouped = (
        _findings(period)
        .filter(overridden_at__isnull=False)
        .values("overridden_by", "overridden_by__first_name", "overridden_by__last_name")
        .annotate(
            overrides=Count("pk"),
            rules=Count("code", distinct=True),
            with_clearance=Count("pk", filter=~Q(physician_clearance_note="")),
        )
        .order_by("overridden_by__first_name", "overridden_by__last_name")
    )
    rows: list[dict[str, Any]] = [
        {
            "who": _name(row["overridden_by__first_name"], row["overridden_by__last_name"]),
            "overrides": row["overrides"],
            "rules": row["rules"],
            "with_clearance": row["with_clearance"],
        }
        for row in grouped
    ]
    return Report(
        name="overrides",
        title="Screening overrides by practitioner",
        columns=[
            Column("who", "Practitioner", TEXT),
            Column("overrides", "Overrides"),
            Column("rules", "Different rules"),
            Column("with_clearance", "With a physician's clearance note"),
        ],
        rows=rows,
        chart=Chart(series=("overrides",), horizontal=True),
        notes=["Overrides recorded on consultations signed in the range."],
        empty="No overrides in this range.",
    )


# --- Messages ------------------------------------------------------------------------


def messages(period: Period) -> Report:
    St, Reply = PatientMessage.Status, PatientMessage.Reply
    rows_qs = PatientMessage.objects.filter(due_at__gte=period.start, due_at__lt=period.end)
    if period.location is not None:
        rows_qs = rows_qs.filter(appointment__location=period.location)
    if period.practitioner is not None:
        rows_qs = rows_qs.filter(appointment__practitioner=period.practitioner)
    grouped: dict[str, dict[str, Any]] = {
        row["kind"]: dict(row)
        for row in rows_qs.values("kind")
        .annotate(
            all=Count("pk"),
            sent=Count("pk", filter=Q(status=St.SENT)),
            failed=Count("pk", filter=Q(status=St.FAILED)),
            skipped=Count("pk", filter=Q(status=St.SKIPPED)),
            cancelled=Count("pk", filter=Q(status=St.CANCELLED)),
            waiting=Count("pk", filter=Q(status__in=(St.PENDING, St.SENDING))),
            confirmed=Count("pk", filter=Q(reply=Reply.CONFIRMED)),
            cancel_asked=Count("pk", filter=Q(reply=Reply.CANCEL_REQUESTED)),
        )
        .order_by()
    }
    keys = ("all", "sent", "failed", "skipped", "cancelled", "waiting", "confirmed",
            "cancel_asked")  # fmt: skip
    rows: list[dict[str, Any]] = []
    for kind in PatientMessage.Kind:
        if kind.value in grouped:
            rows.append({"kind": kind.label, **{k: grouped[kind.value][k] for k in keys}})
    with_total(rows, {"kind": "All messages"}, keys)
    for row in rows:
        row["delivered"] = rate(row["sent"], row["sent"] + row["failed"])
    return Report(
        name="messages",
        title="Message delivery",
        columns=[
            Column("kind", "Kind", TEXT),
            Column("all", "Messages"),
            Column("sent", "Sent"),
            Column("failed", "Failed"),
            Column("skipped", "Not sent (no consent or address)"),
            Column("cancelled", "Stopped"),
            Column("waiting", "Waiting"),
            Column("delivered", "Sent of those tried", PERCENT),
            Column("confirmed", "Confirmed by the patient"),
            Column("cancel_asked", "Asked to cancel"),
        ],
        rows=rows,
        chart=Chart(series=("sent", "failed", "skipped", "cancelled"), stacked=True),
        notes=[
            "Messages by the time they were due. Stopped: a newer message replaced it or "
            "the appointment was cancelled. Failed: the mail server refused it after every "
            "retry.",
        ],
        empty="No messages were due in this range.",
    )


REPORTS: dict[str, tuple[str, str, Callable[[Period], Report]]] = {
    "appointments": ("Appointments", "By type and status.", appointments),
    "utilisation": ("Utilisation", "Booked over available hours, per practitioner and room.",
                    utilisation),
    "attendance": ("No-shows and late cancellations", "Rates per practitioner.", attendance),
    "conversion": ("New patients and conversion", "Consultations that led to a booked plan.",
                   conversion),
    "plans": ("Plan completion", "Plans booked, and where they stand now.", plans),
    "intervals": ("Interval adherence", "Sessions inside their window.", intervals),
    "screening": ("Screening outcomes", "How often each rule applied.", screening),
    "overrides": ("Screening overrides", "Overrides by practitioner.", overrides),
    "messages": ("Message delivery", "Sent, failed, not sent, confirmed.", messages),
}  # fmt: skip
