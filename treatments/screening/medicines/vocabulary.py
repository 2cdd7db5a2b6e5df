"""The medicine vocabulary: what each name stands for, read from ``medicines.toml``.

A *medicine* is what a practitioner can pick for a line of the medical history: a generic
ingredient ("apixaban") or a branded product ("Eliquis", "DuoPlavin"). A product's classes
are the union of its ingredients' classes, so a combination such as DuoPlavin (clopidogrel
and aspirin) is an antiplatelet because either of its ingredients is.

The data is loaded once, at import; everything here is plain Python (no database), so the
screening engine stays a pure function."""

import enum
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).with_name("medicines.toml")


class Route(enum.StrEnum):
    """How the medicine is taken: a field the practitioner answers, never read from text."""

    MOUTH = "mouth"
    SKIN = "skin"
    INJECTION = "injection"
    EYE_EAR_NOSE = "eye_ear_nose"
    INHALED = "inhaled"

    @property
    def label(self) -> str:
        return _ROUTE_LABELS[self]


_ROUTE_LABELS = {
    Route.MOUTH: "By mouth",
    Route.SKIN: "On the skin",
    Route.INJECTION: "Injection",
    Route.EYE_EAR_NOSE: "Eye, ear or nose",
    Route.INHALED: "Inhaled",
}


class DrugClass(enum.StrEnum):
    """What screening looks at. A medicine with no class is known and not relevant."""

    ANTICOAGULANT = "anticoagulant"
    ANTIPLATELET = "antiplatelet"
    BLEEDING_SUPPLEMENT = "bleeding_supplement"
    RETINOID = "retinoid"
    ACID_EXFOLIANT = "acid_exfoliant"
    CORTICOSTEROID = "corticosteroid"
    IMMUNOSUPPRESSANT = "immunosuppressant"
    PHOTOSENSITISING = "photosensitising"
    NSAID = "nsaid"

    @property
    def label(self) -> str:
        return _CLASS_LABELS[self]


_CLASS_LABELS = {
    DrugClass.ANTICOAGULANT: "Anticoagulant",
    DrugClass.ANTIPLATELET: "Antiplatelet",
    DrugClass.BLEEDING_SUPPLEMENT: "Supplement that raises bleeding risk",
    DrugClass.RETINOID: "Retinoid",
    DrugClass.ACID_EXFOLIANT: "Acid exfoliant",
    DrugClass.CORTICOSTEROID: "Corticosteroid",
    DrugClass.IMMUNOSUPPRESSANT: "Immunosuppressant",
    DrugClass.PHOTOSENSITISING: "Photosensitising",
    DrugClass.NSAID: "Anti-inflammatory painkiller (NSAID)",
}


@dataclass(frozen=True)
class Medicine:
    """A generic ingredient or a branded product, as the practitioner picks it."""

    key: str
    name: str
    ingredients: tuple[str, ...]
    classes: frozenset[DrugClass]
    is_brand: bool
    # The routes the medicine exists in; empty when it exists in several or it is not
    # recorded. Only a medicine with exactly one route lets screening use it unasked.
    routes: frozenset[Route] = frozenset()
    aliases: tuple[str, ...] = field(default=(), compare=False)

    @property
    def label(self) -> str:
        """ "Eliquis (apixaban)"; a generic shows its own name."""
        if not self.is_brand:
            return self.name
        return f"{self.name} ({' + '.join(self.ingredients)})"

    @property
    def only_route(self) -> Route | None:
        return next(iter(self.routes)) if len(self.routes) == 1 else None


@dataclass(frozen=True)
class Ingredient:
    """A generic substance with its ATC code(s) and the classes screening looks at."""

    name: str
    atc: tuple[str, ...]
    classes: frozenset[DrugClass]
    no_atc: str = ""


