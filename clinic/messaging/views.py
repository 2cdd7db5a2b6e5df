"""The outbox for staff (/messages/) and the patient's page behind an email link (/m/)."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from clinic.messaging import selectors, services
from clinic.messaging.access import CHANGE, VIEW, message_for_user
from clinic.messaging.content import render as render_message
from clinic.messaging.forms import (
    MessageFilterForm,
    MessageSettingsForm,
    ReplyForm,
    place_token,
)
from clinic.messaging.links import LinkExpired, LinkInvalid, message_id_from
from clinic.messaging.models import PatientMessage
from clinic.messaging.patient_views import patient_plain
from clinic.messaging.selectors import Place, phone_by
from clinic.shared_cache import FRONT_DESK_TO_DO, kept_html
from clinic.staff.access import permission_required
from clinic.staff.audit import audit_list, audit_view
from clinic.staff.roles import MANAGE_CLINIC

PAGE_SIZE = 50
CANCEL_REQUESTS_SHOWN = 50
CANCEL_REQUESTS_KEPT_SECONDS = 60


def _cancel_requests_drawn() -> SafeString:
    """The patients asking to cancel, as the outbox draws them: the front desk's to-do
    (clinic/today.py) shows the same requests, and the list is kept in the shared cache
    under the same generation, which a saved message, appointment or patient and every
    request closed start afresh."""
    return kept_html(
        FRONT_DESK_TO_DO,
        "outbox:cancel-requests",
        "messaging/_cancel_requests.html",
        lambda: {"cancel_requests": list(selectors.cancel_requests()[:CANCEL_REQUESTS_SHOWN])},
        seconds=CANCEL_REQUESTS_KEPT_SECONDS,
    )


@login_required
@permission_required(VIEW)
def message_list(request: HttpRequest) -> HttpResponse:
    """What went to patients, what is due and what failed, newest first, a page at a
    time; patients who asked to cancel from an email are at the top until the front desk
    acts. A waiting message that will not go says so, and why."""
    form = MessageFilterForm(request.GET or None)
    chosen: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        chosen = form.cleaned_data
    page = selectors.messages_page(
        status=chosen.get("status", ""),
        kind=chosen.get("kind", ""),
        before=chosen.get("before"),
        after=chosen.get("after"),
        size=PAGE_SIZE,
    )
    services.messages_note_wont_send(page.rows, now=timezone.now())
    audit_list(PatientMessage, page="messages")
    counts = selectors.messages_counted()
    kept = {name: chosen[name] for name in ("status", "kind") if chosen.get(name)}
    return render(
        request,
        "messaging/message_list.html",
        {
            "form": form,
            "page": page,
            "lost_place": bool(form.errors.get("before") or form.errors.get("after")),
            "newest_url": "?" + urlencode(kept) if kept else "?",
            "older_url": _page_url(kept, before=page.older),
            "newer_url": _page_url(kept, after=page.newer),
            "counts": [
                (
                    status.value,
                    status.label,
                    min(counts.get(status.value, 0), selectors.COUNTED_UP_TO),
                    counts.get(status.value, 0) > selectors.COUNTED_UP_TO,
                )
                for status in PatientMessage.Status
                if status in PatientMessage.WATCHED
            ],
            "history": [
                (status.value, status.label)
                for status in PatientMessage.Status
                if status not in PatientMessage.WATCHED
            ],
            "cancel_requests_drawn": _cancel_requests_drawn(),
        },
    )


def _page_url(
    kept: dict[str, str], *, before: Place | None = None, after: Place | None = None
) -> str:
    """The address of the page that starts at ``before`` or ``after``, or "" for none."""
    if before is not None:
        return "?" + urlencode({**kept, "before": place_token(before)})
    if after is not None:
        return "?" + urlencode({**kept, "after": place_token(after)})
    return ""


@login_required
@permission_required(VIEW)
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The message as the patient reads it (rendered now, with a dead link)."""
    message = message_for_user(request.user, pk)
    audit_view(message, page="message", patient_id=message.patient_id)
    services.messages_note_wont_send([message], now=timezone.now())
    rendered = render_message(message, preview=True)
    return render(
        request, "messaging/message_detail.html", {"message": message, "rendered": rendered}
    )


@login_required
@permission_required(VIEW)
def message_html(request: HttpRequest, pk: int) -> HttpResponse:
    """The HTML version on its own, under a policy that lets its inline styles through
    and nothing else (no scripts, no forms, sandboxed)."""
    message = message_for_user(request.user, pk)
    audit_view(message, page="message (as sent)", patient_id=message.patient_id)
    response = HttpResponse(render_message(message, preview=True).html)
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "frame-ancestors 'none'; sandbox"
    )
    response._csp_exempt = True  # type: ignore[attr-defined]  # the header above is the policy
    return response


@login_required
@permission_required(CHANGE)
@require_POST
def message_resend(request: HttpRequest, pk: int) -> HttpResponse:
    message = message_for_user(request.user, pk)
    try:
        again = services.message_resend(message=message, now=timezone.now())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("messaging:detail", pk=pk)
    messages.success(request, "The message will go out again within a minute.")
    return redirect("messaging:detail", pk=again.pk)


@login_required
@permission_required(MANAGE_CLINIC)
def message_settings_edit(request: HttpRequest) -> HttpResponse:
    config = selectors.message_settings()
    form = MessageSettingsForm(request.POST or None, instance=config)
    if request.method == "POST" and form.is_valid():
        try:
            services.message_settings_save(config=config, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Message settings saved. New bookings use them.")
            return redirect("messaging:settings")
    return render(request, "messaging/message_settings.html", {"form": form})


# --- The patient's page (no sign-in) -------------------------------------------------------


MESSAGE_PHONE = phone_by(PatientMessage, "appointment__location__phone")


def reply(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm or ask to cancel, from the link in an email. Shows nothing beyond the
    first name, the date, the time and the place; a bad, tampered or expired link gets a
    plain page."""
    try:
        message_id = message_id_from(token)
    except LinkExpired as expired:
        return patient_plain(
            request, "This link has expired",
            "Please call or email the clinic about your appointment.", 410,
            MESSAGE_PHONE(expired.object_id),
        )  # fmt: skip
    except LinkInvalid:
        message_id = None
    message = (
        PatientMessage.objects.select_related("patient", "appointment__location")
        .filter(pk=message_id, appointment__isnull=False)
        .first()
        if message_id is not None
        else None
    )
    if message is None:
        return patient_plain(
            request, "This link does not work",
            "Please check that the whole link was copied, or call the clinic.", 404,
        )  # fmt: skip
    now = timezone.now()
    form = ReplyForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.message_reply(message=message, action=form.cleaned_data["action"], now=now)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("messaging:reply", token=token)
        message.refresh_from_db()
    appointment = message.appointment
    if appointment is None:  # filtered out above; this satisfies the types
        return patient_plain(request, "This link does not work", "Please call the clinic.", 404)
    local = appointment.starts_at.astimezone(appointment.location.zone)
    return render(
        request,
        "messaging/reply.html",
        {
            "message": message,
            "first_name": message.patient.first_name,
            "local": local,
            "zone_name": appointment.location.time_zone,
            "place": appointment.location.name,
            "problem": services.reply_problem(message, now) if not message.reply else None,
            "form": form,
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )
