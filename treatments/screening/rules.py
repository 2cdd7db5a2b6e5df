"""Contraindication screening for microneedling: the rules as data (no database).

The engine (``treatments.screening.engine.screen(answers, rules)``) takes what the
practitioner recorded (a ``ScreeningAnswers``) and the rule set, and returns every finding
with its level, the reason the practitioner reads, and the source; the highest level wins.
No database access: the caller stores the result, including ``ruleset_version``, so a past
decision can be explained later.

Time windows are judged against the *treatment date*, not today: an isotretinoin stop
five months before a consultation clears a session booked two months later.

Medicines are judged as coded lines (``medicine_lines``), by the classes of the medicine
picked, the route and whether it is taken now or was stopped, and when; never by reading
free text. The vocabulary's version is kept with the result.

The rules shipped by default follow ../CLINICAL.md (in the product's shared docs); the
clinic manager may switch a rule off or change its level (``RuleAdjustment``)."""

import calendar
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from treatments.screening.medicines import VOCABULARY_VERSION, DrugClass, MedicineLine, Route

RULESET_VERSION = "2026.11"


ALSTER = (
    "Alster TS, Graham PM. Microneedling: a review and practical guide. "
    "Dermatol Surg 2018;44:397-404."
)


CHU = (
    "Chu S, Foulad DP, Mesinkovska NA. Safety profile for microneedling: a systematic "
    "review. Dermatol Surg 2021;47:1249-1254."
)


JUHASZ = (
    "Juhasz M, Cohen JL. Microneedling for the treatment of scars: an update for "
    "clinicians. Clin Cosmet Investig Dermatol 2020;13:997-1003."
)


CLINIC = "Clinic convention (product default, editable by the clinic)."


class Level(enum.IntEnum):
    """Outcome levels, ordered: a higher value is more serious."""

    CLEAR = 0
    PRECAUTION = 1
    NEEDS_CLEARANCE = 2
    CONTRAINDICATED = 3

    @property
    def code(self) -> str:
        return self.name.lower()

    @property
    def label(self) -> str:
        return {
            Level.CLEAR: "Clear",
            Level.PRECAUTION: "Precaution",
            Level.NEEDS_CLEARANCE: "Needs clearance",
            Level.CONTRAINDICATED: "Contraindicated",
        }[self]

    @classmethod
    def from_code(cls, code: str) -> "Level":
        return cls[code.upper()]


class Condition(enum.StrEnum):
    """Yes/no answers of the medical-history questionnaire that rules look at."""

    ACTIVE_ACNE = "active_acne"
    ECZEMA_FLARE = "eczema_flare"
    ROSACEA_FLARE = "rosacea_flare"
    ROSACEA_CONTROLLED = "rosacea_controlled"
    PSORIASIS_PLAQUES = "psoriasis_plaques"
    SKIN_INFECTION_OR_WOUND = "skin_infection_or_wound"
    COLD_SORE_ACTIVE = "cold_sore_active"
    COLD_SORE_HISTORY = "cold_sore_history"
    SUNBURN = "sunburn"
    SUSPICIOUS_LESION = "suspicious_lesion"
    CANCER_TREATMENT_IN_PROGRESS = "cancer_treatment_in_progress"
    PREGNANT_OR_BREASTFEEDING = "pregnant_or_breastfeeding"
    BLEEDING_DISORDER = "bleeding_disorder"
    TAKING_ISOTRETINOIN = "taking_isotretinoin"
    KELOID_TENDENCY = "keloid_tendency"
    IMMUNOSUPPRESSION_OR_AUTOIMMUNE = "immunosuppression_or_autoimmune"
    UNCONTROLLED_DIABETES = "uncontrolled_diabetes"
    NEEDLE_METAL_ALLERGY = "needle_metal_allergy"
    TOPICAL_ANAESTHETIC_ALLERGY = "topical_anaesthetic_allergy"
    LOW_PAIN_TOLERANCE_OR_NEEDLE_PHOBIA = "low_pain_tolerance_or_needle_phobia"


