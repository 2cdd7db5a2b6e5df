"""Demo data for `make run`: a clinic a new user can explore at once.

Each part of the product adds its own section to ``SECTIONS``. ``load_demo`` loads every
section that is not there yet, each in its own transaction, so a demo database made
before a section existed gains it on the next `make run` and keeps everything else.
Demo accounts share the password ``demo``, so the loader refuses to run unless DEBUG is on.

The loader sits above every app, beside ``clinic.demo.scale`` (which grows the demo to
clinic-chain size): they may use any app, and nothing imports them but their command.
"""

from base64 import b32decode
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.staff.mfa import AUTHENTICATOR_NAME, mfa_enrolled, mfa_required
from clinic.staff.models import PractitionerProfile
from clinic.staff.roles import Role
from clinic.staff.services import staff_member_create
from patients.models import Patient
from patients.validators import normalise_text
from treatments.screening.rules import add_months

PRACTITIONERS = ["practitioner", "lfischer", "thughes"]
DEMO_PASSWORD = "demo"  # noqa: S105 - a published demo password, refused without DEBUG


@dataclass(frozen=True)
class DemoStaff:
    username: str
    first_name: str
    last_name: str
    role: Role
    job_title: str = ""
    registration_body: str = ""
    registration_number: str = ""
    calendar_colour: str = PractitionerProfile.CalendarColour.TEAL


DEMO_STAFF = [
    DemoStaff("frontdesk", "Rosa", "Bennett", Role.FRONT_DESK),
    DemoStaff(
        "practitioner",
        "Amara",
        "Okafor",
        Role.PRACTITIONER,
        "Aesthetic nurse practitioner",
        "NMC",
        "12A3456E",
        PractitionerProfile.CalendarColour.TEAL,
    ),
    DemoStaff(
        "lfischer",
        "Lena",
        "Fischer",
        Role.PRACTITIONER,
        "Aesthetic doctor",
        "GMC",
        "7654321",
        PractitionerProfile.CalendarColour.INDIGO,
    ),
    DemoStaff(
        "thughes",
        "Tom",
        "Hughes",
        Role.PRACTITIONER,
        "Dermatology nurse",
        "NMC",
        "09B8765C",
        PractitionerProfile.CalendarColour.ORANGE,
    ),
    DemoStaff("manager", "Helen", "Marsh", Role.CLINIC_MANAGER),
]


def _load_staff(log: Callable[[str], None]) -> None:
    for person in DEMO_STAFF:
        staff_member_create(
            username=person.username,
            first_name=person.first_name,
            last_name=person.last_name,
            email=f"{person.username}@clinic.example",
            roles=[person.role],
            password=DEMO_PASSWORD,
            check_password_strength=False,
            job_title=person.job_title,
            registration_body=person.registration_body,
            registration_number=person.registration_number,
            calendar_colour=person.calendar_colour,
        )
    log(f"Staff: {len(DEMO_STAFF)} accounts (password '{DEMO_PASSWORD}').")


# Fifty patients with the spread of names a clinic sees, accents included.
DEMO_PATIENT_NAMES = [
    ("Zoë", "Martin"), ("Aisha", "Rahman"), ("Chloé", "Dubois"), ("Priya", "Patel"),
    ("Olivia", "Hughes"), ("Siobhán", "Kelly"), ("Mei", "Chen"), ("Fatima", "Hussain"),
    ("Grace", "Okoye"), ("Hannah", "Schmidt"), ("Isla", "MacLeod"), ("Amélie", "Laurent"),
    ("Lucy", "Evans"), ("Nadia", "Kowalska"), ("Sofia", "Rossi"), ("Yasmin", "Ali"),
    ("Emily", "Clarke"), ("Ines", "García"), ("Jade", "Thompson"), ("Kiran", "Sharma"),
    ("Laura", "Nowak"), ("Maya", "Cohen"), ("Niamh", "O'Brien"), ("Orla", "Byrne"),
    ("Phoebe", "Wright"), ("Rachel", "Green"), ("Sara", "Lindqvist"), ("Tara", "Singh"),
    ("Uma", "Reddy"), ("Vanessa", "Costa"), ("Wendy", "Liu"), ("Ximena", "López"),
    ("Yara", "Haddad"), ("Zara", "Ahmed"), ("Daniel", "Morgan"), ("James", "Taylor"),
    ("Mohammed", "Khan"), ("Oliver", "Davies"), ("Tomasz", "Wiśniewski"), ("Kwame", "Mensah"),
    ("Liam", "Walsh"), ("Noah", "Bennett"), ("Arjun", "Mehta"), ("Ben", "Carter"),
    ("Chidi", "Eze"), ("Diego", "Fernández"), ("Ethan", "Price"), ("Felix", "Bauer"),
    ("Hiro", "Tanaka"), ("Jonas", "Berg"),
]  # fmt: skip


