"""Check the medicine vocabulary: ``python -m treatments.screening.medicines.check``.

Lists every problem and exits 1 when there is one:

1. The data file reads (TOML itself refuses a name given twice in one table).
2. No two medicines share a key, and no two share a name or alias once case, accents,
   hyphens and spacing are set aside.
3. Every class and route is one the screening knows.
4. Every ingredient has an ATC code of the right shape, or says why it has none.
5. Every product's ingredients are listed as ingredients.
6. No name is also a word allowed around names ("gel", "daily").
7. Every name and alias, written on its own, is recognised as its own medicine.
8. Every class is given to at least one ingredient (a class nobody has is a typo's sign)."""

import sys
from pathlib import Path

from treatments.screening.medicines.matching import Matcher
from treatments.screening.medicines.vocabulary import DATA_FILE, DrugClass, Vocabulary, load


def problems(vocabulary: Vocabulary) -> list[str]:
    """Every problem of the vocabulary, in the order above; empty when it is sound."""
    found = list(vocabulary.problems)
    matcher = Matcher(vocabulary)
    for medicine in vocabulary.medicines.values():
        for spelling in (medicine.name, *medicine.aliases):
            recognised = matcher.recognise(spelling).medicine
            if recognised is None or recognised.key != medicine.key:
                other = recognised.name if recognised else "nothing"
                found.append(f"{medicine.name!r}: {spelling!r} is recognised as {other}")
    used = {c for ingredient in vocabulary.ingredients.values() for c in ingredient.classes}
    for unused in sorted(set(DrugClass) - used):
        found.append(f"no ingredient has the class {unused.value!r}")
    return found


def main(path: Path = DATA_FILE) -> int:
    vocabulary = load(path)
    found = problems(vocabulary)
    for problem in found:
        sys.stdout.write(f"{problem}\n")
    ingredients = len(vocabulary.ingredients)
    sys.stdout.write(
        f"Vocabulary {vocabulary.version}: {len(vocabulary.medicines)} medicines "
        f"({ingredients} ingredients), {len(vocabulary.names)} names; "
        f"{len(found)} problem{'s' if len(found) != 1 else ''}.\n"
    )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
