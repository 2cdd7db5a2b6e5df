from collections.abc import Iterable
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from clinic.staff.models import PractitionerProfile
from clinic.staff.roles import Role
from patients.models import Patient
from patients.validators import normalise_text

TEST_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@clinic.example")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(obj: User, create: bool, extracted: Iterable[Role] | None, **kwargs: Any) -> None:
        if create and extracted:
            # get(), not filter(): a missing role group must fail loudly, not quietly.
            obj.groups.set([Group.objects.get(name=role.group_name) for role in extracted])
            if Role.PRACTITIONER in extracted:
                PractitionerProfileFactory(user=obj)
            if Role.CLINIC_MANAGER in extracted:
                # As staff_member_create does: the admin is the manager's.
                obj.is_staff = True
                obj.save(update_fields=["is_staff"])


class PractitionerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PractitionerProfile

    user = factory.SubFactory(UserFactory)
    job_title = "Aesthetic nurse practitioner"
    registration_body = "NMC"
    registration_number = factory.Sequence(lambda n: f"NMC{n:06d}")


def make_staff(**kwargs: Any) -> User:
    """A staff account, typed as the model (factory_boy's own typing says otherwise)."""
    user: User = UserFactory(**kwargs)  # type: ignore[assignment]
    return user


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "patients.Patient"

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=80)
    email = factory.Sequence(lambda n: f"patient{n}@example.org")
    mobile = factory.Sequence(lambda n: f"+447400{n % 1000000:06d}")
    consents_to_transactional_email = True
    search_name = factory.LazyAttribute(lambda p: normalise_text(f"{p.first_name} {p.last_name}"))
    created_by = factory.SubFactory(UserFactory)


def make_patient(**kwargs: Any) -> Patient:
    """A patient, typed as the model (factory_boy's own typing says otherwise)."""
    patient: Patient = PatientFactory(**kwargs)  # type: ignore[assignment]
    return patient


def make_practitioner(**kwargs: Any) -> PractitionerProfile:
    """A practitioner's profile (with its account), typed as the model."""
    profile: PractitionerProfile = PractitionerProfileFactory(**kwargs)  # type: ignore[assignment]
    return profile


def make_appointment(
    *, starts_at: Any, practitioner: PractitionerProfile | None = None, **kwargs: Any
) -> Any:
    """An appointment row for display tests (booking rules live in the service's tests)."""
    from datetime import timedelta

    from clinic.scheduling.models import Appointment, AppointmentType, Location, Room

    location, _ = Location.objects.get_or_create(
        name="Bath", defaults={"time_zone": "Europe/London"}
    )
    # A room of its own, so that helper appointments never clash with each other.
    room = kwargs.pop("room", None) or Room.objects.create(
        location=location, name=f"Room {Room.objects.count() + 1}"
    )
    kind = (
        kwargs.pop("appointment_type", None)
        or AppointmentType.objects.get_or_create(
            name="Treatment session", defaults={"kind": "treatment", "duration_minutes": 60}
        )[0]
    )
    practitioner = practitioner or make_practitioner()
    return Appointment.objects.create(
        patient=kwargs.pop("patient", None) or make_patient(),
        practitioner=practitioner,
        room=room,
        location=room.location,
        appointment_type=kind,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        blocked_from=starts_at,
        blocked_until=starts_at + timedelta(hours=1),
        booked_by=practitioner.user,
        **kwargs,
    )


def make_cleared_patient(practitioner: User, *, consent: bool = True, **history: Any) -> Any:
    """A patient whose signed consultation clears them (and, by default, signed consent)."""
    from treatments.consultations.services import (
        consent_text_current,
        consultation_sign,
        consultation_start,
        consultation_update,
    )
    from treatments.models import ConsentSignature

    patient = make_patient()
    consultation = consultation_start(patient=patient, practitioner=practitioner)
    consultation_update(consultation=consultation, by=practitioner, fields={}, history=history)
    consultation = consultation_sign(
        consultation=consultation, by=practitioner, decision="suitable"
    )
    if consent:
        ConsentSignature.objects.create(
            patient=patient,
            consent_text=consent_text_current(),
            typed_name=patient.full_name,
            agreed=True,
            witnessed_by=practitioner,
        )
    return consultation


