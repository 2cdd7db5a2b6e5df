from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from clinic.staff.access import role_permissions, user_roles
from clinic.staff.mfa import mfa_required
from clinic.staff.middleware import MFA_ENROLLED
from clinic.staff.roles import MANAGE_CLINIC, VIEW_AUDIT_LOG, VIEW_REPORTS

# (label, url name, icon, the role permission that shows it: None for every role, a
# tuple for any one of them). The entries of SETUP_GROUP fold into one "Setup" menu when
# a role sees more than one. The clinic manager reads the calendar (without its actions).
SETUP_GROUP = {"Screening rules", "Consent", "Catalog", "Aftercare", "Clinic setup", "Staff"}
MENU = [
    ("Today", "today", "sun", None),
    (
        "Calendar",
        "scheduling:calendar_day",
        "calendar3",
        ("scheduling.view_appointment", MANAGE_CLINIC),
    ),
    ("Waitlist", "waitlist:list", "hourglass-split", "scheduling.view_appointment"),
    ("Patients", "patients:list", "people", "patients.view_patient"),
    ("Messages", "messaging:list", "envelope", "messaging.view_patientmessage"),
    ("Lot recall", "treatments:lot_recall", "upc-scan", "treatments.search_lot"),
    ("Clinic setup", "setup:overview", "gear", MANAGE_CLINIC),
    ("Catalog", "treatments:catalog", "journal-medical", MANAGE_CLINIC),
    ("Aftercare", "treatments:aftercare_templates", "bandaid", "treatments.view_aftercaretemplate"),
    ("Screening rules", "treatments:screening_rules", "shield-check", MANAGE_CLINIC),
    ("Consent", "treatments:consent_texts", "file-earmark-text", MANAGE_CLINIC),
    ("Data requests", "data_rights:requests", "shield-lock", MANAGE_CLINIC),
    ("Reports", "reporting:index", "bar-chart-line", VIEW_REPORTS),
    ("Audit log", "audit_log", "journal-text", VIEW_AUDIT_LOG),
    ("Staff", "staff_list", "person-badge", MANAGE_CLINIC),
]


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    active: bool
    children: tuple["NavItem", ...] = ()


def _grouped(items: list[NavItem]) -> list[NavItem]:
    """Fold the setup pages into one menu, in the place of the first of them."""
    setup = [item for item in items if item.label in SETUP_GROUP]
    if len(setup) < 2:
        return items
    group = NavItem("Setup", "", "sliders", any(i.active for i in setup), tuple(setup))
    folded: list[NavItem] = []
    for item in items:
        if item.label not in SETUP_GROUP:
            folded.append(item)
        elif item is setup[0]:
            folded.append(group)
    return folded


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


def _shown(granted: frozenset[str], permission: str | tuple[str, ...] | None) -> bool:
    if permission is None:
        return True
    wanted = (permission,) if isinstance(permission, str) else permission
    return any(name in granted for name in wanted)


def navigation(request: HttpRequest) -> dict[str, object]:
    """The menu a signed-in member of staff sees: only what their role may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"clinic_name": settings.CLINIC_NAME}
    view_name = getattr(request.resolver_match, "view_name", "") or ""
    granted = role_permissions(user)
    items = [
        NavItem(label, url_name, icon, _is_current(url_name, view_name))
        for label, url_name, icon, permission in MENU
        if _shown(granted, permission)
    ]
    verified = user.is_verified() if hasattr(user, "is_verified") else True
    return {
        "clinic_name": settings.CLINIC_NAME,
        # Signed in with the password but not yet the second factor: no menu yet.
        "second_factor_pending": not verified
        and (bool(request.session.get(MFA_ENROLLED)) or mfa_required(user)),
        "idle_timeout_seconds": int(settings.SESSION_IDLE_TIMEOUT.total_seconds()),
        "nav_items": _grouped(items),
        "user_role_labels": [role.label for role in sorted(user_roles(user))],
        # Whether audit entries of clinical records may show what changed in them.
        "sees_clinical": "treatments.view_consultation" in granted,
    }
