"""A small clinic with a row of every kind a page shows, for tests/test_page_query_counts.py,
and the growers that add more rows of one kind (the same page must then cost the same).

Everything is made through the services, on a frozen Monday morning: a booked plan whose
first session took place today (checked in, recorded, signed, aftercare issued), its
patient's signed consultation and a new draft, the messages the booking wrote, a closure,
a leave and a heartbeat from beat.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from auditlog.context import set_actor
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from clinic.messaging.links import (
    BOOK_SESSION,
    CHANGE_APPOINTMENT,
    HOME_HISTORY,
    offer_token,
    purpose_token,
    reply_token,
)
from clinic.messaging.models import PatientMessage
from clinic.scheduling import services as booking
from clinic.scheduling import setup_services as setup
from clinic.scheduling.models import (
    Appointment,
    AppointmentType,
    Closure,
    FreedSlot,
    Leave,
    Location,
    Room,
    WaitlistEntry,
    WaitlistOffer,
)
from clinic.staff.audit import audit_view
from clinic.staff.models import PractitionerProfile
from clinic.staff.roles import Role
from clinic.tasks import beat_heartbeat
from patients.models import Patient
from tests.factories import (
    PatientFactory,
    TOTPDeviceFactory,
    UserFactory,
    make_appointment,
    make_home_history,
    make_patient,
    screen_home_history,
)
from tests.treatments.plans.plan_setup import book_plan, clinic_setting, sessions
from tests.treatments.plans.plan_setup import sessions as sessions_of
from tests.treatments.sessions.sessions_setup import start_record_and_sign
from treatments.aftercare.defaults import DEFAULT_STEPS
from treatments.aftercare.services import aftercare_template_revise
from treatments.consultations.home_history_review import history_answer_take_in
from treatments.consultations.services import (
    consent_text_publish,
    consultation_addendum_add,
    consultation_start,
    screening_rule_configure,
)
from treatments.models import (
    CheckInScreening,
    ConsentText,
    Consultation,
    DepthGuidance,
    HistoryTakeIn,
    HomeHistory,
    MedicineLine,
    Treatment,
    TreatmentArea,
    TreatmentPlan,
    TreatmentSession,
)
from treatments.models.home_history import ANSWER_FIELDS, answer_kind
from treatments.sessions.check_in import check_in_screen


@dataclass
class World:
    """The rows the pages are asked about, and who works in the clinic."""

    front_desk: User
    practitioner: User
    manager: User
    setting: dict[str, Any]
    plan: TreatmentPlan
    session: TreatmentSession
    draft: Consultation
    location: Location
    profile: PractitionerProfile
    room: Room
    treatment: Treatment
    area: TreatmentArea
    appointment: Appointment
    appointment_type: AppointmentType

    @property
    def patient(self) -> Patient:
        return self.plan.patient

    @property
    def consultation(self) -> Consultation:
        return self.plan.consultation

    @property
    def check_in(self) -> CheckInScreening:
        """The patient's latest check-in, the one the check-in page acts on."""
        return CheckInScreening.objects.filter(patient=self.patient).latest("created_at", "id")

    @property
    def message(self) -> PatientMessage:
        return PatientMessage.objects.filter(appointment=self.appointment).earliest("pk")

    @property
    def reply_token(self) -> str:
        return reply_token(self.message.pk)

    @property
    def change_token(self) -> str:
        """The link to move or cancel the second session, booked and weeks away."""
        appointment = sessions_of(self.plan)[1].appointment
        return purpose_token(CHANGE_APPOINTMENT, appointment.pk, appointment.version)

    @property
    def book_token(self) -> str:
        """The link to book the plan's last session, which the front desk unbooked (the
        first time this is asked), so that it waits for a time inside its window."""
        last = sessions_of(self.plan)[-1]
        if last.appointment is not None:
            booking.appointment_cancel(
                appointment=last.appointment, reason="Patient will choose online",
                by=self.front_desk, now=timezone.now(),
            )  # fmt: skip
        return purpose_token(BOOK_SESSION, last.pk)

    @property
    def home_history_token(self) -> str:
        """The link to the medical history at home of the patient's consultation three
        days ahead, some answers saved (made on first use)."""
        history = HomeHistory.objects.filter(patient=self.patient).first()
        return purpose_token(HOME_HISTORY, (history or _home_history(self.patient)).appointment_id)

    @property
    def offer_token(self) -> str:
        """A freed time offered to the world's patient (made on first use)."""
        offer = WaitlistOffer.objects.filter(entry__patient=self.patient).first()
        return offer_token((offer or _offer_to(self, self.patient)).pk)

    @property
    def home_history(self) -> HomeHistory:
        """The history the world's patient sent from home for a consultation booked
        three days ahead (made on first use): cold sores, a recent peel, an allergy and a
        blood thinner."""
        existing = HomeHistory.objects.filter(patient=self.patient).first()
        if existing is not None:
            return existing
        home: HomeHistory = make_home_history(
            patient=self.patient,
            submitted=True,
            answers={
                "cold_sore_history": True,
                "chemical_peel_on": (_today() - timedelta(days=10)).isoformat(),
                "allergies": "Sticking plasters",
            },
            medicines=[{"text": "Eliquis 5mg", "medicine_key": "", "route": "mouth",
                        "current": True, "stopped_on": None, "dose": "twice daily"}],
        )  # fmt: skip
        return home

    @property
    def home_appointment(self) -> Appointment:
        """The consultation booking the history from home was sent for."""
        return self.home_history.appointment

    @property
    def home_patient(self) -> Patient:
        """The world's patient, once they have sent a history from home."""
        return self.home_history.patient

    @property
    def home_draft(self) -> Consultation:
        """The world's draft consultation reviewing the history from home, the allergy
        taken in already."""
        home = self.home_history
        if not self.draft.take_ins.exists():
            history_answer_take_in(
                consultation=self.draft, home_history=home, field="allergies",
                by=self.practitioner,
            )  # fmt: skip
        return self.draft

    @property
    def closure(self) -> Closure:
        return Closure.objects.filter(location=self.location).earliest("pk")

    @property
    def leave(self) -> Leave:
        return Leave.objects.filter(practitioner=self.profile).earliest("pk")


