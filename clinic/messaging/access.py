"""Who may read and resend patients' messages, asked in one place."""

from django.shortcuts import get_object_or_404

from clinic.messaging.models import PatientMessage
from clinic.messaging.selectors import messages_listed
from clinic.staff.access import AnyUser, require_permission

VIEW = "messaging.view_patientmessage"
CHANGE = "messaging.change_patientmessage"


def message_for_user(user: AnyUser, pk: int) -> PatientMessage:
    """The message, if the user's role may read messages (403 if not, 404 if none)."""
    require_permission(user, VIEW)
    return get_object_or_404(messages_listed(), pk=pk)