def _load_patients(log: Callable[[str], None]) -> None:
    from patients.services import patient_register

    desk = get_user_model().objects.get(username="frontdesk")
    today = timezone.localdate()
    for n, (first, last) in enumerate(DEMO_PATIENT_NAMES):
        plain = normalise_text(f"{first}.{last}").replace(" ", "").replace("'", "")
        no_email = n % 9 == 4  # a few patients give only a phone number
        patient_register(
            by=desk,
            first_name=first,
            last_name=last,
            date_of_birth=today.replace(year=today.year - 22 - (n * 7) % 45, day=1 + n % 28),
            sex=Patient.Sex.MALE if n >= 34 else Patient.Sex.FEMALE,
            email="" if no_email else f"{plain}@example.org",
            mobile=f"+447400{100000 + n * 7919:06d}",
            preferred_channel=Patient.Channel.SMS if no_email else Patient.Channel.EMAIL,
            consents_to_transactional_email=not no_email and n % 11 != 3,
            consents_to_marketing_email=n % 3 == 0,
            town=["Bath", "Bristol", "Cardiff", "Oxford", "London"][n % 5],
            notes="Prefers morning appointments." if n % 10 == 0 else "",
        )
    log(f"Patients: {len(DEMO_PATIENT_NAMES)}.")


# Days before today that a patient whose course is under way was consulted: before the
# first session of the plan booked five weeks ago (``_load_plans``).
CONSULTED_BEFORE_THE_COURSE = {0: 42}
COURSE_STARTED_DAYS_AGO = 35


# (patient index, practitioner, history answers with the medicines as "medications" one a
# line, fields, override reason, decision)
# Every screening level, several time windows, drafts and signed consultations.
def _demo_consultations(today: date) -> list[tuple[int, str, dict, dict, str, str]]:
    months_ago = lambda n: add_months(today, -n)  # noqa: E731 - a table of dates reads better
    days_ago = lambda n: today - timedelta(days=n)  # noqa: E731
    return [
        (0, "practitioner", {}, {"fitzpatrick_type": 2}, "", "suitable"),
        (1, "practitioner", {}, {"fitzpatrick_type": 5}, "", "suitable_with_precautions"),
        (2, "practitioner", {"medications": "Eliquis 5mg bd\nRamipril 5mg od"},
         {"fitzpatrick_type": 3},
         "Prescriber agrees; expect more pinpoint bleeding; shallower passes.",
         "suitable_with_precautions"),
        (3, "lfischer", {"active_acne": True}, {"fitzpatrick_type": 3}, "", "not_suitable"),
        (4, "lfischer", {"isotretinoin_stopped_on": months_ago(4)}, {"fitzpatrick_type": 2},
         "", ""),
        (5, "lfischer", {"isotretinoin_stopped_on": months_ago(7)}, {"fitzpatrick_type": 2},
         "", "suitable"),
        (6, "thughes", {"pregnant_or_breastfeeding": True}, {"fitzpatrick_type": 1}, "",
         "not_suitable"),
        (7, "thughes", {"chemical_peel_on": days_ago(20)}, {"fitzpatrick_type": 2}, "", ""),
        (8, "thughes", {"cold_sore_history": True, "low_pain_tolerance_or_needle_phobia": True},
         {"fitzpatrick_type": 4}, "", "suitable_with_precautions"),
        (9, "practitioner", {"keloid_tendency": True, "medications": "aspirin 75mg"},
         {"fitzpatrick_type": 6}, "", ""),
        (10, "practitioner", {"sunburn": True}, {"fitzpatrick_type": 2}, "", "not_suitable"),
        (11, "lfischer", {"laser_or_ipl_on": days_ago(10), "medications": "Omega-3 1000mg"},
         {"fitzpatrick_type": 3}, "", ""),
        (12, "thughes", {"medications": "Xarelto 20mg od"}, {"fitzpatrick_type": 3}, "", ""),
        (13, "practitioner", {"topical_retinoid_or_acid_on": days_ago(2)},
         {"fitzpatrick_type": 2}, "", "suitable_with_precautions"),
        (14, "lfischer", {"radiotherapy_to_area_on": months_ago(2)}, {"fitzpatrick_type": 2},
         "", ""),
        (15, "thughes", {"eczema_flare": True, "rosacea_controlled": True},
         {"fitzpatrick_type": 2}, "", "not_suitable"),
    ]  # fmt: skip


