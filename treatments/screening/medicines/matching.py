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

from rapidfuzz import fuzz, process

from treatments.screening.medicines.vocabulary import (
    VOCABULARY,
    Medicine,
    Vocabulary,
    normalise,
)

NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
# A near spelling is offered from this similarity (rapidfuzz's ratio, 0 to 100); short
# words need to be closer, or "Asa" would suggest half the list.
SUGGESTION_SCORE = 70.0
SHORT_WORD_SCORE = 80.0
MOST_SUGGESTIONS = 5


@dataclass(frozen=True)
class Recognition:
    medicine: Medicine | None
    suggestions: tuple[Medicine, ...]
    # The medicines whose names are spelt right in a line not recognised ("warfarin,
    # stopped 2019"): the first suggestions, and what old free text is screened by.
    named: tuple[Medicine, ...] = ()


class Matcher:
    """Recognition and type-ahead over one vocabulary (the shipped one, or a test's)."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.names = tuple(vocabulary.names)
        self.longest = max((len(name.split()) for name in self.names), default=1)
        # "Excedrin" alone is no medicine, but the products named "Excedrin ..." are offered.
        self.first_words: dict[str, list[Medicine]] = {}
        for name, medicine in vocabulary.names.items():
            first, *rest = name.split()
            products = self.first_words.setdefault(first, [])
            if rest and medicine not in products:
                products.append(medicine)
        self._recognised: dict[str, Recognition] = {}

    def is_filler(self, word: str) -> bool:
        return word in self.vocabulary.filler or NUMBER.match(word) is not None

    def named(self, words: list[str]) -> tuple[list[Medicine], list[str]]:
        """The medicines named in the words (longest names first), and the words left."""
        found: list[Medicine] = []
        left: list[str] = []
        at = 0
        while at < len(words):
            for size in range(min(self.longest, len(words) - at), 0, -1):
                medicine = self.vocabulary.names.get(" ".join(words[at : at + size]))
                if medicine is not None:
                    found.append(medicine)
                    at += size
                    break
            else:
                left.append(words[at])
                at += 1
        return found, left

    def near(self, words: list[str], limit: int) -> list[Medicine]:
        """Near spellings of runs of up to three words, best first."""
        best: dict[str, tuple[Medicine, float]] = {}
        for size in (1, 2, 3):
            for at in range(len(words) - size + 1):
                phrase = " ".join(words[at : at + size])
                if len(phrase) < 4:
                    continue
                cutoff = SUGGESTION_SCORE if len(phrase) >= 6 else SHORT_WORD_SCORE
                for name, score, _ in process.extract(
                    phrase, self.names, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit
                ):
                    medicine = self.vocabulary.names[name]
                    if medicine.key not in best or best[medicine.key][1] < score:
                        best[medicine.key] = (medicine, score)
        ranked = sorted(best.values(), key=lambda pair: (-pair[1], pair[0].name))
        return [medicine for medicine, _ in ranked]

    def recognise(self, text: str) -> Recognition:
        recognition = self._recognised.get(text)
        if recognition is None:
            if len(self._recognised) > 10_000:  # a bound, for a long-running process
                self._recognised.clear()
            recognition = self._recognised[text] = self._recognise(text)
        return recognition

    def _recognise(self, text: str) -> Recognition:
        words = normalise(text).split()
        found, left = self.named(words)
        unexplained = [word for word in left if not self.is_filler(word)]
        medicine = _one_medicine(found) if found and not unexplained else None
        if medicine is not None:
            return Recognition(medicine, ())
        content = [word for word in words if not self.is_filler(word)]
        suggestions = [
            *found,  # names spelt right, in a line that says more than we read
            *(product for word in content for product in self.first_words.get(word, ())),
            *self.near(content, limit=MOST_SUGGESTIONS),
        ]
        return Recognition(None, _distinct(suggestions)[:MOST_SUGGESTIONS], _distinct(found))

    def suggest(self, typed: str, limit: int = 8) -> tuple[Medicine, ...]:
        words = [word for word in normalise(typed).split() if not self.is_filler(word)]
        prefix = " ".join(words)
        if not prefix:
            return ()
        starts = sorted(
            (name for name in self.names if name.startswith(prefix)),
            key=lambda name: (len(name), name),
        )
        found = _distinct([self.vocabulary.names[name] for name in starts])
        if len(found) < limit:
            found = _distinct([*found, *self.near(words, limit=limit)])
        return found[:limit]


def _distinct(medicines: list[Medicine]) -> tuple[Medicine, ...]:
    return tuple(dict.fromkeys(medicines))


def _one_medicine(found: list[Medicine]) -> Medicine | None:
    """The one medicine the names agree on: the same one, or a product and its generic
    ingredients ("DuoPlavin (clopidogrel, aspirin)"); two brands or two medicines: none."""
    for candidate in found:
        own = set(candidate.ingredients)
        if all(
            m.key == candidate.key or (set(m.ingredients) <= own and not m.is_brand) for m in found
        ):
            return candidate
    return None


MATCHER = Matcher(VOCABULARY)


def recognise(text: str) -> Recognition:
    """The medicine a line names exactly, or None with near matches to offer (best first,
    at most five), for the practitioner to accept or reject."""
    return MATCHER.recognise(text)


def suggest(typed: str, limit: int = 8) -> tuple[Medicine, ...]:
    """Type-ahead: names starting with what is typed (shortest first), then near spellings."""
    return MATCHER.suggest(typed, limit)
