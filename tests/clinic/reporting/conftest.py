"""A small clinic week whose report figures are worked out by hand in test_reports.py.

The week is Monday 2 to Sunday 8 November 2026 in Bath (GMT, so local time is UTC).
The clock stands at Friday 6 November, 12:00. Two practitioners work Monday to Thursday
09:00-17:00; the clinic is open Monday to Friday 09:00-17:00 and closed on Friday 6th.
Amara (P1) is on leave Thursday 13:00-17:00.

Appointments (all rows written directly: the reports only read):

  a1  P1  Room 1  Consultation  Mon 10:00-11:00  completed
  a2  P1  Room 1  Consultation  Tue 10:00-11:00  no-show
  a3  P1  Room 2  Consultation  Wed 10:00-11:00  cancelled late
  a4  P1  Room 2  Consultation  Wed 11:00-12:00  cancelled in good time
  a5  P2  Room 1  Session       Thu 14:00-16:00  completed  (plan A, session 2, in window)
  a6  P2  Room 1  Session       Mon 14:00-15:00  cancelled  (plan B, session 2's first booking)
  a7  P2  Room 1  Session       Wed 14:00-15:00  completed  (plan B, session 2 rebooked, a day
                                                             before its window opens)
  a8  P1  Room 1  Consultation  Mon 9 Nov        booked     (after the week: never counted)

Plans, both booked (activated) on Monday 2nd: A is completed with its third session
skipped; B is under way. A draft plan was never booked.
Consultations signed this week: cA (led to A), cB (led to B), cC (no plan). Findings:
cA sunburn; cC sunburn and blood thinner, the latter overridden by P1 with a note.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from clinic.messaging.models import PatientMessage
from clinic.scheduling.models import Appointment, AppointmentType, Closure, Leave
from patients.models import Patient
from tests.factories import make_cleared_patient, make_clinic_location, make_staff
from treatments.consultations.services import consultation_start
from treatments.models import (
    ScreeningFinding,
    Treatment,
    TreatmentPlan,
    TreatmentSession,
)

NOW = datetime(2026, 11, 6, 12, 0, tzinfo=UTC)
WEEK = {"start": "2026-11-02", "end": "2026-11-08"}


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def week(frozen, practitioner):
    location, rooms, (p1, p2) = make_clinic_location()
    consult = AppointmentType.objects.create(name="Consultation", kind="consultation",
                                             duration_minutes=60)  # fmt: skip
    session = AppointmentType.objects.create(name="Session", kind="treatment", duration_minutes=60)
    Closure.objects.create(location=location, first_day=date(2026, 11, 6),
                           last_day=date(2026, 11, 6), reason="Training")  # fmt: skip
    Leave.objects.create(practitioner=p1, starts_at=at(5, 13), ends_at=at(5, 17))
    desk = make_staff()

    consultations = [make_cleared_patient(practitioner) for _ in range(3)]
    c_a, c_b, c_c = consultations
    patient = c_a.patient

    def book(who, room, kind, start, hours, status, **extra):
        return Appointment.objects.create(
            patient=extra.pop("patient", patient), practitioner=who, room=room,
            location=location, appointment_type=kind, starts_at=start,
            ends_at=start + timedelta(hours=hours), blocked_from=start,
            blocked_until=start + timedelta(hours=hours), status=status, booked_by=desk,
            **extra,
        )  # fmt: skip

    r1, r2 = rooms
    S = Appointment.Status
    a = {
        "a1": book(p1, r1, consult, at(2, 10), 1, S.COMPLETED),
        "a2": book(p1, r1, consult, at(3, 10), 1, S.NO_SHOW),
        "a3": book(p1, r2, consult, at(4, 10), 1, S.CANCELLED, late_cancel=True),
        "a4": book(p1, r2, consult, at(4, 11), 1, S.CANCELLED),
        "a5": book(p2, r1, session, at(5, 14), 2, S.COMPLETED),
        "a6": book(p2, r1, session, at(2, 14), 1, S.CANCELLED, patient=c_b.patient),
        "a7": book(p2, r1, session, at(4, 14), 1, S.COMPLETED, patient=c_b.patient),
        "a8": book(p1, r1, consult, at(9, 10), 1, S.BOOKED),
        "earlier": book(p2, r1, session, datetime(2026, 10, 5, 10, tzinfo=UTC), 1, S.COMPLETED),
    }

    treatment = Treatment.objects.get(name="Microneedling")

    def plan(consultation, status, activated):
        return TreatmentPlan.objects.create(
            patient=consultation.patient, consultation=consultation, treatment=treatment,
            location=location, sessions_planned=3, min_interval_days=3, max_interval_days=14,
            session_minutes=60, earliest_start=date(2026, 10, 1), status=status,
            created_by=practitioner, activated_at=activated, preferred_practitioner=p2,
        )  # fmt: skip

    TS = TreatmentSession.Status
    plan_a = plan(c_a, TreatmentPlan.Status.COMPLETED, at(2, 9))
    TreatmentSession.objects.create(plan=plan_a, number=1, status=TS.COMPLETED,
                                    appointment=a["earlier"], signed_at=at(2, 9))  # fmt: skip
    TreatmentSession.objects.create(
        plan=plan_a, number=2, status=TS.COMPLETED, appointment=a["a5"], signed_at=at(5, 16),
        window_first=date(2026, 11, 2), window_last=date(2026, 11, 16),
    )  # fmt: skip
    TreatmentSession.objects.create(plan=plan_a, number=3, status=TS.CANCELLED)
    plan_b = plan(c_b, TreatmentPlan.Status.ACTIVE, at(2, 9))
    TreatmentSession.objects.create(plan=plan_b, number=1, status=TS.COMPLETED,
                                    signed_at=datetime(2026, 10, 20, tzinfo=UTC))  # fmt: skip
    TreatmentSession.objects.create(
        plan=plan_b, number=2, status=TS.COMPLETED, appointment=a["a7"], signed_at=at(4, 15),
        window_first=date(2026, 11, 5), window_last=date(2026, 11, 19),
    )  # fmt: skip
    TreatmentSession.objects.create(plan=plan_b, number=3, status=TS.PROPOSED)
    plan(c_c, TreatmentPlan.Status.DRAFT, None)  # made, never booked: not a conversion

    def finding(consultation, code, level, **extra):
        ScreeningFinding.objects.create(
            consultation=consultation, code=code, title=code.replace("_", " ").capitalize(),
            level=level, reason="r", source="s", detail="d", **extra,
        )  # fmt: skip

    finding(c_a, "sunburn", "precaution")
    finding(c_c, "sunburn", "precaution")
    finding(
        c_c, "blood_thinner", "needs_clearance", overridden_by=practitioner,
        overridden_at=at(3, 9), override_reason="Cleared", physician_clearance_note="GP ok",
    )  # fmt: skip

    # One patient registered before the week; everyone else this week.
    Patient.objects.filter(pk=c_c.patient_id).update(created_at=datetime(2026, 10, 20, tzinfo=UTC))
    consultation_start(patient=c_c.patient, practitioner=practitioner)  # a draft: not counted

    K, St, R = PatientMessage.Kind, PatientMessage.Status, PatientMessage.Reply

    def message(n, kind, status, due, **extra):
        if status == St.SENT:
            extra["sent_at"] = due
        PatientMessage.objects.create(
            key=f"test:{n}", patient=patient, appointment=a["a1"], appointment_version=1,
            kind=kind, time_zone="Europe/London", due_at=due, status=status, **extra,
        )  # fmt: skip

    message(1, K.CONFIRMATION, St.SENT, at(2, 9), reply=R.CONFIRMED)
    message(2, K.CONFIRMATION, St.FAILED, at(2, 9))
    message(3, K.REMINDER, St.SKIPPED, at(3, 9))
    message(4, K.REMINDER, St.CANCELLED, at(3, 9))
    message(5, K.REMINDER, St.SENT, at(4, 9), reply=R.CANCEL_REQUESTED)
    message(6, K.AFTERCARE, St.PENDING, at(6, 11))
    message(7, K.REMINDER, St.SENT, at(9, 9))  # after the week
    return {"location": location, "p1": p1, "p2": p2, "appointments": a}