def _load_consultations(log: Callable[[str], None]) -> None:
    from treatments.consultations.medicines import entries_from_text
    from treatments.consultations.services import (
        consent_sign,
        consent_text_current,
        consultation_sign,
        consultation_start,
        consultation_update,
        finding_override,
    )
    from treatments.models import ScreeningFinding

    staff = {u.username: u for u in get_user_model().objects.filter(username__in=PRACTITIONERS)}
    patients = list(Patient.objects.order_by("id"))
    today = timezone.localdate()
    table = _demo_consultations(today)
    for index, who, history, fields, override, decision in table:
        practitioner = staff[who]
        consultation = consultation_start(patient=patients[index], practitioner=practitioner)
        # A patient whose course is under way was consulted, and signed consent, before it.
        days_ago = CONSULTED_BEFORE_THE_COURSE.get(index)
        consulted_on, intended, signed = today, today, None
        if days_ago is not None:
            consulted_on = today - timedelta(days=days_ago)
            intended = today - timedelta(days=COURSE_STARTED_DAYS_AGO)
            signed = timezone.make_aware(datetime.combine(consulted_on, time(11)))
        dates = {"consulted_on": consulted_on, "intended_treatment_date": intended}
        answers = dict(history)
        # The practitioner checked each medicine the list does not know (signing asks it).
        medicines = [
            replace(entry, confirmed=True)
            for entry in entries_from_text(str(answers.pop("medications", "")))
        ]
        consultation_update(
            consultation=consultation,
            by=practitioner,
            fields={"concerns": ["acne_scars"], "areas": ["face"], **dates, **fields},
            history=answers,
            medicines=medicines,
        )
        if override:
            for finding in ScreeningFinding.objects.filter(
                consultation=consultation, level="needs_clearance"
            ):
                finding_override(finding=finding, by=practitioner, reason=override)
        if decision:
            consultation_sign(
                consultation=consultation, by=practitioner, decision=decision, now=signed
            )
        if decision in ("suitable", "suitable_with_precautions"):
            consent_sign(
                patient=consultation.patient,
                consent_text=consent_text_current(),
                typed_name=consultation.patient.full_name,
                agreed=True,
                by=practitioner,
                now=signed + timedelta(minutes=10) if signed else None,
            )
    log(f"Consultations: {len(table)}, drafts and signed, every screening level.")


