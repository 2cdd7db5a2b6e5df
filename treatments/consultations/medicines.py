"""The medicines of a history as rows: what the practitioner's form gives, how it is
checked and saved, and how screening sees the rows.

A line counts once it is matched to a medicine of the vocabulary (recognised exactly,
or a suggestion the practitioner accepted) or a practitioner has confirmed it is not
relevant to microneedling. Near matches are only ever offered, never applied here.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone

from treatments.models import MedicalHistory, MedicineLine
from treatments.screening import medicines as vocabulary


@dataclass(frozen=True)
class MedicineEntry:
    """One line of the practitioner's medicine list, as the form gives it."""

    text: str
    medicine_key: str = ""  # the medicine matched or accepted; empty when none
    route: str = ""  # a ``Route`` value; empty when not asked
    current: bool = True
    stopped_on: date | None = None
    dose: str = ""
    confirmed: bool = False  # "checked: not relevant to microneedling"


def entries_from_text(text: str) -> list[MedicineEntry]:
    """Free text, one medicine a line, as entries (matched later, exactly or not at all)."""
    return [MedicineEntry(text=line.strip()) for line in text.splitlines() if line.strip()]


def entries_of(history: MedicalHistory) -> list[MedicineEntry]:
    """A saved history's rows as entries, to start a form or the next history from."""
    return [
        MedicineEntry(
            text=line.text,
            medicine_key=line.medicine_key,
            route=line.route,
            current=line.current,
            stopped_on=line.stopped_on,
            dose=line.dose,
            confirmed=line.is_confirmed,
        )
        for line in history.medicine_lines.all()
    ]


def matched(entry: MedicineEntry) -> MedicineEntry:
    """The entry with its medicine when the text names one exactly and none was chosen.

    An exact name is a match, not a guess; a near one stays unmatched until accepted.
    """
    if entry.medicine_key:
        return entry
    medicine = vocabulary.recognise(entry.text).medicine
    if medicine is None:
        return entry
    return MedicineEntry(
        text=entry.text, medicine_key=medicine.key, route=entry.route, current=entry.current,
        stopped_on=entry.stopped_on, dose=entry.dose, confirmed=False,
    )  # fmt: skip


def screened(entry: MedicineEntry) -> vocabulary.MedicineLine:
    """The entry as the screening engine judges it."""
    return vocabulary.MedicineLine(
        text=entry.text,
        medicine_key=entry.medicine_key or None,
        route=vocabulary.Route(entry.route) if entry.route else None,
        current=entry.current,
        stopped_on=None if entry.current else entry.stopped_on,
        confirmed_not_relevant=entry.confirmed and not entry.medicine_key,
    )


def screened_lines(entries: Iterable[MedicineEntry]) -> tuple[vocabulary.MedicineLine, ...]:
    return tuple(screened(matched(entry)) for entry in entries if entry.text.strip())


def history_lines(history: MedicalHistory) -> tuple[vocabulary.MedicineLine, ...]:
    """A saved history's rows as the screening engine judges them."""
    return screened_lines(entries_of(history))


def unresolved_message(lines: Iterable[vocabulary.MedicineLine]) -> str | None:
    """What to say when some lines are neither matched nor confirmed, naming them."""
    unresolved = vocabulary.unresolved_lines(tuple(lines))
    if not unresolved:
        return None
    names = ", ".join(f"“{line.text}”" for line in unresolved)
    return (
        f"Check the medicine {names}: choose the medicine it is, or confirm it is not "
        "relevant to microneedling."
    )


