"""Treatment sessions on the day: start after check-in screening, record, sign.

1. ``session_start``: the appointment is checked in and the day's check-in screening
   lets the session start (``session_may_start``); the appointment is then in progress.
2. ``session_record_save``: the practitioner writes the record as they go (device, lot,
   depth per zone, passes, numbing, products, reaction, notes). A depth outside the
   catalog's guidance for its zone, for this patient's skin (thin or thick, as recorded
   at the session or found at the consultation; thin when neither says), needs a reason.
3. ``session_sign``: the record is complete, the appointment completed, and the record
   never changes again. The aftercare in force is issued to the patient (a copy kept
   with the session, the email and its follow-ups in the outbox). The plan is completed
   with its last session."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.scheduling import services as booking
from clinic.scheduling.models import Appointment
from treatments.aftercare.services import aftercare_issue
from treatments.models import (
    CourseLimits,
    DepthGuidance,
    SessionDepth,
    SkinThickness,
    TreatmentArea,
    TreatmentPlan,
    TreatmentSession,
)
from treatments.sessions.check_in import session_may_start

ST = TreatmentSession.Status


RECORD_FIELDS = (
    "device",
    "device_model",
    "needle_lot",
    "skin_thickness",
    "passes",
    "numbing_cream",
    "numbing_applied_at",
    "products_applied",
    "skin_reaction",
    "notes",
)


Range = tuple[Decimal, Decimal]


@dataclass(frozen=True)
class Zone:
    """Where a depth is recorded: a zone with the catalog's ranges for thin and thick
    skin, or a whole area without any."""

    name: str
    thin: Range | None = None
    thick: Range | None = None

    def range_for(self, skin: str) -> Range | None:
        """Thick skin's range for thick skin; thin skin's (the shallower) otherwise."""
        return self.thick if skin == SkinThickness.THICK else self.thin

    def guidance_for(self, skin: str) -> str:
        judged = self.range_for(skin)
        if judged is None:
            return "no guidance in the catalog"
        return f"{judged[0]} to {judged[1]} mm"

    def outside(self, depth: Decimal, skin: str) -> bool:
        judged = self.range_for(skin)
        return judged is not None and not judged[0] <= depth <= judged[1]


def skin_label(skin: str) -> str:
    """The skin a depth is judged for, in words: thin unless recorded as thick."""
    return SkinThickness(skin or SkinThickness.THIN).label


def plan_zones(areas: list[TreatmentArea], guidance: list[DepthGuidance]) -> list[Zone]:
    """The zones of a plan's areas, in catalog order, with their guidance ranges."""
    by_area: dict[int, list[DepthGuidance]] = {}
    for row in guidance:
        by_area.setdefault(row.area_id, []).append(row)
    zones: list[Zone] = []
    for area in areas:
        rows = by_area.get(area.pk)
        if rows:
            zones.extend(
                Zone(
                    f"{area.name}: {g.zone}",
                    thin=g.range_for(SkinThickness.THIN),
                    thick=g.range_for(SkinThickness.THICK),
                )
                for g in rows
            )
        else:
            zones.append(Zone(area.name))
    return zones


def zones_for(plan: TreatmentPlan) -> list[Zone]:
    areas = list(plan.areas.order_by("position", "name"))
    guidance = list(DepthGuidance.objects.filter(area__in=areas).order_by("position", "zone"))
    return plan_zones(areas, guidance)


def session_skin(session: TreatmentSession) -> str:
    """The skin the session's depths are judged for: as recorded at the session, else as
    the consultation found it (empty when neither says: judged as thin)."""
    return session.skin_thickness or session.plan.consultation.skin_thickness


def _locked(session: TreatmentSession) -> TreatmentSession:
    return (
        TreatmentSession.objects.select_for_update(of=("self",))
        .select_related("plan__consultation", "appointment__patient")
        .get(pk=session.pk)
    )


