"""The screening engine: answers and rules in, findings out (no database)."""

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date

from treatments.screening.medicines import VOCABULARY_VERSION, MedicineLine, find
from treatments.screening.rules import (
    DEFAULT_RULES,
    RULESET_VERSION,
    Finding,
    HasCondition,
    Level,
    Rule,
    RuleAdjustment,
    ScreeningAnswers,
    ScreeningResult,
    TakesMedicine,
    Trigger,
    WithinWindow,
    period_end,
    window_end,
)

STOPPED_WITHIN_DAYS = 14
"""A blood thinner or immunosuppressant stopped fewer days than this before the treatment
still counts, unless the caller gives another number."""


def _medicine_fires(
    trigger: TakesMedicine, line: MedicineLine, treatment_date: date, stopped_within_days: int
) -> str | None:
    """Why one medicine line fires the trigger, or None."""
    medicine = find(line.medicine_key) if line.medicine_key else None
    if medicine is None or line.confirmed_not_relevant:
        return None  # unrecognised lines are resolved by the practitioner, not guessed
    if not medicine.classes & trigger.classes:
        return None
    if (line.route or medicine.only_route) not in trigger.routes:
        return None
    named = f"{medicine.label} in “{line.text.strip()}”"
    if line.current:
        return named
    if line.stopped_on is None:  # stopped on a date not known: long ago
        return None
    days = stopped_within_days if trigger.stopped_days is None else trigger.stopped_days
    until = period_end(line.stopped_on, days=days, months=trigger.stopped_months)
    if treatment_date >= until:
        return None
    return f"{named}, stopped {line.stopped_on:%d %b %Y}; eligible from {until:%d %b %Y}"


def _fires(
    trigger: Trigger, answers: ScreeningAnswers, stopped_within_days: int = STOPPED_WITHIN_DAYS
) -> str | None:
    """Why the trigger fires for these answers, or None when it does not."""
    if isinstance(trigger, HasCondition):
        return "Answered yes" if trigger.condition in answers.conditions else None
    if isinstance(trigger, WithinWindow):
        event_on = answers.dates.get(trigger.event)
        if event_on is None:
            return None
        end = window_end(event_on, trigger)
        if answers.treatment_date >= end:
            return None
        return f"On {event_on:%d %b %Y}; eligible from {end:%d %b %Y}"
    if isinstance(trigger, TakesMedicine):
        # Every line that counts, so a medicine added later changes the finding and an
        # earlier override no longer covers it.
        found = (
            _medicine_fires(trigger, line, answers.treatment_date, stopped_within_days)
            for line in answers.medicine_lines
        )
        return "; ".join(detail for detail in found if detail) or None
    if answers.fitzpatrick_type is not None and answers.fitzpatrick_type >= trigger.skin_type:
        return f"Fitzpatrick type {answers.fitzpatrick_type}"
    return None


def apply_adjustments(
    rules: Iterable[Rule], adjustments: Mapping[str, RuleAdjustment]
) -> tuple[Rule, ...]:
    """The clinic's rule set: defaults minus switched-off rules, with changed levels."""
    adjusted = []
    for rule in rules:
        change = adjustments.get(rule.code)
        if change is None:
            adjusted.append(rule)
        elif change.enabled:
            adjusted.append(replace(rule, level=change.level or rule.level))
    return tuple(adjusted)


def ruleset_version(adjustments: Mapping[str, RuleAdjustment]) -> str:
    """The default version, plus a fingerprint of the clinic's changes when it has any."""
    effective = sorted(
        (code, change.enabled, change.level.code if change.level else "")
        for code, change in adjustments.items()
    )
    if not effective:
        return RULESET_VERSION
    digest = hashlib.sha256(repr(effective).encode()).hexdigest()[:8]
    return f"{RULESET_VERSION}+{digest}"


def screen(
    answers: ScreeningAnswers,
    rules: Iterable[Rule] = DEFAULT_RULES,
    adjustments: Mapping[str, RuleAdjustment] | None = None,
    *,
    stopped_within_days: int = STOPPED_WITHIN_DAYS,
) -> ScreeningResult:
    """Every rule that fires, most serious first; the highest level is the outcome.

    A blood thinner (or systemic immunosuppressant) stopped fewer than
    ``stopped_within_days`` days before the treatment date still fires."""
    adjustments = adjustments or {}
    findings = []
    for rule in apply_adjustments(rules, adjustments):
        for trigger in rule.triggers:
            detail = _fires(trigger, answers, stopped_within_days)
            if detail is not None:
                findings.append(
                    Finding(
                        code=rule.code,
                        title=rule.title,
                        level=rule.level,
                        reason=rule.reason,
                        source=rule.source,
                        detail=detail,
                        needs_physician_clearance=rule.needs_physician_clearance,
                    )
                )
                break
    findings.sort(key=lambda finding: -finding.level)
    level = max((finding.level for finding in findings), default=Level.CLEAR)
    return ScreeningResult(
        treatment_date=answers.treatment_date,
        level=level,
        findings=tuple(findings),
        ruleset_version=ruleset_version(adjustments),
        vocabulary_version=VOCABULARY_VERSION,
    )