def _load_appointment_book(log: Callable[[str], None]) -> None:
    """A location, rooms and hours, and two weeks of appointments around today."""
    from clinic.scheduling import services as booking
    from clinic.scheduling.models import (
        AppointmentType,
        Closure,
        Leave,
        Location,
        OpeningHours,
        Room,
        WorkingHours,
    )
    from clinic.staff.models import PractitionerProfile

    today = timezone.localdate()
    location = Location.objects.create(
        name="Bath", time_zone=settings.TIME_ZONE, address="12 Milsom Street, Bath BA1 1DN",
        phone="+441174960123",  # a number set aside for drama, never a real line
    )  # fmt: skip
    rooms = [Room.objects.create(location=location, name=n) for n in ("Room 1", "Room 2", "Room 3")]
    for weekday in range(5):
        OpeningHours.objects.create(
            location=location, weekday=weekday, opens=time(9), closes=time(18)
        )
    OpeningHours.objects.create(location=location, weekday=5, opens=time(9), closes=time(14))
    new_year = date(today.year if today.month >= 6 else today.year - 1, 12, 24)
    Closure.objects.create(
        location=location,
        first_day=new_year,
        last_day=new_year + timedelta(days=9),
        reason="Christmas and New Year",
    )
    profiles = {p.user.username: p for p in PractitionerProfile.objects.select_related("user")}
    days = {"practitioner": range(5), "lfischer": (0, 2, 4), "thughes": (1, 3, 5)}
    for username, weekdays in days.items():
        for weekday in weekdays:
            WorkingHours.objects.create(
                practitioner=profiles[username],
                location=location,
                weekday=weekday,
                starts=time(9),
                ends=time(18) if weekday < 5 else time(14),
            )
    leave_day = today + timedelta(days=8)
    Leave.objects.create(
        practitioner=profiles["thughes"],
        starts_at=datetime.combine(leave_day, time(0), tzinfo=location.zone),
        ends_at=datetime.combine(leave_day + timedelta(days=1), time(0), tzinfo=location.zone),
        reason="Training day",
    )
    kinds = {
        "consultation": AppointmentType.objects.create(
            name="Consultation", kind="consultation", duration_minutes=45, buffer_after_minutes=10
        ),
        # Treatment sessions are booked as the catalog's type (treatments migration 0012).
        "treatment": AppointmentType.objects.get(name="Microneedling session"),
        "review": AppointmentType.objects.create(name="Review", kind="review", duration_minutes=20),
    }
    booked = _book_demo_fortnight(booking, location, rooms, profiles, kinds, today)
    log(f"Appointment book: 1 location, 3 rooms, hours, a closure, {booked} appointments.")


def _book_demo_fortnight(booking, location, rooms, profiles, kinds, today) -> int:  # type: ignore[no-untyped-def]
    """Book through the real service, then move each to a status that fits its day."""
    desk = get_user_model().objects.get(username="frontdesk")
    patients = list(Patient.objects.order_by("id"))
    now = timezone.now()
    count = 0
    for offset in range(-7, 8):
        day = today + timedelta(days=offset)
        for n, (hour, minute) in enumerate(((9, 0), (10, 30), (12, 0), (14, 0), (15, 30))):
            username = list(profiles)[(offset + n) % 3]
            kind = ("treatment", "consultation", "review", "treatment", "consultation")[n]
            start = datetime.combine(day, time(hour, minute), tzinfo=location.zone)
            try:
                appointment = booking.appointment_book(
                    patient=patients[(offset * 5 + n) % len(patients)],
                    practitioner=profiles[username],
                    room=rooms[n % 3],
                    appointment_type=kinds[kind],
                    start=start,
                    by=desk,
                )
            except (ValidationError, booking.SlotTaken):
                continue  # a closure, a day off or leave: the demo skips it like a person would
            count += 1
            _give_status(booking, appointment, desk, now, offset, n)
    return count


def _give_status(booking, appointment, desk, now, offset, n) -> None:  # type: ignore[no-untyped-def]
    if appointment.starts_at < now:
        if n == 4:
            booking.appointment_mark_no_show(appointment=appointment, now=now)
        elif n == 2 and offset % 2:
            booking.appointment_cancel(
                appointment=appointment,
                reason="Unwell",
                by=desk,
                now=appointment.starts_at - timedelta(hours=3),
            )
        else:
            appointment = booking.appointment_check_in(
                appointment=appointment, now=appointment.starts_at
            )
            appointment = booking.appointment_start(appointment=appointment)
            if offset < 0 or n != 1:
                booking.appointment_complete(appointment=appointment)
    elif offset == 0 and n == 3:
        booking.appointment_check_in(appointment=appointment, now=appointment.starts_at)
    elif n % 2 == 0:
        booking.appointment_confirm(appointment=appointment)
    elif n == 3 and offset == 3:
        booking.appointment_cancel(
            appointment=appointment,
            reason="Holiday",
            by=desk,
            now=appointment.starts_at - timedelta(days=2),
        )


