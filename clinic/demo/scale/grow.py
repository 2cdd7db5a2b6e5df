"""``demo_grow``: the steps of growing the demo, in order (see the package docstring)."""

import time as clock
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from clinic.demo.scale import clinic_setup as setup
from clinic.demo.scale.diary import Demand, Diary, tell_stories
from clinic.demo.scale.outbox import MessageRules
from clinic.demo.scale.rows import (
    AppointmentWriter,
    ConsultationWriter,
    Place,
    PlanWriter,
    Written,
    dates_as_given,
    insert,
    patient_row,
)
from clinic.demo.scale.stories import (
    AreaDefaults,
    Catalog,
    Kind,
    PatientStory,
    PatientStoryTeller,
    Story,
    StoryClock,
    screening_profiles,
    seeded,
)
from clinic.messaging.models import PatientMessage
from clinic.messaging.selectors import message_settings
from clinic.messaging.services import quiet_hours
from clinic.scheduling.models import Appointment, AppointmentType, Location, Room
from clinic.staff.models import PractitionerProfile
from patients.models import Patient
from treatments.aftercare.services import aftercare_template_current
from treatments.consultations.selectors import rule_adjustments
from treatments.models import (
    ConsentSignature,
    ConsentText,
    Consultation,
    DepthGuidance,
    IssuedAftercare,
    MedicalHistory,
    ScreeningFinding,
    SessionDepth,
    Treatment,
    TreatmentPlan,
    TreatmentSession,
)

SEED = "clinic-scale"
DAYS_BACK = 730
HORIZON_DAYS = 42  # consultations and reviews are booked up to six weeks ahead
# A fifth of the patients were registered in the first two months, when the clinic
# started using the system; the rest at any time since.
LAUNCH_SHARE, LAUNCH_DAYS = 0.2, 60
WRITTEN_MODELS: tuple[type[Model], ...] = (
    Patient, Appointment, PatientMessage, Consultation, MedicalHistory, ScreeningFinding,
    ConsentSignature, TreatmentPlan, TreatmentSession, SessionDepth, IssuedAftercare,
)  # fmt: skip


@dataclass(frozen=True)
class Growth:
    patients_before: int
    patients_after: int
    counts: dict[str, int]
    practitioners_added: int
    rooms_added: int
    seconds: float


def demo_grow(
    *, patients: int, log: Callable[[str], None], now: datetime | None = None
) -> Growth | None:
    """Grow the demo to ``patients`` patients in all; None when it has that many already.

    One transaction: stopped half way, it leaves the demo as it was.
    """
    if not settings.DEBUG:
        raise ImproperlyConfigured(
            "The demo loader only runs with DEBUG on: its accounts share a published password."
        )
    started = clock.monotonic()
    now = now or timezone.now()
    have = Patient.objects.count()
    if patients <= have:
        return None
    with transaction.atomic():
        grower = _Grower(have=have, want=patients, now=now, log=log)
        added, rooms = grower.staff_for_the_stories()
        written = grower.write(grower.tell())
    _analyse()
    return Growth(have, patients, written.counts, added, rooms, clock.monotonic() - started)


def _analyse() -> None:
    """Fresh planner statistics, so that reports on the grown data are judged on it."""
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in WRITTEN_MODELS)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")


