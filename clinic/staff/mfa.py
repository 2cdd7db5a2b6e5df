"""The second factor: an authenticator app's six-digit code, or a one-use recovery code.

django-otp keeps the devices (a TOTP device for the app, a static device holding the
recovery codes) and marks a session verified (``request.user.is_verified()``); this
module decides who needs one and does the writes: enrolment, verification and the
clinic manager's reset of a colleague's second factor.
"""

import base64
from base64 import b32encode
from binascii import unhexlify

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from clinic.staff.access import has_role_permission
from clinic.staff.roles import CLINICAL_WORK, MANAGE_CLINIC

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
TOTP_DIGITS = 6

# The work that needs a second factor: clinical records, and configuring the clinic
# (which includes its staff accounts).
SECOND_FACTOR_WORK = (CLINICAL_WORK, MANAGE_CLINIC)

WRONG_CODE = (
    "That code is not right, or it has expired. Enter the six digits your authenticator "
    "app shows now, or one of your recovery codes."
)


def mfa_required(user: User | AnonymousUser) -> bool:
    """Whether this member of staff must pass a second factor to use the app at all."""
    if not user.is_authenticated:
        return False
    if settings.MFA_REQUIRED_FOR_ALL or getattr(user, "is_staff", False):
        return True
    if getattr(user, "is_superuser", False):
        return True
    return any(has_role_permission(user, permission) for permission in SECOND_FACTOR_WORK)


def mfa_enrolled(user: User | AbstractBaseUser) -> bool:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def new_secret() -> str:
    """A new authenticator secret (hex), kept in the session until it is confirmed."""
    return random_hex(20)


def secret_for_typing(key: str) -> str:
    """The secret as an authenticator app asks for it by hand: base32, in groups of four."""
    text = b32encode(unhexlify(key)).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _unsaved_device(user: User | AbstractBaseUser, key: str) -> TOTPDevice:
    return TOTPDevice(user=user, key=key, name=AUTHENTICATOR_NAME, digits=TOTP_DIGITS)


def qr_code_data_uri(user: User | AbstractBaseUser, key: str) -> str:
    """The otpauth:// link as an SVG QR code in a data: URI (the CSP allows data: images)."""
    image = qrcode.make(
        _unsaved_device(user, key).config_url,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=8,
        border=2,
    )
    svg = image.to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def _normalised(token: str) -> str:
    return "".join(token.split()).lower()


def recovery_codes_replace(*, user: User | AbstractBaseUser) -> list[str]:
    """A fresh set of recovery codes; any earlier ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.MFA_RECOVERY_CODES)]
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return codes


@transaction.atomic
def mfa_enrol(
    *, user: User | AbstractBaseUser, key: str, token: str
) -> tuple[TOTPDevice, list[str]]:
    """Confirm an authenticator from the first code it shows; returns it and new recovery codes.

    Raises ``ValidationError`` when the code does not fit the secret (nothing is saved)
    or when the user already has an authenticator.
    """
    if mfa_enrolled(user):
        raise ValidationError("An authenticator app is already set up for this account.")
    device = _unsaved_device(user, key)
    device.confirmed = True
    device.full_clean()
    device.save()
    if not device.verify_token(_normalised(token)):
        # The atomic block forgets the device: the person tries again with the same QR code.
        transaction.set_rollback(True)
        raise ValidationError(
            "That code does not match. Enter the six digits the app shows now for this "
            "clinic (a new code appears every 30 seconds)."
        )
    return device, recovery_codes_replace(user=user)


def mfa_verify(*, user: User | AbstractBaseUser, token: str) -> Device | None:
    """The device that accepts ``token`` (a six-digit code, or a recovery code, which is then
    used up), or None. django-otp slows down repeated failures on each device."""
    token = _normalised(token)
    if not token or len(token) > 16:
        return None
    devices: list[Device]
    if token.isdigit() and len(token) == TOTP_DIGITS:
        devices = list(TOTPDevice.objects.filter(user_id=user.pk, confirmed=True))
    else:
        devices = list(StaticDevice.objects.filter(user_id=user.pk, confirmed=True))
    with transaction.atomic():
        for device in devices:
            if device.verify_token(token):
                return device
    return None


def recovery_codes_left(user: User | AbstractBaseUser) -> int:
    return StaticToken.objects.filter(device__user_id=user.pk, device__confirmed=True).count()


@transaction.atomic
def mfa_reset(*, user: User) -> int:
    """Remove a colleague's authenticator and recovery codes (they lost their phone).

    Their next page asks them to set up a new one; a session that had passed the old one
    stops counting as verified at once. Each device's removal is in the audit log with the
    manager as the actor. Returns how many devices were removed.
    """
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        for device in model.objects.filter(user=user):
            device.delete()
            removed += 1
    return removed
