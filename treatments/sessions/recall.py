"""Cartridge-lot recall: which patients were treated with a lot (or a device model), and a
letter to each of them through the outbox.

A device maker's recall names a lot; every session records the lot it used, so the
answer is one query. Writing to those patients is one service: the letter is kept
(``LotRecall``, in the audit log with the patients it went to) and each patient's copy
is a row in the outbox, sent by the dispatcher like every other email.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from clinic.messaging.models import PatientMessage
from clinic.messaging.services import MessageToSchedule, messages_schedule_many
from patients.models import Patient
from treatments.models import LotRecall, TreatmentSession

SEARCH_LOT = "treatments.search_lot"
SEND_RECALL = "treatments.add_lotrecall"


# The heading row of the CSV export, in the order of ``csv_rows``.
CSV_HEADINGS = (
    "session date", "patient", "date of birth", "email", "practitioner", "device",
    "device model", "cartridge or needle lot", "session", "status",
)  # fmt: skip


@dataclass(frozen=True)
class LotQuery:
    """What to look for: a lot, a device model, or both (each matched whole, ignoring
    case and spaces around it)."""

    needle_lot: str = ""
    device_model: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "needle_lot", self.needle_lot.strip())
        object.__setattr__(self, "device_model", self.device_model.strip())
        if not (self.needle_lot or self.device_model):
            raise ValidationError("Give a cartridge or needle lot, a device model, or both.")

    @property
    def in_words(self) -> str:
        parts = [f"lot {self.needle_lot}" if self.needle_lot else "",
                 f"device {self.device_model}" if self.device_model else ""]  # fmt: skip
        return " and ".join(part for part in parts if part)


def draft_text(query: LotQuery) -> str:
    """A starting point for the letter; the practitioner says what this recall means."""
    return (
        f"The maker of the needle cartridges we used at your treatment has recalled a batch "
        f"({query.in_words}). Please call us so that we can talk it through with you and "
        f"check how your skin has healed."
    )


def sessions_using(query: LotQuery) -> QuerySet[TreatmentSession]:
    """Every session that recorded the lot (and device), newest first, with who was
    treated and by whom: one query, whatever the number."""
    sessions = TreatmentSession.objects.filter(started_at__isnull=False)
    if query.needle_lot:
        sessions = sessions.filter(needle_lot__iexact=query.needle_lot)
    if query.device_model:
        sessions = sessions.filter(device_model__iexact=query.device_model)
    return sessions.select_related(
        "plan__patient", "plan__location", "signed_by", "appointment__practitioner__user"
    ).order_by("-started_at", "-pk")


def treated_by(session: TreatmentSession) -> str:
    """Who treated: the practitioner who signed, or the one booked if not signed yet."""
    if session.signed_by is not None:
        return session.signed_by.get_full_name()
    if session.appointment is not None:
        return session.appointment.practitioner.user.get_full_name()
    return ""


def _cell(value: object) -> str:
    """A spreadsheet must not read a name such as "=cmd" as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def csv_rows(sessions: QuerySet[TreatmentSession]) -> Iterator[list[str]]:
    yield list(CSV_HEADINGS)
    for session in sessions:
        patient = session.plan.patient
        started = session.started_at
        day = started.astimezone(session.plan.location.zone).date() if started else None
        row = [
            day.isoformat() if day else "", patient.full_name,
            patient.date_of_birth.isoformat(), patient.email, treated_by(session),
            session.get_device_display(), session.device_model, session.needle_lot,
            f"{session.number} of {session.plan.sessions_planned}", session.get_status_display(),
        ]  # fmt: skip
        yield [_cell(value) for value in row]


def recall_patients(sessions: Iterable[TreatmentSession]) -> list[Patient]:
    """Each patient once, in the order of their newest session."""
    seen: dict[int, Patient] = {}
    for session in sessions:
        seen.setdefault(session.plan.patient_id, session.plan.patient)
    return list(seen.values())


# The same letter about the same lot within this long is a repeat, not a new recall.
RESEND_GUARD = timedelta(minutes=30)


@transaction.atomic
def lot_recall_send(*, query: LotQuery, text: str, by: User, now: datetime) -> LotRecall:
    """Write to every patient treated with the lot: the letter is kept with the patients
    it went to, and each copy goes through the outbox (consent and quiet hours apply)."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": ["Write what the patients need to know."]})
    same = LotRecall.objects.filter(
        needle_lot=query.needle_lot, device_model=query.device_model, text=text,
        sent_at__gte=now - RESEND_GUARD,
    ).first()  # fmt: skip
    if same is not None:
        # A second click, or the browser sending the form again: the patients have it.
        raise ValidationError(
            f"This letter went to these patients at {timezone.localtime(same.sent_at):%H:%M}:"
            " it is not sent twice."
        )
    sessions = list(sessions_using(query))
    patients = recall_patients(sessions)
    if not patients:
        raise ValidationError(f"No session used {query.in_words}: nobody to write to.")
    recall = LotRecall(
        needle_lot=query.needle_lot, device_model=query.device_model, text=text,
        sent_by=by, sent_at=now,
    )  # fmt: skip
    recall.full_clean()
    recall.save()
    recall.patients.set(patients)
    zones = {s.plan.patient_id: s.plan.location.time_zone for s in reversed(sessions)}
    messages_schedule_many(
        messages=[
            MessageToSchedule(
                patient=patient,
                kind=PatientMessage.Kind.RECALL,
                key=f"recall:{recall.pk}:patient:{patient.pk}",
                due_at=now,
                time_zone=zones.get(patient.pk, settings.TIME_ZONE),
                about=query.in_words,
                payload={"recall": recall.pk, "text": text},
            )
            for patient in patients
        ]
    )
    return recall
