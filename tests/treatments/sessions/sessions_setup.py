"""Plans and session records for the plan, session and aftercare tests (the fixtures
are in conftest.py)."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from treatments.models import Treatment, TreatmentArea, TreatmentSession
from treatments.plans.services import plan_create
from treatments.sessions.check_in import check_in_screen
from treatments.sessions.services import session_record_save, session_sign, session_start


def make_plan(setting, practitioner, **kwargs):
    treatment = Treatment.objects.get(name="Microneedling")
    fields = {
        "consultation": setting["consultation"],
        "treatment": treatment,
        "areas": [TreatmentArea.objects.get(treatment=treatment, code="face")],
        "location": setting["location"],
        "by": practitioner,
        "now": timezone.now(),
        "preferred_practitioner": setting["profiles"][0],
    }
    return plan_create(**{**fields, **kwargs})


def record(session, depths=None, **fields):
    return session_record_save(
        session=session,
        fields={"device": "pen", "device_model": "Dermapen 4", "needle_lot": "LOT-2291", **fields},
        depths=depths or {"Face: Cheeks and chin": (Decimal("1.0"), "")},
    )  # fmt: skip


def start_record_and_sign(session: TreatmentSession, practitioner: Any) -> TreatmentSession:
    """The whole day's work on a session: screened again, started, recorded, signed."""
    check_in_screen(patient=session.plan.patient, by=practitioner, conditions=set())
    appointment = session.appointment
    assert appointment is not None
    # Started as soon as the clock allows: now, or the margin before the booked time.
    now = max(timezone.now(), appointment.starts_at - settings.SESSION_START_EARLY)
    session_start(session=session, now=now)
    record(session)
    return session_sign(session=session, by=practitioner, now=now)
