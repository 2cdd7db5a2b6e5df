"""Staff accounts in the app: the clinic manager's invitations, roles, switching off and
resets, and the password links everyone receives.

Every write is here; changes to accounts and their roles reach the audit log through
django-auditlog's registration of the user model (clinic/staff/apps.py).

A password link (an invitation, a reset) is Django's password-reset token: it is tied to
the account's password and last sign-in, so it works once, and it expires after
``PASSWORD_RESET_TIMEOUT``.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Literal

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from clinic.staff.models import PasswordLinkRequest
from clinic.staff.roles import Role
from clinic.staff.services import staff_member_create

LinkPurpose = Literal["invitation", "reset"]
PASSWORD_REQUEST_WINDOW = timedelta(hours=1)

# The account recorded as having booked what patients book themselves from an email link
# (clinic.messaging.self_service): it never signs in, and is nobody's to manage.
SELF_SERVICE_USERNAME = "patient-online"


def password_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("password_set", args=[uid, token])


def password_link_send(*, user: User, purpose: LinkPurpose) -> None:
    """Email the member of staff a link to set their password, once the transaction commits."""
    context = {
        "user": user,
        "link": password_link(user),
        "clinic_name": settings.CLINIC_NAME,
        "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
    }
    subject = (
        f"Your account at {settings.CLINIC_NAME}"
        if purpose == "invitation"
        else f"Set a new password for {settings.CLINIC_NAME}"
    )
    body = render_to_string(f"staff/email/{purpose}.txt", context)
    message = EmailMessage(subject, body, to=[user.email])
    transaction.on_commit(lambda: message.send())


def _role_groups(roles: Iterable[Role]) -> list[Group]:
    roles = frozenset(roles)
    if not roles:
        raise ValidationError("A member of staff needs at least one role.")
    return list(Group.objects.filter(name__in=[role.group_name for role in roles]))


@transaction.atomic
def staff_member_invite(
    *, username: str, first_name: str, last_name: str, email: str, roles: Iterable[Role]
) -> User:
    """A new account without a password, and an email with the link to set one."""
    if not email:
        raise ValidationError({"email": "An invitation needs an email address."})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "That user name is taken."})
    user = staff_member_create(
        username=username, first_name=first_name, last_name=last_name, email=email, roles=roles
    )
    password_link_send(user=user, purpose="invitation")
    return user


@transaction.atomic
def staff_member_update(
    *, user: User, first_name: str, last_name: str, email: str, roles: Iterable[Role], by: User
) -> User:
    """Change a colleague's name, address and roles. A manager keeps their own manager role,
    so the clinic is never left without one by accident."""
    roles = frozenset(roles)
    if user.pk == by.pk and Role.CLINIC_MANAGER not in roles:
        raise ValidationError({"roles": "You cannot take the clinic manager role from yourself."})
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.is_staff = Role.CLINIC_MANAGER in roles or user.is_superuser
    user.full_clean()
    user.save(update_fields=["first_name", "last_name", "email", "is_staff"])
    user.groups.set(_role_groups(roles))
    if Role.PRACTITIONER in roles and not hasattr(user, "practitioner_profile"):
        from clinic.staff.models import PractitionerProfile

        PractitionerProfile.objects.create(user=user)
    return user


@transaction.atomic
def staff_member_switch(*, user: User, active: bool, by: User) -> User:
    """Switch an account off (it can no longer sign in; nothing is deleted) or on again."""
    if user.pk == by.pk and not active:
        raise ValidationError("You cannot switch off your own account.")
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


def _email_digest(email: str) -> str:
    return salted_hmac("password-link-request", email.strip().lower()).hexdigest()


@transaction.atomic
def password_link_request(*, email: str, ip_address: str | None, now: datetime) -> bool:
    """ "Forgot your password?": email a link to the active account with this address, if any.

    Throttled per address typed and per client address (rows of the last hour, so every
    web process counts the same). The answer the person sees is the same whether or not an
    account matched; the return value says only whether the request was within the limits.
    """
    since = now - PASSWORD_REQUEST_WINDOW
    digest = _email_digest(email)
    recent = PasswordLinkRequest.objects.filter(requested_at__gte=since)
    if recent.filter(email_digest=digest).count() >= settings.PASSWORD_RESET_LIMIT_PER_EMAIL or (
        ip_address is not None
        and recent.filter(ip_address=ip_address).count() >= settings.PASSWORD_RESET_LIMIT_PER_IP
    ):
        return False
    PasswordLinkRequest.objects.create(email_digest=digest, ip_address=ip_address, requested_at=now)
    for user in User.objects.filter(email__iexact=email.strip(), is_active=True):
        password_link_send(user=user, purpose="reset")
    return True


def password_link_requests_purge(*, now: datetime) -> None:
    PasswordLinkRequest.objects.filter(requested_at__lt=now - PASSWORD_REQUEST_WINDOW).delete()
