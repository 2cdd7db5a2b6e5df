"""The free-text medicines of every history become rows.

Each line is matched only when the vocabulary recognises it exactly (a near match is
never applied); a line not recognised stays unconfirmed, so a draft cannot be signed
until a practitioner has looked at it. The text itself stays on the history as written.
"""

from django.db import migrations


def text_to_rows(apps, schema_editor):
    from treatments.screening import medicines as vocabulary

    History = apps.get_model("treatments", "MedicalHistory")
    Line = apps.get_model("treatments", "MedicineLine")
    for history in History.objects.exclude(medications="").iterator():
        if Line.objects.filter(history=history).exists():
            continue
        written = [line.strip() for line in history.medications.splitlines() if line.strip()]
        for position, text in enumerate(written):
            row = Line(history=history, position=position, text=text[:500])
            medicine = vocabulary.recognise(text).medicine
            if medicine is not None:
                row.medicine_key, row.medicine_label = medicine.key, medicine.label
                row.ingredients = list(medicine.ingredients)
                row.classes = sorted(str(drug_class) for drug_class in medicine.classes)
                row.vocabulary_version = vocabulary.VOCABULARY_VERSION
            row.save()


def rows_to_nothing(apps, schema_editor):
    # The text was never removed, so going back only forgets the rows.
    apps.get_model("treatments", "MedicineLine").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0018_medicine_lines"),
    ]

    operations = [
        migrations.RunPython(text_to_rows, rows_to_nothing),
    ]
