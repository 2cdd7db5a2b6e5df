"""The aftercare a treatment starts with (CLINICAL.md), until the manager writes a newer
version. Plain data, so the migration that ships it and the code that falls back on it
read the same words."""

DEFAULT_STEPS = [
    {
        "from_day": 0,
        "to_day": 1,
        "text": (
            "Your skin will be red and sensitive, like a mild sunburn. Wash with a gentle "
            "cleanser and use only a plain soothing serum or moisturiser. No makeup and no "
            "active ingredients. Avoid sweating, saunas and swimming, and stay out of the sun."
        ),
    },
    {
        "from_day": 2,
        "to_day": 4,
        "text": (
            "Wear a mineral sunscreen, SPF 30 or higher, whenever you are outdoors. Still no "
            "active ingredients. Let flaking skin come away by itself: do not pick it."
        ),
    },
    {
        "from_day": 5,
        "to_day": 7,
        "text": "Bring your active ingredients back slowly, one at a time.",
    },
    {
        "from_day": 0,
        "to_day": 14,
        "text": "Wear sunscreen every day, whatever the weather.",
    },
]


DEFAULT_CALL_CLINIC = (
    "signs of infection (redness that spreads, heat, pus or a fever), blistering, dark "
    "patches that do not fade, or raised or track-like marks."
)


DEFAULT_FOLLOW_UP_DAYS = [1, 3]
