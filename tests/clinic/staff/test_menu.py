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