class _Grower:
    """One growth: what it reads of the clinic, then its three steps."""

    def __init__(self, *, have: int, want: int, now: datetime, log: Callable[[str], None]) -> None:
        self.have, self.want, self.now, self.log = have, want, now, log
        self.started = clock.monotonic()
        location = Location.objects.order_by("pk").first()
        if location is None:
            raise ImproperlyConfigured("Load the ordinary demo first: it has no location.")
        self.location = location
        self.zone = location.zone
        self.today = now.astimezone(self.zone).date()
        self.first_day = self.today - timedelta(days=DAYS_BACK)
        self.clock = StoryClock(
            now=now, today=self.today, horizon=self.today + timedelta(days=HORIZON_DAYS),
            zone=self.zone,
        )  # fmt: skip
        self.treatment = Treatment.objects.select_related("appointment_type").get(
            name="Microneedling"
        )
        self.types = {
            Kind.CONSULTATION: _type_of_kind("consultation"),
            Kind.TREATMENT: self.treatment.appointment_type,
            Kind.REVIEW: _type_of_kind("review"),
        }
        self.buffers = {
            kind: (t.buffer_before_minutes, t.buffer_after_minutes)
            for kind, t in self.types.items()
        }
        self.profiles = screening_profiles(rule_adjustments(), self.today)
        self.registered = [self._registered(index) for index in range(have, want)]

    def _log(self, what: str) -> None:
        self.log(f"Scale: {what} ({clock.monotonic() - self.started:.0f} s).")

    # --- 1. Stories, and the staff they need ----------------------------------------------

    def _registered(self, index: int) -> datetime:
        rng = seeded(SEED, "registered", index)
        days = LAUNCH_DAYS if rng.random() < LAUNCH_SHARE else DAYS_BACK
        day = self.first_day + timedelta(days=rng.randint(0, days))
        moment = datetime.combine(day, time(9), tzinfo=self.zone)
        moment += timedelta(minutes=rng.randint(0, 8 * 60 + 30))
        return min(moment, self.now - timedelta(minutes=1))

    def _stories(self) -> list[Story]:
        areas = {
            a.code: AreaDefaults(
                a.code, a.default_sessions, a.min_interval_days, a.max_interval_days,
                a.session_minutes,
            )
            for a in self.treatment.areas.filter(is_active=True)
        }  # fmt: skip
        catalog = Catalog(
            areas=areas,
            consultation_minutes=self.types[Kind.CONSULTATION].duration_minutes,
            review_minutes=self.types[Kind.REVIEW].duration_minutes,
        )
        return [
            PatientStoryTeller(
                index=position,
                created_at=created_at,
                rng=seeded(SEED, "story", self.have + position),
                clock=self.clock,
                catalog=catalog,
                profiles=self.profiles,
            ).tell()
            for position, created_at in enumerate(self.registered)
        ]

    def staff_for_the_stories(self) -> tuple[int, int]:
        """Close for past Christmases, then add the practitioners the stories' busiest
        weeks need (see ``clinic_setup``) and a room for each."""
        setup.closures_ensure(self.location, self.first_day, self.today + timedelta(days=365))
        hours = setup.hours_at(self.location)
        demand = Demand(is_open=hours.is_open, buffers=self.buffers, today=self.today)
        tell_stories(self._stories(), demand)
        since = datetime.combine(self.first_day, time(0), tzinfo=self.zone)
        need = defaultdict(int, demand.minutes)
        for week, minutes in setup.booked_minutes(self.location, since).items():
            need[week] += minutes
        last_week = max(need, default=setup.week_of(self.today))
        weeks = setup.mondays(self.first_day, date.fromisocalendar(*last_week, 1))
        joining = setup.join_days(need, self._capacity(hours, weeks, since), weeks, _per_new())
        added = setup.practitioners_add(
            location=self.location, joining=joining, first_day=self.first_day
        )
        rooms = setup.rooms_ensure(self.location)
        self._log(f"{len(added)} practitioners joining as the clinic grows, {rooms} more rooms")
        return len(added), rooms

    def _capacity(
        self, hours: setup.Hours, weeks: Sequence[date], since: datetime
    ) -> dict[setup.Week, int]:
        """The minutes the practitioners already there give each week, leave taken off."""
        leave = setup.leave_intervals(since)
        total: dict[setup.Week, int] = defaultdict(int)
        for practitioner in {s.practitioner for s in hours.shifts}:
            shifts = [s for s in hours.shifts if s.practitioner == practitioner]
            away = setup.on_leave(leave.get(practitioner, []), self.zone)
            for week, minutes in setup.weekly_capacity(hours, shifts, weeks, away).items():
                total[week] += minutes
        return total

    # --- 2. The diary ------------------------------------------------------------------------

    def tell(self) -> tuple[list[PatientStory], Diary]:
        hours = setup.hours_at(self.location)
        since = datetime.combine(self.first_day, time(0), tzinfo=self.zone).astimezone(UTC)
        rooms = Room.objects.filter(location=self.location, is_active=True).order_by("pk")
        diary = Diary(
            zone=self.zone,
            shifts=hours.shifts,
            rooms=list(rooms.values_list("pk", flat=True)),
            is_closed=lambda day: not hours.is_open(day),
            busy=setup.busy_intervals(since),
            buffers=self.buffers,
            today=self.today,
            rng=seeded(SEED, "diary", self.have, self.want),
        )
        told = tell_stories(self._stories(), diary)
        diary.lay_out()
        left_out = f" ({diary.unplaced} found no free time)" if diary.unplaced else ""
        self._log(f"{len(diary.placed)} appointments placed in the diary{left_out}")
        return told, diary

    # --- 3. The rows ----------------------------------------------------------------------------

    def _place(self) -> Place:
        config = message_settings()
        guidance: dict[str, list[DepthGuidance]] = defaultdict(list)
        zones = DepthGuidance.objects.filter(area__treatment=self.treatment).select_related("area")
        for zone in zones:
            guidance[zone.area.code].append(zone)
        return Place(
            location_id=self.location.pk,
            desk_id=_front_desk_id(),
            types=self.types,
            treatment=self.treatment,
            areas={a.code: a for a in self.treatment.areas.all()},
            guidance=dict(guidance),
            aftercare=aftercare_template_current(self.treatment),
            consent=ConsentText.objects.filter(treatment="microneedling")
            .order_by("-version")
            .first(),
            profiles=self.profiles,
            users=dict(PractitionerProfile.objects.values_list("pk", "user_id")),
            messages=MessageRules(
                reminder_hours_before=config.reminder_hours_before,
                day_before_reminder_at=config.day_before_reminder_at,
                quiet=quiet_hours(config),
                zone=self.zone,
                now=self.now,
            ),
        )

    def write(self, told_and_diary: tuple[list[PatientStory], Diary]) -> Written:
        told, diary = told_and_diary
        place, written = self._place(), Written()
        rng = seeded(SEED, "rows", self.have, self.want)
        with dates_as_given(Patient, Appointment, PatientMessage, Consultation, TreatmentPlan):
            patients = [
                patient_row(self.have + position, created_at, place.desk_id)
                for position, created_at in enumerate(self.registered)
            ]
            written.add("patients", insert(Patient, patients))
            visits = sorted(diary.placed, key=lambda v: (v.starts_at, v.practitioner))
            AppointmentWriter(place, patients, rng).write(visits, written)
            self._log(f"{len(visits)} appointments written with their messages")
            ConsultationWriter(place, patients, rng).write(told, written)
            PlanWriter(place, patients, rng).write(told, written)
            self._log("consultations, plans, sessions and aftercare written")
        return written


def _type_of_kind(kind: str) -> AppointmentType:
    found = AppointmentType.objects.filter(kind=kind, is_active=True).order_by("pk").first()
    if found is None:
        raise ImproperlyConfigured(f"The demo has no {kind} appointment type to book.")
    return found


def _front_desk_id() -> int:
    desk = get_user_model().objects.filter(username="frontdesk").first()
    if desk is None:
        raise ImproperlyConfigured("Load the ordinary demo first: it has no front desk.")
    return desk.pk


def _per_new() -> int:
    """A new practitioner's minutes in a week, the two weekly patterns averaged."""
    both = [setup.pattern_shifts(n) for n in (0, 1)]
    return sum(setup.shift_minutes(s) for shifts in both for s in shifts) // 2
