from datetime import timedelta

from auditlog.models import LogEntry
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from clinic.health import check_beat, health_report
from clinic.scheduling.calendar_views import SESSION_KEY
from clinic.scheduling.selectors import appointments_on, every_location
from clinic.staff.access import user_roles
from clinic.staff.roles import Role
from clinic.staff.selectors import audit_entry_list, staff_count_by_role
from clinic.today import front_desk_day


def _manager_summary() -> dict[str, object]:
    since = timezone.now() - timedelta(hours=24)
    return {
        "staff_by_role": [(role.label, n) for role, n in staff_count_by_role().items()],
        "audit_last_24h": LogEntry.objects.filter(timestamp__gte=since).count(),
        "recent_audit": list(audit_entry_list()[:5]),
        "beat": check_beat(),
    }


def _front_desk(request: HttpRequest) -> dict[str, object]:
    """One location's day: the one asked for, else the one last chosen in the book, else
    the first; its arrivals and to-do list (clinic/today.py)."""
    locations = every_location()
    wanted = request.GET.get("location") or request.session.get(SESSION_KEY, {}).get("location")
    location = next((loc for loc in locations if str(loc.pk) == str(wanted)), None)
    location = location or next(iter(locations), None)
    if location is None:
        return {"locations": []}
    now = timezone.now()
    return {
        "locations": locations,
        "desk": front_desk_day(location=location, now=now),
        "now": now,
    }


@login_required
@require_GET
def today(request: HttpRequest) -> HttpResponse:
    """The signed-in role's home: front desk, practitioner and manager each see their day."""
    roles = user_roles(request.user)
    if not roles:
        raise PermissionDenied("Your account has no role yet. Ask the clinic manager for one.")
    context: dict[str, object] = {
        "today": timezone.localdate(),
        "today_hour": timezone.localtime().hour,
        "is_front_desk": Role.FRONT_DESK in roles,
        "is_practitioner": Role.PRACTITIONER in roles,
        "is_manager": Role.CLINIC_MANAGER in roles,
    }
    if Role.CLINIC_MANAGER in roles:
        context["summary"] = _manager_summary()
    if Role.FRONT_DESK in roles:
        context |= _front_desk(request)
    if Role.PRACTITIONER in roles:
        context["my_day"] = list(
            appointments_on(timezone.localdate(), practitioner_user_id=request.user.pk)
        )
    return render(request, "clinic/today.html", context)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, broker and beat freshness, for load balancers and monitoring."""
    healthy, body = health_report()
    return JsonResponse(body, status=200 if healthy else 503)
