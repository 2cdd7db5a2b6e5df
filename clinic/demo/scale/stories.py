"""What each made-up patient did over the two years, told one visit at a time (no database).

A patient's story is a generator. It yields the next visit it wants (what kind, the day
wanted, the earliest day that will do, when it was booked); the diary (``diary.py``)
answers with the day, practitioner and room it found and how the visit went, or with
None when the diary had no room; the story goes on from there. So a plan's next session
is wanted an interval after the day the last one really took place, and a missed
session is booked again a few days later, as the front desk would.

The shape of a story:

1. Registered on a day in the two years (``created_at``), a consultation a few days on.
2. Screened with one of a handful of histories (``screening_profiles``): most clear, some
   with precautions, some needing clearance (mostly overridden), a few contraindicated.
   Not suitable: some come back for another consultation months later, most do not.
3. Suitable: a course from the catalog's areas, sessions an interval apart (mostly inside
   the plan's window, some early or late on purpose), a review after many sessions, a few
   sessions skipped, a few plans cancelled or paused part of the way.
4. After a course, a gap, then another course (a new consultation once the last is about
   ten months old), until the patient drifts away or the story reaches today.

Nothing is booked after ``now``: a story stops at the first visit that would have to be
booked later than that. Courses booked before ``now`` keep their later sessions, so the
diary reaches months ahead for those.
"""

import random
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from treatments.screening.engine import screen
from treatments.screening.rules import Finding, Level, RuleAdjustment, ScreeningAnswers


def seeded(*parts: object) -> random.Random:
    """A random source for made-up data that gives the same data for the same parts."""
    return random.Random(":".join(str(part) for part in parts))  # noqa: S311 - not a secret


class Kind(StrEnum):
    CONSULTATION = "consultation"
    TREATMENT = "treatment"
    REVIEW = "review"


class Outcome(StrEnum):
    ATTENDED = "attended"  # or, for a visit still to come, booked
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"  # early enough for the slot to be given to someone else
    CANCELLED_LATE = "cancelled_late"  # too late: the slot stays empty


FAILED = (Outcome.NO_SHOW, Outcome.CANCELLED, Outcome.CANCELLED_LATE)

# Of the visits in the past: about 5% no-shows and 8.5% cancellations, a third of them
# late; cancelled plans bring the cancellations to about 10%.
NO_SHOW_SHARE = 0.05
CANCEL_SHARE = 0.055
LATE_CANCEL_SHARE = 0.03


def outcome_for(chance: float, day: date, today: date) -> Outcome:
    """How a visit went, from its own random draw and whether its day has come yet.

    A visit from today on has not happened, so it is simply booked."""
    if day >= today:
        return Outcome.ATTENDED
    if chance < NO_SHOW_SHARE:
        return Outcome.NO_SHOW
    if chance < NO_SHOW_SHARE + CANCEL_SHARE:
        return Outcome.CANCELLED
    if chance < NO_SHOW_SHARE + CANCEL_SHARE + LATE_CANCEL_SHARE:
        return Outcome.CANCELLED_LATE
    return Outcome.ATTENDED


@dataclass(eq=False, slots=True)
class Visit:
    """One appointment a story asks for; the diary fills in where and when it went."""

    patient: int  # the patient's position among the patients of this run
    kind: Kind
    minutes: int
    wanted: date
    earliest: date
    # When it was booked: a moment, or right after an earlier visit ended.
    booked_at: datetime | None
    booked_after: "Visit | None" = None
    preference: float = 0.0  # which practitioner the patient usually sees
    chance: float = 0.0  # the draw that decides how it went
    forced: Outcome | None = None  # a cancellation the story decides (a plan cancelled)
    cancelled_at: datetime | None = None
    reason: str = ""
    # Filled in by the diary.
    day: date | None = None
    outcome: Outcome = Outcome.ATTENDED
    practitioner: int = 0
    room: int = 0
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    # Filled in when written.
    status: str = ""
    pk: int | None = None

    @property
    def failed(self) -> bool:
        return self.outcome in FAILED

    @property
    def placed_day(self) -> date:
        if self.day is None:
            raise RuntimeError("The visit has not been placed in the diary.")
        return self.day


