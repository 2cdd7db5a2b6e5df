"""Reads of treatment plans, with their joins applied."""

from django.db.models import Count, Min, Q, QuerySet

from patients.models import Patient
from treatments.models import (
    TreatmentPlan,
    TreatmentSession,
)


def plan_list_for_patient(patient: Patient) -> QuerySet[TreatmentPlan]:
    """The patient's plans, newest first, with their treatment and how far along they are."""
    completed = TreatmentSession.Status.COMPLETED
    return (
        TreatmentPlan.objects.filter(patient=patient)
        .select_related("treatment")
        .annotate(
            sessions_done=Count("sessions", filter=Q(sessions__status=completed)),
            next_start=Min(
                "sessions__appointment__starts_at",
                filter=Q(sessions__status=TreatmentSession.Status.BOOKED),
            ),
        )
        .order_by("-created_at", "-id")
    )
