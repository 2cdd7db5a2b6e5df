"""The demo at clinic-chain size (``seed_demo --patients N``): what it adds, that no
practitioner or room is ever double-booked, and that it only ever adds what is missing.

The clock is frozen so the made-up years are the same on every run of the suite.
"""

import itertools
import random
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from clinic.demo.scale.diary import Diary, Shift, free_parts, on_grid, tell_stories
from clinic.demo.scale.stories import (
    Kind,
    Outcome,
    PatientStory,
    Visit,
    outcome_for,
)

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
PATIENTS = 150  # the ordinary demo's 50 and 100 more
# About 20 appointments for each new patient: the mean of a hundred lands within this.
PER_PATIENT = (15, 25)


def _grow(patients: int = PATIENTS) -> None:
    with time_machine.travel(NOW, tick=False), override_settings(DEBUG=True):
        call_command("seed_demo", patients=patients)


@pytest.fixture(scope="class")
def _grown_once(django_db_setup, django_db_blocker):
    """The grown demo, made once for a class of tests and undone after them; each test
    runs in its own savepoint inside, as usual."""
    with django_db_blocker.unblock(), transaction.atomic():
        _grow()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def grown(_grown_once, db):
    return None


def _overlaps(rows: list[tuple[int, datetime, datetime, int]]) -> list[tuple[int, int]]:
    """Pairs of rows of one practitioner (or room) whose blocked times overlap."""
    by_owner = defaultdict(list)
    for owner, start, end, pk in rows:
        by_owner[owner].append((start, end, pk))
    clashes = []
    for intervals in by_owner.values():
        intervals.sort()
        clashes += [(a[2], b[2]) for a, b in itertools.pairwise(intervals) if b[0] < a[1]]
    return clashes


# --- The grown demo, made once for these tests -------------------------------------------


class TestTheGrownDemo:
    def test_it_grows_the_demo_to_the_patients_asked_for_with_about_20_appointments_each(
        self, grown
    ):
        from clinic.scheduling.models import Appointment
        from patients.models import Patient

        assert Patient.objects.count() == PATIENTS
        grown = Patient.objects.filter(mobile__startswith="+4478")  # the generated patients
        appointments = Appointment.objects.filter(patient__in=grown).count()
        assert PER_PATIENT[0] <= appointments / grown.count() <= PER_PATIENT[1]
        months = {d.strftime("%Y-%m") for d in grown.values_list("created_at", flat=True)}
        assert len(months) >= 20  # registered all through the two years

    def test_no_practitioner_or_room_is_ever_in_two_active_appointments_at_once(self, grown):
        from clinic.scheduling.models import Appointment

        active = Appointment.objects.filter(status__in=Appointment.ACTIVE)
        fields = ("blocked_from", "blocked_until", "pk")
        assert _overlaps(list(active.values_list("practitioner_id", *fields))) == []
        assert _overlaps(list(active.values_list("room_id", *fields))) == []

    def test_appointments_have_every_status_type_and_a_share_of_late_cancellations(self, grown):
        from clinic.scheduling.models import Appointment, AppointmentType

        past = Appointment.objects.filter(ends_at__lt=NOW, messages__key__startswith="scale:")
        statuses = Counter(past.distinct().values_list("status", flat=True))
        total = sum(statuses.values())
        assert statuses["completed"] / total > 0.75
        assert 0.02 < statuses["no_show"] / total < 0.08
        assert 0.05 < statuses["cancelled"] / total < 0.15
        future = Appointment.objects.filter(starts_at__gt=NOW, messages__key__startswith="scale:")
        assert {"booked", "confirmed"} <= set(future.values_list("status", flat=True))
        assert Appointment.objects.filter(status="cancelled", late_cancel=True).exists()
        assert Appointment.objects.filter(status="cancelled", late_cancel=False).exists()
        kinds = set(Appointment.objects.values_list("appointment_type__kind", flat=True))
        assert kinds == set(AppointmentType.Kind.values)

    def test_consultations_are_signed_with_history_findings_and_some_overrides(self, grown):
        from treatments.models import Consultation, MedicalHistory, ScreeningFinding

        scaled = Consultation.objects.filter(patient__mobile__startswith="+4478")
        assert scaled.exists()
        assert set(scaled.values_list("status", flat=True)) == {"signed"}
        assert set(scaled.values_list("decision", flat=True)) == set(Consultation.Decision.values)
        assert MedicalHistory.objects.filter(consultation__in=scaled).count() == scaled.count()
        findings = ScreeningFinding.objects.filter(consultation__in=scaled)
        assert findings.filter(overridden_at__isnull=False).exists()
        assert findings.filter(overridden_at__isnull=True, level="needs_clearance").exists()

    def test_plans_and_sessions_are_at_every_stage_some_sessions_outside_their_window(self, grown):
        from treatments.models import IssuedAftercare, TreatmentPlan, TreatmentSession

        plans = TreatmentPlan.objects.filter(patient__mobile__startswith="+4478")
        assert {"active", "completed", "cancelled", "paused"} <= set(
            plans.values_list("status", flat=True)
        )
        sessions = TreatmentSession.objects.filter(plan__in=plans).select_related("appointment")
        assert {"completed", "booked", "cancelled"} <= set(
            sessions.values_list("status", flat=True)
        )
        inside = outside = 0
        windowed = sessions.filter(window_first__isnull=False).exclude(status="cancelled")
        for starts_at, first, last, problem in windowed.values_list(
            "appointment__starts_at", "window_first", "window_last", "problem"
        ):
            assert first is not None
            assert last is not None
            if first <= starts_at.astimezone(LONDON).date() <= last:
                inside += 1
            else:
                outside += 1
                assert problem.startswith("Outside the")
        assert inside > 3 * outside > 0
        completed = sessions.filter(status="completed")
        assert not completed.exclude(appointment__status="completed").exists()
        assert IssuedAftercare.objects.filter(session__in=completed).count() == completed.count()

    def test_every_appointment_has_its_messages_in_several_states_under_scale_keys(self, grown):
        from clinic.messaging.models import PatientMessage

        scaled = PatientMessage.objects.filter(key__startswith="scale:appointment:")
        assert {"sent", "failed", "skipped", "cancelled", "pending"} <= set(
            scaled.values_list("status", flat=True)
        )
        assert {"confirmation", "reminder", "cancellation", "no_show"} <= set(
            scaled.values_list("kind", flat=True)
        )
        assert scaled.filter(reply="confirmed").exists()
        assert not scaled.filter(status="pending", due_at__lte=NOW).exists()

    # Running it again.

    def test_running_it_again_with_the_same_or_fewer_patients_adds_nothing(self, grown):
        from clinic.messaging.models import PatientMessage
        from clinic.scheduling.models import Appointment
        from patients.models import Patient

        before = (
            Patient.objects.count(),
            Appointment.objects.count(),
            PatientMessage.objects.count(),
        )

        _grow(PATIENTS)
        _grow(PATIENTS - 20)

        after = (
            Patient.objects.count(),
            Appointment.objects.count(),
            PatientMessage.objects.count(),
        )
        assert after == before

    def test_a_larger_number_adds_the_difference_without_double_booking(self, grown):
        from clinic.scheduling.models import Appointment
        from patients.models import Patient

        before = Appointment.objects.count()

        _grow(PATIENTS + 20)

        assert Patient.objects.count() == PATIENTS + 20
        assert Appointment.objects.count() > before + 20 * PER_PATIENT[0] / 2
        active = Appointment.objects.filter(status__in=Appointment.ACTIVE)
        fields = ("blocked_from", "blocked_until", "pk")
        assert _overlaps(list(active.values_list("practitioner_id", *fields))) == []
        assert _overlaps(list(active.values_list("room_id", *fields))) == []


