"""Addresses for the many rows of a day (Today's arrivals): ``{% url %}`` reverses each
one afresh, a third of what a busy list takes to draw. Each address is reversed once per
process with a marker for the id, and the id written into it after."""

from functools import lru_cache
from typing import Any

from django.urls import get_script_prefix, get_urlconf, reverse

_MARKER = 9_999_999_999_999


def here() -> tuple[str, Any]:
    """Where the current request reverses addresses: its script prefix and URLconf (a
    list of rows asks once, not once an address)."""
    return get_script_prefix(), get_urlconf()


@lru_cache(maxsize=64)
def around_the_id(name: str, rest: tuple[str, ...], where: tuple[str, Any]) -> tuple[str, str]:
    """What comes before and after the id in ``reverse(name, args=[id, *rest])``, for the
    request's ``where`` (``here()``: ``reverse`` reads them itself; they key the cache)."""
    before, _, after = reverse(name, args=[_MARKER, *rest]).partition(str(_MARKER))
    return before, after