class DatedEvent(enum.StrEnum):
    """Dates of the questionnaire that time-window rules look at."""

    RADIOTHERAPY_TO_AREA = "radiotherapy_to_area"
    ISOTRETINOIN_STOPPED = "isotretinoin_stopped"
    CHEMICAL_PEEL = "chemical_peel"
    LASER_OR_IPL = "laser_or_ipl"
    TOXIN_OR_FILLER = "toxin_or_filler"
    TOPICAL_RETINOID_OR_ACID = "topical_retinoid_or_acid"


@dataclass(frozen=True)
class ScreeningAnswers:
    """What is known about the patient, as of one consultation or check-in."""

    treatment_date: date
    conditions: frozenset[Condition] = frozenset()
    dates: Mapping[DatedEvent, date] = field(default_factory=dict)
    medicine_lines: tuple[MedicineLine, ...] = ()
    fitzpatrick_type: int | None = None


@dataclass(frozen=True)
class HasCondition:
    condition: Condition


@dataclass(frozen=True)
class WithinWindow:
    """Fires until ``days`` or ``months`` after the event, counted to the treatment date."""

    event: DatedEvent
    days: int = 0
    months: int = 0


SYSTEMIC: frozenset[Route | None] = frozenset({Route.MOUTH, Route.INJECTION, None})
"""By mouth or by injection; a route not asked yet counts as systemic, to be safe."""


@dataclass(frozen=True)
class TakesMedicine:
    """Fires for a medicine line whose medicine has one of ``classes``, taken by one of
    ``routes``, and taken now or stopped less than the window before the treatment date.

    ``stopped_days`` None means the window the caller gives ``screen()``
    (``stopped_within_days``); a line stopped on an unknown date counts as long ago."""

    group: str
    classes: frozenset[DrugClass]
    routes: frozenset[Route | None]
    stopped_days: int | None = 0
    stopped_months: int = 0


@dataclass(frozen=True)
class FitzpatrickAtLeast:
    skin_type: int


Trigger = HasCondition | WithinWindow | TakesMedicine | FitzpatrickAtLeast


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    level: Level
    reason: str
    source: str
    triggers: tuple[Trigger, ...]
    needs_physician_clearance: bool = False


@dataclass(frozen=True)
class RuleAdjustment:
    """A clinic's change to a default rule: switched off, or a different level."""

    enabled: bool = True
    level: Level | None = None


@dataclass(frozen=True)
class Finding:
    code: str
    title: str
    level: Level
    reason: str
    source: str
    detail: str
    needs_physician_clearance: bool = False


@dataclass(frozen=True)
class ScreeningResult:
    treatment_date: date
    level: Level
    findings: tuple[Finding, ...]
    ruleset_version: str
    vocabulary_version: str = VOCABULARY_VERSION

    @property
    def is_clear(self) -> bool:
        return self.level is Level.CLEAR