@override_settings(DEBUG=True)
def test_without_the_option_the_ordinary_demo_loads_as_before(db):
    from clinic.scheduling.models import Room
    from patients.models import Patient

    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo")

    assert Patient.objects.count() == 50
    assert Room.objects.count() == 3


@override_settings(DEBUG=True)
def test_it_refuses_a_number_of_patients_below_one(db):
    with pytest.raises(CommandError, match="above 0"):
        call_command("seed_demo", patients=0)


# --- The diary, without the database -----------------------------------------------------


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON).astimezone(UTC)


MONDAY = date(2026, 3, 23)  # the Monday before the clocks go forward


def test_free_parts_are_the_window_less_what_is_busy():
    window = (_at(MONDAY, 9), _at(MONDAY, 18))
    busy = [(_at(MONDAY, 8), _at(MONDAY, 9, 30)), (_at(MONDAY, 12), _at(MONDAY, 13))]

    assert free_parts(window, busy) == [
        (_at(MONDAY, 9, 30), _at(MONDAY, 12)),
        (_at(MONDAY, 13), _at(MONDAY, 18)),
    ]


def test_a_free_part_is_cut_to_whole_quarter_hours_of_local_time():
    part = (_at(MONDAY, 9, 50), _at(MONDAY, 11, 10))

    assert on_grid(part, LONDON) == (_at(MONDAY, 10), 4)
    assert on_grid((_at(MONDAY, 9, 50), _at(MONDAY, 10, 5)), LONDON) is None


@pytest.mark.parametrize(
    ("chance", "day", "expected"),
    [
        (0.01, MONDAY, Outcome.NO_SHOW),
        (0.07, MONDAY, Outcome.CANCELLED),
        (0.12, MONDAY, Outcome.CANCELLED_LATE),
        (0.50, MONDAY, Outcome.ATTENDED),
        (0.01, MONDAY + timedelta(days=7), Outcome.ATTENDED),  # still to come: booked
    ],
)
def test_how_a_visit_went_follows_its_draw_and_whether_its_day_has_come(chance, day, expected):
    assert outcome_for(chance, day, MONDAY + timedelta(days=1)) == expected