def build_world(front_desk: User, practitioner: User, manager: User) -> World:
    """The clinic of the module docstring; the caller freezes the clock."""
    setting = clinic_setting(practitioner)
    plan = book_plan(setting)
    session = sessions(plan)[0]
    booking.appointment_check_in(appointment=session.appointment, now=session.appointment.starts_at)
    start_record_and_sign(session, practitioner)
    draft = consultation_start(patient=plan.patient, practitioner=practitioner)
    appointment, kind = session.appointment, setting["treatment"].appointment_type
    assert appointment is not None
    assert kind is not None
    world = World(
        front_desk, practitioner, manager, setting, plan, session, draft,
        location=setting["location"], profile=setting["profiles"][0],
        room=setting["rooms"][0], treatment=setting["treatment"], area=setting["face"],
        appointment=appointment, appointment_type=kind,
    )  # fmt: skip
    closures(world, 1)
    leave(world, 1)
    waitlist(world, 2)
    beat_heartbeat()
    # Audit entries name their record's type, which each process looks up once and keeps;
    # the types of the records the clinic changes are known by now, a message's is not.
    ContentType.objects.get_for_model(PatientMessage)
    record_accesses(world, 1)
    return world


# --- Growers: more rows of one kind (`grow=w.patients`: with more patients) ---------------


def _today() -> date:
    return timezone.localdate()


def patients(world: World, n: int = 5) -> None:
    PatientFactory.create_batch(n, created_by=world.front_desk)


def plans(world: World, n: int = 2) -> None:
    """More patients with booked courses: appointments today and in the weeks to come,
    consultations, sessions, messages and audit entries."""
    for _ in range(n):
        book_plan(world.setting)


def lot_sessions(world: World, n: int = 2) -> None:
    """More patients whose first session used the world's lot (LOT-2291), recorded."""
    for _ in range(n):
        first = sessions(book_plan(world.setting))[0]
        TreatmentSession.objects.filter(pk=first.pk).update(
            needle_lot=world.session.needle_lot, device="pen", started_at=timezone.now()
        )


def appointments(world: World, n: int = 4, patient: Patient | None = None) -> None:
    """More appointments today and tomorrow, each with a practitioner and room of its own
    (make_appointment's rule), optionally all for one patient."""
    start = datetime.combine(_today(), datetime.min.time(), tzinfo=timezone.get_current_timezone())
    for hour in range(n):
        make_appointment(
            starts_at=start + timedelta(days=hour % 2, hours=10 + hour), patient=patient
        )


def _first_location() -> Location:
    """The location a page shows when none is chosen: the first by name."""
    first = Location.objects.order_by("name").first()
    assert first is not None
    return first


