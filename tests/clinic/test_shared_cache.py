"""The receivers that start a kept kind's generation afresh (clinic/shared_cache.py).

A signal keeps only a weak reference to a receiver. With DEBUG on, Django's cache of
receivers' signatures keeps them alive too; these tests empty that cache first, so that
a receiver only the signal refers to would be gone, as it would be in production.
"""

import gc
from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import inspect as django_inspect

from clinic.scheduling.models import Closure, Location
from clinic.shared_cache import BOOK_SETTING, FRONT_DESK_TO_DO, generation_key
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

KINDS = (FRONT_DESK_TO_DO, BOOK_SETTING)


def _generations() -> dict[str, object]:
    return {kind: cache.get(generation_key(kind)) for kind in KINDS}


@pytest.fixture
def without_debugs_references():
    django_inspect._get_func_parameters.cache_clear()  # type: ignore[attr-defined]
    gc.collect()


def test_a_save_starts_every_kind_it_shows_afresh_once_ready_has_returned(
    shared_cache, without_debugs_references, django_capture_on_commit_callbacks
):
    location = Location.objects.create(name="Bath", time_zone="Europe/London")
    before = _generations()
    with django_capture_on_commit_callbacks(execute=True):
        Closure.objects.create(
            location=location, first_day=date(2026, 12, 24), last_day=date(2026, 12, 26)
        )
    after = _generations()

    for kind in KINDS:
        assert after[kind] is not None
        assert after[kind] != before[kind]


def test_signing_in_starts_nothing_afresh(
    shared_cache, without_debugs_references, front_desk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Location.objects.create(name="Bath", time_zone="Europe/London")
    before = _generations()
    with django_capture_on_commit_callbacks(execute=True):
        signed_in = Client().post(
            reverse("login"), {"username": front_desk.username, "password": TEST_PASSWORD}
        )
    assert signed_in.status_code == 302  # its last sign-in was stamped on the account
    assert _generations() == before