@transaction.atomic
def session_start(*, session: TreatmentSession, now: datetime) -> TreatmentSession:
    current = _locked(session)
    appointment = current.appointment
    if not current.can_start or appointment is None:
        raise ValidationError("Only a booked session can start.")
    if appointment.status not in Appointment.STARTABLE:
        raise ValidationError("Check the patient in at the front desk first.")
    day = now.astimezone(appointment.location.zone).date()
    if appointment.starts_at.astimezone(appointment.location.zone).date() != day:
        raise ValidationError("This session is booked for another day.")
    if not appointment.may_begin(now):
        early = appointment.starts_at - settings.SESSION_START_EARLY
        local = early.astimezone(appointment.location.zone)
        raise ValidationError(f"This session may start from {local:%H:%M}, not earlier.")
    may_start, reasons = session_may_start(patient=appointment.patient, on=day)
    if not may_start:
        raise ValidationError(["The session cannot start:", *reasons])
    booking.appointment_start(appointment=appointment)
    current.status = ST.IN_PROGRESS
    current.started_at = now
    current.save(update_fields=["status", "started_at"])
    return current


def _require_open(current: TreatmentSession) -> None:
    if current.is_signed:
        raise ValidationError("This session record is signed: it cannot change.")
    if not current.can_record:
        raise ValidationError("Start the session before recording it.")


@transaction.atomic
def session_record_save(
    *,
    session: TreatmentSession,
    fields: dict[str, Any],
    depths: dict[str, tuple[Decimal | None, str]],
) -> TreatmentSession:
    """Save the record so far; ``depths`` maps each zone to (depth or None, reason)."""
    current = _locked(session)
    _require_open(current)
    zones = {z.name: z for z in zones_for(current.plan)}
    errors: dict[str, list[str]] = {}
    for name, (depth, _reason) in depths.items():
        zone = zones.get(name)
        if zone is None:
            errors.setdefault("__all__", []).append(f"{name} is not an area of this plan.")
        elif depth is not None and not CourseLimits.depth_ok(depth):
            errors.setdefault(name, []).append(
                f"A depth is more than 0 and at most {CourseLimits.MAX_DEPTH_MM} mm."
            )
    if errors:
        raise ValidationError(errors)
    for name in RECORD_FIELDS:
        if name in fields:
            setattr(current, name, fields[name])
    current.full_clean(exclude=["plan", "appointment"])
    current.save(update_fields=list(RECORD_FIELDS))
    skin = session_skin(current)
    for name, (depth, reason) in depths.items():
        if depth is None:
            SessionDepth.objects.filter(session=current, zone=name).delete()
            continue
        SessionDepth.objects.update_or_create(
            session=current, zone=name, defaults={"depth_mm": depth, "reason": reason.strip()}
        )
    # Every depth is judged for the skin as now recorded, also those saved before it was.
    for saved in current.depths.all():
        judged = zones[saved.zone].range_for(skin) if saved.zone in zones else None
        low, high = judged if judged is not None else (None, None)
        if (saved.guidance_low_mm, saved.guidance_high_mm) != (low, high):
            saved.guidance_low_mm, saved.guidance_high_mm = low, high
            saved.save(update_fields=["guidance_low_mm", "guidance_high_mm"])
    return current


@transaction.atomic
def session_sign(*, session: TreatmentSession, by: User, now: datetime) -> TreatmentSession:
    """Complete the session; from now on its record is read-only."""
    current = _locked(session)
    _require_open(current)
    errors: dict[str, list[str]] = {}
    if not current.device:
        errors["device"] = ["Record the device used."]
    if not current.needle_lot.strip():
        errors["needle_lot"] = ["Record the cartridge or needle lot."]
    depths = list(current.depths.all())
    if not depths:
        errors.setdefault("__all__", []).append("Record the depth used on at least one area.")
    for depth in depths:
        if depth.outside_guidance and not depth.reason.strip():
            errors.setdefault("__all__", []).append(
                f"{depth.zone}: {depth.depth_mm} mm is outside the guidance "
                f"({depth.guidance_low_mm} to {depth.guidance_high_mm} mm); say why."
            )
    if errors:
        raise ValidationError(errors)
    if current.appointment is None:
        raise ValidationError("This session has no appointment to complete.")
    booking.appointment_complete(appointment=current.appointment)
    current.status = ST.COMPLETED
    current.signed_at = now
    current.signed_by = by
    current.save(update_fields=["status", "signed_at", "signed_by"])
    aftercare_issue(session=current, by=by, now=now)
    plan = TreatmentPlan.objects.select_for_update().get(pk=current.plan_id)
    if not plan.sessions.exclude(status__in=TreatmentSession.FINISHED).exists():
        plan.status = TreatmentPlan.Status.COMPLETED
        plan.save(update_fields=["status", "updated_at"])
    return current