def _load_plans(log: Callable[[str], None]) -> None:
    """Plans at different stages: a draft, one booked, one under way, one cancelled."""
    from clinic.scheduling import services as booking
    from clinic.scheduling.models import Location
    from treatments.models import Treatment
    from treatments.plans import services as plans

    desk = get_user_model().objects.get(username="frontdesk")
    location = Location.objects.get()
    treatment = Treatment.objects.get(name="Microneedling")
    areas = {a.code: a for a in treatment.areas.all()}
    now = timezone.now()
    today = timezone.localdate()
    patients = list(Patient.objects.order_by("id"))

    def make(index: int, area_codes: list[str], *, start: date, when: datetime, **kwargs):  # type: ignore[no-untyped-def]
        consultation = patients[index].consultations.filter(status="signed").latest("id")
        return plans.plan_create(
            consultation=consultation, treatment=treatment,
            areas=[areas[c] for c in area_codes], location=location,
            by=consultation.practitioner, now=when, earliest_start=start, **kwargs,
        )  # fmt: skip

    # Under way: booked five weeks ago; the sessions already past are done and signed.
    began = COURSE_STARTED_DAYS_AGO
    started = make(0, ["face"], start=today - timedelta(days=began),
                   when=now - timedelta(days=began + 1))  # fmt: skip
    plans.plan_book(plan=started, by=desk, now=now - timedelta(days=began + 1))
    for session in started.sessions.select_related("appointment").order_by("number"):
        if session.appointment is not None and session.appointment.ends_at < now:
            _complete_demo_session(booking, session)
    # Booked: four sessions from next week, face and neck.
    booked = make(1, ["face", "neck"], start=today + timedelta(days=7), when=now)
    plans.plan_book(plan=booked, by=desk, now=now)
    # Draft: proposed and waiting for the front desk.
    make(5, ["scars"], start=today + timedelta(days=3), when=now, sessions_planned=3)
    # Cancelled by the patient.
    cancelled = make(8, ["hands"], start=today + timedelta(days=10), when=now)
    plans.plan_cancel(plan=cancelled, reason="Patient moving away", by=desk, now=now)
    log("Treatment plans: one under way, one booked, one draft, one cancelled.")


def _complete_demo_session(booking, session) -> None:  # type: ignore[no-untyped-def]
    """A past session as the practitioner would have recorded and signed it, with the
    aftercare they gave (its email and follow-ups go out with the demo's messages)."""
    from treatments.aftercare.services import aftercare_issue

    # Signed by whoever treated: the practitioner the session was booked with.
    appointment = session.appointment
    practitioner = appointment.practitioner.user
    booking.appointment_check_in(appointment=appointment, now=appointment.starts_at)
    booking.appointment_start(appointment=appointment)
    booking.appointment_complete(appointment=appointment)
    session.status = "completed"
    session.device, session.device_model, session.needle_lot = "pen", "12-pin pen", "C2291"
    session.passes, session.numbing_cream = 3, "Lidocaine 5% cream"
    session.skin_reaction = "Even redness, settled within the hour."
    session.started_at, session.signed_at = appointment.starts_at, appointment.ends_at
    session.signed_by = practitioner
    session.save()
    # Judged for thin skin, as the consultation recorded no skin thickness.
    session.depths.create(zone="Face: Cheeks and chin", depth_mm="1.00",
                          guidance_low_mm="0.50", guidance_high_mm="1.00")  # fmt: skip
    session.depths.create(zone="Face: Forehead", depth_mm="0.50",
                          guidance_low_mm="0.25", guidance_high_mm="0.50")  # fmt: skip
    aftercare_issue(session=session, by=practitioner, now=appointment.ends_at)


