"""Screening with medicine lines: the target is 1,000 screenings of ten lines each in under
one second (issue 14).

Run from the repository root (pure Python, no database):

    .venv/bin/python docs/benchmarks/screening.py

Each screening has ten medicine lines drawn (with a fixed seed) from a mix like a clinic's
medical histories: mostly known medicines of no concern, some blood thinners, supplements,
retinoids and corticosteroids, with routes and statuses answered (taken now, stopped on a
date, stopped long ago) and one line in twenty unrecognised or confirmed as not relevant.
Every screening also has two yes/no answers and a dated event, so every kind of rule runs.

The figures: the whole 1,000 screenings, repeated seven times after a warm-up (median and
slowest run), and separately the recognition of the same 10,000 lines as written, with a
cold cache (what the practitioner's form does once per line typed).
"""

import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from treatments.screening.engine import screen
from treatments.screening.medicines import MedicineLine, Route
from treatments.screening.medicines.matching import Matcher
from treatments.screening.medicines.vocabulary import VOCABULARY
from treatments.screening.rules import Condition, DatedEvent, ScreeningAnswers

SESSION = date(2027, 3, 15)
SCREENINGS = 1_000
LINES_EACH = 10
RUNS = 7

CONCERNS = [
    "Eliquis 5mg bd", "warfarin 3mg", "DuoPlavin 75/100", "Omega-3 1000mg", "Krill oil",
    "Roaccutane 20mg", "tretinoin 0.05% cream", "Differin gel", "prednisolone 5mg",
    "Pred Forte eye drops", "Methotrexate 15mg weekly", "Humira 40mg", "glycolic acid lotion",
]  # fmt: skip
UNRECOGNISED = ["Zyxolin 10mg", "Elliquis 5mg", "warfarin stopped 2019", "herbal tea"]


def _history(rng: random.Random, harmless: list[str]) -> tuple[MedicineLine, ...]:
    lines = []
    for _ in range(LINES_EACH):
        roll = rng.random()
        if roll < 0.05:
            text = rng.choice(UNRECOGNISED)
            lines.append(MedicineLine(text, None, confirmed_not_relevant=rng.random() < 0.5))
            continue
        text = rng.choice(CONCERNS) if roll < 0.35 else rng.choice(harmless) + " 10mg daily"
        recognised = MATCHER.recognise(text).medicine
        if recognised is None:
            raise SystemExit(f"not recognised: {text}")
        route = rng.choice([None, *Route])
        if rng.random() < 0.7:
            lines.append(MedicineLine(text, recognised.key, route))
        else:
            stopped = rng.choice([None, SESSION - timedelta(days=rng.randint(1, 400))])
            lines.append(MedicineLine(text, recognised.key, route, False, stopped))
    return tuple(lines)


def _answers(rng: random.Random) -> list[ScreeningAnswers]:
    harmless = sorted(m.name for m in VOCABULARY.medicines.values() if not m.classes)
    conditions = list(Condition)
    return [
        ScreeningAnswers(
            treatment_date=SESSION,
            conditions=frozenset(rng.sample(conditions, 2)),
            dates={DatedEvent.LASER_OR_IPL: SESSION - timedelta(days=rng.randint(1, 60))},
            medicine_lines=_history(rng, harmless),
            fitzpatrick_type=rng.randint(1, 6),
        )
        for _ in range(SCREENINGS)
    ]


MATCHER = Matcher(VOCABULARY)


def main() -> None:
    answers = _answers(random.Random(14))
    for one in answers[:100]:  # warm-up
        screen(one)
    runs = []
    for _ in range(RUNS):
        started = time.perf_counter()
        for one in answers:
            screen(one)
        runs.append(time.perf_counter() - started)
    findings = sum(len(screen(one).findings) for one in answers)

    written = [line.text for one in answers for line in one.medicine_lines]
    cold = Matcher(VOCABULARY)
    started = time.perf_counter()
    for text in written:
        cold._recognise(text)  # no cache: every line matched from scratch
    recognising = time.perf_counter() - started

    print(f"vocabulary {VOCABULARY.version}: {len(VOCABULARY.names)} names")
    print(f"{SCREENINGS} screenings x {LINES_EACH} lines, {findings} findings in all")
    print(
        f"screen(): median {statistics.median(runs) * 1000:.0f} ms, "
        f"slowest {max(runs) * 1000:.0f} ms (of {RUNS} runs); target under 1000 ms"
    )
    print(f"recognise() of the {len(written)} lines, cold: {recognising * 1000:.0f} ms "
          f"({recognising / len(written) * 1e6:.0f} us a line)")  # fmt: skip


if __name__ == "__main__":
    main()
