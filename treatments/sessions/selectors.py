"""What the practitioner needs in front of them at a session: the screening that applies
today, the last session's record and the guidance for this patient's skin."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Prefetch

from treatments.models import (
    CheckInScreening,
    Consultation,
    ScreeningFinding,
    SkinThickness,
    TreatmentSession,
)
from treatments.sessions.services import Zone, session_skin, skin_label


@dataclass(frozen=True)
class ScreeningToday:
    """The consultation that clears the patient, with its findings and overrides, and the
    day's latest check-in screening (its findings as stored), when there is one."""

    consultation: Consultation | None
    findings: list[ScreeningFinding]
    check_in: CheckInScreening | None

    @property
    def check_in_findings(self) -> list[dict[str, Any]]:
        return list(self.check_in.findings) if self.check_in is not None else []


def screening_today(session: TreatmentSession, day: date) -> ScreeningToday:
    patient = session.plan.patient
    # The latest signed consultation, as ``clearing_consultation`` finds it, with who
    # overrode each finding.
    consultation = (
        Consultation.objects.filter(patient=patient, status=Consultation.Status.SIGNED)
        .select_related("patient")
        .prefetch_related(
            Prefetch("findings", ScreeningFinding.objects.select_related("overridden_by"))
        )
        .order_by("-consulted_on", "-id")
        .first()
    )
    if consultation is not None and not consultation.clears_for_treatment:
        consultation = None
    check_in = (
        CheckInScreening.objects.filter(patient=patient, screened_on=day)
        .order_by("-created_at", "-id")
        .first()
    )
    findings = list(consultation.findings.all()) if consultation is not None else []
    return ScreeningToday(consultation=consultation, findings=findings, check_in=check_in)


def previous_session(session: TreatmentSession) -> TreatmentSession | None:
    """The patient's last signed session before this one (in any plan), with its depths
    and the aftercare they were given."""
    earlier = TreatmentSession.objects.filter(
        plan__patient_id=session.plan.patient_id, signed_at__isnull=False
    ).exclude(pk=session.pk)
    if session.signed_at is not None:
        earlier = earlier.filter(signed_at__lt=session.signed_at)
    return (
        earlier.select_related("signed_by", "aftercare", "appointment")
        .prefetch_related("depths")
        .order_by("-signed_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class SkinGuidance:
    """The catalog's depth guidance for the plan's zones, judged for this patient's skin."""

    skin: str
    source: str
    zones: list[Zone]

    @property
    def label(self) -> str:
        return skin_label(self.skin)

    @property
    def is_thick(self) -> bool:
        return self.skin == SkinThickness.THICK

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"zone": z, "thin": z.thin, "thick": z.thick, "judged": z.guidance_for(self.skin)}
            for z in self.zones
        ]


def skin_guidance(session: TreatmentSession, zones: list[Zone]) -> SkinGuidance:
    if session.skin_thickness:
        source = "recorded at this session"
    elif session.plan.consultation.skin_thickness:
        source = "as the consultation found"
    else:
        source = "not recorded: the thin-skin guidance applies until it is"
    return SkinGuidance(skin=session_skin(session), source=source, zones=zones)
