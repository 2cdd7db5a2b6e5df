"""What patients are told to do, in words written for them (no database here).

The preparation steps follow the clinical reference's "Preparation before a session".
They are copied into each preparation email's payload when it is scheduled, so the
outbox keeps what a patient was actually sent even after this text changes."""

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class PreparationStep:
    """One thing to do before a session: ``when`` it applies and ``text`` saying what."""

    when: str
    text: str


PREPARATION_STEPS: tuple[PreparationStep, ...] = (
    PreparationStep(
        "Two weeks before",
        "Please have no laser or IPL treatment, and protect the area from the sun: "
        "no sunburn, no sunbeds and no tanning.",
    ),
    PreparationStep(
        "One week before",
        "Stop taking fish oil and vitamin E supplements. If you take a blood thinner that "
        "was prescribed for you, do not stop it unless the person who prescribed it tells "
        "you to.",
    ),
    PreparationStep(
        "Three to five days before",
        "Stop using retinoid creams (such as retinol or tretinoin) and exfoliating acids "
        "(such as glycolic or salicylic acid) on the area, and do not wax it.",
    ),
    PreparationStep(
        "Three days before",
        "Avoid ibuprofen and similar anti-inflammatory painkillers, unless a doctor has "
        "prescribed them for you.",
    ),
    PreparationStep(
        "Two days before",
        "If you have been prescribed an antiviral medicine because you get cold sores, "
        "start taking it as you were told.",
    ),
    PreparationStep(
        "The day before",
        "Do not drink alcohol in the 24 hours before your treatment.",
    ),
    PreparationStep(
        "On the day",
        "Come with clean skin and no makeup on the area to be treated.",
    ),
)


def preparation_steps() -> list[dict[str, str]]:
    """The steps as an email's payload holds them: a list of {"when", "text"}."""
    return [asdict(step) for step in PREPARATION_STEPS]