def add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` later, or the month's last day if it is short."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def window_end(event_on: date, window: WithinWindow) -> date:
    """The first date on which the window no longer applies (never, for absurd dates)."""
    return period_end(event_on, days=window.days, months=window.months)


def period_end(start: date, *, days: int = 0, months: int = 0) -> date:
    """``start`` plus months then days; ``date.max`` when that is past the calendar."""
    try:
        return add_months(start, months) + timedelta(days=days)
    except (OverflowError, ValueError):
        return date.max


def _flag(
    code: str,
    condition: Condition,
    level: Level,
    title: str,
    reason: str,
    source: str,
    **extra: bool,
) -> Rule:
    return Rule(code, title, level, reason, source, (HasCondition(condition),), **extra)


C, N, P = Level.CONTRAINDICATED, Level.NEEDS_CLEARANCE, Level.PRECAUTION


# One rule a paragraph, in the order of the clinical reference.
# fmt: off
DEFAULT_RULES: tuple[Rule, ...] = (
    _flag("active_acne", Condition.ACTIVE_ACNE, C, "Active acne in the area",
          "Needling inflamed acne can spread bacteria and worsen inflammation. "
          "Reschedule once the acne is controlled.", ALSTER),
    _flag("eczema_flare", Condition.ECZEMA_FLARE, C, "Eczema or dermatitis flare in the area",
          "Treating a flaring barrier risks irritation, infection and a worse flare.", ALSTER),
    _flag("rosacea_flare", Condition.ROSACEA_FLARE, C, "Active rosacea flare",
          "Needling during a flare can intensify redness and inflammation.", ALSTER),
    _flag("rosacea_controlled", Condition.ROSACEA_CONTROLLED, N, "Controlled rosacea",
          "Rosacea that is controlled may be treated with care; record why it is safe now.",
          ALSTER),
    _flag("psoriasis_plaques", Condition.PSORIASIS_PLAQUES, C, "Psoriasis plaques in the area",
          "Skin injury can trigger new plaques (Koebner phenomenon).", ALSTER),
    _flag("skin_infection_or_wound", Condition.SKIN_INFECTION_OR_WOUND, C,
          "Skin infection or open wound in the area",
          "Needling would spread infection and delay healing.", CHU),
    _flag("cold_sore_active", Condition.COLD_SORE_ACTIVE, C, "Active cold sore",
          "Herpes simplex can spread across needled skin. Reschedule once healed.", CHU),
    _flag("cold_sore_history", Condition.COLD_SORE_HISTORY, P, "History of cold sores",
          "Treatment can reactivate herpes simplex: consider antiviral prophylaxis, "
          "for example starting 2 days before.", CHU),
    _flag("sunburn", Condition.SUNBURN, C, "Sunburn in the area",
          "Sunburnt skin is already injured. Wait until it has healed.", ALSTER),
    _flag("suspicious_lesion", Condition.SUSPICIOUS_LESION, C,
          "Skin cancer or suspicious lesion in the area",
          "Do not needle over a lesion that may be malignant. Refer for assessment.", ALSTER),
    _flag("cancer_treatment_in_progress", Condition.CANCER_TREATMENT_IN_PROGRESS, C,
          "Chemotherapy or radiotherapy in progress",
          "Healing and immunity are impaired during cancer treatment.", ALSTER),
    Rule("radiotherapy_recent", "Radiotherapy to the area within 3 months", N,
         "Irradiated skin heals poorly for months afterwards; treat only with clearance.",
         ALSTER, (WithinWindow(DatedEvent.RADIOTHERAPY_TO_AREA, months=3),)),
    _flag("pregnant_or_breastfeeding", Condition.PREGNANT_OR_BREASTFEEDING, C,
          "Pregnancy or breastfeeding",
          "Not treated during pregnancy or breastfeeding, by clinic convention.", CLINIC),
    _flag("bleeding_disorder", Condition.BLEEDING_DISORDER, N,
          "Bleeding disorder (e.g. haemophilia)",
          "Needling causes pinpoint bleeding. Treat only with the physician's clearance.",
          ALSTER, needs_physician_clearance=True),
    Rule("blood_thinners", "Blood thinner (anticoagulant or antiplatelet)", N,
         "Blood thinners increase bleeding and bruising. Never advise stopping a prescribed "
         "drug: the prescriber decides.", ALSTER,
         (TakesMedicine("blood thinners", frozenset({DrugClass.ANTICOAGULANT,
                        DrugClass.ANTIPLATELET}), SYSTEMIC, stopped_days=None),)),
    Rule("bleeding_supplements", "Supplement that raises bleeding risk", P,
         "Fish oil, vitamin E and ginkgo increase bruising: pause them a week before.",
         CLINIC, (TakesMedicine("supplements", frozenset({DrugClass.BLEEDING_SUPPLEMENT}),
                                SYSTEMIC, stopped_days=7),)),
    Rule("isotretinoin_recent", "Oral isotretinoin within the last 6 months", N,
         "Isotretinoin impairs wound healing and has been linked to atypical scarring; "
         "treatment is usual from 6 months after the last dose.", JUHASZ,
         (HasCondition(Condition.TAKING_ISOTRETINOIN),
          WithinWindow(DatedEvent.ISOTRETINOIN_STOPPED, months=6),
          TakesMedicine("oral retinoids", frozenset({DrugClass.RETINOID}), SYSTEMIC,
                        stopped_months=6))),
    _flag("keloid_tendency", Condition.KELOID_TENDENCY, N,
          "Keloid or hypertrophic scarring tendency",
          "Skin injury may provoke raised scars; weigh the risk and record why it is "
          "acceptable.", ALSTER),
    Rule("immunosuppression", "Immunosuppression or autoimmune disease", N,
         "Infection risk is higher and healing slower.", CHU,
         (HasCondition(Condition.IMMUNOSUPPRESSION_OR_AUTOIMMUNE),
          TakesMedicine("systemic immunosuppressants", frozenset({DrugClass.IMMUNOSUPPRESSANT,
                        DrugClass.CORTICOSTEROID}), SYSTEMIC, stopped_days=None))),
    _flag("uncontrolled_diabetes", Condition.UNCONTROLLED_DIABETES, N, "Uncontrolled diabetes",
          "Poorly controlled diabetes slows healing and raises infection risk.", CHU),
    _flag("needle_metal_allergy", Condition.NEEDLE_METAL_ALLERGY, C,
          "Allergy to the needle metal (stainless steel, nickel)",
          "Needles of that metal can cause an allergic granulomatous reaction.", CHU),
    _flag("topical_anaesthetic_allergy", Condition.TOPICAL_ANAESTHETIC_ALLERGY, C,
          "Allergy to topical anaesthetic",
          "The numbing cream used before treatment could cause a reaction.", CLINIC),
    Rule("chemical_peel_recent", "Chemical peel within 30 days", N,
         "The skin barrier needs time to recover from a peel before needling.", ALSTER,
         (WithinWindow(DatedEvent.CHEMICAL_PEEL, days=30),)),
    Rule("laser_recent", "Laser or IPL within 14 days", N,
         "Skin treated with laser or IPL needs two weeks to settle.", ALSTER,
         (WithinWindow(DatedEvent.LASER_OR_IPL, days=14),)),
    Rule("toxin_or_filler_recent", "Botulinum toxin or dermal filler within 14 days", N,
         "Needling can displace recently placed toxin or filler.", CLINIC,
         (WithinWindow(DatedEvent.TOXIN_OR_FILLER, days=14),)),
    Rule("topical_retinoid_recent", "Topical retinoids or acid exfoliants within 5 days", P,
         "They make skin more reactive: pause them 5 days before treatment.", ALSTER,
         (WithinWindow(DatedEvent.TOPICAL_RETINOID_OR_ACID, days=5),
          TakesMedicine("topical retinoids or acids", frozenset({DrugClass.RETINOID,
                        DrugClass.ACID_EXFOLIANT}), frozenset({Route.SKIN}), stopped_days=5))),
    Rule("fitzpatrick_iv_to_vi", "Fitzpatrick skin type IV to VI", P,
         "Higher risk of post-inflammatory hyperpigmentation: use a shallower depth.", CHU,
         (FitzpatrickAtLeast(4),)),
    _flag("low_pain_tolerance", Condition.LOW_PAIN_TOLERANCE_OR_NEEDLE_PHOBIA, P,
          "Low pain tolerance or needle phobia",
          "Use topical numbing cream and discuss what to expect.", CLINIC),
)
