"""The waitlist's email: a freed time offered to a waiting patient, with a link to take
it or let it go. The offer is held from when the email can go out (quiet hours may hold
the email back; the patient's time to answer starts then, never after the cut-off)."""

from django.conf import settings

from clinic.messaging.models import PatientMessage
from clinic.messaging.services import message_schedule
from clinic.scheduling.models import WaitlistOffer


def on_offered(sender: type, offer: WaitlistOffer, **kwargs: object) -> None:
    entry, slot = offer.entry, offer.slot
    message = message_schedule(
        patient=entry.patient,
        kind=PatientMessage.Kind.WAITLIST_OFFER,
        key=f"waitlist-offer:{offer.pk}",
        due_at=offer.offered_at,
        time_zone=slot.location.time_zone,
        about=f"held until {offer.expires_at.astimezone(slot.location.zone):%d %b %H:%M}",
        payload={"offer": offer.pk},
    )
    if message.due_at > offer.offered_at:
        # Quiet hours hold the email back: the patient's hold starts when it can go.
        later = min(
            message.due_at + settings.WAITLIST_HOLD, slot.starts_at - settings.WAITLIST_CUTOFF
        )
        if later > offer.expires_at:
            offer.expires_at = later
            offer.save(update_fields=["expires_at"])