def _checked(entries: Sequence[MedicineEntry], consulted_on: date) -> list[MedicineEntry]:
    """The non-empty entries, matched where the text names a medicine exactly; bad
    entries are refused with a message naming the line."""
    checked, errors = [], []
    for entry in entries:
        text = entry.text.strip()
        if not text:
            continue
        if entry.medicine_key and vocabulary.find(entry.medicine_key) is None:
            errors.append(f"“{text}”: that medicine is not in the list. Choose it again.")
        if entry.route and entry.route not in {route.value for route in vocabulary.Route}:
            errors.append(f"“{text}”: choose how it is taken from the list.")
        if entry.current and entry.stopped_on:
            errors.append(f"“{text}”: taken now, so leave the stop date empty.")
        if entry.stopped_on and entry.stopped_on > consulted_on:
            errors.append(f"“{text}”: the stop date is after the consultation. Check it.")
        checked.append(matched(MedicineEntry(**{**entry.__dict__, "text": text})))
    if errors:
        raise ValidationError({"medicines": errors})
    return checked


def medicines_replace(
    *,
    history: MedicalHistory,
    entries: Sequence[MedicineEntry],
    by: User,
    consulted_on: date,
    now: datetime | None = None,
) -> list[MedicineLine]:
    """Make the history's medicine rows these entries (the caller holds the lock).

    A confirmation already given to the same unmatched text keeps who gave it and when;
    a new one is the practitioner saving now.
    """
    checked = _checked(entries, consulted_on)
    now = now or timezone.now()
    confirmed_before = {
        line.text: line for line in history.medicine_lines.all() if line.is_confirmed
    }
    history.medicine_lines.all().delete()
    rows = []
    for position, entry in enumerate(checked):
        row = medicine_row(entry, position=position)
        row.history = history
        if row.confirmed_at is None and entry.confirmed and not row.medicine_key:
            earlier = confirmed_before.get(entry.text)
            row.confirmed_by = earlier.confirmed_by if earlier else by
            row.confirmed_at = earlier.confirmed_at if earlier else now
        row.full_clean()
        row.save()
        rows.append(row)
    return rows


def _plain(text: str) -> str:
    """A line's text as two lines are compared: case and spacing aside."""
    return " ".join(text.split()).casefold()


def medicines_add(
    *, history: MedicalHistory, entries: Sequence[MedicineEntry], consulted_on: date
) -> list[MedicineLine]:
    """Add to the history's medicine rows the entries it does not have yet (the caller
    holds the lock); every row it has stays exactly as recorded. An entry is already there
    when a row has its medicine (once matched) or its text, case and spacing aside.
    Returns every row of the history, the added ones last."""
    checked = _checked(entries, consulted_on)
    rows = list(history.medicine_lines.order_by("position", "id"))
    keys = {row.medicine_key for row in rows if row.medicine_key}
    texts = {_plain(row.text) for row in rows}
    position = max((row.position for row in rows), default=-1) + 1
    for entry in checked:
        if (entry.medicine_key and entry.medicine_key in keys) or _plain(entry.text) in texts:
            continue
        row = medicine_row(entry, position=position)
        row.history = history
        row.full_clean()
        row.save()
        rows.append(row)
        keys.add(row.medicine_key)
        texts.add(_plain(row.text))
        position += 1
    return rows


def medicine_row(entry: MedicineEntry, *, position: int) -> MedicineLine:
    """An unsaved row for a checked entry, with what the vocabulary says of its medicine
    now (kept on the row, so a later vocabulary does not rewrite it)."""
    medicine = vocabulary.find(entry.medicine_key) if entry.medicine_key else None
    row = MedicineLine(
        position=position, text=entry.text, route=entry.route, current=entry.current,
        stopped_on=None if entry.current else entry.stopped_on, dose=entry.dose.strip(),
    )  # fmt: skip
    if medicine is not None:
        row.medicine_key, row.medicine_label = medicine.key, medicine.label
        row.ingredients = list(medicine.ingredients)
        row.classes = sorted(str(drug_class) for drug_class in medicine.classes)
        row.vocabulary_version = vocabulary.VOCABULARY_VERSION
    return row


def medicines_copy(*, source: MedicalHistory, target: MedicalHistory) -> None:
    """Start a new history with the last one's rows, exactly as they were recorded."""
    for line in source.medicine_lines.all():
        line.pk, line.history = None, target
        line.save()
