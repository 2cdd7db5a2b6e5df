"""Plans made and booked through the real services, for the tests of what a plan writes to
the patient (preparation, nudges). The caller freezes the clock."""

from typing import Any

from django.utils import timezone

from clinic.messaging.models import PatientMessage
from clinic.messaging.services import messages_dispatch
from clinic.scheduling import services as booking
from tests.factories import make_cleared_patient, make_clinic_location, make_staff
from treatments.models import Treatment, TreatmentArea, TreatmentPlan, TreatmentSession
from treatments.plans.services import plan_book, plan_create


def clinic_setting(practitioner: Any) -> dict[str, Any]:
    """Bath (Europe/London), two rooms and two practitioners working Monday to Thursday."""
    location, rooms, profiles = make_clinic_location()
    treatment = Treatment.objects.get(name="Microneedling")
    return {
        "location": location,
        "rooms": rooms,
        "profiles": profiles,
        "treatment": treatment,
        "face": TreatmentArea.objects.get(treatment=treatment, code="face"),
        "desk": make_staff(),
        "practitioner": practitioner,
    }


def make_plan(setting: dict[str, Any], **kwargs: Any) -> TreatmentPlan:
    """A draft plan for a newly cleared patient, every session proposed."""
    fields = {
        "consultation": make_cleared_patient(setting["practitioner"]),
        "treatment": setting["treatment"],
        "areas": [setting["face"]],
        "location": setting["location"],
        "by": setting["practitioner"],
        "now": timezone.now(),
        "preferred_practitioner": setting["profiles"][0],
    }
    return plan_create(**{**fields, **kwargs})


def book_plan(setting: dict[str, Any], **kwargs: Any) -> TreatmentPlan:
    plan = make_plan(setting, **kwargs)
    return plan_book(plan=plan, by=setting["desk"], now=timezone.now())


def sessions(plan: TreatmentPlan) -> list[Any]:
    """The plan's sessions in order, typed loosely: the tests know which are booked."""
    return list(plan.sessions.select_related("appointment").order_by("number"))


def complete(session: Any, by: Any) -> None:
    """The session took place and its record was signed (the record itself is not what
    these tests are about)."""
    appointment = session.appointment
    booking.appointment_check_in(appointment=appointment, now=appointment.starts_at)
    booking.appointment_start(appointment=appointment)
    booking.appointment_complete(appointment=appointment)
    TreatmentSession.objects.filter(pk=session.pk).update(
        status=TreatmentSession.Status.COMPLETED, signed_at=appointment.ends_at, signed_by=by
    )


def dispatch_at(clock: Any, moment: Any) -> list[Any]:
    """Run the dispatcher at ``moment``; the emails it sent."""
    from django.core import mail

    clock.move_to(moment, tick=False)
    before = len(mail.outbox)
    messages_dispatch()
    return mail.outbox[before:]


def preparations(**filters: Any) -> list[PatientMessage]:
    return list(
        PatientMessage.objects.filter(kind=PatientMessage.Kind.PREPARATION, **filters).order_by(
            "pk"
        )
    )
