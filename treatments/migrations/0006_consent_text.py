"""The first version of the microneedling consent text, in the clinic's own words."""

from django.db import migrations

BODY = """\
What the treatment is
Microneedling (collagen induction therapy) uses fine, sterile needles to make tiny channels in the skin. The skin's repair response builds new collagen over the following weeks. A course is usually 3 to 6 sessions, 4 to 6 weeks apart. Results vary from person to person and cannot be guaranteed.

What to expect
The skin is usually red and tight for 2 to 3 days, like mild sunburn, and can be longer after deeper treatment. Pinpoint bleeding, slight swelling, dryness and flaking are common. Numbing cream is offered before treatment.

Risks
Less often: bruising, infection, a flare of cold sores, temporary darker or lighter patches, raised or track-like marks, or an allergic reaction to products used. Serious complications are rare.

What I have told the clinic
I have answered the medical questions truthfully and will tell the clinic before each session if anything changes, including new medicines, pregnancy, illness, sunburn or other skin treatments.

Aftercare
I will follow the aftercare instructions I am given and contact the clinic at once if I notice spreading redness, heat, pus, fever, blistering or dark patches that do not fade.

My agreement
I have read this information, had the chance to ask questions, and agree to microneedling treatment. I understand I can withdraw my consent at any time before or during a session.
"""


def create(apps, schema_editor):
    ConsentText = apps.get_model("treatments", "ConsentText")
    ConsentText.objects.get_or_create(
        treatment="microneedling",
        version=1,
        defaults={"title": "Consent to microneedling treatment", "body": BODY},
    )


class Migration(migrations.Migration):
    dependencies = [("treatments", "0005_consent")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
