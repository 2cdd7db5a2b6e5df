"""The treatment catalog the clinic manager keeps: area defaults and depth guidance."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from treatments.models import DepthGuidance, TreatmentArea

AREA_FIELDS = (
    "name",
    "default_sessions",
    "min_interval_days",
    "max_interval_days",
    "session_minutes",
    "is_active",
)


@transaction.atomic
def treatment_area_update(
    *, area: TreatmentArea, fields: dict[str, Any], guidance: list[dict[str, Any]]
) -> TreatmentArea:
    """Change an area's defaults and replace its depth guidance rows (in the order given).

    Plans already made keep their own numbers; session records keep the guidance they
    were judged against.
    """
    current = TreatmentArea.objects.select_for_update().get(pk=area.pk)
    for name in AREA_FIELDS:
        if name in fields:
            setattr(current, name, fields[name])
    if current.max_interval_days < current.min_interval_days:
        raise ValidationError(
            {"max_interval_days": ["This cannot be shorter than the shortest interval."]}
        )
    current.full_clean()
    current.save(update_fields=list(AREA_FIELDS))
    zones = [row["zone"].strip() for row in guidance]
    if len(set(zones)) != len(zones):
        raise ValidationError("Each zone appears once.")
    current.depths.exclude(zone__in=zones).delete()
    existing = {row.zone: row for row in current.depths.all()}
    for position, row in enumerate(guidance):
        values = {k: Decimal(row[k]) for k in ("thin_min_mm", "thin_max_mm", "thick_min_mm",
                                               "thick_max_mm")}  # fmt: skip
        if values["thin_min_mm"] > values["thin_max_mm"] or (
            values["thick_min_mm"] > values["thick_max_mm"]
        ):
            raise ValidationError(f"{row['zone']}: the lowest depth is above the highest.")
        zone = row["zone"].strip()
        row_obj = existing.get(zone) or DepthGuidance(area=current, zone=zone)
        row_obj.position = position
        for key, value in values.items():
            setattr(row_obj, key, value)
        row_obj.full_clean()
        row_obj.save()
    return current
