"""Signed, expiring links from a patient's email: /m/<token>/ to reply, /w/<token>/ to
answer a waitlist offer.

The token carries the message's id, signed with the secret key and stamped with the
time it was made; nothing else about the patient is in it.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "clinic.messaging.reply-link"


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def reply_token(message_id: int) -> str:
    return signing.dumps({"m": message_id}, salt=SALT)


def reply_url(message_id: int) -> str:
    return settings.SITE_URL + reverse("messaging:reply", args=[reply_token(message_id)])


def message_id_from(token: str) -> int:
    """The message a token was made for; LinkExpired or LinkInvalid otherwise."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.MESSAGE_LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except (signing.BadSignature, ValueError, UnicodeError) as exc:
        raise LinkInvalid from exc
    if not isinstance(data, dict) or not isinstance(data.get("m"), int):
        raise LinkInvalid
    return data["m"]


# A waitlist offer's link: the offer's id, signed and stamped like a reply link.
OFFER_SALT = "clinic.messaging.waitlist-offer"


def offer_token(offer_id: int) -> str:
    return signing.dumps({"o": offer_id}, salt=OFFER_SALT)


def offer_url(offer_id: int) -> str:
    return settings.SITE_URL + reverse("messaging:offer", args=[offer_token(offer_id)])


def offer_id_from(token: str) -> int:
    """The offer a token was made for; LinkExpired or LinkInvalid otherwise. The offer's
    own hold decides whether it can still be taken; the link outlives it only to say so."""
    try:
        data = signing.loads(token, salt=OFFER_SALT, max_age=settings.MESSAGE_LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except (signing.BadSignature, ValueError, UnicodeError) as exc:
        raise LinkInvalid from exc
    if not isinstance(data, dict) or not isinstance(data.get("o"), int):
        raise LinkInvalid
    return data["o"]
