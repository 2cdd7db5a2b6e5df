"""The treatment catalog: shipped defaults, and the manager's edits."""

import pytest
from django.urls import reverse

from treatments.models import DepthGuidance, TreatmentArea

pytestmark = pytest.mark.django_db
FORBIDDEN = {"front_desk": 403, "practitioner": 403, "outsider": 403, "anonymous": 302}


def test_the_shipped_catalog_has_every_area_and_the_clinical_depth_guidance():
    codes = set(TreatmentArea.objects.values_list("code", flat=True))
    assert codes == {"face", "neck", "decolletage", "hands", "body", "scars", "scalp"}
    eyes = DepthGuidance.objects.get(zone="Around the eyes")
    assert (str(eyes.thin_min_mm), str(eyes.thick_max_mm)) == ("0.25", "0.50")
    cheeks = DepthGuidance.objects.get(zone="Cheeks and chin")
    assert (str(cheeks.low), str(cheeks.high)) == ("0.50", "2.00")
    assert all(a.min_interval_days == 28 and a.max_interval_days == 42
               for a in TreatmentArea.objects.all())  # fmt: skip


def _form(area, **overrides):
    data = {
        "name": area.name, "default_sessions": 5, "min_interval_days": 30,
        "max_interval_days": 40, "session_minutes": 50, "is_active": "on",
        "depths-TOTAL_FORMS": "1", "depths-INITIAL_FORMS": "0",
        "depths-MIN_NUM_FORMS": "0", "depths-MAX_NUM_FORMS": "1000",
        "depths-0-zone": "Whole neck", "depths-0-thin_min_mm": "0.25",
        "depths-0-thin_max_mm": "0.50", "depths-0-thick_min_mm": "0.50",
        "depths-0-thick_max_mm": "1.00",
    }  # fmt: skip
    return {**data, **overrides}


def test_the_manager_edits_an_area_and_its_guidance(manager_client):
    neck = TreatmentArea.objects.get(code="neck")

    response = manager_client.post(reverse("treatments:catalog_area", args=[neck.pk]), _form(neck))

    assert response.status_code == 302
    neck.refresh_from_db()
    assert (neck.default_sessions, neck.min_interval_days, neck.session_minutes) == (5, 30, 50)
    assert list(neck.depths.values_list("zone", flat=True)) == ["Whole neck"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"max_interval_days": 20}, "max_interval_days"),
        ({"default_sessions": 40}, "default_sessions"),
        ({"session_minutes": "x"}, "session_minutes"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_catalog_input_gets_a_field_message(manager_client, overrides, field):
    neck = TreatmentArea.objects.get(code="neck")

    response = manager_client.post(
        reverse("treatments:catalog_area", args=[neck.pk]), _form(neck, **overrides)
    )

    assert response.status_code == 200
    assert field in response.context["form"].errors
    neck.refresh_from_db()
    assert neck.default_sessions == 3


@pytest.mark.parametrize(
    "overrides",
    [{"depths-0-thin_max_mm": "0.10"}, {"depths-0-thick_max_mm": "9"}, {"depths-0-zone": ""}],
)
def test_bad_guidance_is_refused(manager_client, overrides):
    neck = TreatmentArea.objects.get(code="neck")
    data = _form(neck, **overrides)
    if overrides.get("depths-0-zone") == "":
        data["depths-0-thin_min_mm"] = "0.25"  # a half-filled row without a zone

    response = manager_client.post(reverse("treatments:catalog_area", args=[neck.pk]), data)

    assert response.status_code == 200
    assert not neck.depths.exists()


@pytest.mark.parametrize("role", list(FORBIDDEN))
def test_only_the_manager_keeps_the_catalog(role_clients, role):
    neck = TreatmentArea.objects.get(code="neck")
    for url in (reverse("treatments:catalog"),
                reverse("treatments:catalog_area", args=[neck.pk])):  # fmt: skip
        assert role_clients[role].get(url).status_code == FORBIDDEN[role]
    response = role_clients[role].post(
        reverse("treatments:catalog_area", args=[neck.pk]), _form(neck)
    )
    assert response.status_code == FORBIDDEN[role]


def test_the_catalog_page_costs_a_fixed_number_of_queries(
    manager_client, django_assert_num_queries
):
    # session, user, role permissions, areas with treatments, their guidance, roles (menu)
    with django_assert_num_queries(6):
        response = manager_client.get(reverse("treatments:catalog"))
    assert "Cheeks and chin" in response.content.decode()
