"""A line of the medical history's medicine list, as screening sees it."""

from dataclasses import dataclass
from datetime import date

from treatments.screening.medicines.matching import recognise
from treatments.screening.medicines.vocabulary import Route, find


@dataclass(frozen=True)
class MedicineLine:
    """One medicine the patient takes or took. Route and status are asked, never read
    from the text: ``route`` None means not asked yet (screening treats it as systemic,
    unless the medicine exists in one route only)."""

    text: str
    medicine_key: str | None
    route: Route | None = None
    current: bool = True
    stopped_on: date | None = None  # when not current; None: stopped, date unknown
    confirmed_not_relevant: bool = False


def unresolved_lines(lines: tuple[MedicineLine, ...]) -> tuple[MedicineLine, ...]:
    """The lines neither matched to a known medicine nor confirmed by the practitioner."""
    return tuple(
        line
        for line in lines
        if not line.confirmed_not_relevant
        and (line.medicine_key is None or find(line.medicine_key) is None)
    )


def lines_from_text(text: str) -> tuple[MedicineLine, ...]:
    """Free text, one medicine a line, as lines: each matched only if recognised exactly,
    taken now, route not asked."""
    lines = []
    for written in text.splitlines():
        written = written.strip()
        if written:
            medicine = recognise(written).medicine
            lines.append(MedicineLine(written, medicine.key if medicine else None))
    return tuple(lines)