@dataclass(frozen=True)
class AreaDefaults:
    code: str
    sessions: int
    min_interval_days: int
    max_interval_days: int
    session_minutes: int


@dataclass(frozen=True)
class Catalog:
    """What the stories need to know of the clinic: the treatment's areas and how long
    a consultation and a review take."""

    areas: Mapping[str, AreaDefaults]
    consultation_minutes: int
    review_minutes: int


@dataclass(frozen=True)
class ScreeningProfile:
    """A medical history many patients share, screened once with the clinic's rules."""

    history: Mapping[str, object]
    medicines: tuple[str, ...]  # one medicine a line, as written
    fitzpatrick: tuple[int, ...]
    weight: float
    findings: tuple[Finding, ...]
    level: Level
    ruleset_version: str

    @property
    def may_override(self) -> bool:
        """Every finding that blocks treatment takes a recorded override."""
        return all(
            f.level < Level.CONTRAINDICATED and not f.needs_physician_clearance
            for f in self.findings
        )


# Histories without dates, so the screening of each is the same on any day.
# (answers, with the medicines as "medications" one a line; Fitzpatrick types drawn
# from; share of patients)
PROFILE_TABLE: tuple[tuple[dict[str, object], tuple[int, ...], float], ...] = (
    ({}, (1, 2, 3), 0.44),
    ({"cold_sore_history": True}, (1, 2, 3), 0.06),
    ({"low_pain_tolerance_or_needle_phobia": True}, (2, 3), 0.04),
    ({}, (4, 5, 6), 0.08),
    ({"medications": "Omega-3 1000mg od"}, (2, 3), 0.04),
    ({"medications": "Retin-A 0.025% cream at night"}, (2, 3), 0.03),
    ({"medications": "Apixaban 5mg bd"}, (2, 3), 0.05),
    ({"medications": "Clopidogrel 75mg od"}, (3, 4), 0.03),
    ({"keloid_tendency": True}, (3, 4, 5), 0.03),
    ({"rosacea_controlled": True}, (1, 2), 0.05),
    ({"uncontrolled_diabetes": True}, (2, 3), 0.02),
    ({"active_acne": True}, (2, 3, 4), 0.06),
    ({"pregnant_or_breastfeeding": True}, (2, 3), 0.04),
    ({"sunburn": True}, (1, 2), 0.02),
    ({"eczema_flare": True}, (2, 3), 0.01),
)


def screening_profiles(
    adjustments: Mapping[str, RuleAdjustment], treatment_date: date
) -> tuple[ScreeningProfile, ...]:
    """The profiles, each screened with the clinic's rules as they are set now."""
    from treatments.consultations.medicines import entries_from_text, screened_lines
    from treatments.consultations.services import screening_answers

    profiles = []
    for answers_and_medicines, fitzpatrick, weight in PROFILE_TABLE:
        history = dict(answers_and_medicines)
        medicines = entries_from_text(str(history.pop("medications", "")))
        answers: ScreeningAnswers = screening_answers(
            history=history, fitzpatrick_type=fitzpatrick[0], treatment_date=treatment_date,
            medicines=screened_lines(medicines),
        )  # fmt: skip
        result = screen(answers, adjustments=adjustments)
        profiles.append(
            ScreeningProfile(
                history,
                tuple(entry.text for entry in medicines),
                fitzpatrick,
                weight,
                result.findings,
                result.level,
                result.ruleset_version,
            )
        )
    return tuple(profiles)


@dataclass(eq=False)
class ConsultationStory:
    visit: Visit
    profile: int
    fitzpatrick: int
    overridden: bool
    decision: str
    pk: int | None = None  # once written

    @property
    def suitable(self) -> bool:
        return self.decision != "not_suitable"