def _diary(busy=None, seed=1):
    shifts = [Shift(p, d, time(9), time(18)) for p in (1, 2, 3) for d in range(6)]
    return Diary(
        zone=LONDON,
        shifts=shifts,
        rooms=[10, 11],  # fewer rooms than practitioners: the third waits
        is_closed=lambda day: day.weekday() == 6,
        busy=busy or {},
        buffers={Kind.CONSULTATION: (0, 10), Kind.TREATMENT: (5, 15), Kind.REVIEW: (0, 0)},
        today=MONDAY + timedelta(days=60),
        rng=random.Random(seed),
    )


def _visits(count: int, seed: int) -> list[Visit]:
    rng = random.Random(seed)
    visits = []
    for n in range(count):
        wanted = MONDAY + timedelta(days=rng.randrange(21))
        kind = rng.choice(list(Kind))
        visits.append(
            Visit(
                patient=n, kind=kind, minutes=rng.choice((20, 45, 60)), wanted=wanted,
                earliest=wanted - timedelta(days=3), booked_at=_at(MONDAY, 8),
                preference=rng.random(), chance=rng.random(),
            )
        )  # fmt: skip
    return visits


@pytest.mark.parametrize("seed", range(5))
def test_the_diary_never_double_books_even_when_it_is_full(seed):
    demo_booking = (_at(MONDAY + timedelta(days=1), 10), _at(MONDAY + timedelta(days=1), 12))
    diary = _diary({("practitioner", 1): [demo_booking], ("room", 11): [demo_booking]}, seed)

    placed = [v for v in map(diary.place, _visits(800, seed)) if v is not None]
    diary.lay_out()

    assert 100 < len(placed) < 800  # three weeks of two rooms cannot hold them all
    active = [v for v in placed if v.outcome != Outcome.CANCELLED]
    blocked = []
    for visit in active:
        before, after = diary.buffers[visit.kind]
        start = visit.starts_at - timedelta(minutes=before)
        blocked.append((visit, start, visit.ends_at + timedelta(minutes=after)))
        assert visit.starts_at.astimezone(LONDON).time() >= time(9)
        assert (visit.ends_at + timedelta(minutes=after)).astimezone(LONDON).time() <= time(18)
        assert visit.day.weekday() != 6
    for owner in ("practitioner", "room"):
        rows = [(getattr(v, owner), s, e, id(v)) for v, s, e in blocked]
        rows += [(1 if owner == "practitioner" else 11, *demo_booking, 0)]
        assert _overlaps(rows) == []


def test_the_diary_keeps_a_visit_on_or_after_its_earliest_day():
    diary = _diary()
    visits = _visits(300, 7)

    for visit in visits:
        diary.place(visit)

    assert all(v.day >= v.earliest for v in visits if v.day is not None)


def test_stories_are_told_in_the_order_visits_were_booked():
    order = []

    def story(name: str, day: int):
        visit = yield Visit(
            patient=0, kind=Kind.REVIEW, minutes=20, wanted=MONDAY, earliest=MONDAY,
            booked_at=_at(MONDAY - timedelta(days=day), 9),
        )  # fmt: skip
        order.append(name)
        assert visit is not None
        return PatientStory(0, _at(MONDAY, 9))

    told = tell_stories([story("late", 1), story("early", 5)], _diary())

    assert order == ["early", "late"]
    assert len(told) == 2


def test_a_practitioner_away_all_day_leaves_their_room_to_the_next():
    away = (_at(MONDAY, 0), _at(MONDAY + timedelta(days=1), 0))
    diary = _diary({("practitioner", 1): [away]})

    lanes = [(lane.practitioner, lane.room) for lane in diary.lanes(MONDAY)]
    next_day = [(lane.practitioner, lane.room) for lane in diary.lanes(MONDAY + timedelta(1))]

    assert lanes == [(2, 10), (3, 11)]
    assert next_day == [(1, 10), (2, 11)]


def test_practitioners_join_as_the_weeks_get_busier():
    from clinic.demo.scale.clinic_setup import UTILISATION, join_days, week_of

    weeks = [MONDAY + timedelta(weeks=n) for n in range(12)]
    need = {week_of(monday): 1500 * n for n, monday in enumerate(weeks)}
    have = {week_of(monday): 2600 for monday in weeks}

    joined = join_days(need, have, weeks, per_new=2600)

    assert weeks[0] not in joined  # the first weeks need nobody new
    for index, monday in enumerate(weeks):
        # A week's need is judged with its neighbours' (a closure moves work a week on).
        around = [need[week_of(m)] for m in weeks[max(0, index - 1) : index + 3]]
        wanted = sum(around) / len(around)
        present = sum(1 for day in joined if day <= monday)
        assert wanted <= UTILISATION * 2600 * (1 + present)
        if monday in joined:  # and nobody joins before they are needed
            assert wanted > UTILISATION * 2600 * present
