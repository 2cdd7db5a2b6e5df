"""Taking the medical history a patient gave at home into a draft consultation.

1. The practitioner takes an answer in as given, or records it differently (a corrected
   date, say): the consultation's ``MedicalHistory`` field is written, and a
   ``HistoryTakeIn`` keeps what the patient said beside what was recorded. The history
   from home itself never changes.
2. The medicine list is taken in as a whole and added to what the draft records
   (``medicines_add``): every line the draft already has stays (a medicine the patient
   forgot at home is never dropped), and the patient's lines it does not have are added.
   A line the vocabulary does not know waits for the practitioner to resolve, as any
   other does before signing.
3. After every take-in the consultation is screened again, as saving its form does.

"Take in all answers as given" takes in only the answers where the draft has nothing
different to lose: it records no answer (no, no date, nothing written) or the patient's
own. An answer the draft records differently (a bleeding disorder recorded yes, the
patient now saying no) is left for the practitioner to decide on its own.

An answer is taken in once per consultation. Taking it again is refused, saying so; from
then on it is changed on the consultation's form like any other answer.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from treatments.consultations.medicines import MedicineEntry, medicines_add
from treatments.consultations.selectors import answer_question as question
from treatments.consultations.services import ConsultationLocked, _record_screening
from treatments.models import (
    MEDICINES,
    Consultation,
    HistoryTakeIn,
    HomeHistory,
    MedicalHistory,
)
from treatments.models.home_history import (
    HistoryValue,
    answer_kind,
    history_value,
    stored_value,
)


class AsGiven:
    """The answer is taken in as the patient gave it."""

    def __repr__(self) -> str:
        return "AS_GIVEN"


AS_GIVEN = AsGiven()


def home_medicine_entries(home_history: HomeHistory) -> list[MedicineEntry]:
    """The patient's medicine list as the medicine service takes it (not yet matched:
    the service matches a line that names a medicine exactly)."""
    entries = []
    for line in home_history.medicines:
        stopped = line.get("stopped_on") or None
        entries.append(
            MedicineEntry(
                text=str(line.get("text") or ""),
                medicine_key=str(line.get("medicine_key") or ""),
                route=str(line.get("route") or ""),
                current=bool(line.get("current", True)),
                stopped_on=date.fromisoformat(stopped) if stopped else None,
                dose=str(line.get("dose") or ""),
            )
        )
    return entries


def _locked_draft(consultation: Consultation, by: User) -> Consultation:
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.is_signed:
        raise ConsultationLocked("This consultation is signed. Add an addendum instead.")
    if by != consultation.practitioner:
        raise ValidationError(
            "Only the practitioner who holds the consultation may take answers into it."
        )
    return consultation


def _check_home_history(consultation: Consultation, home_history: HomeHistory) -> None:
    if home_history.patient_id != consultation.patient_id:
        raise ValidationError("This history from home is another patient's.")
    if not home_history.is_submitted:
        raise ValidationError("The patient has not sent this history yet.")
    if consultation.take_ins.exclude(home_history=home_history).exists():
        raise ValidationError(
            "This consultation already takes its answers from another history from home."
        )


def _check_value(record: MedicalHistory, consulted_on: date, name: str, value: Any) -> None:
    """The rules the consultation's form holds, for one answer."""
    kind = answer_kind(name)
    if kind == "condition" and not isinstance(value, bool):
        raise ValidationError("Record yes or no.")
    if kind == "date":
        if value is not None and not isinstance(value, date):
            raise ValidationError("Record a date, or none.")
        if value is not None and value > consulted_on:
            raise ValidationError("This date is after the consultation. Check it.")
    if kind == "text" and not isinstance(value, str):
        raise ValidationError("Record the answer as text.")
    stopping = name == "taking_isotretinoin" and value is False and record.taking_isotretinoin
    if stopping and not record.isotretinoin_stopped_on:
        raise ValidationError(
            "They were taking isotretinoin: take in or record the date they stopped first."
        )


def _medicine_rows(consultation: Consultation, home_history: HomeHistory) -> list[Any]:
    rows = medicines_add(
        history=consultation.history,
        entries=home_medicine_entries(home_history),
        consulted_on=consultation.consulted_on,
    )
    return [
        {
            "text": row.text, "medicine_key": row.medicine_key, "route": row.route,
            "current": row.current, "dose": row.dose,
            "stopped_on": row.stopped_on.isoformat() if row.stopped_on else None,
        }
        for row in rows
    ]  # fmt: skip