def _offer_to(world: World, patient: Patient) -> WaitlistOffer:
    """The patient on the waitlist at the world's location, offered a freed time."""
    kind = world.appointment_type
    entry = WaitlistEntry.objects.create(
        patient=patient, location=_first_location(), appointment_type=kind,
        earliest=_today(), latest=_today() + timedelta(days=14), added_by=world.front_desk,
    )  # fmt: skip
    start = timezone.now() + timedelta(days=3, hours=WaitlistOffer.objects.count())
    slot = FreedSlot.objects.create(
        location=_first_location(), practitioner=world.profile, room=world.room,
        starts_at=start, ends_at=start + timedelta(minutes=kind.duration_minutes),
        freed_by=world.appointment,
    )  # fmt: skip
    return WaitlistOffer.objects.create(
        slot=slot, entry=entry, offered_at=timezone.now(), expires_at=start - timedelta(hours=2)
    )


def _home_history(patient: Patient, lines: int = 2) -> HomeHistory:
    """A consultation three days ahead at a time and room of its own, with a history
    started at home: a few answers, ``lines`` medicines, the consent text read."""
    kind, _ = AppointmentType.objects.get_or_create(
        name="Consultation", defaults={"kind": "consultation", "duration_minutes": 30}
    )
    start = timezone.now() + timedelta(days=3)
    appointment = make_appointment(starts_at=start, patient=patient)
    Appointment.objects.filter(pk=appointment.pk).update(appointment_type=kind)
    return HomeHistory.objects.create(
        patient=patient,
        appointment=appointment,
        consent_text=ConsentText.objects.order_by("-version").first(),  # read once already
        answers={"sunburn": False, "allergies": "Plasters", "chemical_peel_on": None},
        medicines=[
            {"text": f"Medicine {n}", "medicine_key": "", "route": "", "current": True,
             "stopped_on": None, "dose": ""}
            for n in range(lines)
        ],
    )  # fmt: skip


def home_histories(world: World, n: int = 3) -> None:
    """More medicines on the world's patient's history, and other patients' histories."""
    history = HomeHistory.objects.filter(patient=world.patient).first()
    if history is not None:
        history.medicines = _home_history(make_patient(), lines=12).medicines
        history.save(update_fields=["medicines"])
    for _ in range(n):
        _home_history(make_patient())


def waitlist(world: World, n: int = 3) -> None:
    """More patients waiting at the world's location, some of them offered a time."""
    for number in range(n):
        patient = make_patient(created_by=world.front_desk)
        if number % 2:
            _offer_to(world, patient)
        else:
            WaitlistEntry.objects.create(
                patient=patient,
                location=_first_location(),
                appointment_type=world.appointment_type,
                earliest=_today(), latest=_today() + timedelta(days=7), added_by=world.front_desk,
            )  # fmt: skip


def patient_history(world: World, n: int = 3) -> None:
    """The world's patient gains appointments, check-ins, addenda, consent signatures and
    medicine lines."""
    appointments(world, n, patient=world.patient)
    check_ins(world, n)
    addenda(world, n)
    medicine_lines(world, n)


def medicine_lines(world: World, n: int = 3) -> None:
    """Medicines on both histories, matched and checked (the signed one is written as it
    would have been before signing)."""
    for consultation in (world.consultation, world.draft):
        for number in range(n):
            start = consultation.history.medicine_lines.count()
            MedicineLine.objects.create(
                history=consultation.history, position=start, text=f"Zyxolin {number}",
                confirmed_by=world.practitioner, confirmed_at=timezone.now(),
            )  # fmt: skip
            MedicineLine.objects.create(
                history=consultation.history, position=start + 1, text="Eliquis 5mg",
                medicine_key="eliquis", medicine_label="Eliquis (apixaban)",
                ingredients=["apixaban"], classes=["anticoagulant"],
            )  # fmt: skip


def home_history_answers(world: World, n: int = 3) -> None:
    """The history from home gains answers and medicines (screened again), and the draft
    takes one more of its answers in."""
    home = world.home_history
    new = [
        name
        for name in ANSWER_FIELDS
        if name not in home.answers and answer_kind(name) == "condition"
    ][:n]
    home.answers.update(dict.fromkeys(new, True))
    home.medicines = [
        *home.medicines,
        *({"text": f"Zyxolin {number}", "medicine_key": "", "route": "", "current": True,
           "stopped_on": None, "dose": ""} for number in range(n)),
    ]  # fmt: skip
    screen_home_history(home)
    home.save()
    history_answer_take_in(
        consultation=world.draft, home_history=home, field=new[0], by=world.practitioner
    )