class SessionFate(StrEnum):
    HELD = "held"  # attended, or booked and still to come
    SKIPPED = "skipped"  # its appointment cancelled and the course went on without it
    CANCELLED = "cancelled"  # the plan was cancelled before it
    UNBOOKED = "unbooked"  # the plan was paused before it


@dataclass(eq=False)
class SessionStory:
    number: int
    visit: Visit | None
    fate: SessionFate
    window: tuple[date, date] | None  # inside this window after the one before


class PlanEnd(StrEnum):
    RUNS = "runs"  # active, or completed once every session is over
    CANCELLED = "cancelled"
    PAUSED = "paused"


@dataclass(eq=False)
class PlanStory:
    consultation: ConsultationStory
    areas: tuple[str, ...]
    sessions_planned: int
    min_interval_days: int
    max_interval_days: int
    session_minutes: int
    booked_at: datetime
    earliest_start: date
    end: PlanEnd = PlanEnd.RUNS
    ended_at: datetime | None = None
    reason: str = ""
    sessions: list[SessionStory] = field(default_factory=list)


@dataclass(eq=False)
class PatientStory:
    index: int
    created_at: datetime
    consultations: list[ConsultationStory] = field(default_factory=list)
    plans: list[PlanStory] = field(default_factory=list)


# The areas a course treats, and how often each choice is made.
AREA_CHOICES: tuple[tuple[tuple[str, ...], float], ...] = (
    (("face",), 0.55),
    (("face", "neck"), 0.15),
    (("scars",), 0.12),
    (("neck", "decolletage"), 0.06),
    (("body",), 0.06),
    (("hands",), 0.04),
    (("scalp",), 0.02),
)
CANCEL_REASONS = ("Patient moving away", "Cost", "Happy with the result so far", "Pregnancy")
PAUSE_REASONS = ("Unwell", "Holiday abroad", "Started a course of antibiotics")
# After a course, a patient may not come back.
DRIFT_AWAY = 0.04
# A consultation is good for planning for about this long (the planning horizon is 12
# months; clinics consult again a little before).
CONSULTATION_VALID_DAYS = 300


@dataclass(frozen=True)
class StoryClock:
    """Where a story stands in time: nothing is booked after ``now``; only courses
    already booked reach past ``horizon``."""

    now: datetime
    today: date
    horizon: date
    zone: ZoneInfo

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.zone)


Story = Generator[Visit, "Visit | None", PatientStory]