def make_clinic_location(practitioners: int = 2, weekdays: tuple[int, ...] = (0, 1, 2, 3)) -> Any:
    """Bath, open 09:00-17:00 Monday to Friday, two rooms, practitioners on ``weekdays``."""
    from datetime import time

    from clinic.scheduling.models import Location, OpeningHours, Room, WorkingHours

    location = Location.objects.create(name="Bath", time_zone="Europe/London")
    rooms = [Room.objects.create(location=location, name=f"Room {n}") for n in (1, 2)]
    for weekday in range(5):
        OpeningHours.objects.create(
            location=location, weekday=weekday, opens=time(9), closes=time(17)
        )
    profiles = [make_practitioner() for _ in range(practitioners)]
    for profile in profiles:
        for weekday in weekdays:
            WorkingHours.objects.create(
                practitioner=profile, location=location, weekday=weekday,
                starts=time(9), ends=time(17),
            )  # fmt: skip
    return location, rooms, profiles


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    """An authenticator app already set up (as ``mfa_enrol`` leaves it)."""

    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "Authenticator app"
    confirmed = True
    key = factory.LazyFunction(random_hex)


def make_consultation_appointment(*, starts_at: Any = None, **kwargs: Any) -> Any:
    """A consultation booking (three days ahead unless ``starts_at``)."""
    from datetime import timedelta

    from clinic.scheduling.models import AppointmentType

    kind, _ = AppointmentType.objects.get_or_create(
        name="Consultation", defaults={"kind": "consultation", "duration_minutes": 45}
    )
    starts_at = starts_at or (timezone.now() + timedelta(days=3)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    return make_appointment(starts_at=starts_at, appointment_type=kind, **kwargs)


def screen_home_history(history: Any) -> None:
    """Give a sent history from home its screening as the sending service keeps it: the
    answers and medicine lines screened for the appointment's day with the clinic's
    rules, each finding in the check-in's stored shape."""
    from treatments.consultations.home_history import stored_finding
    from treatments.consultations.home_history_review import home_medicine_entries
    from treatments.consultations.medicines import screened_lines
    from treatments.consultations.selectors import rule_adjustments
    from treatments.consultations.services import screening_answers
    from treatments.models.home_history import ANSWER_FIELDS, history_value
    from treatments.screening.engine import screen

    values = {
        name: history_value(name, given)
        for name, given in history.answers.items()
        if name in ANSWER_FIELDS
    }
    result = screen(
        screening_answers(
            history=values,
            fitzpatrick_type=None,
            treatment_date=history.appointment.local_day,
            medicines=screened_lines(home_medicine_entries(history)),
        ),
        adjustments=rule_adjustments(),
    )
    history.screening_level = result.level.code
    history.findings = [stored_finding(finding) for finding in result.findings]
    history.ruleset_version = result.ruleset_version
    history.vocabulary_version = result.vocabulary_version


class HomeHistoryFactory(factory.django.DjangoModelFactory):
    """A patient's history from home for a consultation booking. ``submitted=True``: sent,
    with its screening computed as the sending service stores it."""

    class Meta:
        model = "treatments.HomeHistory"
        skip_postgeneration_save = True

    class Params:
        submitted = factory.Trait(submitted_at=factory.LazyFunction(timezone.now))

    patient = factory.SubFactory(PatientFactory)
    appointment = factory.LazyAttribute(
        lambda history: make_consultation_appointment(patient=history.patient)
    )
    answers = factory.LazyFunction(dict)
    medicines = factory.LazyFunction(list)

    @factory.post_generation
    def screening(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and obj.submitted_at is not None and not obj.screening_level:
            screen_home_history(obj)
            obj.save(
                update_fields=[
                    "screening_level", "findings", "ruleset_version", "vocabulary_version"
                ]
            )  # fmt: skip


def make_home_history(**kwargs: Any) -> Any:
    """A history from home (``submitted=True``: sent and screened), typed loosely as the
    factories are."""
    return HomeHistoryFactory(**kwargs)


def _draft_for(take_in: Any) -> Any:
    from treatments.consultations.services import consultation_start

    practitioner = make_staff(roles=[Role.PRACTITIONER])
    return consultation_start(patient=take_in.home_history.patient, practitioner=practitioner)


class HistoryTakeInFactory(factory.django.DjangoModelFactory):
    """One answer taken in as given (the row only: the service writes the history too)."""

    class Meta:
        model = "treatments.HistoryTakeIn"

    home_history = factory.SubFactory(
        HomeHistoryFactory, submitted=True, answers={"active_acne": False}
    )
    consultation = factory.LazyAttribute(_draft_for)
    field = "active_acne"
    patient_said = factory.LazyAttribute(lambda t: t.home_history.answers.get(t.field))
    recorded = factory.LazyAttribute(lambda t: t.patient_said)
    by = factory.LazyAttribute(lambda t: t.consultation.practitioner)
    at = factory.LazyFunction(timezone.now)