def patient_record(world: World, n: int = 2) -> None:
    """The world's patient gains all a whole-record export shows: appointments,
    check-ins, addenda, another booked course (sessions, messages, audit entries), and a
    history given at home with an answer taken from it."""
    patient_history(world, n)
    book_plan(world.setting, consultation=world.consultation)
    history = _home_history(world.patient)
    HistoryTakeIn.objects.create(
        home_history=history, consultation=world.consultation, field="allergies",
        patient_said="Plasters", recorded="Plasters", by=world.practitioner, at=timezone.now(),
    )  # fmt: skip


def check_ins(world: World, n: int = 3) -> None:
    for _ in range(n):
        check_in_screen(patient=world.patient, by=world.practitioner, conditions=set())


def addenda(world: World, n: int = 3) -> None:
    for number in range(n):
        consultation_addendum_add(
            consultation=world.consultation, by=world.practitioner, text=f"Addendum {number}."
        )


def closures(world: World, n: int = 3) -> None:
    first = _today() + timedelta(days=60)
    for number in range(n):
        day = first + timedelta(days=7 * number + 7 * Closure.objects.count())
        setup.closure_add(
            location=world.location, first_day=day, last_day=day, reason="Training",
            now=timezone.now(),
        )  # fmt: skip


def leave(world: World, n: int = 3) -> None:
    first = timezone.now() + timedelta(days=90)
    for number in range(n):
        starts = first + timedelta(days=7 * number + 7 * Leave.objects.count())
        setup.leave_add(
            practitioner=world.profile, starts_at=starts, ends_at=starts + timedelta(hours=4),
            reason="Course", now=timezone.now(),
        )  # fmt: skip


def rooms(world: World, n: int = 3) -> None:
    for number in range(n):
        setup.room_add(location=world.location, name=f"Extra room {number}")


def appointment_types(world: World, n: int = 3) -> None:
    for number in range(n):
        setup.appointment_type_save(
            name=f"Review {number}", kind="consultation", duration_minutes=30,
            buffer_before_minutes=0, buffer_after_minutes=0, is_active=True,
        )  # fmt: skip


def locations(world: World, n: int = 2) -> None:
    for number in range(n):
        Location.objects.create(name=f"Branch {number}", time_zone="Europe/London")


def aftercare_versions(world: World, n: int = 3) -> None:
    for _ in range(n):
        aftercare_template_revise(
            treatment=world.treatment, steps=list(DEFAULT_STEPS), call_clinic="a fever.",
            follow_up_days=[2, 7], by=world.manager,
        )  # fmt: skip


def consent_versions(world: World, n: int = 3) -> None:
    latest = ConsentText.objects.filter(treatment="microneedling").latest("version")
    for number in range(n):
        consent_text_publish(by=world.manager, title=latest.title, body=f"{latest.body} {number}")


def rule_settings(world: World, n: int = 3) -> None:
    from treatments.screening.rules import DEFAULT_RULES, Level

    changeable = [rule for rule in DEFAULT_RULES if rule.level is not Level.CONTRAINDICATED]
    for rule in changeable[:n]:
        screening_rule_configure(
            code=rule.code, by=world.manager, enabled=False, level=None, reason="Not used here."
        )


def depth_guidance(world: World, n: int = 3) -> None:
    for number in range(n):
        DepthGuidance.objects.create(
            area=world.area, zone=f"Extra zone {number}", position=50 + number,
            thin_min_mm="0.25", thin_max_mm="0.5", thick_min_mm="0.5", thick_max_mm="1.0",
        )  # fmt: skip


def record_accesses(world: World, n: int = 3) -> None:
    """More looks at the world's patient's record, by more than one member of staff."""
    for i in range(n):
        with set_actor(world.practitioner if i % 2 else world.front_desk):
            audit_view(world.patient, page="patient record", patient_id=world.patient.pk)


def staff_members(world: World, n: int = 3) -> None:
    """More colleagues, each with a role, some with an authenticator and one switched off."""
    for i in range(n):
        user = UserFactory(roles=[Role.PRACTITIONER if i % 2 else Role.FRONT_DESK])
        if i % 2:
            TOTPDeviceFactory(user=user)
    UserFactory(is_active=False, roles=[Role.FRONT_DESK])
