"""Creating staff accounts: the service, its password policy, and the create_staff command."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from clinic.staff.access import user_roles
from clinic.staff.roles import Role
from clinic.staff.services import sign_in_records_purge, staff_member_create

pytestmark = pytest.mark.django_db

STRONG = "amber-lantern-quietly-47"


def _create(**overrides):
    fields = {
        "username": "lfischer",
        "first_name": "Lena",
        "last_name": "Fischer",
        "email": "lena@clinic.example",
        "roles": [Role.PRACTITIONER],
        "password": STRONG,
    }
    return staff_member_create(**{**fields, **overrides})


def test_a_practitioner_gets_the_role_and_a_profile():
    user = _create(registration_body="GMC", registration_number="7654321")

    assert user_roles(user) == {Role.PRACTITIONER}
    assert user.practitioner_profile.registration_number == "7654321"
    assert user.check_password(STRONG)


def test_a_front_desk_account_gets_no_practitioner_profile():
    user = _create(roles=[Role.FRONT_DESK])

    assert not hasattr(user, "practitioner_profile")


@pytest.mark.parametrize("weak", ["demo", "password123456", "12345678901234", "lfischer2024"])
def test_a_weak_password_is_refused_and_nothing_is_created(weak):
    with pytest.raises(ValidationError):
        _create(password=weak)

    assert not get_user_model().objects.filter(username="lfischer").exists()


def test_an_account_needs_a_role():
    with pytest.raises(ValidationError, match="at least one role"):
        _create(roles=[])


def test_a_taken_user_name_is_refused():
    _create()

    with pytest.raises(ValidationError):
        _create(email="other@clinic.example")


def test_without_a_password_the_account_cannot_sign_in_yet():
    user = _create(password=None)

    assert not user.has_usable_password()


def _create_manager_by_command() -> None:
    call_command(
        "create_staff",
        "hmarsh",
        "--role=clinic_manager",
        "--first-name=Helen",
        "--last-name=Marsh",
        "--email=helen@clinic.example",
    )


def test_the_command_creates_the_first_manager(monkeypatch, capsys):
    monkeypatch.setenv("STAFF_PASSWORD", STRONG)

    _create_manager_by_command()

    user = get_user_model().objects.get(username="hmarsh")
    assert user_roles(user) == {Role.CLINIC_MANAGER}
    assert "Created hmarsh (Clinic manager)." in capsys.readouterr().out


def test_the_command_explains_a_refused_password(monkeypatch):
    monkeypatch.setenv("STAFF_PASSWORD", "short")

    with pytest.raises(CommandError, match="too short"):
        _create_manager_by_command()


def test_the_command_asks_for_a_password_it_cannot_prompt_for(monkeypatch):
    monkeypatch.delenv("STAFF_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)

    with pytest.raises(CommandError, match="set STAFF_PASSWORD"):
        _create_manager_by_command()


def test_expired_sessions_and_stale_failed_attempts_are_purged(front_desk, settings):
    from axes.models import AccessAttempt
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    now = timezone.now()
    fresh = SessionStore()
    fresh.create()
    stale = SessionStore()
    stale.create()
    Session.objects.filter(session_key=stale.session_key).update(
        expire_date=now - timedelta(days=1)
    )
    AccessAttempt.objects.create(username="desk", ip_address="198.51.100.7", failures_since_start=5)
    AccessAttempt.objects.filter(username="desk").update(
        attempt_time=now - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    )
    AccessAttempt.objects.create(username="prac", ip_address="198.51.100.8", failures_since_start=2)

    sign_in_records_purge(now=now)

    assert list(Session.objects.values_list("session_key", flat=True)) == [fresh.session_key]
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["prac"]