def _load_messages(log: Callable[[str], None]) -> None:
    """The outbox in every state, so /messages/ shows what each looks like.

    Bookings above already wrote their confirmations and reminders; what is due now is
    sent (to var/mail/ under ``make run``). A few rows are then given the other states a
    clinic sees: a refused address, a patient without email consent, a worker caught
    mid-send, and replies from the confirm-or-cancel page.
    """
    from clinic.messaging.models import PatientMessage
    from clinic.messaging.services import messages_dispatch

    St, K = PatientMessage.Status, PatientMessage.Kind
    now = timezone.now()
    report = messages_dispatch()
    waiting = PatientMessage.objects.filter(status=St.PENDING).order_by("due_at", "pk")
    if not report.sent:  # quiet hours at the clinic right now: record a few as sent
        for pk in waiting.filter(kind=K.CONFIRMATION).values_list("pk", flat=True)[:5]:
            PatientMessage.objects.filter(pk=pk).update(status=St.SENT, sent_at=now, attempts=1)
    reminders = list(waiting.filter(kind=K.REMINDER).values_list("pk", flat=True)[:6])
    sent: dict[str, Any] = {"status": St.SENT, "sent_at": now, "attempts": 1, "replied_at": now}
    states: list[dict[str, Any]] = [
        {"status": St.FAILED, "attempts": 8,
         "last_error": "SMTPRecipientsRefused: 550 5.1.1 mailbox unavailable"},
        {"status": St.SKIPPED,
         "skip_reason": "The patient has not agreed to appointment and care emails."},
        {"status": St.SENDING, "attempts": 1, "claimed_at": now},
        {"status": St.CANCELLED,
         "skip_reason": "The appointment moved; a newer message replaces this one."},
        sent | {"reply": PatientMessage.Reply.CONFIRMED},
        sent | {"reply": PatientMessage.Reply.CANCEL_REQUESTED, "reply_late": True,
                "cancel_request_open": True},
    ]  # fmt: skip
    for pk, changes in zip(reminders, states, strict=False):
        PatientMessage.objects.filter(pk=pk).update(**changes)
    counts = PatientMessage.objects.values_list("status").annotate(n=Count("pk")).order_by()
    log("Messages: " + ", ".join(f"{n} {status}" for status, n in sorted(counts)))


def _load_waitlist(log: Callable[[str], None]) -> None:
    """Three patients waiting at Bath, the first offered a time a cancellation freed."""
    from clinic.scheduling import services as booking
    from clinic.scheduling.models import Appointment, AppointmentType, Location
    from clinic.scheduling.waitlist import waitlist_add
    from clinic.staff.models import PractitionerProfile

    location = Location.objects.get(name="Bath")
    now = timezone.now()
    today = now.astimezone(location.zone).date()
    desk = get_user_model().objects.get(username="frontdesk")
    treatment = AppointmentType.objects.get(name="Microneedling session")
    amara = PractitionerProfile.objects.get(user__username="practitioner")
    busy = Appointment.objects.filter(starts_at__gte=now).values_list("patient_id", flat=True)
    # Patients the clinic may email: an offer goes by email, so only they are offered.
    waiting = (
        Patient.objects.exclude(pk__in=busy)
        .filter(consents_to_transactional_email=True)
        .exclude(email="")
        .order_by("-pk")[:3]
    )
    for number, patient in enumerate(waiting):
        waitlist_add(
            patient=patient, location=location, appointment_type=treatment,
            practitioner=amara if number == 1 else None, earliest=today,
            latest=today + timedelta(days=21), today=today, by=desk,
            note="Mornings suit best" if number == 2 else "",
        )  # fmt: skip
    soon = (
        Appointment.objects.filter(
            location=location,
            appointment_type=treatment,
            status__in=Appointment.UPCOMING,
            starts_at__gte=now + timedelta(days=2),
            treatment_session__isnull=True,
        )
        .order_by("starts_at")
        .first()
    )
    if soon is not None:
        booking.appointment_cancel(appointment=soon, reason="Moved abroad", by=desk, now=now)
    log("Waitlist: 3 patients waiting at Bath, one offered a freed time.")


