"""The receivers listed in clinic/scheduling/signals.py are the ones connected: a receiver
added without being listed there (or listed and gone) fails here."""

import re
import weakref
from collections.abc import Callable
from typing import Any

import pytest
from django.dispatch import Signal

from clinic.scheduling import signals
from clinic.scheduling.models import Appointment, WaitlistOffer

SIGNALS = [
    "appointment_booked",
    "appointment_moved",
    "appointment_cancelled",
    "appointment_no_show",
    "appointment_badges",
    "waitlist_offered",
    "waitlist_accepting",
    "waitlist_booking",
]


def _listed() -> dict[str, set[str]]:
    """The docstring's list: a signal's name on a line of its own, each receiver below it
    indented by four spaces as ``module.function:``."""
    listed: dict[str, set[str]] = {}
    current = None
    for line in (signals.__doc__ or "").splitlines():
        if re.fullmatch(r"(appointment|waitlist)_\w+", line):
            current = listed.setdefault(line, set())
        elif current is not None and (found := re.match(r" {4}([\w.]+): ", line)):
            current.add(found.group(1))
    return listed


def _connected(signal: Signal) -> set[str]:
    names = set()
    for _key, receiver, *_ in signal.receivers:
        if isinstance(receiver, weakref.ReferenceType):
            receiver = receiver()
        if receiver is not None:
            function: Callable[..., Any] = receiver
            names.add(f"{function.__module__}.{function.__qualname__}")
    return names


def test_the_docstring_lists_every_signal():
    assert sorted(_listed()) == sorted(SIGNALS)


@pytest.mark.parametrize("name", SIGNALS)
def test_the_receivers_connected_are_exactly_those_listed(name):
    signal = getattr(signals, name)

    assert _connected(signal) == _listed()[name]
    assert signal.has_listeners(WaitlistOffer if name == "waitlist_offered" else Appointment)