def _take_in(
    consultation: Consultation,
    home_history: HomeHistory,
    name: str,
    by: User,
    recorded: HistoryValue | AsGiven,
    now: datetime,
) -> HistoryTakeIn:
    """One answer into the locked draft (no screening: the caller screens once)."""
    if name not in home_history.given_fields():
        raise ValidationError("The patient did not answer this question.")
    if consultation.take_ins.filter(field=name).exists():
        raise ValidationError(
            f"“{question(name)}” is already taken in. Change it on the consultation's form."
        )
    if name == MEDICINES:
        if recorded is not AS_GIVEN:
            raise ValidationError(
                "The medicine list is taken in as given; change its lines on the "
                "consultation's form."
            )
        said: Any = home_history.medicines
        written = _medicine_rows(consultation, home_history)
    else:
        said = home_history.answers[name]
        if isinstance(recorded, AsGiven) and answer_kind(name) == "date" and said is None:
            # "Had it, not sure when": taken in as given it would read as never.
            raise ValidationError(
                f"The patient had “{question(name)}” but is not sure when: ask them and "
                "record the date, roughly."
            )
        value = history_value(name, said) if isinstance(recorded, AsGiven) else recorded
        record = consultation.history
        _check_value(record, consultation.consulted_on, name, value)
        setattr(record, name, value)
        record.full_clean()
        record.save(update_fields=[name])
        written = stored_value(value)
    return HistoryTakeIn.objects.create(
        home_history=home_history, consultation=consultation, field=name,
        patient_said=said, recorded=written, by=by, at=now,
    )  # fmt: skip


@transaction.atomic
def history_answer_take_in(
    *,
    consultation: Consultation,
    home_history: HomeHistory,
    field: str,
    by: User,
    recorded: HistoryValue | AsGiven = AS_GIVEN,
    now: datetime | None = None,
) -> HistoryTakeIn:
    """Take one answer of the history from home into the draft: as the patient gave it
    (``recorded`` left as ``AS_GIVEN``) or as the practitioner records it instead; then
    screen the consultation again."""
    consultation = _locked_draft(consultation, by)
    _check_home_history(consultation, home_history)
    take_in = _take_in(consultation, home_history, field, by, recorded, now or timezone.now())
    _record_screening(consultation)
    return take_in


@dataclass
class TakenIn:
    """What "take in all answers as given" did: the answers taken, the ones it could not
    take with why, and the ones the draft records differently (``differing``, left for
    the practitioner to decide one by one)."""

    taken: list[HistoryTakeIn] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    differing: list[str] = field(default_factory=list)


def _would_overwrite(record: MedicalHistory, home_history: HomeHistory, name: str) -> bool:
    """Taking the answer in as given would lose something the draft records: its value is
    neither the field's empty one (no, no date, nothing written) nor the patient's."""
    if name == MEDICINES:
        return False  # added to, never overwritten
    now = getattr(record, name)
    if now is False or now is None or now == "":
        return False
    return bool(now != history_value(name, home_history.answers[name]))


def _all_order(names: list[str]) -> list[str]:
    # Dates first: a stop date is in before "taking isotretinoin: no" is checked.
    return sorted(names, key=lambda name: answer_kind(name) != "date")


@transaction.atomic
def history_take_in_all(
    *,
    consultation: Consultation,
    home_history: HomeHistory,
    by: User,
    now: datetime | None = None,
) -> TakenIn:
    """Take in, as given, every answer of the history from home not yet taken in, then
    screen the consultation again. An answer the draft records differently is left out
    (``differing``): taking it in would overwrite what is recorded, which is the
    practitioner's to decide line by line. An answer the consultation's rules refuse (a
    date after the consultation) is left out and said; the others still go in."""
    consultation = _locked_draft(consultation, by)
    _check_home_history(consultation, home_history)
    now = now or timezone.now()
    already = set(consultation.take_ins.values_list("field", flat=True))
    result = TakenIn()
    for name in _all_order([n for n in home_history.given_fields() if n not in already]):
        if _would_overwrite(consultation.history, home_history, name):
            result.differing.append(name)
            continue
        try:
            with transaction.atomic():
                result.taken.append(_take_in(consultation, home_history, name, by, AS_GIVEN, now))
        except ValidationError as exc:
            result.refused[name] = " ".join(exc.messages)
    if result.taken:
        _record_screening(consultation)
    return result
