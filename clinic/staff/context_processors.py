from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from clinic.staff.access import has_role_permission, user_roles
from clinic.staff.roles import VIEW_AUDIT_LOG


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str


def navigation(request: HttpRequest) -> dict[str, object]:
    """The menu a signed-in member of staff sees: only what their role may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"clinic_name": settings.CLINIC_NAME}
    items = [NavItem("Today", "today", "sun")]
    if has_role_permission(user, VIEW_AUDIT_LOG):
        items.append(NavItem("Audit log", "audit_log", "journal-text"))
    roles = sorted(user_roles(user))
    return {
        "clinic_name": settings.CLINIC_NAME,
        "idle_timeout_seconds": int(settings.SESSION_IDLE_TIMEOUT.total_seconds()),
        "nav_items": items,
        "current_url_name": getattr(request.resolver_match, "url_name", None),
        "user_role_labels": [role.label for role in roles],
    }
