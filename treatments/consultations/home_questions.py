"""The medical-history questions as the patient reads them at home: the same answers the
practitioner records (``HISTORY_FIELDS``), in plain words with a line of help each.

The wording lives here only; tests keep it one for one with the history's fields.
"""

from dataclasses import dataclass
from enum import StrEnum


class Asked(StrEnum):
    """How a question is answered."""

    YES_NO = "yes_no"
    WHEN = "when"  # a date, roughly; or "yes, not sure when"; empty for never
    TEXT = "text"


@dataclass(frozen=True)
class Question:
    text: str
    help: str
    asked: Asked
    section: str


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    intro: str


SECTIONS = (
    Section("skin", "Your skin now", "About the skin where you would like treatment."),
    Section("health", "Your health", "Anything that changes how your skin heals."),
    Section(
        "medicines",
        "Your medicines",
        "Medicines, tablets and injections you take now or stopped in the last year, "
        "including ones bought without a prescription.",
    ),
    Section("past", "Past treatments", "When you last had these, roughly. Leave empty if never."),
)

# The longest free-text answer kept (allergies, other conditions, a medicine's line).
TEXT_MAX = 500
LINE_MAX = 200

_YES, _WHEN, _TEXT = Asked.YES_NO, Asked.WHEN, Asked.TEXT

HOME_QUESTIONS: dict[str, Question] = {
    # Your skin now
    "active_acne": Question(
        "Do you have red, sore spots of acne where you want treatment?",
        "Spots that are inflamed now, not the marks they left.", _YES, "skin",
    ),
    "eczema_flare": Question(
        "Is eczema or dermatitis flaring up in that area now?",
        "Itchy, red or flaky skin that is active at the moment.", _YES, "skin",
    ),
    "rosacea_flare": Question(
        "Is rosacea flaring up now?",
        "Redness, flushing or bumps that are worse than usual at the moment.", _YES, "skin",
    ),
    "rosacea_controlled": Question(
        "Do you have rosacea that is under control?",
        "Diagnosed rosacea that is calm at the moment.", _YES, "skin",
    ),
    "psoriasis_plaques": Question(
        "Do you have psoriasis patches in that area?",
        "Raised, scaly patches of psoriasis where you want treatment.", _YES, "skin",
    ),
    "skin_infection_or_wound": Question(
        "Is there an infection, cut or open wound in that area?",
        "Including anything that is weeping, crusted or not yet healed.", _YES, "skin",
    ),
    "cold_sore_active": Question(
        "Do you have a cold sore now?",
        "A blister or sore on or near the lips, starting or healing.", _YES, "skin",
    ),
    "cold_sore_history": Question(
        "Have you ever had cold sores?",
        "Even once, even long ago. We may suggest a tablet to prevent one.", _YES, "skin",
    ),
    "sunburn": Question(
        "Is the area sunburnt now?",
        "Including skin that is still peeling from a sunburn.", _YES, "skin",
    ),
    "suspicious_lesion": Question(
        "Has a doctor found skin cancer, or a mole or spot to check, in that area?",
        "Or have you noticed a spot that has changed, bleeds or does not heal?", _YES, "skin",
    ),
    "keloid_tendency": Question(
        "Do your scars tend to become raised or thick?",
        "Keloid or raised scars after a cut, piercing or operation.", _YES, "skin",
    ),
    "low_pain_tolerance_or_needle_phobia": Question(
        "Do you find pain hard to bear, or are you afraid of needles?",
        "We can use numbing cream and go at your pace.", _YES, "skin",
    ),
    # Your health
    "cancer_treatment_in_progress": Question(
        "Are you having chemotherapy or radiotherapy at the moment?",
        "Any cancer treatment given now, for any part of the body.", _YES, "health",
    ),
    "pregnant_or_breastfeeding": Question(
        "Are you pregnant or breastfeeding?",
        "Or could you be pregnant by the day of your visit?", _YES, "health",
    ),
    "bleeding_disorder": Question(
        "Do you have a condition that makes you bleed or bruise easily?",
        "For example haemophilia or von Willebrand disease.", _YES, "health",
    ),
    "immunosuppression_or_autoimmune": Question(
        "Is your immune system weakened, or do you have an autoimmune disease?",
        "For example lupus, rheumatoid arthritis, or medicines that lower immunity.", _YES,
        "health",
    ),
    "uncontrolled_diabetes": Question(
        "Do you have diabetes that is not well controlled?",
        "Your doctor or nurse has said your blood sugar is often too high.", _YES, "health",
    ),
    "needle_metal_allergy": Question(
        "Are you allergic to stainless steel or nickel?",
        "For example a rash from cheap jewellery, watch straps or jeans buttons.", _YES,
        "health",
    ),
    "topical_anaesthetic_allergy": Question(
        "Are you allergic to numbing cream?",
        "Creams such as lidocaine or tetracaine (EMLA, LMX).", _YES, "health",
    ),
    "allergies": Question(
        "Any other allergies?",
        "Medicines, plasters, latex, foods: write what happens. Leave empty if none.", _TEXT,
        "health",
    ),
    "other_conditions": Question(
        "Anything else about your health we should know?",
        "Other conditions, operations, or anything you would like to tell us.", _TEXT,
        "health",
    ),
    # Your medicines (the list of medicines follows these)
    "taking_isotretinoin": Question(
        "Are you taking isotretinoin tablets for acne now?",
        "Also called Roaccutane, Accutane, Claravis or Absorica.", _YES, "medicines",
    ),
    "isotretinoin_stopped_on": Question(
        "If you took isotretinoin tablets in the past, when did you stop?",
        "Roughly is fine. Leave empty if you never took them.", _WHEN, "medicines",
    ),
    # Past treatments
    "radiotherapy_to_area_on": Question(
        "Radiotherapy to the area you want treated",
        "The date of your last session.", _WHEN, "past",
    ),
    "chemical_peel_on": Question(
        "A chemical peel", "At a clinic or salon, on the area.", _WHEN, "past",
    ),
    "laser_or_ipl_on": Question(
        "Laser or IPL (intense pulsed light)",
        "Including hair removal and skin rejuvenation.", _WHEN, "past",
    ),
    "toxin_or_filler_on": Question(
        "Anti-wrinkle injections or dermal filler",
        "For example Botox, Azzalure or hyaluronic acid filler.", _WHEN, "past",
    ),
    "topical_retinoid_or_acid_on": Question(
        "A retinoid or acid cream or serum",
        "Retinol, tretinoin, adapalene, glycolic or salicylic acid on the area.", _WHEN, "past",
    ),
}  # fmt: skip


def questions_in(section: str) -> list[tuple[str, Question]]:
    return [(name, q) for name, q in HOME_QUESTIONS.items() if q.section == section]
