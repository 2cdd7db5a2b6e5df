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
    """Free text written before medicines were rows, one medicine a line, as lines taken
    now with the route not asked.

    A line recognised exactly is that medicine. A line that is not, but names medicines
    spelt right ("warfarin, stopped 2019", "warfarin and aspirin"), gives a line for each,
    as the old word matching read it: old text never screens clearer than it did, and
    nobody has answered its status. Near spellings are never applied; a line naming
    nothing stays unmatched, for the practitioner."""
    lines: list[MedicineLine] = []
    for written in text.splitlines():
        written = written.strip()
        if not written:
            continue
        recognition = recognise(written)
        named = (recognition.medicine,) if recognition.medicine else recognition.named
        lines.extend(MedicineLine(written, medicine.key) for medicine in named)
        if not named:
            lines.append(MedicineLine(written, None))
    return tuple(lines)
