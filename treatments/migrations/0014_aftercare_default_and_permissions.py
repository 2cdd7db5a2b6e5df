"""Every treatment starts with the default aftercare (CLINICAL.md) as version 1.
Practitioners read templates and issued aftercare; the manager writes new versions."""

from django.db import migrations

from clinic.staff.role_grants import grant_role_permissions
from treatments.aftercare.defaults import DEFAULT_CALL_CLINIC, DEFAULT_FOLLOW_UP_DAYS, DEFAULT_STEPS

ROLE_PERMISSIONS = {
    "Practitioner": ["treatments.view_aftercaretemplate", "treatments.view_issuedaftercare"],
    "Clinic manager": ["treatments.view_aftercaretemplate", "treatments.add_aftercaretemplate"],
}


def create(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)
    Treatment = apps.get_model("treatments", "Treatment")
    AftercareTemplate = apps.get_model("treatments", "AftercareTemplate")
    for treatment in Treatment.objects.all():
        if not AftercareTemplate.objects.filter(treatment=treatment).exists():
            AftercareTemplate.objects.create(
                treatment=treatment,
                version=1,
                steps=DEFAULT_STEPS,
                call_clinic=DEFAULT_CALL_CLINIC,
                follow_up_days=DEFAULT_FOLLOW_UP_DAYS,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0013_aftercare"),
        ("staff", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
