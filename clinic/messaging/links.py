"""Signed, expiring links from a patient's email to /m/<token>/.

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
