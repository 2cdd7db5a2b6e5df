"""Writes the made-up years: every row with ``bulk_create``, a few thousand at a time.

This is the one place that writes patient and clinical rows without their services: the
rows are invented, so there is nothing to audit, and one save per row would take hours.
``bulk_create`` sends no model signals, so none of it reaches the audit log, and
nothing is scheduled or sent as it is written (the outbox rows are written with the
state they would have reached by now).

The order follows the foreign keys: patients, then appointments with their messages,
then consultations (with history, findings and consent), then plans, sessions, depths
and the aftercare issued.
"""

import random
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.db import models

from clinic.demo.scale.outbox import Booking, MessageRules, appointment_outbox
from clinic.demo.scale.stories import (
    ConsultationStory,
    Kind,
    Outcome,
    PatientStory,
    PlanEnd,
    PlanStory,
    ScreeningProfile,
    SessionFate,
    SessionStory,
    Visit,
    seeded,
)
from clinic.messaging.models import PatientMessage
from clinic.scheduling.models import Appointment, AppointmentType
from patients.models import Patient
from patients.validators import normalise_text
from treatments.consultations.medicines import MedicineEntry, matched, medicine_row
from treatments.models import (
    AftercareTemplate,
    ConsentSignature,
    ConsentText,
    Consultation,
    DepthGuidance,
    IssuedAftercare,
    MedicalHistory,
    MedicineLine,
    ScreeningFinding,
    SessionDepth,
    Treatment,
    TreatmentArea,
    TreatmentPlan,
    TreatmentSession,
)
from treatments.screening.medicines import VOCABULARY_VERSION

BATCH = 2000
M = TypeVar("M", bound=models.Model)
S = Appointment.Status


@contextmanager
def dates_as_given(*model_classes: type[models.Model]) -> Iterator[None]:
    """Let rows keep the dates they are given.

    ``bulk_create`` stamps ``auto_now`` and ``auto_now_add`` fields with the time of the
    run; made-up rows must carry their own (the reports count patients by the month they
    were registered), so those fields are plain fields for the duration. The switch is
    on the model classes, so it is only for a process that does nothing else at the same
    time, as the command's does.
    """
    switched = []
    for model in model_classes:
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add):
                switched.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in switched:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def insert(model: type[M], rows: Iterable[M]) -> int:
    """Write rows in batches; on PostgreSQL and SQLite each row gets its primary key."""
    count, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            model._default_manager.bulk_create(batch, batch_size=BATCH)
            count, batch = count + len(batch), []
    if batch:
        model._default_manager.bulk_create(batch, batch_size=BATCH)
    return count + len(batch)


def written_pk(consultation: ConsultationStory) -> int:
    if consultation.pk is None:
        raise RuntimeError("Write the consultations before what refers to them.")
    return consultation.pk


