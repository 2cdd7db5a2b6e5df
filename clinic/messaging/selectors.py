"""Reads for the outbox: the clinic's message settings and what patients were sent."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from clinic.messaging.models import MessageSettings, PatientMessage
from clinic.scheduling.models import Appointment
from patients.validators import display_phone


def message_settings() -> MessageSettings:
    """The clinic's one row of message settings, made with the defaults on first use."""
    found, _ = MessageSettings.objects.get_or_create(pk=1)
    return found


def messages_listed() -> QuerySet[PatientMessage]:
    return PatientMessage.objects.select_related("patient", "appointment__location")


def messages_for_appointment(appointment_id: int) -> QuerySet[PatientMessage]:
    return (
        PatientMessage.objects.select_related("patient", "appointment")
        .filter(appointment_id=appointment_id)
        .order_by("-due_at", "-pk")
    )


def messages_for_patient(patient_id: int) -> QuerySet[PatientMessage]:
    return (
        PatientMessage.objects.select_related("patient", "appointment")
        .filter(patient_id=patient_id)
        .order_by("-due_at", "-pk")
    )


# --- The outbox a page at a time ------------------------------------------------------------
#
# Newest first, by (due_at, id), which an index matches with or without a status or kind.
# A page starts where the one before it ended (a keyset), so the fiftieth page costs what
# the first does, and nothing counts the whole table.


@dataclass(frozen=True)
class Place:
    """Where a page of the list starts or ends: a message's due time and id."""

    due_at: datetime
    pk: int


@dataclass(frozen=True)
class MessagePage:
    rows: list[PatientMessage]
    older: Place | None  # the last row, when older messages follow
    newer: Place | None  # the first row, when newer messages come before


LIST_COLUMNS = (
    "due_at", "kind", "about", "status", "last_error", "skip_reason", "reply", "reply_late",
    "appointment_version", "payload",  # a course confirmation lists its sessions there
    "patient__first_name", "patient__last_name", "patient__email",
    "patient__consents_to_transactional_email",
    "patient__restricted_at",
    "appointment__status", "appointment__version", "appointment__starts_at",
    "appointment__history_received_at",  # a history reminder will not go once it is in
)  # fmt: skip


def _older_than(place: Place) -> Q:
    # due_at <= the place's bounds the index scan; the rest breaks ties on the id.
    return Q(due_at__lte=place.due_at) & (Q(due_at__lt=place.due_at) | Q(pk__lt=place.pk))


def _newer_than(place: Place) -> Q:
    return Q(due_at__gte=place.due_at) & (Q(due_at__gt=place.due_at) | Q(pk__gt=place.pk))


def messages_page(
    *,
    status: str = "",
    kind: str = "",
    before: Place | None = None,
    after: Place | None = None,
    size: int = 50,
) -> MessagePage:
    """One page of the outbox, newest first: the newest, or those just older than
    ``before``, or just newer than ``after``. One query, one row more than the page to
    know whether the list goes on."""
    # Only what a row shows, and what it takes to tell whether it will still go
    # (services.messages_note_wont_send): the rest is read when the message is opened.
    listed = PatientMessage.objects.select_related("patient", "appointment").only(*LIST_COLUMNS)
    if status:
        listed = listed.filter(status=status)
    if kind:
        listed = listed.filter(kind=kind)
    if after is not None:
        rows = list(listed.filter(_newer_than(after)).order_by("due_at", "pk")[: size + 1])
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        return MessagePage(
            rows=rows,
            older=_place(rows[-1]) if rows else None,
            newer=_place(rows[0]) if rows and more_newer else None,
        )
    if before is not None:
        listed = listed.filter(_older_than(before))
    rows = list(listed.order_by("-due_at", "-pk")[: size + 1])
    more_older = len(rows) > size
    rows = rows[:size]
    return MessagePage(
        rows=rows,
        older=_place(rows[-1]) if rows and more_older else None,
        newer=_place(rows[0]) if rows and before is not None else None,
    )


def _place(message: PatientMessage) -> Place:
    return Place(due_at=message.due_at, pk=message.pk)


# Beyond this a count says "or more": the figure then tells nobody anything new, and
# counting further would read every row of a large backlog on each look at the list.
COUNTED_UP_TO = 1000


def messages_counted() -> dict[str, int]:
    """How many messages are in each status staff watch (due, sending, failed), up to
    COUNTED_UP_TO each, in one query that reads at most that many index entries a status
    and never the sent history."""
    table = PatientMessage._meta.db_table
    watched = list(PatientMessage.WATCHED)
    # The table's name is ours and every value a parameter.
    capped = "(SELECT COUNT(*) FROM (SELECT 1 FROM {} WHERE status = %s LIMIT %s) AS s{})"
    counts = ", ".join(capped.format(table, i) for i in range(len(watched)))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + counts,
            [value for status in watched for value in (status.value, COUNTED_UP_TO + 1)],
        )
        row = cursor.fetchone()
    return {status.value: n for status, n in zip(watched, row or (), strict=False)}


def cancel_request_open() -> Exists:
    """Whether an appointment's patient asked to cancel it and the request stands
    unanswered (the same requests as the front desk's to-do list), as a column of a query
    of appointments."""
    return Exists(
        PatientMessage.objects.filter(
            appointment_id=OuterRef("pk"),
            cancel_request_open=True,
            appointment__status__in=Appointment.UPCOMING,
        )
    )


def cancel_requests() -> QuerySet[PatientMessage]:
    """Patients who asked to cancel from an email and whose appointment still stands."""
    return (
        PatientMessage.objects.select_related("patient", "appointment__location")
        .filter(
            cancel_request_open=True,
            appointment__status__in=Appointment.UPCOMING,
        )
        .order_by("appointment__starts_at")
    )


def phone_by(model: type[Model], path: str) -> Callable[[int | None], str]:
    """How to find the number of the location one ``model`` row belongs to, ``path``
    leading from the row to the stored number: for an expired link's page (which may
    name no row: then no number)."""

    def phone_of(object_id: int | None) -> str:
        if object_id is None:
            return ""
        stored = model._default_manager.filter(pk=object_id).values_list(path, flat=True).first()
        return display_phone(stored) if stored else ""

    return phone_of
