"""The waitlist offer's page, from the link in its email: the patient books the freed
time or lets it go. Like the reply page it shows only the first name and the time; a
bad, tampered or expired link, and an offer no longer theirs, get a plain page."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from clinic.messaging.forms import OfferAnswerForm
from clinic.messaging.links import LinkExpired, LinkInvalid, offer_id_from
from clinic.messaging.views import _plain
from clinic.scheduling.models import WaitlistOffer
from clinic.scheduling.waitlist import OfferPassed, offer_accept, offer_decline
from clinic.staff.services import patients_online_user

PASSED = (
    "This time is no longer held for you",
    "It has been offered to the next person waiting. You stay on the waitlist, and we "
    "will write again when another time comes free.",
)


def offer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        offer_id = offer_id_from(token)
    except LinkExpired:
        return _plain(request, "This link has expired", "Please call the clinic.", 410)
    except LinkInvalid:
        offer_id = None
    found = (
        WaitlistOffer.objects.select_related(
            "entry__patient",
            "entry__appointment_type",
            "slot__location",
            "slot__practitioner__user",
        )
        .filter(pk=offer_id)
        .first()
        if offer_id is not None
        else None
    )
    if found is None:
        return _plain(
            request, "This link does not work",
            "Please check that the whole link was copied, or call the clinic.", 404,
        )  # fmt: skip
    now = timezone.now()
    accepted = found.status == WaitlistOffer.Status.ACCEPTED
    declined = found.status == WaitlistOffer.Status.DECLINED
    done = request.GET.get("done") == "1"
    if not found.is_held(now) and not ((accepted or declined) and done):
        # Passed on, declined or taken earlier: the link has done its work.
        if accepted:
            return _plain(request, "This link has been used", "Your appointment is booked.", 410)
        return _plain(request, *PASSED, 410)
    form = OfferAnswerForm(request.POST or None)
    problem = ""
    if request.method == "POST" and found.is_held(now):
        if form.is_valid():
            try:
                if form.cleaned_data["action"] == "accept":
                    result = offer_accept(offer=found, now=now, by=patients_online_user())
                    problem = result.problem
                else:
                    offer_decline(offer=found, now=now)
            except OfferPassed:
                return _plain(request, *PASSED, 410)
            except ValidationError as exc:
                problem = " ".join(exc.messages)
            if not problem:
                return redirect(f"{request.path}?done=1")
        else:
            problem = "Choose to book this time or not."
    slot = found.slot
    zone = slot.location.zone
    return render(
        request,
        "messaging/offer.html",
        {
            "first_name": found.entry.patient.first_name,
            "treatment": found.entry.appointment_type.name,
            "with": slot.practitioner.user.get_full_name(),
            "local": slot.starts_at.astimezone(zone),
            "held_until": found.expires_at.astimezone(zone),
            "zone_name": slot.location.time_zone,
            "place": slot.location.name,
            "booked": accepted,
            "declined": declined,
            "can_answer": found.is_held(now) and not problem,
            "problem": problem,
        },
        status=409 if problem else 200,
    )
