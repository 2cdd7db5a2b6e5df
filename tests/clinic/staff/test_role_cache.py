"""What each signed-in user's roles grant, kept between requests in a shared cache.

The cache is only used when it is shared (SHARED_CACHE, on for a cache other than one
process's memory); these tests switch it on over the test's own memory cache, which is
what every web process would share.
"""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from clinic.staff.access import (
    ROLE_GENERATION_KEY,
    _role_cache_key,
    has_role_permission,
    role_permissions,
    user_roles,
)
from clinic.staff.roles import CLINICAL_WORK, FRONT_DESK_WORK, Role
from tests.factories import make_staff
from tests.signing_in import sign_in

pytestmark = pytest.mark.django_db


def _fresh(user: User) -> User:
    """The user as the next request loads them (nothing kept on the instance)."""
    return User.objects.get(pk=user.pk)


def test_a_shared_cache_is_not_assumed_from_one_process_memory(settings):
    from clinic import settings as clinic_settings

    assert clinic_settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
    assert clinic_settings.SHARED_CACHE is False


def test_without_the_shared_cache_roles_and_permissions_are_one_query(
    front_desk, django_assert_num_queries
):
    user = _fresh(front_desk)
    with django_assert_num_queries(1):
        assert user_roles(user) == {Role.FRONT_DESK}
        assert FRONT_DESK_WORK in role_permissions(user)
        assert not has_role_permission(user, CLINICAL_WORK)
    next_request = _fresh(front_desk)
    with django_assert_num_queries(1):
        user_roles(next_request)  # the next request reads again


def test_the_next_request_reads_nothing(shared_cache, front_desk, django_assert_num_queries):
    first = _fresh(front_desk)
    with django_assert_num_queries(1):
        assert user_roles(first) == {Role.FRONT_DESK}
    with django_assert_num_queries(0):
        again = _fresh_without_query(front_desk)
        assert user_roles(again) == {Role.FRONT_DESK}
        assert has_role_permission(again, FRONT_DESK_WORK)


def _fresh_without_query(user: User) -> User:
    """A copy of the user as another request would hold it, made without a query."""
    return User(pk=user.pk, username=user.username, is_active=True)


def test_a_role_taken_away_is_gone_at_the_next_request(
    shared_cache, practitioner, django_capture_on_commit_callbacks
):
    assert has_role_permission(_fresh(practitioner), CLINICAL_WORK)
    with django_capture_on_commit_callbacks(execute=True):
        practitioner.groups.set([Group.objects.get(name=Role.FRONT_DESK.label)])
    user = _fresh(practitioner)
    assert user_roles(user) == {Role.FRONT_DESK}
    assert not has_role_permission(user, CLINICAL_WORK)


def test_a_role_taken_away_from_the_group_side_is_gone_too(
    shared_cache, practitioner, django_capture_on_commit_callbacks
):
    assert user_roles(_fresh(practitioner)) == {Role.PRACTITIONER}
    with django_capture_on_commit_callbacks(execute=True):
        Group.objects.get(name=Role.PRACTITIONER.label).user_set.clear()
    assert user_roles(_fresh(practitioner)) == frozenset()


def test_a_permission_taken_from_a_role_is_gone_at_the_next_request(
    shared_cache, front_desk, django_capture_on_commit_callbacks
):
    assert has_role_permission(_fresh(front_desk), FRONT_DESK_WORK)
    permission = Permission.objects.get(codename=FRONT_DESK_WORK.split(".")[1])
    with django_capture_on_commit_callbacks(execute=True):
        Group.objects.get(name=Role.FRONT_DESK.label).permissions.remove(permission)
    assert not has_role_permission(_fresh(front_desk), FRONT_DESK_WORK)


def test_a_role_given_counts_at_the_next_request(shared_cache, django_capture_on_commit_callbacks):
    user = make_staff(username="newcomer", roles=[])
    assert user_roles(_fresh(user)) == frozenset()
    with django_capture_on_commit_callbacks(execute=True):
        user.groups.add(Group.objects.get(name=Role.CLINIC_MANAGER.label))
    assert user_roles(_fresh(user)) == {Role.CLINIC_MANAGER}


def test_nothing_changes_for_others_before_the_change_is_committed(
    shared_cache, practitioner, django_capture_on_commit_callbacks
):
    """The new generation starts on commit: a reader before it cannot keep what it read
    from before the change under the generation after it."""
    user_roles(_fresh(practitioner))
    before = cache.get(ROLE_GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        practitioner.groups.clear()
    assert cache.get(ROLE_GENERATION_KEY) == before
    for callback in callbacks:
        callback()
    assert cache.get(ROLE_GENERATION_KEY) != before
    assert user_roles(_fresh(practitioner)) == frozenset()


def test_an_entry_of_an_older_generation_is_ignored(shared_cache, front_desk):
    user_roles(_fresh(front_desk))
    cache.set(
        _role_cache_key(front_desk.pk),
        ("an older generation", (frozenset(Role), frozenset({CLINICAL_WORK}))),
    )
    user = _fresh(front_desk)
    assert user_roles(user) == {Role.FRONT_DESK}
    assert not has_role_permission(user, CLINICAL_WORK)


def test_a_generation_lost_from_the_cache_reads_afresh(shared_cache, front_desk):
    user_roles(_fresh(front_desk))
    cache.delete(ROLE_GENERATION_KEY)
    cache.set(_role_cache_key(front_desk.pk), (None, (frozenset(Role), frozenset({CLINICAL_WORK}))))
    assert not has_role_permission(_fresh(front_desk), CLINICAL_WORK)


def test_a_page_refuses_at_once_when_the_role_is_taken_away(
    shared_cache, manager, django_capture_on_commit_callbacks
):
    client = Client()
    sign_in(client, manager)
    url = reverse("audit_log")
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        manager.groups.set([Group.objects.get(name=Role.FRONT_DESK.label)])
    assert client.get(url).status_code == 403


def test_a_cache_out_of_reach_leaves_the_database_to_answer(shared_cache, front_desk, monkeypatch):
    def out_of_reach(*args, **kwargs):
        raise ConnectionError("no cache")

    monkeypatch.setattr(cache, "get_many", out_of_reach)
    user = _fresh(front_desk)
    assert user_roles(user) == {Role.FRONT_DESK}
    assert has_role_permission(user, FRONT_DESK_WORK)
