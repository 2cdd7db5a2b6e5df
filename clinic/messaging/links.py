"""Signed, expiring links from a patient's email: /m/<token>/ to reply, /w/<token>/ to
answer a waitlist offer, /history/<token>/ to tell the clinic about their health.

The token carries the message's id, signed with the secret key and stamped with the
time it was made; nothing else about the patient is in it.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "clinic.messaging.reply-link"


class LinkExpired(Exception):
    """A link whose signature holds but whose time is up. ``object_id`` is what it named,
    when it names one: enough to tell the patient which clinic to call, never to act."""

    def __init__(self, object_id: int | None = None) -> None:
        super().__init__(object_id)
        self.object_id = object_id


class LinkInvalid(Exception):
    pass


def _expired_id(token: str, salt: str, key: str) -> int | None:
    """The id an expired link names, read without its age (the signature is checked
    before the age, so it held); None when it names none."""
    try:
        data = signing.loads(token, salt=salt)
    except (signing.BadSignature, ValueError, UnicodeError):
        return None
    named = data.get(key) if isinstance(data, dict) else None
    return named if isinstance(named, int) and not isinstance(named, bool) else None


def reply_token(message_id: int) -> str:
    return signing.dumps({"m": message_id}, salt=SALT)


def reply_url(message_id: int) -> str:
    return settings.SITE_URL + reverse("messaging:reply", args=[reply_token(message_id)])


def message_id_from(token: str) -> int:
    """The message a token was made for; LinkExpired or LinkInvalid otherwise."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.MESSAGE_LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise LinkExpired(_expired_id(token, SALT, "m")) from exc
    except (signing.BadSignature, ValueError, UnicodeError) as exc:
        raise LinkInvalid from exc
    if not isinstance(data, dict) or not isinstance(data.get("m"), int):
        raise LinkInvalid
    return data["m"]


# --- Links for one purpose each ---------------------------------------------------------
#
# Each purpose signs with its own salt, so a token made for one purpose is not even a
# valid signature for another: a link to book a session cannot change an appointment.
# The token names one object (and, for an appointment, the version it was made for);
# the page then judges that object as it is now.

BOOK_SESSION = "clinic.messaging.book-session-link"
CHANGE_APPOINTMENT = "clinic.messaging.change-appointment-link"


def purpose_token(purpose: str, object_id: int, version: int = 0) -> str:
    return signing.dumps({"o": object_id, "v": version}, salt=purpose, compress=True)


def purpose_object(purpose: str, token: str) -> tuple[int, int]:
    """(object id, version) a token was made for; LinkExpired or LinkInvalid otherwise."""
    try:
        data = signing.loads(token, salt=purpose, max_age=settings.MESSAGE_LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise LinkExpired(_expired_id(token, purpose, "o")) from exc
    except (signing.BadSignature, ValueError, UnicodeError) as exc:
        raise LinkInvalid from exc
    return _named(data)


def _named(data: object) -> tuple[int, int]:
    """(object id, version) from a token's signed data; LinkInvalid when not that shape."""
    if not isinstance(data, dict):
        raise LinkInvalid
    object_id, version = data.get("o"), data.get("v")
    if not isinstance(object_id, int) or not isinstance(version, int):
        raise LinkInvalid
    return object_id, version


def book_session_url(session_id: int) -> str:
    """The page where a patient books a plan session (served by the treatments app)."""
    return settings.SITE_URL + reverse(
        "treatments:book_session", args=[purpose_token(BOOK_SESSION, session_id)]
    )


def change_appointment_path(appointment_id: int, version: int) -> str:
    """The page where a patient moves or cancels one version of an appointment."""
    token = purpose_token(CHANGE_APPOINTMENT, appointment_id, version)
    return reverse("messaging:change", args=[token])


def change_appointment_url(appointment_id: int, version: int) -> str:
    return settings.SITE_URL + change_appointment_path(appointment_id, version)


WAITLIST_OFFER = "clinic.messaging.waitlist-offer-link"


def offer_token(offer_id: int) -> str:
    """A waitlist offer's link; the offer's own hold decides whether it can still be
    taken, and the link outlives the hold only to say so."""
    return purpose_token(WAITLIST_OFFER, offer_id)


def offer_url(offer_id: int) -> str:
    return settings.SITE_URL + reverse("messaging:offer", args=[offer_token(offer_id)])


def offer_id_from(token: str) -> int:
    """The offer a token was made for; LinkExpired or LinkInvalid otherwise."""
    return purpose_object(WAITLIST_OFFER, token)[0]


HOME_HISTORY = "clinic.messaging.home-history-link"


def home_history_url(appointment_id: int) -> str:
    """The medical-history questionnaire before a consultation (served by the treatments
    app). The token names the appointment, not a version of it: the questionnaire
    follows the booking when it moves."""
    return settings.SITE_URL + reverse(
        "treatments:home_history", args=[purpose_token(HOME_HISTORY, appointment_id)]
    )
