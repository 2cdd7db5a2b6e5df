"""The medicine vocabulary (data in ``medicines.toml``, sources cited there), matching that
does not guess, and the medicine lines screening judges. Plain Python, no database."""

from treatments.screening.medicines.lines import MedicineLine, lines_from_text, unresolved_lines
from treatments.screening.medicines.matching import Recognition, recognise, suggest
from treatments.screening.medicines.vocabulary import (
    VOCABULARY_VERSION,
    DrugClass,
    Medicine,
    Route,
    find,
    normalise,
)

__all__ = [
    "VOCABULARY_VERSION",
    "DrugClass",
    "Medicine",
    "MedicineLine",
    "Recognition",
    "Route",
    "find",
    "lines_from_text",
    "normalise",
    "recognise",
    "suggest",
    "unresolved_lines",
]
