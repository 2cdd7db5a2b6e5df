"""Recognising a medicine line without guessing.

1. The line is normalised (case, accents, hyphens and spacing; numbers split off words).
2. Names of the vocabulary are found as whole runs of words, the longest first, so
   "5-ASA" is mesalazine and never the "ASA" of aspirin.
3. The line is recognised only when every other word is a dose, a frequency, a form or an
   instruction ("81 mg daily", "0.05% gel", "twice a day with food") and the names found
   are one medicine (or a product and its own ingredients: "DuoPlavin (clopidogrel and
   aspirin)"). Any other word ("stopped", "previously", an unknown name) leaves the line
   unrecognised: what it says is for the practitioner to answer, not for us to read.
4. Otherwise near spellings are offered as suggestions, best first, never applied.

Form words ("cream", "drops") are allowed around a name but never read as the route:
the route is a field the practitioner answers."""

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from treatments.screening.medicines.vocabulary import VOCABULARY, Medicine, normalise

# Words that may stand around a name without changing which medicine it is (the data file
# lists them, as they are part of what a version of the vocabulary recognises).
FILLER = VOCABULARY.filler
NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
LONGEST_NAME = max((len(name.split()) for name in VOCABULARY.names), default=1)
# A near spelling is offered from this similarity (rapidfuzz's ratio, 0 to 100); short
# words need to be closer, or "Asa" would suggest half the list.
SUGGESTION_SCORE = 70.0
SHORT_WORD_SCORE = 80.0


@dataclass(frozen=True)
class Recognition:
    medicine: Medicine | None
    suggestions: tuple[Medicine, ...]


def _is_filler(word: str) -> bool:
    return word in FILLER or NUMBER.match(word) is not None


def _named(words: list[str]) -> tuple[list[Medicine], list[str]]:
    """The medicines named in the words (longest names first), and the words left over."""
    found: list[Medicine] = []
    left: list[str] = []
    at = 0
    while at < len(words):
        for size in range(min(LONGEST_NAME, len(words) - at), 0, -1):
            medicine = VOCABULARY.names.get(" ".join(words[at : at + size]))
            if medicine is not None:
                found.append(medicine)
                at += size
                break
        else:
            left.append(words[at])
            at += 1
    return found, left


def _one_medicine(found: list[Medicine]) -> Medicine | None:
    """The one medicine the names agree on: the same one, or a product and its ingredients."""
    for candidate in found:
        own = set(candidate.ingredients)
        if all(
            m.key == candidate.key or (set(m.ingredients) <= own and not m.is_brand) for m in found
        ):
            return candidate
    return None


def _fuzzy(words: list[str], limit: int) -> list[tuple[Medicine, float]]:
    """Near spellings of runs of up to three words, best score per medicine."""
    best: dict[str, tuple[Medicine, float]] = {}
    for size in (1, 2, 3):
        for at in range(len(words) - size + 1):
            phrase = " ".join(words[at : at + size])
            if len(phrase) < 4:
                continue
            cutoff = SUGGESTION_SCORE if len(phrase) >= 6 else SHORT_WORD_SCORE
            for name, score, _ in process.extract(
                phrase, _NAMES, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit
            ):
                medicine = VOCABULARY.names[name]
                if medicine.key not in best or best[medicine.key][1] < score:
                    best[medicine.key] = (medicine, score)
    return sorted(best.values(), key=lambda pair: (-pair[1], pair[0].name))


_NAMES = tuple(VOCABULARY.names)
_FIRST_WORDS: dict[str, list[Medicine]] = {}
for _name, _medicine in VOCABULARY.names.items():
    if " " in _name and _medicine not in _FIRST_WORDS.get(_name.split()[0], []):
        _FIRST_WORDS.setdefault(_name.split()[0], []).append(_medicine)


@lru_cache(maxsize=4096)
def recognise(text: str) -> Recognition:
    """The medicine a line names exactly, or None with near matches to offer."""
    words = normalise(text).split()
    found, left = _named(words)
    unexplained = [word for word in left if not _is_filler(word)]
    medicine = _one_medicine(found) if found and not unexplained else None
    if medicine is not None:
        return Recognition(medicine, ())
    suggestions: list[Medicine] = []
    for named in found:  # names spelt right in a line we do not read: offered first
        if named not in suggestions:
            suggestions.append(named)
    content = [word for word in words if not _is_filler(word)]
    for word in content:  # "Excedrin" alone: the products whose name starts with it
        for named in _FIRST_WORDS.get(word, ()):
            if named not in suggestions:
                suggestions.append(named)
    for near, _ in _fuzzy(content, limit=5):
        if near not in suggestions:
            suggestions.append(near)
    return Recognition(None, tuple(suggestions[:5]))


def suggest(typed: str, limit: int = 8) -> tuple[Medicine, ...]:
    """Type-ahead: names starting with what is typed (shortest first), then near spellings."""
    words = [word for word in normalise(typed).split() if not _is_filler(word)]
    prefix = " ".join(words)
    if not prefix:
        return ()
    found: list[Medicine] = []
    starts = sorted(
        (name for name in _NAMES if name.startswith(prefix)), key=lambda name: (len(name), name)
    )
    for name in starts:
        medicine = VOCABULARY.names[name]
        if medicine not in found:
            found.append(medicine)
    if len(found) < limit:
        for near, _ in _fuzzy(words, limit=limit):
            if near not in found:
                found.append(near)
    return tuple(found[:limit])
