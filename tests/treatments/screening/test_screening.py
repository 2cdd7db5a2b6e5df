"""The screening engine, rule by rule: tables of answers in, findings and levels out."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from treatments.screening.engine import screen
from treatments.screening.medicines import lines_from_text, recognise
from treatments.screening.rules import (
    DEFAULT_RULES,
    RULESET_VERSION,
    Condition,
    DatedEvent,
    Level,
    RuleAdjustment,
    ScreeningAnswers,
    add_months,
)

SESSION = date(2027, 3, 15)
COVERED: set[str] = set()


def _answers(**fields) -> ScreeningAnswers:
    """Answers; ``medications`` are lines as written, each matched only when recognised
    exactly and taken now, by a route not asked (the medicine tables of
    test_medicine_lines.py set routes and status)."""
    written = fields.pop("medications", ())
    fields["medicine_lines"] = lines_from_text("\n".join(written))
    return ScreeningAnswers(treatment_date=fields.pop("treatment_date", SESSION), **fields)


def _codes(result) -> list[str]:
    return [finding.code for finding in result.findings]


# --- Yes/no answers ---------------------------------------------------------------------

CONDITION_RULES = [
    (Condition.ACTIVE_ACNE, "active_acne", Level.CONTRAINDICATED),
    (Condition.ECZEMA_FLARE, "eczema_flare", Level.CONTRAINDICATED),
    (Condition.ROSACEA_FLARE, "rosacea_flare", Level.CONTRAINDICATED),
    (Condition.ROSACEA_CONTROLLED, "rosacea_controlled", Level.NEEDS_CLEARANCE),
    (Condition.PSORIASIS_PLAQUES, "psoriasis_plaques", Level.CONTRAINDICATED),
    (Condition.SKIN_INFECTION_OR_WOUND, "skin_infection_or_wound", Level.CONTRAINDICATED),
    (Condition.COLD_SORE_ACTIVE, "cold_sore_active", Level.CONTRAINDICATED),
    (Condition.COLD_SORE_HISTORY, "cold_sore_history", Level.PRECAUTION),
    (Condition.SUNBURN, "sunburn", Level.CONTRAINDICATED),
    (Condition.SUSPICIOUS_LESION, "suspicious_lesion", Level.CONTRAINDICATED),
    (
        Condition.CANCER_TREATMENT_IN_PROGRESS,
        "cancer_treatment_in_progress",
        Level.CONTRAINDICATED,
    ),
    (Condition.PREGNANT_OR_BREASTFEEDING, "pregnant_or_breastfeeding", Level.CONTRAINDICATED),
    (Condition.BLEEDING_DISORDER, "bleeding_disorder", Level.NEEDS_CLEARANCE),
    (Condition.TAKING_ISOTRETINOIN, "isotretinoin_recent", Level.NEEDS_CLEARANCE),
    (Condition.KELOID_TENDENCY, "keloid_tendency", Level.NEEDS_CLEARANCE),
    (Condition.IMMUNOSUPPRESSION_OR_AUTOIMMUNE, "immunosuppression", Level.NEEDS_CLEARANCE),
    (Condition.UNCONTROLLED_DIABETES, "uncontrolled_diabetes", Level.NEEDS_CLEARANCE),
    (Condition.NEEDLE_METAL_ALLERGY, "needle_metal_allergy", Level.CONTRAINDICATED),
    (Condition.TOPICAL_ANAESTHETIC_ALLERGY, "topical_anaesthetic_allergy", Level.CONTRAINDICATED),
    (Condition.LOW_PAIN_TOLERANCE_OR_NEEDLE_PHOBIA, "low_pain_tolerance", Level.PRECAUTION),
]
COVERED |= {code for _, code, _ in CONDITION_RULES}


@pytest.mark.parametrize(("condition", "code", "level"), CONDITION_RULES)
def test_each_answer_fires_its_rule_at_its_level(condition, code, level):
    result = screen(_answers(conditions=frozenset({condition})))

    assert _codes(result) == [code]
    assert result.level is level
    finding = result.findings[0]
    assert finding.reason
    assert finding.source
    assert finding.detail == "Answered yes"


def test_every_condition_of_the_questionnaire_has_a_rule():
    assert {condition for condition, _, _ in CONDITION_RULES} == set(Condition)


def test_nothing_answered_is_clear():
    result = screen(_answers())

    assert result.level is Level.CLEAR
    assert result.is_clear
    assert result.findings == ()
    assert result.ruleset_version == RULESET_VERSION


def test_a_bleeding_disorder_asks_for_the_physicians_clearance():
    result = screen(_answers(conditions=frozenset({Condition.BLEEDING_DISORDER})))

    assert result.findings[0].needs_physician_clearance


# --- Time windows, judged against the treatment date ------------------------------------

WINDOWS = [
    # event, rule, level, months, days
    (DatedEvent.RADIOTHERAPY_TO_AREA, "radiotherapy_recent", Level.NEEDS_CLEARANCE, 3, 0),
    (DatedEvent.ISOTRETINOIN_STOPPED, "isotretinoin_recent", Level.NEEDS_CLEARANCE, 6, 0),
    (DatedEvent.CHEMICAL_PEEL, "chemical_peel_recent", Level.NEEDS_CLEARANCE, 0, 30),
    (DatedEvent.LASER_OR_IPL, "laser_recent", Level.NEEDS_CLEARANCE, 0, 14),
    (DatedEvent.TOXIN_OR_FILLER, "toxin_or_filler_recent", Level.NEEDS_CLEARANCE, 0, 14),
    (DatedEvent.TOPICAL_RETINOID_OR_ACID, "topical_retinoid_recent", Level.PRECAUTION, 0, 5),
]
COVERED |= {code for _, code, _, _, _ in WINDOWS}


def _window_start(months: int, days: int) -> date:
    """The event date exactly one window before the session."""
    return add_months(SESSION, -months) - timedelta(days=days)


@pytest.mark.parametrize(("event", "code", "level", "months", "days"), WINDOWS)
@pytest.mark.parametrize(
    ("when", "fires"),
    [
        ("a day less than the window before the session", True),
        ("exactly the window before: eligible that day", False),
        ("a day more than the window before", False),
        ("long ago", False),
        ("on the session day itself", True),
    ],
)
def test_time_windows_on_both_sides_of_the_boundary(event, code, level, months, days, when, fires):
    boundary = _window_start(months, days)
    happened = {
        "a day less than the window before the session": boundary + timedelta(days=1),
        "exactly the window before: eligible that day": boundary,
        "a day more than the window before": boundary - timedelta(days=1),
        "long ago": boundary - timedelta(days=400),
        "on the session day itself": SESSION,
    }[when]

    result = screen(_answers(dates={event: happened}))

    assert (_codes(result) == [code]) is fires
    assert result.level is (level if fires else Level.CLEAR)


def test_isotretinoin_stopped_six_months_minus_a_day_before_the_session_needs_clearance():
    stopped = add_months(SESSION, -6) + timedelta(days=1)

    result = screen(_answers(dates={DatedEvent.ISOTRETINOIN_STOPPED: stopped}))

    assert result.level is Level.NEEDS_CLEARANCE
    assert result.findings[0].detail == "On 16 Sep 2026; eligible from 16 Mar 2027"


def test_isotretinoin_stopped_six_months_plus_a_day_before_the_session_is_clear():
    stopped = add_months(SESSION, -6) - timedelta(days=1)

    assert screen(_answers(dates={DatedEvent.ISOTRETINOIN_STOPPED: stopped})).is_clear


def test_the_window_is_judged_against_the_session_not_the_consultation():
    # Stopped five months before the consultation; the session is two months later.
    consultation = date(2026, 11, 20)
    stopped = add_months(consultation, -5)
    dates = {DatedEvent.ISOTRETINOIN_STOPPED: stopped}

    at_consultation = screen(_answers(treatment_date=consultation, dates=dates))
    at_session = screen(_answers(treatment_date=add_months(consultation, 2), dates=dates))

    assert at_consultation.level is Level.NEEDS_CLEARANCE
    assert at_session.is_clear


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 3, 15), -6, date(2026, 9, 15)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
        (date(2027, 1, 31), -2, date(2026, 11, 30)),
        (date(2026, 11, 20), 0, date(2026, 11, 20)),
    ],
)
def test_calendar_months_clamp_to_the_end_of_a_short_month(day, months, expected):
    assert add_months(day, months) == expected


# --- Medications in free text -----------------------------------------------------------

MEDICATION_LINES = [
    ("ELIQUIS 5 MG BD", "blood_thinners", "apixaban"),
    ("Xarelto 20mg od", "blood_thinners", "rivaroxaban"),
    ("aspirin 75mg", "blood_thinners", "aspirin"),
    ("Aspirin75mg once daily", "blood_thinners", "aspirin"),
    ("Acetylsalicylic acid 75 mg", "blood_thinners", "aspirin"),
    ("nu seals 75", "blood_thinners", "aspirin"),
    ("Warfarin (INR target 2.5)", "blood_thinners", "warfarin"),
    ("coumadin 3mg", "blood_thinners", "warfarin"),
    ("Sinthrome 1 mg", "blood_thinners", "acenocoumarol"),
    ("phenprocoumon 3 mg", "blood_thinners", "phenprocoumon"),
    ("Lixiana 60mg", "blood_thinners", "edoxaban"),
    ("PRADAXA 150MG BD", "blood_thinners", "dabigatran"),
    ("heparin 5000 units sc", "blood_thinners", "heparin"),
    ("Clexane 40mg daily", "blood_thinners", "enoxaparin"),
    ("Fragmin 5000", "blood_thinners", "dalteparin"),
    ("tinzaparin", "blood_thinners", "tinzaparin"),
    ("Plavix 75 mg", "blood_thinners", "clopidogrel"),
    ("prasugrel 10mg", "blood_thinners", "prasugrel"),
    ("Brilique 90mg bd", "blood_thinners", "ticagrelor"),
    ("Persantin retard 200mg", "blood_thinners", "dipyridamole"),
    ("Éliquis 2.5mg", "blood_thinners", "apixaban"),
    ("Omega-3 fish oil 1000mg", "bleeding_supplements", "fish oil"),
    ("omega 3 capsules", "bleeding_supplements", "fish oil"),
    ("Vitamin E 400 IU", "bleeding_supplements", "vitamin E"),
    ("Ginkgo biloba 120mg", "bleeding_supplements", "ginkgo"),
    ("Roaccutane 20mg", "isotretinoin_recent", "isotretinoin"),
    ("isotretinoin 40 mg daily", "isotretinoin_recent", "isotretinoin"),
    ("Methotrexate 15mg weekly", "immunosuppression", "methotrexate"),
    ("ciclosporin 100mg bd", "immunosuppression", "ciclosporin"),
    ("Differin gel at night", "topical_retinoid_recent", "adapalene"),
    # Tretinoin also exists by mouth, so its route is asked (see test_medicine_lines.py);
    # Retin-A exists on the skin only.
    ("Retin-A 0.05% cream", "topical_retinoid_recent", "tretinoin"),
]
COVERED |= {code for _, code, _ in MEDICATION_LINES}


@pytest.mark.parametrize(("line", "code", "generic"), MEDICATION_LINES)
def test_medication_lines_are_recognised_by_generic_and_brand_name(line, code, generic):
    result = screen(_answers(medications=(line,)))

    assert _codes(result) == [code]
    assert generic.casefold() in result.findings[0].detail.casefold()
    assert line in result.findings[0].detail


@pytest.mark.parametrize(
    "line",
    [
        "paracetamol 1g qds",
        "cetirizine 10mg",
        "Eliquisx 5mg",  # not a word on its own
        "heparinised saline flush",
        "aspirinate",
        "vitamine D 1000",  # French for vitamin D, not vitamin E
        "vitamin B12",
        "levothyroxine 50 micrograms",
        "",
        "   ",
    ],
)
def test_lines_that_only_look_alike_are_not_matched(line):
    assert screen(_answers(medications=(line,))).is_clear


def test_a_blood_thinner_anywhere_in_a_long_list_is_found():
    lines = ("Levothyroxine 50mcg", "Ramipril 5mg", "apixaban 5mg BD", "Atorvastatin 20mg")

    result = screen(_answers(medications=lines))

    assert _codes(result) == ["blood_thinners"]
    assert "apixaban 5mg BD" in result.findings[0].detail


def test_matching_is_case_insensitive_and_accent_insensitive():
    for written in ("CLOPIDOGREL", "clopidogrél", "Clopidogrel 75 MG"):
        medicine = recognise(written).medicine
        assert medicine is not None
        assert medicine.key == "clopidogrel"


# --- Skin type --------------------------------------------------------------------------

COVERED.add("fitzpatrick_iv_to_vi")


@pytest.mark.parametrize(
    ("skin_type", "level"),
    [
        (None, Level.CLEAR),
        (1, Level.CLEAR),
        (3, Level.CLEAR),
        (4, Level.PRECAUTION),
        (5, Level.PRECAUTION),
        (6, Level.PRECAUTION),
    ],
)
def test_fitzpatrick_iv_to_vi_is_a_precaution(skin_type, level):
    assert screen(_answers(fitzpatrick_type=skin_type)).level is level


def test_every_default_rule_is_covered_by_a_table_here():
    assert {rule.code for rule in DEFAULT_RULES} == COVERED


# --- Combinations -----------------------------------------------------------------------


def test_the_highest_level_wins_and_every_finding_is_listed():
    result = screen(
        _answers(
            conditions=frozenset({Condition.ACTIVE_ACNE, Condition.COLD_SORE_HISTORY}),
            medications=("Eliquis 5mg bd",),
            fitzpatrick_type=5,
        )
    )

    assert result.level is Level.CONTRAINDICATED
    assert _codes(result) == [
        "active_acne",
        "blood_thinners",
        "cold_sore_history",
        "fitzpatrick_iv_to_vi",
    ]


def test_a_rule_with_several_triggers_is_reported_once():
    result = screen(
        _answers(
            conditions=frozenset({Condition.TAKING_ISOTRETINOIN}),
            medications=("Roaccutane 20mg",),
            dates={DatedEvent.ISOTRETINOIN_STOPPED: SESSION},
        )
    )

    assert _codes(result) == ["isotretinoin_recent"]


def test_blood_thinner_and_precautions_need_clearance_overall():
    result = screen(_answers(medications=("warfarin 3mg", "fish oil")))

    assert result.level is Level.NEEDS_CLEARANCE
    assert _codes(result) == ["blood_thinners", "bleeding_supplements"]


# --- The clinic's own adjustments -------------------------------------------------------


def test_a_rule_switched_off_by_the_clinic_does_not_fire():
    answers = _answers(conditions=frozenset({Condition.KELOID_TENDENCY}))

    result = screen(answers, adjustments={"keloid_tendency": RuleAdjustment(enabled=False)})

    assert result.is_clear
    assert result.ruleset_version.startswith(f"{RULESET_VERSION}+")


def test_a_rule_given_another_level_fires_at_that_level():
    answers = _answers(conditions=frozenset({Condition.KELOID_TENDENCY}))
    stricter = {"keloid_tendency": RuleAdjustment(level=Level.CONTRAINDICATED)}

    result = screen(answers, adjustments=stricter)

    assert result.level is Level.CONTRAINDICATED


def test_different_adjustments_give_different_versions_and_the_same_give_the_same():
    off = {"keloid_tendency": RuleAdjustment(enabled=False)}
    stricter = {"keloid_tendency": RuleAdjustment(level=Level.CONTRAINDICATED)}

    versions = {screen(_answers(), adjustments=a).ruleset_version for a in (off, stricter, {})}

    assert len(versions) == 3
    assert screen(_answers(), adjustments=off).ruleset_version == (
        screen(_answers(), adjustments=dict(off)).ruleset_version
    )


# --- Properties -------------------------------------------------------------------------

conditions = st.frozensets(st.sampled_from(list(Condition)))
medication_lines = st.lists(
    st.sampled_from([line for line, _, _ in MEDICATION_LINES] + ["paracetamol", "ramipril"]),
    max_size=4,
).map(tuple)


@given(conditions, medication_lines, st.none() | st.integers(1, 6))
def test_the_outcome_is_the_most_serious_finding(found, meds, skin_type):
    result = screen(_answers(conditions=found, medications=meds, fitzpatrick_type=skin_type))

    assert result.level == max((f.level for f in result.findings), default=Level.CLEAR)
    assert len(set(_codes(result))) == len(result.findings)
    assert [f.level for f in result.findings] == sorted(
        (f.level for f in result.findings), reverse=True
    )


@given(conditions, conditions, medication_lines)
def test_saying_more_never_makes_the_outcome_less_serious(some, more, meds):
    before = screen(_answers(conditions=some, medications=meds))
    after = screen(_answers(conditions=some | more, medications=meds))

    assert after.level >= before.level
    assert set(_codes(before)) <= set(_codes(after))


# --- From review: every line, more names, absurd dates ----------------------------------


def test_every_line_naming_a_blood_thinner_is_in_the_finding():
    result = screen(_answers(medications=("warfarin 3mg", "Ramipril", "clopidogrel 75mg")))

    detail = result.findings[0].detail
    assert "warfarin" in detail
    assert "clopidogrel 75mg" in detail


@pytest.mark.parametrize(
    "line",
    ["ASA 81mg daily", "Arixtra 2.5mg sc", "fondaparinux", "LMWH prophylaxis", "Aggrenox bd",
     "Ecotrin 325", "Micropirin 75mg", "low molecular weight heparin"],
)  # fmt: skip
def test_more_blood_thinner_spellings_are_recognised(line):
    assert _codes(screen(_answers(medications=(line,)))) == ["blood_thinners"]


@pytest.mark.parametrize("line", ["Asacol 400mg", "Basal insulin", "casamino"])
def test_asa_is_only_a_word_of_its_own(line):
    assert screen(_answers(medications=(line,))).is_clear


def test_a_date_near_the_end_of_the_calendar_does_not_crash():
    result = screen(_answers(dates={DatedEvent.ISOTRETINOIN_STOPPED: date(9999, 12, 1)}))

    assert result.level is Level.NEEDS_CLEARANCE
