"""Who may see and do what. Every view asks these helpers, never the groups directly.

Two kinds of answer, as everywhere in the app:
- an object the user may not see does not exist for them (404);
- an action their role may not take is refused (403, ``PermissionDenied``).

Permissions come from the user's role groups only. Django's superuser flag grants nothing
here: a technical administrator does not read clinical notes unless also a practitioner.
"""

import logging
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Group, User
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from clinic.staff.roles import Role

logger = logging.getLogger(__name__)

AnyUser = User | AnonymousUser
View = Callable[..., HttpResponse]


RoleFacts = tuple[frozenset[Role], frozenset[str]]
# What each signed-in user's roles are and grant, kept in the shared cache (ROLE_CACHE)
# under the generation of the roles: any change to who has which role, or to what a
# role grants, starts a new generation once it is committed, and every entry of an older
# one is ignored from then on. The life is a backstop, not what makes it correct.
ROLE_CACHE_SECONDS = 300
ROLE_GENERATION_KEY = "staff:roles:generation"


def _role_cache_key(user_id: object) -> str:
    return f"staff:roles:user:{user_id}"


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


def _shared_role_facts(user: User) -> RoleFacts:
    """From the shared cache when its entry is of the current generation; else read, and
    kept under the generation seen before reading (a change committed meanwhile has moved
    the generation on, so what was read is never taken for after it)."""
    key = _role_cache_key(user.pk)
    try:
        found = cache.get_many([ROLE_GENERATION_KEY, key])
        generation = found.get(ROLE_GENERATION_KEY)
        if generation is None:
            cache.add(ROLE_GENERATION_KEY, secrets.token_hex(8), None)
            generation = cache.get(ROLE_GENERATION_KEY)
    except Exception:  # the cache is out of reach: the database answers
        logger.warning("The shared cache did not answer; roles read from the database.")
        return _read_role_facts(user)
    kept = found.get(key)
    if kept is not None and kept[0] == generation:
        return kept[1]
    facts = _read_role_facts(user)
    if generation is not None:
        try:
            cache.set(key, (generation, facts), ROLE_CACHE_SECONDS)
        except Exception:
            logger.warning("The shared cache did not keep a user's roles.")
    return facts


def new_role_generation(**kwargs: Any) -> None:
    """Once the change is committed, every user's roles are read afresh (a signal
    receiver for changes to roles, their members and their permissions)."""
    transaction.on_commit(
        lambda: cache.set(ROLE_GENERATION_KEY, secrets.token_hex(8), None), robust=True
    )


def _role_facts(user: User) -> RoleFacts:
    """Read once per request and kept on the user; between requests in the shared cache."""
    cached: RoleFacts | None = getattr(user, "_clinic_role_facts", None)
    if cached is None:
        cached = _shared_role_facts(user) if settings.ROLE_CACHE else _read_role_facts(user)
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
