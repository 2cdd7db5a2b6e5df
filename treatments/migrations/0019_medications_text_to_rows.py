"""The free-text medicines of every history become rows.

A line the vocabulary recognises exactly is that medicine. A line that is not, but
names medicines spelt right ("warfarin and aspirin"), gives a matched row for each, as
the old word matching read it, so an old record never screens clearer than it did. A
near spelling is never applied, and a line naming nothing stays unconfirmed: a draft
cannot be signed until a practitioner has looked at it. The text itself stays on the
history as written.
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
        position = 0
        for text in written:
            recognition = vocabulary.recognise(text)
            named = (recognition.medicine,) if recognition.medicine else recognition.named
            for medicine in named or (None,):
                row = Line(history=history, position=position, text=text[:500])
                if medicine is not None:
                    row.medicine_key, row.medicine_label = medicine.key, medicine.label
                    row.ingredients = list(medicine.ingredients)
                    row.classes = sorted(str(drug_class) for drug_class in medicine.classes)
                    row.vocabulary_version = vocabulary.VOCABULARY_VERSION
                row.save()
                position += 1


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
