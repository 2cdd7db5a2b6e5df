"""Addresses for the many rows of a day (Today's arrivals): ``{% url %}`` reverses each
one afresh, a third of what a busy list takes to draw. Each address is reversed once per
process with a marker for the id, and the id written into it after."""

from functools import lru_cache
from typing import Any

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

_MARKER = 9_999_999_999_999


@lru_cache(maxsize=64)
def _around_the_id(
    name: str, rest: tuple[str, ...], script_prefix: str, urlconf: Any
) -> tuple[str, str]:
    before, _, after = reverse(name, args=[_MARKER, *rest]).partition(str(_MARKER))
    return before, after


def address(name: str, pk: int, *rest: str) -> str:
    """``reverse(name, args=[pk, *rest])`` for an integer ``pk``."""
    before, after = _around_the_id(name, rest, get_script_prefix(), get_urlconf())
    return f"{before}{int(pk)}{after}"


@register.filter
def appointment_address(pk: int) -> str:
    """``{% url 'scheduling:appointment' pk %}``."""
    return address("scheduling:appointment", pk)


@register.filter
def appointment_action_address(pk: int, action: str) -> str:
    """``{% url 'scheduling:action' pk action %}``."""
    return address("scheduling:action", pk, action)


@register.filter
def patient_record_address(pk: int) -> str:
    """``{% url 'patients:detail' pk %}``."""
    return address("patients:detail", pk)
