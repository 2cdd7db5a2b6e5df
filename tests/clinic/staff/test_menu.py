"""Which menu entry is marked as the current page."""

import pytest

from clinic.staff.context_processors import _is_current


@pytest.mark.parametrize(
    ("entry", "view_name", "current"),
    [
        # An entry that has its namespace to itself owns every page in it.
        ("patients:list", "patients:detail", True),
        ("scheduling:calendar_day", "scheduling:appointment", True),
        # Treatments has several entries: each owns only its own pages.
        ("treatments:catalog", "treatments:catalog_area", True),
        ("treatments:aftercare_templates", "treatments:aftercare_template", True),
        ("treatments:screening_rules", "treatments:screening_rule", True),
        ("treatments:aftercare_templates", "treatments:session", False),
        ("treatments:aftercare_templates", "treatments:aftercare", False),
        ("treatments:catalog", "treatments:aftercare_templates", False),
        ("treatments:consent_texts", "treatments:consent_sign", False),
    ],
)
def test_the_current_menu_entry(entry, view_name, current):
    assert _is_current(entry, view_name) is current


def test_the_manager_sees_the_setup_pages_in_one_menu(manager_client):
    from django.urls import reverse

    response = manager_client.get(reverse("treatments:catalog"))

    items = response.context["nav_items"]
    labels = [item.label for item in items]
    assert labels == [
        "Today", "Calendar", "Messages", "Lot recall", "Setup", "Data requests", "Reports",
        "Audit log",
    ]  # fmt: skip
    setup = items[4]
    assert [child.label for child in setup.children] == [
        "Clinic setup", "Catalog", "Aftercare", "Screening rules", "Consent", "Staff",
    ]  # fmt: skip
    assert setup.active
    assert [child.active for child in setup.children] == [False, True, False, False, False, False]


def test_a_practitioner_keeps_aftercare_in_the_menu_itself(practitioner_client):
    from django.urls import reverse

    response = practitioner_client.get(reverse("today"))

    labels = [item.label for item in response.context["nav_items"]]
    assert "Aftercare" in labels
    assert "Setup" not in labels


def test_the_manager_reaches_the_read_only_calendar_from_the_menu(manager_client):
    from django.urls import reverse

    response = manager_client.get(reverse("today"))

    entry = next(item for item in response.context["nav_items"] if item.label == "Calendar")
    assert manager_client.get(reverse(entry.url_name)).status_code == 200


def test_the_front_desk_has_no_setup_menu(front_desk_client):
    from django.urls import reverse

    labels = [item.label for item in front_desk_client.get(reverse("today")).context["nav_items"]]
    assert "Calendar" in labels
    assert "Setup" not in labels
    assert "Clinic setup" not in labels
