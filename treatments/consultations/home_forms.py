"""Checking what the patient typed into the questionnaire at home.

Each answer is checked on its own: a bad one gets its own message and the others are
kept, so that saving never loses what was typed. Medicine lines are matched against the
vocabulary exactly (never a guess) and kept as ``HomeHistory.medicines`` rows.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from treatments.consultations.home_questions import HOME_QUESTIONS, LINE_MAX, TEXT_MAX, Asked
from treatments.screening import medicines as vocabulary

# The most medicine lines a questionnaire keeps; beyond that, the practitioner asks.
MOST_MEDICINES = 30
EARLIEST_YEAR = 1900
NOT_SURE = "unsure"  # the checkbox beside a date: had it, not sure when
MEDICINE_PREFIX = "med"


@dataclass
class Checked:
    """The answers that passed their check, and a message for each one that did not."""

    answers: dict[str, Any] = field(default_factory=dict)
    medicines: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def invalid(self) -> set[str]:
        return {name for name in self.errors if name in HOME_QUESTIONS}


def _date(text: str, today: date) -> tuple[date | None, str]:
    """(the date, "") or (None, what is wrong)."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None, "Enter a date like 2025-03-14, or tick “not sure when”."
    if day.year < EARLIEST_YEAR:
        return None, f"Enter a date after {EARLIEST_YEAR}."
    if day > today:
        return None, "This date is in the future. Check it."
    return day, ""


NUL_MESSAGE = "This contains a character that cannot be kept (a null character). Remove it."


def _answer(name: str, asked: Asked, data: Mapping[str, str], today: date) -> tuple[Any, str]:
    """(answer, "") where absent means not answered (``...``), or (None, the message)."""
    value = data.get(name, "").strip()
    if "\x00" in value:
        return None, NUL_MESSAGE
    if asked is Asked.YES_NO:
        if value in ("yes", "no"):
            return value == "yes", ""
        return (..., "") if not value else (None, "Choose yes or no.")
    if asked is Asked.TEXT:
        if len(value) > TEXT_MAX:
            return None, f"Please keep this under {TEXT_MAX} characters."
        return (value, "") if value else (..., "")
    if value:
        day, error = _date(value, today)
        return (day.isoformat(), "") if day else (None, error)
    # Had it, not sure when: kept as null, which screening counts as recent.
    return (None, "") if data.get(f"{name}-{NOT_SURE}") else (..., "")


def medicine_row(text: str, *, current: bool, stopped_on: date | None, dose: str) -> dict[str, Any]:
    """A ``HomeHistory.medicines`` row: the medicine when the line names one exactly."""
    medicine = vocabulary.recognise(text).medicine
    return {
        "text": text,
        "medicine_key": medicine.key if medicine else "",
        "route": "",
        "current": current,
        "stopped_on": None if current or stopped_on is None else stopped_on.isoformat(),
        "dose": dose,
    }


MEDICINE_FIELDS = ("text", "dose", "stopped")


def _medicine(prefix: str, data: Mapping[str, str], today: date) -> tuple[dict[str, Any], str, str]:
    """(the line, "", "") or ({}, what is wrong, the field it is wrong in)."""
    fields = {name: data.get(f"{prefix}-{name}", "").strip() for name in MEDICINE_FIELDS}
    for name, value in fields.items():
        if "\x00" in value:
            return {}, NUL_MESSAGE, name
    for name in ("text", "dose"):
        if len(fields[name]) > LINE_MAX:
            return {}, f"Please keep the medicine and dose under {LINE_MAX} characters each.", name
    stopped = data.get(f"{prefix}-status") == "stopped"
    day = None
    if stopped and fields["stopped"]:
        day, error = _date(fields["stopped"], today)
        if error:
            return {}, error, "stopped"
    row = medicine_row(fields["text"], current=not stopped, stopped_on=day, dose=fields["dose"])
    return row, "", ""


def medicine_prefixes(data: Mapping[str, str]) -> list[str]:
    """The medicine lines posted ("med-0" ...), in order, at most MOST_MEDICINES."""
    return [f"{MEDICINE_PREFIX}-{i}" for i in range(MOST_MEDICINES) if f"med-{i}-text" in data]


def check_answers(data: Mapping[str, str], *, today: date) -> Checked:
    """Every answer posted, checked on its own against ``today`` at the location."""
    checked = Checked()
    for name, question in HOME_QUESTIONS.items():
        answer, error = _answer(name, question.asked, data, today)
        if error:
            checked.errors[name] = error
        elif answer is not ...:
            checked.answers[name] = answer
    for prefix in medicine_prefixes(data):
        row, error, wrong = _medicine(prefix, data, today)
        if error:
            # Named by the field that is wrong ("med-1-stopped"), the id of its input.
            checked.errors[f"{prefix}-{wrong}"] = error
        elif row.get("text"):
            checked.medicines.append(row)
    return checked
