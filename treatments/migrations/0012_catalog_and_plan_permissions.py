"""The microneedling catalog as shipped (CLINICAL.md), and who may do what with plans.

Every figure here is a default the clinic manager can change on the catalog page. The
needle depth guidance is from manufacturers' charts (thin skin / thick skin); areas
without published guidance ship without any, and the clinic adds its own.
"""

from decimal import Decimal

from django.db import migrations

from clinic.staff.role_grants import grant_role_permissions

ROLE_PERMISSIONS = {
    "Practitioner": [
        "treatments.view_treatmentplan",
        "treatments.add_treatmentplan",
        "treatments.change_treatmentplan",
        "treatments.view_treatmentsession",
        "treatments.change_treatmentsession",
    ],
    # The front desk books a plan's sessions and sees its schedule, never the record.
    "Front desk": ["treatments.view_treatmentplan"],
}

# code, name, default sessions, session minutes, depth guidance rows
# (zone, thin min, thin max, thick min, thick max)
AREAS = [
    ("face", "Face", 4, 60, [
        ("Around the eyes", "0.25", "0.25", "0.25", "0.50"),
        ("Forehead", "0.25", "0.50", "0.50", "0.75"),
        ("Nose", "0.25", "0.25", "0.50", "0.50"),
        ("Upper lip", "0.25", "0.25", "0.25", "0.75"),
        ("Cheeks and chin", "0.50", "1.00", "1.00", "2.00"),
    ]),
    ("neck", "Neck", 3, 45, []),
    ("decolletage", "Décolletage", 3, 45, []),
    ("hands", "Hands", 3, 30, []),
    ("body", "Body and stretch marks", 6, 60, [
        ("Stretch marks", "1.50", "2.00", "1.50", "2.00"),
    ]),
    ("scars", "Scars", 6, 60, [
        ("Facial scars", "1.00", "1.25", "1.50", "2.00"),
    ]),
    ("scalp", "Scalp", 4, 45, []),
]  # fmt: skip


def create(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)
    AppointmentType = apps.get_model("scheduling", "AppointmentType")
    Treatment = apps.get_model("treatments", "Treatment")
    TreatmentArea = apps.get_model("treatments", "TreatmentArea")
    DepthGuidance = apps.get_model("treatments", "DepthGuidance")
    session_type, _ = AppointmentType.objects.get_or_create(
        name="Microneedling session",
        defaults={"kind": "treatment", "duration_minutes": 60, "buffer_after_minutes": 15},
    )
    treatment, created = Treatment.objects.get_or_create(
        name="Microneedling",
        defaults={
            "description": "Collagen induction therapy: a course of sessions 4 to 6 weeks apart.",
            "appointment_type": session_type,
        },
    )
    if not created:
        return
    for position, (code, name, sessions, minutes, depths) in enumerate(AREAS):
        area = TreatmentArea.objects.create(
            treatment=treatment,
            code=code,
            name=name,
            position=position,
            default_sessions=sessions,
            min_interval_days=28,
            max_interval_days=42,
            session_minutes=minutes,
        )
        for zone_position, (zone, thin_min, thin_max, thick_min, thick_max) in enumerate(depths):
            DepthGuidance.objects.create(
                area=area,
                zone=zone,
                position=zone_position,
                thin_min_mm=Decimal(thin_min),
                thin_max_mm=Decimal(thin_max),
                thick_min_mm=Decimal(thick_min),
                thick_max_mm=Decimal(thick_max),
            )


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0011_treatment_plans"),
        ("scheduling", "0003_role_permissions"),
        ("staff", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
