"""The screening engine: answers and rules in, findings out (no database)."""

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import replace

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
    TakesMedication,
    Trigger,
    WithinWindow,
    medication_matches,
    window_end,
)


def _fires(trigger: Trigger, answers: ScreeningAnswers) -> str | None:
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
    if isinstance(trigger, TakesMedication):
        # Every line that names one, so a medicine added later changes the finding and an
        # earlier override no longer covers it.
        found = []
        for line in answers.medications:
            matches = medication_matches(line, trigger.names)
            if matches:
                name, generic = matches[0]
                named = name if name == generic else f"{name} ({generic})"
                found.append(f"{named} in “{line.strip()}”")
        return "; ".join(found) or None
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
) -> ScreeningResult:
    """Every rule that fires, most serious first; the highest level is the outcome."""
    adjustments = adjustments or {}
    findings = []
    for rule in apply_adjustments(rules, adjustments):
        for trigger in rule.triggers:
            detail = _fires(trigger, answers)
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
    )
