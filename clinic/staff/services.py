from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.staff.models import PractitionerProfile
from clinic.staff.roles import Role


@transaction.atomic
def staff_member_create(
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    roles: Iterable[Role],
    password: str | None = None,
    check_password_strength: bool = True,
    job_title: str = "",
    registration_body: str = "",
    registration_number: str = "",
    calendar_colour: str = PractitionerProfile.CalendarColour.TEAL,
) -> User:
    """Create a staff account in its role groups; practitioners also get a profile.

    Without a password the account cannot sign in until one is set. The password policy
    applies unless ``check_password_strength`` is off (only the demo loader turns it off).
    """
    roles = frozenset(roles)
    if not roles:
        raise ValidationError("A member of staff needs at least one role.")
    groups = list(Group.objects.filter(name__in=[role.group_name for role in roles]))
    if len(groups) != len(roles):
        raise ValidationError("The role groups are missing; run the migrations first.")

    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    # The admin is for the clinic manager; other roles work in the app's own pages.
    user.is_staff = Role.CLINIC_MANAGER in roles
    if password:
        if check_password_strength:
            validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    user.groups.set(groups)

    if Role.PRACTITIONER in roles:
        profile = PractitionerProfile(
            user=user,
            job_title=job_title or "Aesthetic practitioner",
            registration_body=registration_body,
            registration_number=registration_number,
            calendar_colour=calendar_colour,
        )
        profile.full_clean()
        profile.save()
    return user


def sign_in_records_purge(*, now: datetime) -> None:
    """Forget expired sessions and failed sign-in attempts whose cool-off is long over.

    Successful sign-ins (django-axes' access log) are kept: they are part of the record.
    """
    from axes.models import AccessAttempt

    Session.objects.filter(expire_date__lt=now).delete()
    AccessAttempt.objects.filter(attempt_time__lt=now - settings.AXES_COOLOFF_TIME).delete()


# The account a patient's own action from an email link is recorded under (an offered time
# they booked, say): never signed in, no role, no password.
PATIENTS_ONLINE = "patients-online"


def patients_online_user() -> User:
    user, _ = User.objects.get_or_create(
        username=PATIENTS_ONLINE,
        defaults={"first_name": "Patient", "last_name": "(online)", "is_active": False},
    )
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
