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

from django.contrib.auth.models import AnonymousUser, Permission, User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from clinic.staff.roles import Role

AnyUser = User | AnonymousUser
View = Callable[..., HttpResponse]


def user_roles(user: AnyUser) -> frozenset[Role]:
    """The roles of a signed-in, active user, read once per request and kept on the user."""
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    cached: frozenset[Role] | None = getattr(user, "_clinic_roles", None)
    if cached is None:
        by_group = {role.group_name: role for role in Role}
        names = user.groups.values_list("name", flat=True)
        cached = frozenset(by_group[name] for name in names if name in by_group)
        user._clinic_roles = cached  # type: ignore[attr-defined]  # a per-request memo
    return cached


def role_permissions(user: AnyUser) -> frozenset[str]:
    """The permissions ("app_label.codename") that the user's role groups grant."""
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_clinic_role_permissions", None)
    if cached is None:
        by_name = {role.group_name for role in Role}
        rows = Permission.objects.filter(group__user=user, group__name__in=by_name).values_list(
            "content_type__app_label", "codename"
        )
        cached = frozenset(f"{app_label}.{codename}" for app_label, codename in rows)
        user._clinic_role_permissions = cached  # type: ignore[attr-defined]
    return cached


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
