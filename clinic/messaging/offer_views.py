"""The waitlist offer's page, from the link in its email: the patient books the freed
time or lets it go. Like the other patient pages it shows only the first name and the
time, counts against the link's and the address's throttle, and audits what the patient
does with the patient as the actor; a bad or tampered link answers 404, an expired,
passed or used one 410."""

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from clinic.messaging import self_service
from clinic.messaging.forms import OfferAnswerForm
from clinic.messaging.links import WAITLIST_OFFER
from clinic.messaging.patient_views import link_trouble, patient_plain
from clinic.messaging.selectors import phone_by
from clinic.messaging.self_service import ERASED
from clinic.scheduling.models import WaitlistOffer
from clinic.scheduling.waitlist import OfferPassed, offer_accept, offer_decline, waitlist_remove
from clinic.staff.client_ip import client_ip
from clinic.staff.web import TRY_AGAIN, is_lock_conflict

PASSED = (
    "This time is no longer held for you",
    "It has been offered to the next person waiting. You stay on the waitlist, and we "
    "will write again when another time comes free.",
)
# Let go while it was held: the time could no longer be booked (for this patient), or
# the patient is no longer on the waitlist (left it, was taken off, or booked).
NO_LONGER_FREE = (
    "This time is no longer free",
    "Sorry: it can no longer be booked. You stay on the waitlist, and we will write again "
    "when another time comes free.",
)
OFF_THE_LIST = ("You are no longer on the waitlist", "To book, please call the clinic.")

LEFT = (
    "You have left the waitlist",
    "We will not write to you about free times any more. To book, call the clinic.",
)
LEFT_REASON = "The patient left the list from an offer's page."


def _answer(
    request: HttpRequest, offer: WaitlistOffer, form: OfferAnswerForm
) -> HttpResponse | str:
    """Book or let go as the form says: where to go next, or why it could not be done."""
    if not form.is_valid():
        return "Choose to book this time or not."
    patient, address, now = offer.entry.patient, client_ip(request), timezone.now()
    action = form.cleaned_data["action"]
    try:
        with self_service.acting_patient(
            patient, action=f"waitlist offer: {action}", address=address
        ):
            if action == "accept":
                result = offer_accept(offer=offer, now=now, by=self_service.self_service_user())
                if result.problem:
                    return result.problem
            elif action == "leave":
                # Left and audited together, or neither, as on the plan's page.
                with transaction.atomic():
                    waitlist_remove(entry=offer.entry, reason=LEFT_REASON, now=now)
                    self_service.audit_patient_action(
                        offer, patient=patient, action="left the waitlist", address=address
                    )
                return patient_plain(request, *LEFT, 200, offer.slot.location.phone_display)
            else:
                offer_decline(offer=offer, now=now)
    except OfferPassed:
        return patient_plain(request, *PASSED, 410, offer.slot.location.phone_display)
    except ValidationError as exc:
        return " ".join(exc.messages)
    except DatabaseError as exc:
        if not is_lock_conflict(exc):
            raise
        return TRY_AGAIN
    return redirect(f"{request.path}?done=1")


OFFER_PHONE = phone_by(WaitlistOffer, "slot__location__phone")


def offer(request: HttpRequest, token: str) -> HttpResponse:
    found_id = link_trouble(request, token, WAITLIST_OFFER, phone_of=OFFER_PHONE)
    if isinstance(found_id, HttpResponse):
        return found_id
    found = (
        WaitlistOffer.objects.select_related(
            "entry__patient",
            "entry__appointment_type",
            "slot__location",
            "slot__practitioner__user",
        )
        .filter(pk=found_id[0])
        .first()
    )
    if found is None:
        return patient_plain(
            request, "This link does not work",
            "Please check that the whole link was copied, or call the clinic.", 404,
        )  # fmt: skip
    now = timezone.now()
    slot = found.slot
    phone = slot.location.phone_display
    if found.entry.patient.erasure_requested:
        return patient_plain(request, "This link can no longer be used", ERASED, 410, phone)
    accepted, declined = found.is_accepted, found.is_declined
    answered_here = (accepted or declined) and request.GET.get("done") == "1"
    if not found.is_held(now) and not answered_here:
        # Passed on, declined or taken earlier: the link has done its work.
        if accepted:
            return patient_plain(
                request, "This link has been used", "Your appointment is booked.", 410, phone
            )
        if found.is_withdrawn:
            gone = NO_LONGER_FREE if found.entry.is_open else OFF_THE_LIST
            return patient_plain(request, *gone, 410, phone)
        return patient_plain(request, *PASSED, 410, phone)
    problem = ""
    if request.method == "POST" and found.is_held(now):
        outcome = _answer(request, found, OfferAnswerForm(request.POST))
        if isinstance(outcome, HttpResponse):
            return outcome
        problem = outcome
    elif request.method == "GET" and not answered_here:
        self_service.audit_patient_action(
            found, patient=found.entry.patient, action="viewed a waitlist offer",
            address=client_ip(request),
        )  # fmt: skip
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
            "phone": phone,
            "booked": accepted,
            "declined": declined,
            # Asked to try again, the patient may answer again.
            "can_answer": found.is_held(now) and problem in ("", TRY_AGAIN),
            "problem": problem,
        },
        status=409 if problem else 200,
    )