def normalise(text: str) -> str:
    """Lowercase ASCII words and numbers split apart, for comparing names.

    Accents go ("Éliquis"), case goes, hyphens, slashes and brackets become spaces and a
    number stuck to a word is split off it ("Omega3" -> "omega 3", "75mg" -> "75 mg")."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    plain = plain.replace("μ", "u").replace("\u2019", "'")
    plain = re.sub(r"(?<=\d)[.,](?=\d)", ".", plain)
    plain = re.sub(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z%])", " ", plain)
    plain = re.sub(r"'s\b", "s", plain)
    return " ".join(re.findall(r"[a-z]+|\d+(?:\.\d+)?|%", plain))


def slug(name: str) -> str:
    return normalise(name).replace(" ", "-").replace(".", "-")


@dataclass(frozen=True)
class Vocabulary:
    version: str
    ingredients: Mapping[str, Ingredient]
    medicines: Mapping[str, Medicine]  # by key
    names: Mapping[str, Medicine]  # normalised name or alias -> medicine
    problems: tuple[str, ...]  # what the check script reports; empty when sound
    filler: frozenset[str] = frozenset()  # words allowed around a name


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(str(item) for item in value or ())


def _classes(names: Iterable[str], where: str, problems: list[str]) -> frozenset[DrugClass]:
    known = {c.value for c in DrugClass}
    for name in names:
        if name not in known:
            problems.append(f"{where}: unknown class {name!r}")
    return frozenset(DrugClass(name) for name in names if name in known)


def _routes(names: Iterable[str], where: str, problems: list[str]) -> frozenset[Route]:
    known = {r.value for r in Route}
    for name in names:
        if name not in known:
            problems.append(f"{where}: unknown route {name!r}")
    return frozenset(Route(name) for name in names if name in known)


ATC_CODE = re.compile(r"^[A-Z]\d\d[A-Z](?:[A-Z](?:\d\d)?)?$")


class _Builder:
    """Reads the TOML tables into medicines, collecting every problem instead of failing
    at the first, so the check script can list them all."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.problems: list[str] = []
        self.ingredients: dict[str, Ingredient] = {}
        self.medicines: dict[str, Medicine] = {}
        self.names: dict[str, Medicine] = {}

    def build(self) -> Vocabulary:
        for name, entry in self.data.get("ingredients", {}).items():
            self._ingredient(name, entry)
        for name, entry in self.data.get("ingredients", {}).items():
            routes = {"routes": entry["routes"]} if "routes" in entry else {}
            for brand in _strings(entry.get("brands")):
                self._medicine(brand, (name,), is_brand=True, entry=routes)
        for name, entry in self.data.get("products", {}).items():
            is_brand = not entry.get("generic", False)
            self._medicine(name, _strings(entry.get("of")), is_brand=is_brand, entry=entry)
        version = str(self.data.get("version", ""))
        if not version:
            self.problems.append("the vocabulary has no version")
        filler = frozenset(normalise(word) for word in self.data.get("words_around_names", ()))
        for written in filler & set(self.names):
            self.problems.append(f"{written!r} is both a name and a word around names")
        return Vocabulary(
            version, self.ingredients, self.medicines, self.names, tuple(self.problems), filler
        )

    def _ingredient(self, name: str, entry: Mapping[str, Any]) -> None:
        where = f"ingredient {name!r}"
        atc = _strings(entry.get("atc"))
        no_atc = str(entry.get("no_atc", ""))
        for code in atc:
            if not ATC_CODE.match(code):
                self.problems.append(f"{where}: {code!r} is not an ATC code")
        if not atc and not no_atc:
            self.problems.append(f"{where}: no ATC code (or no_atc with the reason)")
        if "classes" not in entry:
            self.problems.append(f"{where}: no classes (an empty list says 'none relevant')")
        classes = _classes(_strings(entry.get("classes")), where, self.problems)
        self.ingredients[name] = Ingredient(name, atc, classes, no_atc)
        self._medicine(name, (name,), is_brand=False, entry=entry)

    def _medicine(
        self, name: str, ingredients: tuple[str, ...], *, is_brand: bool, entry: Mapping[str, Any]
    ) -> None:
        where = f"{'product' if is_brand else 'ingredient'} {name!r}"
        if not ingredients:
            self.problems.append(f"{where}: no ingredients")
        classes: set[DrugClass] = set()
        for ingredient in ingredients:
            known = self.ingredients.get(ingredient)
            if known is None:
                self.problems.append(f"{where}: ingredient {ingredient!r} is not in the list")
            else:
                classes |= known.classes
        aliases = _strings(entry.get("also"))
        medicine = Medicine(
            key=slug(name),
            name=name,
            ingredients=ingredients,
            classes=frozenset(classes),
            is_brand=is_brand,
            routes=_routes(_strings(entry.get("routes")), where, self.problems),
            aliases=aliases,
        )
        if medicine.key in self.medicines:
            self.problems.append(f"{where}: key {medicine.key!r} is used twice")
            return
        self.medicines[medicine.key] = medicine
        for spelling in (name, *aliases):
            written = normalise(spelling)
            if not written:
                self.problems.append(f"{where}: the name {spelling!r} has no letters")
                continue
            other = self.names.get(written)
            if other is not None:
                self.problems.append(f"{where}: the name {spelling!r} is also {other.name!r}")
                continue
            self.names[written] = medicine


def load(path: Path = DATA_FILE) -> Vocabulary:
    with path.open("rb") as data:
        return _Builder(tomllib.load(data)).build()


VOCABULARY = load()
VOCABULARY_VERSION: str = VOCABULARY.version


def find(key: str) -> Medicine | None:
    """The medicine with this key, or None (for instance a key an older version had)."""
    return VOCABULARY.medicines.get(key)
