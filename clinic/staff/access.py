"""Who may see and do what. Every view asks these helpers, never the groups directly.

Two kinds of answer, as everywhere in the app:
- an object the user may not see does not exist for them (404);
- an action their role may not take is refused (403, ``PermissionDenied``).

Permissions come from the user's role groups only. Django's superuser flag grants nothing
here: a technical administrator does not read clinical notes unless also a practitioner.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import AnonymousUser, Group, User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from clinic.shared_cache import entry_key, generation_key, kept, new_generation
from clinic.staff.roles import Role

AnyUser = User | AnonymousUser
View = Callable[..., HttpResponse]


RoleFacts = tuple[frozenset[Role], frozenset[str]]
# What each signed-in user's roles are and grant, kept in the shared cache
# (clinic/shared_cache.py) under the generation of the roles: any change to who has which
# role, or to what a role grants, starts a new generation once it is committed.
ROLES = "staff:roles"
ROLE_CACHE_SECONDS = 300
ROLE_GENERATION_KEY = generation_key(ROLES)


def _role_key(user_id: object) -> str:
    return f"user:{user_id}"


def _role_cache_key(user_id: object) -> str:
    return entry_key(ROLES, _role_key(user_id))


def _read_role_facts(user: User) -> RoleFacts:
    """The user's role groups and what they grant, in one query."""
    by_group = {role.group_name: role for role in Role}
    rows = Group.objects.filter(user=user, name__in=by_group).values_list(
        "name", "permissions__content_type__app_label", "permissions__codename"
    )
    roles: set[Role] = set()
    permissions: set[str] = set()
    for name, app_label, codename in rows:
        roles.add(by_group[name])
        if codename is not None:
            permissions.add(f"{app_label}.{codename}")
    return frozenset(roles), frozenset(permissions)


def new_role_generation(**kwargs: Any) -> None:
    """Once the change is committed, every user's roles are read afresh (a signal
    receiver for changes to roles, their members and their permissions)."""
    new_generation(ROLES)


def _role_facts(user: User) -> RoleFacts:
    """Read once per request and kept on the user; between requests in the shared cache."""
    cached: RoleFacts | None = getattr(user, "_clinic_role_facts", None)
    if cached is None:
        cached = kept(
            ROLES, _role_key(user.pk), lambda: _read_role_facts(user), seconds=ROLE_CACHE_SECONDS
        )
        user._clinic_role_facts = cached  # type: ignore[attr-defined]  # a per-request memo
    return cached


def user_roles(user: AnyUser) -> frozenset[Role]:
    """The roles of a signed-in, active user."""
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    return _role_facts(user)[0]


def role_permissions(user: AnyUser) -> frozenset[str]:
    """The permissions ("app_label.codename") that the user's role groups grant."""
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    return _role_facts(user)[1]


def has_role_permission(user: AnyUser, permission: str) -> bool:
    return permission in role_permissions(user)


def require_permission(user: AnyUser, permission: str) -> None:
    """Refuse the action unless one of the user's roles grants ``permission``."""
    if not has_role_permission(user, permission):
        raise PermissionDenied


def permission_required(permission: str) -> Callable[[View], View]:
    """View decorator: 403 unless the signed-in user's role grants ``permission``.

    Goes under ``@login_required``, which sends anonymous visitors to sign in first.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require_permission(request.user, permission)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