class PatientStoryTeller:
    """Tells one patient's story; ``tell`` is the generator the diary drives."""

    def __init__(
        self,
        *,
        index: int,
        created_at: datetime,
        rng: random.Random,
        clock: StoryClock,
        catalog: Catalog,
        profiles: Sequence[ScreeningProfile],
    ) -> None:
        self.rng, self.clock, self.catalog, self.profiles = rng, clock, catalog, profiles
        self.story = PatientStory(index, created_at)
        self.preference = rng.random()
        # Keen patients come back sooner between courses.
        self.keenness = rng.uniform(0.6, 1.5)
        self.last_day = created_at.astimezone(clock.zone).date()

    def tell(self) -> Story:
        rng = self.rng
        wanted = self.last_day + timedelta(days=rng.randint(1, 14))
        booked_at: datetime = self.story.created_at
        while True:
            consultation = yield from self._consultation(wanted, booked_at)
            if consultation is None:
                return self.story
            if consultation.suitable:
                again = yield from self._courses(consultation)
            else:
                again = self._comes_back(0.6, 60, 180)
            if again is None:
                return self.story
            wanted, booked_at = again

    def _comes_back(self, chance: float, low: int, high: int) -> tuple[date, datetime] | None:
        """Whether the patient books another consultation, ``low`` to ``high`` days after
        their last visit, and when they booked it."""
        if self.rng.random() > chance:
            return None
        wanted = self.last_day + timedelta(days=self.rng.randint(low, high))
        booked = wanted - timedelta(days=self.rng.randint(7, 21))
        return wanted, self.clock.at(max(booked, self.last_day), 18)

    def _courses(
        self, consultation: ConsultationStory
    ) -> Generator[Visit, Visit | None, tuple[date, datetime] | None]:
        """Courses planned from one consultation; returns when the next consultation is
        wanted and when it was booked, or None when the story ends."""
        rng, clock = self.rng, self.clock
        seen = consultation.visit.placed_day
        booked_at = clock.at(seen + timedelta(days=rng.randint(1, 5)), 12, 30)
        if rng.random() < 0.4:  # a patch test before the course
            yield from self._checkup(seen + timedelta(days=rng.randint(3, 7)), booked_at)
        start = max(seen, self.last_day) + timedelta(days=rng.randint(7, 21))
        while True:
            if booked_at > clock.now:
                return None
            plan = yield from self._course(consultation, start, booked_at)
            if plan is None or rng.random() < DRIFT_AWAY:
                return None
            if plan.end != PlanEnd.RUNS:
                return self._comes_back(0.5, 60, 150)
            if rng.random() < 0.5:  # a check on the results a few weeks after the course
                day = self.last_day
                yield from self._checkup(
                    day + timedelta(days=rng.randint(21, 35)), clock.at(day, 18)
                )
            start = self.last_day + timedelta(days=round(rng.randint(10, 45) / self.keenness))
            if (start - seen).days > CONSULTATION_VALID_DAYS:
                return self._comes_back(1, 7, 30)
            booked = start - timedelta(days=rng.randint(7, 21))
            booked_at = clock.at(max(booked, self.last_day), 18)

    # --- Visits ------------------------------------------------------------------------

    def _visit(
        self,
        kind: Kind,
        minutes: int,
        wanted: date,
        *,
        booked_at: datetime | None = None,
        booked_after: Visit | None = None,
        forced: Outcome | None = None,
        cancelled_at: datetime | None = None,
        reason: str = "",
    ) -> Visit:
        # After the patient's last visit, and after the day it was booked or cancelled.
        earliest = self.last_day + timedelta(days=1)
        for moment in (booked_at, cancelled_at):
            if moment is not None:
                local = moment.astimezone(self.clock.zone).date()
                earliest = max(earliest, local + timedelta(days=1))
        return Visit(
            patient=self.story.index,
            kind=kind,
            minutes=minutes,
            wanted=max(wanted, earliest),
            earliest=earliest,
            booked_at=booked_at,
            booked_after=booked_after,
            preference=self.preference,
            chance=self.rng.random(),
            forced=forced,
            cancelled_at=cancelled_at,
            reason=reason,
        )

    def _book(self, visit: Visit) -> Generator[Visit, Visit | None, Visit | None]:
        placed = yield visit
        if placed is not None and placed.day is not None:
            self.last_day = max(self.last_day, placed.day)
        return placed

    def _until_seen(
        self, kind: Kind, minutes: int, wanted: date, booked_at: datetime
    ) -> Generator[Visit, Visit | None, Visit | None]:
        """Book a visit; after a no-show or cancellation, book it again a few days on
        (twice at most). Returns the last one booked, which may itself have failed."""
        visit = yield from self._book(self._visit(kind, minutes, wanted, booked_at=booked_at))
        for _ in range(2):
            if visit is None or not visit.failed or visit.day is None:
                return visit
            again = self._visit(
                kind, minutes, visit.day + timedelta(days=self.rng.randint(3, 10)),
                booked_after=visit,
            )  # fmt: skip
            visit = yield from self._book(again)
        return visit

    def _consultation(
        self, wanted: date, booked_at: datetime
    ) -> Generator[Visit, Visit | None, ConsultationStory | None]:
        if booked_at > self.clock.now or wanted > self.clock.horizon:
            return None
        minutes = self.catalog.consultation_minutes
        visit = yield from self._until_seen(Kind.CONSULTATION, minutes, wanted, booked_at)
        if visit is None or visit.failed or visit.day is None or visit.day >= self.clock.today:
            return None
        consultation = self._screened(visit)
        self.story.consultations.append(consultation)
        return consultation

    def _screened(self, visit: Visit) -> ConsultationStory:
        rng = self.rng
        weights = [p.weight for p in self.profiles]
        index = rng.choices(range(len(self.profiles)), weights)[0]
        profile = self.profiles[index]
        overridden = False
        if profile.level == Level.CONTRAINDICATED:
            decision = "not_suitable"
        elif profile.level == Level.NEEDS_CLEARANCE:
            overridden = profile.may_override and rng.random() < 0.75
            decision = "suitable_with_precautions" if overridden else "not_suitable"
        elif profile.level == Level.PRECAUTION:
            decision = "suitable_with_precautions" if rng.random() < 0.95 else "not_suitable"
        else:
            decision = "suitable" if rng.random() < 0.97 else "not_suitable"
        return ConsultationStory(
            visit, index, rng.choice(profile.fitzpatrick), overridden, decision
        )

    # --- A course of sessions -------------------------------------------------------------

    def _new_plan(
        self, consultation: ConsultationStory, start: date, booked_at: datetime
    ) -> PlanStory:
        rng = self.rng
        choices = [c for c, _ in AREA_CHOICES if all(a in self.catalog.areas for a in c)]
        weights = [w for c, w in AREA_CHOICES if all(a in self.catalog.areas for a in c)]
        codes = rng.choices(choices, weights)[0]
        areas = [self.catalog.areas[code] for code in codes]
        low = max(a.min_interval_days for a in areas)
        return PlanStory(
            consultation=consultation,
            areas=codes,
            sessions_planned=max(a.sessions for a in areas),
            min_interval_days=low,
            max_interval_days=max(low, min(a.max_interval_days for a in areas)),
            session_minutes=max(a.session_minutes for a in areas),
            booked_at=booked_at,
            earliest_start=start,
        )

    def _gap(self, plan: PlanStory) -> int:
        """Days after the session before; about one in twelve is early or late on purpose
        (more end up outside when the diary has no room on the day wanted)."""
        rng, low, high = self.rng, plan.min_interval_days, plan.max_interval_days
        draw = rng.random()
        if draw < 0.04:
            return rng.randint(max(1, low - 10), max(1, low - 1))
        if draw < 0.08:
            return rng.randint(high + 1, high + 21)
        return rng.randint(low, high)

    def _course(
        self, consultation: ConsultationStory, start: date, booked_at: datetime
    ) -> Generator[Visit, Visit | None, PlanStory | None]:
        """One course, booked whole on ``booked_at`` (as the front desk books a plan)."""
        rng = self.rng
        plan = self._new_plan(consultation, start, booked_at)
        count = plan.sessions_planned
        fate, turn = rng.random(), rng.randint(2, max(2, count))
        wanted, previous = start, None
        for number in range(1, count + 1):
            window = None
            if previous is not None:
                wanted = previous + timedelta(days=self._gap(plan))
                window = (
                    previous + timedelta(days=plan.min_interval_days),
                    previous + timedelta(days=plan.max_interval_days),
                )
            ending = self._ending(plan, number, fate, turn, previous)
            if ending is not None:
                yield from self._end_plan(plan, ending, number, wanted, window)
                break
            session = yield from self._session(plan, number, wanted, window)
            if session is None:
                if number == 1:
                    return None
                # The diary was full: the plan is for the sessions that found a time.
                plan.sessions_planned = number - 1
                break
            plan.sessions.append(session)
            previous = session.visit.day if session.visit else previous
        self.story.plans.append(plan)
        return plan

    def _ending(
        self, plan: PlanStory, number: int, fate: float, turn: int, previous: date | None
    ) -> PlanEnd | None:
        """Whether the plan is cancelled (7%) or paused (3%) before this session; only
        once the session before has taken place and the decision is in the past."""
        if number != turn or previous is None or previous >= self.clock.today:
            return None
        if fate < 0.07:
            plan.end = PlanEnd.CANCELLED
            plan.reason = self.rng.choice(CANCEL_REASONS)
        elif fate < 0.10:
            plan.end = PlanEnd.PAUSED
            plan.reason = self.rng.choice(PAUSE_REASONS)
        else:
            return None
        plan.ended_at = self.clock.at(previous + timedelta(days=self.rng.randint(1, 12)), 14)
        if plan.ended_at > self.clock.now:
            plan.end, plan.ended_at, plan.reason = PlanEnd.RUNS, None, ""
            return None
        return plan.end

    def _end_plan(
        self,
        plan: PlanStory,
        ending: PlanEnd,
        number: int,
        wanted: date,
        window: tuple[date, date] | None,
    ) -> Generator[Visit, Visit | None, None]:
        """The sessions left when a plan ends: booked with the plan and cancelled with it
        (a cancelled plan), or the next one cancelled and the rest left unbooked (paused)."""
        minutes = plan.session_minutes
        for later in range(number, plan.sessions_planned + 1):
            visit = None
            if ending == PlanEnd.CANCELLED or later == number:
                reason = f"Treatment plan cancelled: {plan.reason}"
                if ending == PlanEnd.PAUSED:
                    reason = plan.reason
                visit = yield from self._book(
                    self._visit(
                        Kind.TREATMENT, minutes, wanted, booked_at=plan.booked_at,
                        forced=Outcome.CANCELLED, cancelled_at=plan.ended_at, reason=reason,
                    )
                )  # fmt: skip
            if ending == PlanEnd.PAUSED:
                fate, visit = SessionFate.UNBOOKED, None
            else:
                fate = SessionFate.CANCELLED
            plan.sessions.append(SessionStory(later, visit, fate, window if visit else None))
            wanted += timedelta(days=plan.min_interval_days)

    def _session(
        self, plan: PlanStory, number: int, wanted: date, window: tuple[date, date] | None
    ) -> Generator[Visit, Visit | None, SessionStory | None]:
        rng, clock, minutes = self.rng, self.clock, plan.session_minutes
        if 1 < number < plan.sessions_planned and rng.random() < 0.03 and wanted < clock.today:
            visit = yield from self._book(
                self._visit(
                    Kind.TREATMENT, minutes, wanted, booked_at=plan.booked_at,
                    forced=Outcome.CANCELLED, reason=rng.choice(PAUSE_REASONS),
                )
            )  # fmt: skip
            if visit is None:
                return None
            return SessionStory(number, visit, SessionFate.SKIPPED, window)
        visit = yield from self._until_seen(Kind.TREATMENT, minutes, wanted, plan.booked_at)
        if visit is None:
            return None
        fate = SessionFate.SKIPPED if visit.failed else SessionFate.HELD
        if fate == SessionFate.HELD:
            yield from self._review(visit, last=number == plan.sessions_planned)
        return SessionStory(number, visit, fate, window)

    def _checkup(self, wanted: date, booked_at: datetime) -> Generator[Visit, Visit | None, None]:
        """A review outside a course, if it could be booked by now."""
        if booked_at > self.clock.now or wanted > self.clock.horizon:
            return
        minutes = self.catalog.review_minutes
        yield from self._book(self._visit(Kind.REVIEW, minutes, wanted, booked_at=booked_at))

    def _review(self, session: Visit, *, last: bool) -> Generator[Visit, Visit | None, None]:
        """A review after many sessions, booked as the patient leaves."""
        rng, clock = self.rng, self.clock
        day = session.day
        if day is None or day >= clock.today or rng.random() > (0.95 if last else 0.9):
            return
        wanted = day + timedelta(days=rng.randint(14, 28) if last else rng.randint(7, 14))
        if wanted > clock.horizon:
            return
        minutes = self.catalog.review_minutes
        yield from self._book(self._visit(Kind.REVIEW, minutes, wanted, booked_after=session))