def _load_home_histories(log: Callable[[str], None]) -> None:
    """Two consultations to come with a medical history from home: one sent (a blood
    thinner and a cold-sore history among the answers), one started and not sent; the
    link of the second is printed, to open as the patient."""
    from clinic.messaging.links import home_history_url
    from clinic.scheduling.models import Appointment
    from treatments.consultations.home_forms import medicine_row
    from treatments.consultations.home_history import home_history_save, home_history_send

    now = timezone.now()
    upcoming = list(
        Appointment.objects.filter(
            appointment_type__kind="consultation",
            status__in=Appointment.UPCOMING,
            starts_at__gte=now + timedelta(hours=2),
        )
        .select_related("patient", "location", "appointment_type")
        .order_by("starts_at")[:2]
    )
    if len(upcoming) < 2:
        log("Histories from home: no consultation to come to attach them to.")
        return
    sent, started = upcoming
    home_history_save(
        appointment=sent,
        answers={"cold_sore_history": True, "sunburn": False, "pregnant_or_breastfeeding": False,
                 "allergies": "Penicillin: a rash"},
        medicines=[medicine_row("Eliquis 5mg", current=True, stopped_on=None, dose="twice a day")],
        now=now,
    )  # fmt: skip
    home_history_send(appointment=sent, now=now)
    home_history_save(
        appointment=started, answers={"active_acne": False, "sunburn": False}, medicines=[],
        now=now,
    )  # fmt: skip
    log(
        "Histories from home: one sent, one started; open the started one as the patient: "
        + home_history_url(started.pk)
    )


def _home_histories_loaded() -> bool:
    from treatments.models import HomeHistory

    return HomeHistory.objects.exists()


def _waitlist_loaded() -> bool:
    from clinic.scheduling.models import WaitlistEntry

    return WaitlistEntry.objects.exists()


def _messages_loaded() -> bool:
    from clinic.messaging.models import PatientMessage

    # Only this section leaves a failed message behind.
    return PatientMessage.objects.filter(status=PatientMessage.Status.FAILED).exists()


def _plans_loaded() -> bool:
    from treatments.models import TreatmentPlan

    return TreatmentPlan.objects.exists()


def _appointment_book_loaded() -> bool:
    from clinic.scheduling.models import Location

    return Location.objects.exists()


def _consultations_loaded() -> bool:
    from treatments.models import Consultation

    return Consultation.objects.exists()


def _patients_loaded() -> bool:
    return Patient.objects.exists()


# The demo's practitioners and manager sign in with a second step, as in production, from
# one published authenticator key (README.md): add it to any authenticator app, or ask
# `manage.py demo_code` for the code of the moment.
DEMO_AUTHENTICATOR_KEY = "DEMOCLINICDEMOCLINICDEMOCLINIC23"


def demo_authenticator_hex() -> str:
    return b32decode(DEMO_AUTHENTICATOR_KEY).hex()


def _two_step_loaded() -> bool:
    return TOTPDevice.objects.filter(user__username="practitioner").exists()


def _load_two_step(log: Callable[[str], None]) -> None:
    for user in get_user_model().objects.filter(username__in=[p.username for p in DEMO_STAFF]):
        if mfa_required(user) and not mfa_enrolled(user):
            TOTPDevice.objects.create(
                user=user, name=AUTHENTICATOR_NAME, key=demo_authenticator_hex(), confirmed=True
            )
    log(f"Two-step sign-in: the authenticator key {DEMO_AUTHENTICATOR_KEY} (README.md).")


def _staff_loaded() -> bool:
    return get_user_model().objects.filter(username=DEMO_STAFF[0].username).exists()


@dataclass(frozen=True)
class DemoSection:
    name: str
    is_loaded: Callable[[], bool]
    load: Callable[[Callable[[str], None]], None]


SECTIONS = [
    DemoSection("staff", _staff_loaded, _load_staff),
    DemoSection("two-step sign-in", _two_step_loaded, _load_two_step),
    DemoSection("patients", _patients_loaded, _load_patients),
    DemoSection("consultations", _consultations_loaded, _load_consultations),
    DemoSection("appointment book", _appointment_book_loaded, _load_appointment_book),
    DemoSection("treatment plans", _plans_loaded, _load_plans),
    DemoSection("patient messages", _messages_loaded, _load_messages),
    DemoSection("waitlist", _waitlist_loaded, _load_waitlist),
    DemoSection("histories from home", _home_histories_loaded, _load_home_histories),
]


def load_demo(log: Callable[[str], None]) -> list[str]:
    """Load each demo section that is not there yet; return the names of those loaded."""
    if not settings.DEBUG:
        raise ImproperlyConfigured(
            "The demo loader only runs with DEBUG on: its accounts share a published password."
        )
    loaded = []
    for section in SECTIONS:
        if section.is_loaded():
            continue
        with transaction.atomic():
            section.load(log)
        loaded.append(section.name)
    return loaded
