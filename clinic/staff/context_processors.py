from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from clinic.staff.access import has_role_permission, user_roles
from clinic.staff.roles import MANAGE_CLINIC, VIEW_AUDIT_LOG

# (label, url name, icon, the role permission that shows it; None: every role)
MENU = [
    ("Today", "today", "sun", None),
    ("Calendar", "scheduling:calendar_day", "calendar3", "scheduling.view_appointment"),
    ("Patients", "patients:list", "people", "patients.view_patient"),
    ("Messages", "messaging:list", "envelope", "messaging.view_patientmessage"),
    ("Screening rules", "treatments:screening_rules", "shield-check", MANAGE_CLINIC),
    ("Consent", "treatments:consent_texts", "file-earmark-text", MANAGE_CLINIC),
    ("Catalog", "treatments:catalog", "journal-medical", MANAGE_CLINIC),
    ("Aftercare", "treatments:aftercare_templates", "bandaid", "treatments.view_aftercaretemplate"),
    ("Clinic setup", "setup:overview", "gear", MANAGE_CLINIC),
    ("Audit log", "audit_log", "journal-text", VIEW_AUDIT_LOG),
]


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    active: bool


def _namespace(url_name: str) -> str:
    return url_name.rpartition(":")[0]


# Namespaces with one menu entry: every page in them belongs to that entry.
_SOLE_ENTRY = {
    name
    for name in {_namespace(url_name) for _, url_name, _, _ in MENU}
    if name and sum(_namespace(url_name) == name for _, url_name, _, _ in MENU) == 1
}


def _is_current(url_name: str, view_name: str) -> bool:
    """Whether the page belongs to this menu entry: the entry's own page and the pages
    named after it (catalog, catalog_area), or the whole namespace it has to itself."""
    if url_name == view_name:
        return True
    namespace = _namespace(url_name)
    if namespace in _SOLE_ENTRY:
        return view_name.startswith(f"{namespace}:")
    return view_name.startswith(url_name.removesuffix("s"))


def navigation(request: HttpRequest) -> dict[str, object]:
    """The menu a signed-in member of staff sees: only what their role may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"clinic_name": settings.CLINIC_NAME}
    view_name = getattr(request.resolver_match, "view_name", "") or ""
    items = [
        NavItem(label, url_name, icon, _is_current(url_name, view_name))
        for label, url_name, icon, permission in MENU
        if permission is None or has_role_permission(user, permission)
    ]
    return {
        "clinic_name": settings.CLINIC_NAME,
        "idle_timeout_seconds": int(settings.SESSION_IDLE_TIMEOUT.total_seconds()),
        "nav_items": items,
        "user_role_labels": [role.label for role in sorted(user_roles(user))],
        # Whether audit entries of clinical records may show what changed in them.
        "sees_clinical": has_role_permission(user, "treatments.view_consultation"),
    }