def chunks(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class Place:
    """The clinic the rows belong to, as the writer needs it."""

    location_id: int
    desk_id: int
    types: dict[Kind, AppointmentType]
    treatment: Treatment
    areas: dict[str, TreatmentArea]
    guidance: dict[str, list[DepthGuidance]]
    aftercare: AftercareTemplate
    consent: ConsentText | None
    profiles: Sequence[ScreeningProfile]
    users: dict[int, int]  # practitioner profile -> their user
    messages: MessageRules


@dataclass
class Written:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, count: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + count


# --- Patients ----------------------------------------------------------------------------

FEMALE = (
    "Abigail", "Adaeze", "Alice", "Amara", "Anya", "Beatriz", "Bethan", "Camille", "Chiara",
    "Daisy", "Divya", "Eleanor", "Elif", "Esme", "Farida", "Freya", "Gabriela", "Georgia", "Hana",
    "Harriet", "Imogen", "Ines", "Isabel", "Jasmine", "Joanna", "Kasia", "Keira", "Laila", "Leah",
    "Lucia", "Mabel", "Maria", "Megan", "Mira", "Nadia", "Naomi", "Noor", "Olga", "Paige", "Rania",
    "Rosa", "Ruby", "Saanvi", "Sienna", "Sofia", "Tamsin", "Thea", "Valentina", "Yasmin", "Zainab",
)  # fmt: skip
MALE = (
    "Aaron", "Adebayo", "Ahmed", "Alex", "Callum", "Dmitri", "Elliot", "Finn", "Gareth", "Hamza",
    "Idris", "Jakub", "Kai", "Luca", "Mateo", "Nikhil", "Owen", "Rafael", "Rory", "Stefan", "Theo",
    "Yusuf",
)  # fmt: skip
SURNAMES = (
    "Abbasi", "Adams", "Akhtar", "Andersson", "Baker", "Barker", "Bianchi", "Brown", "Campbell",
    "Chaudhry", "Clarke", "Cole", "Da Silva", "Dawson", "Doyle", "Dubois", "Edwards", "Fischer",
    "Fleming", "Fraser", "Garcia", "Gill", "Gordon", "Grant", "Hall", "Harris", "Hassan", "Hughes",
    "Ibrahim", "Jackson", "James", "Jones", "Kaur", "Kennedy", "Khan", "Kowalski", "Lee", "Lewis",
    "Lloyd", "Lopez", "MacDonald", "Malik", "Marshall", "Martin", "Mitchell", "Moore", "Murphy",
    "Nguyen", "Novak", "O'Connor", "Okafor", "Owen", "Parker", "Patel", "Phillips", "Quinn",
    "Rahman", "Reid", "Roberts", "Robinson", "Rossi", "Russell", "Santos", "Scott", "Shah",
    "Smith", "Stewart", "Taylor", "Thomas", "Turner", "Walker", "Ward", "Watson", "White",
    "Williams", "Wilson", "Wood", "Wright", "Young", "Zhang",
)  # fmt: skip
TOWNS = ("Bath", "Bristol", "Cardiff", "Oxford", "London", "Swindon", "Frome", "Chippenham")


def patient_row(index: int, created_at: datetime, desk_id: int) -> Patient:
    """A made-up patient; ``index`` (their place among all generated patients) makes the
    email address and mobile number unique."""
    rng = seeded("clinic-scale", "patient-details", index)
    female = rng.random() < 0.82
    first = rng.choice(FEMALE if female else MALE)
    last = rng.choice(SURNAMES)
    plain = normalise_text(f"{first}.{last}").replace(" ", "").replace("'", "")
    has_email = rng.random() < 0.93
    age_days = rng.randint(19 * 365, 72 * 365)
    return Patient(
        first_name=first,
        last_name=last,
        date_of_birth=created_at.date() - timedelta(days=age_days),
        sex=Patient.Sex.FEMALE if female else Patient.Sex.MALE,
        email=f"{plain}.{index}@example.org" if has_email else "",
        mobile=f"+4478{index:08d}",
        preferred_channel=Patient.Channel.EMAIL if has_email else Patient.Channel.SMS,
        consents_to_transactional_email=has_email and rng.random() < 0.92,
        consents_to_marketing_email=rng.random() < 0.35,
        town=rng.choice(TOWNS),
        search_name=normalise_text(f"{first} {last}"),
        created_at=created_at,
        updated_at=created_at,
        created_by_id=desk_id,
    )


# --- Appointments and their messages --------------------------------------------------------


def booked_moment(visit: Visit) -> datetime:
    if visit.booked_at is not None:
        return visit.booked_at
    after = visit.booked_after
    if after is None or after.ends_at is None:
        raise RuntimeError("A visit must be booked at a time or after another visit.")
    return after.ends_at + timedelta(minutes=5)


def cancel_moment(visit: Visit, booked: datetime, rng: random.Random) -> datetime:
    """When a cancelled visit was called off: any time up to a day before (early) or in
    the last day (late); a visit booked less than a day ahead is called off in between."""
    if visit.cancelled_at is not None:
        return visit.cancelled_at
    start = visit.starts_at
    if start is None:
        raise RuntimeError("The visit has no time yet.")
    if visit.outcome == Outcome.CANCELLED_LATE or start - booked <= timedelta(days=1):
        latest = min(timedelta(hours=23), start - booked)
        return start - latest * rng.uniform(0.05, 0.95)
    return booked + (start - timedelta(days=1) - booked) * rng.random()


class AppointmentWriter:
    """Appointments in chunks, each chunk's messages right after it."""

    def __init__(self, place: Place, patients: Sequence[Patient], rng: random.Random) -> None:
        self.place, self.patients, self.rng = place, patients, rng
        self.now = place.messages.now

    def write(self, visits: Sequence[Visit], written: Written) -> None:
        for chunk in chunks(visits):
            drafts = [self._draft(visit) for visit in chunk]
            Appointment.objects.bulk_create([a for a, _ in drafts], batch_size=BATCH)
            messages = []
            for visit, (appointment, outbox) in zip(chunk, drafts, strict=True):
                visit.pk = appointment.pk
                for what, message in outbox:
                    version = message.appointment_version
                    message.appointment_id = appointment.pk
                    message.key = f"scale:appointment:{appointment.pk}:v{version}:{what}"
                    messages.append(message)
            PatientMessage.objects.bulk_create(messages, batch_size=BATCH)
            written.add("appointments", len(chunk))
            written.add("patient messages", len(messages))

    def _draft(self, visit: Visit) -> tuple[Appointment, list[tuple[str, PatientMessage]]]:
        if visit.starts_at is None or visit.ends_at is None:
            raise RuntimeError("Lay the diary out before writing it.")
        booked = booked_moment(visit)
        cancelled = late = None
        if visit.outcome in (Outcome.CANCELLED, Outcome.CANCELLED_LATE):
            cancelled = cancel_moment(visit, booked, self.rng)
            visit.cancelled_at = cancelled
            late = visit.starts_at - cancelled < settings.LATE_CANCEL_WINDOW
        patient = self.patients[visit.patient]
        outbox = appointment_outbox(
            Booking(
                patient=patient.pk,
                starts_at=visit.starts_at,
                booked_at=booked,
                cancelled_at=cancelled,
                late_cancel=bool(late),
                no_show=visit.outcome == Outcome.NO_SHOW,
                may_email=patient.consents_to_transactional_email,
                has_email=bool(patient.email),
            ),
            self.place.messages,
            self.rng,
        )
        status = self._status(visit, confirmed=outbox.confirmed)
        kind = self.place.types[visit.kind]
        appointment = self._appointment(visit, status, booked, cancelled, bool(late), kind)
        return appointment, outbox.messages

    def _status(self, visit: Visit, *, confirmed: bool) -> str:
        if visit.outcome in (Outcome.CANCELLED, Outcome.CANCELLED_LATE):
            return S.CANCELLED
        if visit.ends_at is not None and visit.ends_at <= self.now:
            return S.NO_SHOW if visit.outcome == Outcome.NO_SHOW else S.COMPLETED
        if visit.starts_at is not None and visit.starts_at <= self.now:
            return S.IN_PROGRESS
        # Some confirm by phone, more as the day comes near.
        soon = visit.starts_at is not None and visit.starts_at - self.now < timedelta(days=7)
        if confirmed or self.rng.random() < (0.3 if soon else 0.05):
            return S.CONFIRMED
        return S.BOOKED

    def _appointment(
        self,
        visit: Visit,
        status: str,
        booked: datetime,
        cancelled: datetime | None,
        late: bool,
        kind: AppointmentType,
    ) -> Appointment:
        starts, ends = visit.starts_at, visit.ends_at
        if starts is None or ends is None:
            raise RuntimeError("Lay the diary out before writing it.")
        visit.status = status
        changed = cancelled or (ends if status in (S.COMPLETED, S.NO_SHOW) else booked)
        return Appointment(
            patient_id=self.patients[visit.patient].pk,
            practitioner_id=visit.practitioner,
            room_id=visit.room,
            location_id=self.place.location_id,
            appointment_type=kind,
            starts_at=starts,
            ends_at=ends,
            blocked_from=starts - timedelta(minutes=kind.buffer_before_minutes),
            blocked_until=ends + timedelta(minutes=kind.buffer_after_minutes),
            status=status,
            version=2 if cancelled else 1,
            booked_by_id=self.place.desk_id,
            cancellation_reason=(visit.reason or "Called to cancel") if cancelled else "",
            late_cancel=late,
            created_at=booked,
            updated_at=changed,
        )


# --- Consultations ----------------------------------------------------------------------------

CONCERNS = {
    "face": ["acne_scars", "fine_lines", "texture", "pigmentation"],
    "neck": ["fine_lines", "laxity"],
    "decolletage": ["fine_lines", "pigmentation"],
    "hands": ["fine_lines", "pigmentation"],
    "body": ["stretch_marks"],
    "scars": ["other_scars", "acne_scars"],
    "scalp": ["texture"],
}
OVERRIDE_REASONS = (
    "Prescriber agrees; expect more pinpoint bleeding; shallower passes.",
    "Discussed the risk; the patient accepts it; a test patch first.",
    "Controlled for over a year; GP letter on file.",
)


def _consultation_areas(story: PatientStory, consultation: ConsultationStory) -> list[str]:
    areas = {a for plan in story.plans if plan.consultation is consultation for a in plan.areas}
    return sorted(areas & set(Consultation.Area.values)) or ["face"]


class ConsultationWriter:
    def __init__(self, place: Place, patients: Sequence[Patient], rng: random.Random) -> None:
        self.place, self.patients, self.rng = place, patients, rng

    def write(self, stories: Sequence[PatientStory], written: Written) -> None:
        pairs = [(s, c) for s in stories for c in s.consultations]
        for chunk in chunks(pairs):
            rows = [self._consultation(story, c) for story, c in chunk]
            Consultation.objects.bulk_create(rows, batch_size=BATCH)
            for (_, story_consultation), row in zip(chunk, rows, strict=True):
                story_consultation.pk = row.pk
            histories = [self._history(c) for _, c in chunk]
            insert(MedicalHistory, histories)
            medicines = insert(
                MedicineLine,
                (
                    line
                    for history, (_, c) in zip(histories, chunk, strict=True)
                    for line in self._medicines(history, c)
                ),
            )
            findings = insert(ScreeningFinding, (f for _, c in chunk for f in self._findings(c)))
            signatures = insert(
                ConsentSignature, (s for story, c in chunk for s in self._consent(story, c))
            )
            written.add("consultations", len(rows))
            written.add("medical histories", len(rows))
            written.add("medicine lines", medicines)
            written.add("screening findings", findings)
            written.add("consent signatures", signatures)

    def _times(self, c: ConsultationStory) -> tuple[date, datetime, datetime]:
        starts, ends, day = c.visit.starts_at, c.visit.ends_at, c.visit.day
        if starts is None or ends is None or day is None:
            raise RuntimeError("Lay the diary out before writing it.")
        return day, starts, ends + timedelta(minutes=5)

    def _consultation(self, story: PatientStory, c: ConsultationStory) -> Consultation:
        day, starts, signed = self._times(c)
        areas = _consultation_areas(story, c)
        concerns = sorted({self.rng.choice(CONCERNS[a]) for a in areas})
        profile = self.place.profiles[c.profile]
        return Consultation(
            patient_id=self.patients[story.index].pk,
            practitioner_id=self.place.users[c.visit.practitioner],
            consulted_on=day,
            intended_treatment_date=day + timedelta(days=14),
            concerns=concerns,
            areas=areas,
            fitzpatrick_type=c.fitzpatrick,
            status=Consultation.Status.SIGNED,
            decision=c.decision,
            screening_level=profile.level.code,
            ruleset_version=profile.ruleset_version,
            vocabulary_version=VOCABULARY_VERSION,
            signed_at=signed,
            created_at=starts,
            updated_at=signed,
        )

    def _history(self, c: ConsultationStory) -> MedicalHistory:
        return MedicalHistory(
            consultation_id=written_pk(c), **self.place.profiles[c.profile].history
        )

    def _medicines(self, history: MedicalHistory, c: ConsultationStory) -> Iterator[MedicineLine]:
        """The profile's medicines; a line the vocabulary does not know was checked by the
        practitioner before signing, as signing asks."""
        _, _, signed = self._times(c)
        for position, text in enumerate(self.place.profiles[c.profile].medicines):
            row = medicine_row(matched(MedicineEntry(text=text)), position=position)
            row.history_id = history.pk
            if not row.medicine_key:
                row.confirmed_by_id = self.place.users[c.visit.practitioner]
                row.confirmed_at = signed - timedelta(minutes=5)
            yield row

    def _findings(self, c: ConsultationStory) -> Iterator[ScreeningFinding]:
        _, _, signed = self._times(c)
        for finding in self.place.profiles[c.profile].findings:
            row = ScreeningFinding(
                consultation_id=written_pk(c),
                code=finding.code,
                title=finding.title,
                level=finding.level.code,
                reason=finding.reason,
                source=finding.source,
                detail=finding.detail,
                needs_physician_clearance=finding.needs_physician_clearance,
            )
            if c.overridden and finding.level.code == "needs_clearance":
                row.override_reason = self.rng.choice(OVERRIDE_REASONS)
                row.overridden_by_id = self.place.users[c.visit.practitioner]
                row.overridden_at = signed - timedelta(minutes=3)
            yield row

    def _consent(self, story: PatientStory, c: ConsultationStory) -> Iterator[ConsentSignature]:
        if self.place.consent is None or not c.suitable:
            return
        _, _, signed = self._times(c)
        patient = self.patients[story.index]
        yield ConsentSignature(
            patient_id=patient.pk,
            consent_text=self.place.consent,
            typed_name=patient.full_name,
            agreed=True,
            signed_at=signed + timedelta(minutes=2),
            witnessed_by_id=self.place.users[c.visit.practitioner],
        )


# --- Plans, sessions and aftercare -------------------------------------------------------------

ST = TreatmentSession.Status
SESSION_STATUS: dict[str, str] = {
    S.COMPLETED: ST.COMPLETED,
    S.IN_PROGRESS: ST.IN_PROGRESS,
    S.CHECKED_IN: ST.BOOKED,
    S.CONFIRMED: ST.BOOKED,
    S.BOOKED: ST.BOOKED,
}


def session_status(session: SessionStory) -> str:
    if session.fate == SessionFate.UNBOOKED or session.visit is None:
        return ST.PROPOSED
    if session.fate != SessionFate.HELD:
        return ST.CANCELLED
    return SESSION_STATUS.get(session.visit.status, ST.CANCELLED)


def plan_status(plan: PlanStory) -> str:
    if plan.end == PlanEnd.CANCELLED:
        return TreatmentPlan.Status.CANCELLED
    if plan.end == PlanEnd.PAUSED:
        return TreatmentPlan.Status.PAUSED
    over = all(session_status(s) in (ST.COMPLETED, ST.CANCELLED) for s in plan.sessions)
    return TreatmentPlan.Status.COMPLETED if over else TreatmentPlan.Status.ACTIVE


def window_problem(plan: PlanStory, session: SessionStory, day: date | None) -> str:
    """The planner's words for a session outside its window (``treatments.plans``)."""
    if session.window is None or day is None or session_status(session) == ST.CANCELLED:
        return ""
    first, last = session.window
    if first <= day <= last:
        return ""
    return (
        f"Outside the {plan.min_interval_days}-to-{plan.max_interval_days}-day window "
        f"({first:%d %b} to {last:%d %b %Y})."
    )


class PlanWriter:
    def __init__(self, place: Place, patients: Sequence[Patient], rng: random.Random) -> None:
        self.place, self.patients, self.rng = place, patients, rng

    def write(self, stories: Sequence[PatientStory], written: Written) -> None:
        pairs = [(s, p) for s in stories for p in s.plans]
        through = TreatmentPlan.areas.through
        for chunk in chunks(pairs):
            plans = [self._plan(story, plan) for story, plan in chunk]
            TreatmentPlan.objects.bulk_create(plans, batch_size=BATCH)
            insert(
                through,
                (
                    through(treatmentplan_id=row.pk, treatmentarea_id=self.place.areas[code].pk)
                    for (_, plan), row in zip(chunk, plans, strict=True)
                    for code in plan.areas
                ),
            )
            sessions = [
                (plan, s, self._session(row.pk, plan, s))
                for (_, plan), row in zip(chunk, plans, strict=True)
                for s in plan.sessions
            ]
            TreatmentSession.objects.bulk_create([r for _, _, r in sessions], batch_size=BATCH)
            signed = [(plan, row) for plan, _, row in sessions if row.status == ST.COMPLETED]
            written.add("treatment plans", len(plans))
            written.add("treatment sessions", len(sessions))
            written.add("session depths", insert(SessionDepth, self._depths(signed)))
            written.add("issued aftercare", insert(IssuedAftercare, self._aftercare(signed)))

    def _plan(self, story: PatientStory, plan: PlanStory) -> TreatmentPlan:
        status = plan_status(plan)
        last = [s.visit.ends_at for s in plan.sessions if s.visit and s.visit.ends_at]
        changed = plan.ended_at or (
            max(last) if last and status != TreatmentPlan.Status.ACTIVE else plan.booked_at
        )
        consultation = plan.consultation
        return TreatmentPlan(
            patient_id=self.patients[story.index].pk,
            consultation_id=written_pk(consultation),
            treatment=self.place.treatment,
            location_id=self.place.location_id,
            sessions_planned=plan.sessions_planned,
            min_interval_days=plan.min_interval_days,
            max_interval_days=plan.max_interval_days,
            session_minutes=plan.session_minutes,
            earliest_start=plan.earliest_start,
            status=status,
            notes=f"Paused: {plan.reason}." if plan.end == PlanEnd.PAUSED else "",
            cancellation_reason=plan.reason if plan.end == PlanEnd.CANCELLED else "",
            created_by_id=self.place.users[consultation.visit.practitioner],
            created_at=plan.booked_at,
            updated_at=max(changed, plan.booked_at),
            activated_at=plan.booked_at,
        )

    def _session(self, plan_pk: int, plan: PlanStory, session: SessionStory) -> TreatmentSession:
        visit, status = session.visit, session_status(session)
        row = TreatmentSession(plan_id=plan_pk, number=session.number, status=status)
        if visit is None:
            return row
        row.appointment_id = visit.pk
        row.proposed_start = visit.starts_at
        row.proposed_practitioner_id, row.proposed_room_id = visit.practitioner, visit.room
        row.window_first, row.window_last = session.window or (None, None)
        row.problem = window_problem(plan, session, visit.day)
        if status in (ST.COMPLETED, ST.IN_PROGRESS):
            self._record(row, visit, signed=status == ST.COMPLETED)
        return row

    def _record(self, row: TreatmentSession, visit: Visit, *, signed: bool) -> None:
        rng = self.rng
        pen = rng.random() < 0.9
        row.device = TreatmentSession.Device.PEN if pen else TreatmentSession.Device.ROLLER
        row.device_model = "12-pin pen" if pen else "0.5 mm roller"
        row.needle_lot = f"C{rng.randint(1000, 9999)}"
        row.passes = rng.randint(2, 4)
        row.numbing_cream = "Lidocaine 5% cream" if rng.random() < 0.7 else ""
        row.skin_reaction = rng.choice(
            ("Even redness, settled within the hour.", "Mild pinpoint bleeding.", "")
        )
        row.started_at = visit.starts_at
        if signed:
            row.signed_at = visit.ends_at
            row.signed_by_id = self.place.users[visit.practitioner]

    def _depths(
        self, signed: Sequence[tuple[PlanStory, TreatmentSession]]
    ) -> Iterator[SessionDepth]:
        rng = self.rng
        for plan, row in signed:
            for code in plan.areas:
                area = self.place.areas[code]
                guidance = self.place.guidance.get(code, [])
                if not guidance:
                    depth = Decimal(rng.choice(("0.50", "0.75", "1.00")))
                    yield SessionDepth(session_id=row.pk, zone=area.name, depth_mm=depth)
                    continue
                for zone in rng.sample(guidance, min(2, len(guidance))):
                    steps = int((zone.high - zone.low) / Decimal("0.25"))
                    depth = zone.low + Decimal("0.25") * rng.randint(0, steps)
                    yield SessionDepth(
                        session_id=row.pk, zone=f"{area.name}: {zone.zone}", depth_mm=depth,
                        guidance_low_mm=zone.low, guidance_high_mm=zone.high,
                    )  # fmt: skip

    def _aftercare(
        self, signed: Sequence[tuple[PlanStory, TreatmentSession]]
    ) -> Iterator[IssuedAftercare]:
        template = self.place.aftercare
        for _, row in signed:
            if row.signed_at is None or row.signed_by_id is None:
                continue
            yield IssuedAftercare(
                session_id=row.pk,
                template=template,
                version=template.version,
                steps=template.steps,
                call_clinic=template.call_clinic,
                follow_up_days=template.follow_up_days,
                issued_at=row.signed_at,
                issued_by_id=row.signed_by_id,
            )
