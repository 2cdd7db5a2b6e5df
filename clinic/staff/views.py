from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from clinic.staff.access import permission_required
from clinic.staff.forms import AuditFilterForm
from clinic.staff.roles import VIEW_AUDIT_LOG
from clinic.staff.selectors import audit_entry_list

AUDIT_PAGE_SIZE = 50


def _local_midnight(day: object) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())  # type: ignore[arg-type]


@login_required
@permission_required(VIEW_AUDIT_LOG)
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Every change to, and every view of, audited records. Read-only by design."""
    form = AuditFilterForm(request.GET or None)
    entries = audit_entry_list()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        entries = audit_entry_list(
            action=data["action"],
            actor=data["actor"].strip(),
            since=_local_midnight(data["date_from"]) if data["date_from"] else None,
            until=(
                _local_midnight(data["date_to"] + timedelta(days=1)) if data["date_to"] else None
            ),
        )
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "staff/audit_log.html", {"form": form, "page": page})


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, object] | None = None,
) -> HttpResponse:
    """What django-axes shows while a user name and address are cooling off (HTTP 429)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    context = {"username": username, "cooloff_minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)


@login_required
@require_POST
def keepalive(request: HttpRequest) -> HttpResponse:
    """ "Stay signed in": the request itself counts as activity (SessionTimeoutMiddleware)."""
    return HttpResponse(status=204)
