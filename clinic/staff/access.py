"""Who may see and do what. Every view asks these helpers, never the groups directly.

Two kinds of answer, as everywhere in the app:
- an object the user may not see does not exist for them (404);
- an action their role may not take is refused (403, ``PermissionDenied``).
"""

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from clinic.staff.models import PractitionerProfile
from clinic.staff.roles import Role

AnyUser = User | AnonymousUser


def user_roles(user: AnyUser) -> frozenset[Role]:
    """The roles of a signed-in user, read once per request and kept on the user."""
    if not user.is_authenticated:
        return frozenset()
    cached: frozenset[Role] | None = getattr(user, "_clinic_roles", None)
    if cached is None:
        by_group = {role.group_name: role for role in Role}
        names = user.groups.values_list("name", flat=True)
        cached = frozenset(by_group[name] for name in names if name in by_group)
        user._clinic_roles = cached  # type: ignore[attr-defined]  # a per-request memo
    return cached


def has_role(user: AnyUser, role: Role) -> bool:
    return role in user_roles(user)


def require_permission(user: AnyUser, permission: str) -> None:
    """Refuse the action unless the user's role grants ``permission``."""
    if not (user.is_authenticated and user.is_active and user.has_perm(permission)):
        raise PermissionDenied


def practitioner_for_user(user: AnyUser, pk: int) -> PractitionerProfile:
    """A practitioner's profile, for any signed-in member of staff with a role."""
    if not user_roles(user):
        raise PermissionDenied
    return get_object_or_404(
        PractitionerProfile.objects.select_related("user"), pk=pk, user__is_active=True
    )
