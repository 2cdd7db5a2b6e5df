"""Reads for data rights: everything the clinic holds about one patient, in a fixed
number of queries whatever the size of their record."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Max, Prefetch, Q, QuerySet

from clinic.data_rights.audit import record_accesses
from clinic.messaging.models import PatientMessage
from clinic.scheduling.models import Appointment
from patients.models import Patient
from treatments.models import (
    CheckInScreening,
    ConsentSignature,
    Consultation,
    ConsultationAddendum,
    HistoryTakeIn,
    HomeHistory,
    IssuedAftercare,
    ScreeningFinding,
    TreatmentPlan,
    TreatmentSession,
)


@dataclass(frozen=True)
class PatientRecord:
    """One patient's whole record, each part already read."""

    patient: Patient
    consents: list[ConsentSignature]
    consultations: list[Consultation]
    check_ins: list[CheckInScreening]
    home_histories: list[HomeHistory]
    take_ins: list[HistoryTakeIn]
    plans: list[TreatmentPlan]
    sessions: list[TreatmentSession]
    appointments: list[Appointment]
    messages: list[PatientMessage]
    accesses: list[dict[str, Any]]


def patient_record(patient: Patient) -> PatientRecord:
    """Every row about ``patient``: 16 queries, however many rows of each kind there are."""
    consultations = list(
        Consultation.objects.filter(patient=patient)
        .select_related("practitioner", "history")
        .prefetch_related(
            Prefetch(
                "findings",
                ScreeningFinding.objects.select_related("overridden_by").order_by("pk"),
            ),
            Prefetch(
                "addenda",
                ConsultationAddendum.objects.select_related("author").order_by("created_at"),
            ),
            "history__medicine_lines",
        )
        .order_by("consulted_on", "pk")
    )
    plans = list(
        TreatmentPlan.objects.filter(patient=patient)
        .select_related("treatment", "location")
        .prefetch_related("areas")
        .order_by("created_at", "pk")
    )
    sessions = list(
        TreatmentSession.objects.filter(plan__patient=patient)
        .select_related("appointment", "signed_by", "aftercare")
        .prefetch_related("depths")
        .order_by("plan_id", "number")
    )
    check_ins = list(
        CheckInScreening.objects.filter(patient=patient)
        .select_related("by")
        .order_by("created_at", "pk")
    )
    home_histories = list(
        HomeHistory.objects.filter(patient=patient)
        .select_related("appointment", "consent_text")
        .order_by("started_at", "pk")
    )
    # Read whether or not there are histories, so that the cost never depends on it.
    take_ins = list(
        HistoryTakeIn.objects.filter(home_history__patient=patient)
        .select_related("by")
        .order_by("home_history_id", "pk")
    )
    return PatientRecord(
        patient=patient,
        consents=list(
            ConsentSignature.objects.filter(patient=patient)
            .select_related("consent_text", "witnessed_by")
            .order_by("signed_at", "pk")
        ),
        consultations=consultations,
        check_ins=check_ins,
        home_histories=home_histories,
        take_ins=take_ins,
        plans=plans,
        sessions=sessions,
        appointments=list(
            Appointment.objects.filter(patient=patient)
            .select_related("appointment_type", "location", "practitioner__user")
            .order_by("starts_at", "pk")
        ),
        messages=list(PatientMessage.objects.filter(patient=patient).order_by("due_at", "pk")),
        accesses=record_accesses(
            patient,
            {
                Consultation: [c.pk for c in consultations],
                TreatmentPlan: [p.pk for p in plans],
                TreatmentSession: [s.pk for s in sessions],
                CheckInScreening: [c.pk for c in check_ins],
                IssuedAftercare: [s.aftercare.pk for s in sessions if _has_aftercare(s)],
            },
        ),
    )


def _has_aftercare(session: TreatmentSession) -> bool:
    return getattr(session, "aftercare", None) is not None


def last_contact(patient: Patient, *, now: datetime) -> date:
    """The last day the clinic saw or treated the patient: the latest appointment that
    was not cancelled and has begun, or consultation; the day they were registered when
    there is neither."""
    seen = Appointment.objects.filter(patient=patient, starts_at__lte=now).exclude(
        status=Appointment.Status.CANCELLED
    )
    last_seen = seen.aggregate(last=Max("starts_at"))["last"]
    consulted = Consultation.objects.filter(patient=patient).aggregate(
        last=Max("consulted_on", filter=Q(consulted_on__lte=now.date()))
    )["last"]
    days = [patient.created_at.date()]
    if last_seen is not None:
        days.append(last_seen.date())
    if consulted is not None:
        days.append(consulted)
    return max(days)


def patients_past_retention(today: date) -> list[Patient]:
    """Erased patients whose clinical record has been kept as long as the rule says."""
    return list(
        Patient.objects.filter(
            erasure_requested_at__isnull=False,
            anonymised_at__isnull=True,
            clinical_retained_until__lte=today,
        ).order_by("pk")
    )


def patients_with_data_requests() -> QuerySet[Patient]:
    """Patients whose data is restricted or whose erasure is recorded, latest first."""
    return Patient.objects.filter(
        Q(restricted_at__isnull=False) | Q(erasure_requested_at__isnull=False)
    ).order_by("-restricted_at", "-pk")
