"""The medicine vocabulary, its check script, matching that does not guess, and how screening
judges medicine lines by class, route, status and dates."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from treatments.screening.engine import STOPPED_WITHIN_DAYS, screen
from treatments.screening.medicines import (
    VOCABULARY_VERSION,
    DrugClass,
    Medicine,
    MedicineLine,
    Route,
    find,
    lines_from_text,
    normalise,
    recognise,
    suggest,
    unresolved_lines,
)
from treatments.screening.medicines.check import main, problems
from treatments.screening.medicines.vocabulary import VOCABULARY, load
from treatments.screening.rules import ScreeningAnswers

SESSION = date(2027, 3, 15)


def _known(key: str) -> Medicine:
    medicine = find(key)
    assert medicine is not None, key
    return medicine


def _codes(*lines: MedicineLine, **options) -> list[str]:
    answers = ScreeningAnswers(treatment_date=SESSION, medicine_lines=lines)
    return [finding.code for finding in screen(answers, **options).findings]


# --- The data and its check ---------------------------------------------------------------


def test_the_shipped_vocabulary_passes_its_check(capsys):
    assert main() == 0
    assert "0 problems" in capsys.readouterr().out
    assert problems(VOCABULARY) == []


def test_the_vocabulary_has_several_hundred_names_and_a_version():
    assert len(VOCABULARY.names) >= 500
    assert len(VOCABULARY.ingredients) >= 200
    assert VOCABULARY_VERSION == VOCABULARY.version != ""


def test_every_ingredient_has_an_atc_code_or_says_why_not():
    for ingredient in VOCABULARY.ingredients.values():
        assert ingredient.atc or ingredient.no_atc, ingredient.name
    assert VOCABULARY.ingredients["apixaban"].atc == ("B01AF02",)
    assert "D10BA01" in VOCABULARY.ingredients["isotretinoin"].atc


BROKEN = """
version = "test"
words_around_names = ["mg", "gel"]

[ingredients]
apixaban = { atc = "B01AF02", classes = ["anticoagulant"], brands = ["Eliquis"] }
Apixaban = { atc = "B01AF02", classes = ["anticoagulant"] }
warfarin = { atc = "B1", classes = ["blood_thinner"], also = ["ELIQUIS", "coumadin", "Coumadin"] }
garlic = { atc = [], classes = ["bleeding_supplement"] }
metformin = { atc = "A10BA02" }
gel = { atc = "A10BA02", classes = [] }

[products]
DuoPlavin = { of = ["clopidogrel", "aspirin"], routes = ["nose"] }
"ELIQUIS" = { of = ["apixaban"] }
"""


def test_the_check_names_every_kind_of_problem(tmp_path: Path, capsys):
    data = tmp_path / "medicines.toml"
    data.write_text(BROKEN)

    found = "\n".join(problems(load(data)))

    assert "key 'apixaban' is used twice" in found  # the same once case is set aside
    assert "the name 'Eliquis' is also 'warfarin'" in found
    assert "the name 'Coumadin' is also 'warfarin'" in found
    assert "'B1' is not an ATC code" in found
    assert "unknown class 'blood_thinner'" in found
    assert "ingredient 'garlic': no ATC code" in found
    assert "ingredient 'metformin': no classes" in found
    assert "ingredient 'clopidogrel' is not in the list" in found
    assert "unknown route 'nose'" in found
    assert "key 'eliquis' is used twice" in found
    assert "'gel' is both a name and a word around names" in found
    assert "no ingredient has the class 'retinoid'" in found
    assert main(data) == 1
    assert "problems." in capsys.readouterr().out


def test_medicine_labels_name_the_ingredients_of_a_brand():
    assert _known("eliquis").label == "Eliquis (apixaban)"
    assert _known("duoplavin").label == "DuoPlavin (clopidogrel + aspirin)"
    assert _known("apixaban").label == "apixaban"
    assert _known("co-codamol").label == "co-codamol"
    assert find("no-such-medicine") is None


def test_a_product_has_the_classes_of_all_its_ingredients():
    assert _known("duoplavin").classes == {DrugClass.ANTIPLATELET}
    assert _known("alka-seltzer").ingredients == ("aspirin", "citric acid", "sodium bicarbonate")
    assert DrugClass.ANTIPLATELET in _known("alka-seltzer").classes
    assert _known("ramipril").classes == frozenset()


def test_routes_and_classes_have_labels():
    assert Route.EYE_EAR_NOSE.label == "Eye, ear or nose"
    assert [route.label for route in Route] == [
        "By mouth",
        "On the skin",
        "Injection",
        "Eye, ear or nose",
        "Inhaled",
    ]
    assert all(drug_class.label for drug_class in DrugClass)


# --- Matching that does not guess --------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("Omega3 1000mg", "omega 3 1000 mg"),
        ("ÉLIQUIS 2,5 mg", "eliquis 2.5 mg"),
        ("5-ASA (mesalazine)", "5 asa mesalazine"),
        ("St. John\u2019s Wort", "st johns wort"),
        ("DuoPlavin 75/100", "duoplavin 75 100"),
        ("B12 100µg", "b 12 100 ug"),
    ],
)
def test_normalising_sets_aside_case_accents_hyphens_and_numbers(written, normalised):
    assert normalise(written) == normalised


def test_asa_is_aspirin_but_5_asa_is_mesalazine():
    assert recognise("ASA 75mg").medicine == find("aspirin")
    assert recognise("5-ASA 800mg").medicine == find("mesalazine")
    assert recognise("5 ASA").medicine == find("mesalazine")
    assert recognise("mesalazine (5-ASA) 2.4g").medicine == find("mesalazine")


@pytest.mark.parametrize(
    ("written", "offered"),
    [
        ("warfarin stopped 2019", ["warfarin"]),  # status is asked, not read
        ("no aspirin", ["aspirin"]),
        ("previously Xarelto", ["xarelto"]),
        ("warfarin and aspirin", ["warfarin", "aspirin"]),  # two medicines: two lines
        ("Eliquis or Xarelto", ["eliquis", "xarelto"]),
        ("Clexane Lovenox", ["clexane", "lovenox"]),  # two brands are not one product
    ],
)
def test_a_line_that_says_more_than_a_medicine_is_only_suggested(written, offered):
    recognition = recognise(written)

    assert recognition.medicine is None
    assert [medicine.key for medicine in recognition.suggestions][: len(offered)] == offered


@pytest.mark.parametrize(
    "written", ["isotretinoin gel", "prednisolone eye drops", "fluticasone nasal spray"]
)
def test_form_words_are_allowed_but_never_read_as_the_route(written):
    assert recognise(written).medicine is not None
    (line,) = lines_from_text(written)
    assert line.route is None
    assert line.current is True


@pytest.mark.parametrize(
    ("typed", "first"),
    [("Elliquis 5mg", "eliquis"), ("Xeralto", "xarelto"), ("Gingko", "ginkgo")],
)
def test_misspellings_are_suggestions_never_matches(typed, first):
    recognition = recognise(typed)

    assert recognition.medicine is None
    assert recognition.suggestions[0].key == first
    assert _codes(*lines_from_text(typed)) == []


def test_type_ahead_offers_names_starting_with_what_is_typed_then_near_spellings():
    assert [m.key for m in suggest("Eliq")] == ["eliquis"]
    assert "eliquis" in [m.key for m in suggest("Elliquis 5mg")]
    assert suggest("warf")[0].key == "warfarin"
    assert len(suggest("ap", limit=3)) == 3
    assert suggest("") == ()
    assert suggest("5 mg") == ()


def test_nothing_near_is_offered_for_an_unknown_name():
    assert recognise("Zyxolin 10mg").suggestions == ()
    assert recognise("").medicine is None


@given(st.text(max_size=60))
def test_recognising_any_text_never_fails(text):
    recognition = recognise(text)
    assert recognition.medicine is None or not recognition.suggestions


@given(
    st.sampled_from(sorted(VOCABULARY.names)),
    st.lists(st.sampled_from(["5mg", "bd", "daily", "2.5 mg", "at night", "gel", "x2"])),
)
def test_a_name_with_dose_words_around_it_is_its_own_medicine(name, around):
    written = " ".join([name, *around])
    assert recognise(written).medicine == VOCABULARY.names[name]


def test_old_free_text_is_read_as_the_old_word_matching_did_never_clearer():
    lines = lines_from_text("warfarin - stopped 2019\nwarfarin and aspirin\nElliquis 5mg\n\n")

    assert [(line.text, line.medicine_key) for line in lines] == [
        ("warfarin - stopped 2019", "warfarin"),
        ("warfarin and aspirin", "warfarin"),
        ("warfarin and aspirin", "aspirin"),
        ("Elliquis 5mg", None),  # a near spelling is never applied
    ]
    assert all(line.current and line.route is None for line in lines)


# --- Lines the practitioner has not resolved ----------------------------------------------


def test_unresolved_lines_are_those_neither_matched_nor_confirmed():
    matched = MedicineLine("Eliquis 5mg", "eliquis")
    unknown = MedicineLine("Zyxolin 10mg", None)
    confirmed = MedicineLine("Zyxolin 10mg", None, confirmed_not_relevant=True)
    retired = MedicineLine("Oldname", "a-key-no-longer-in-the-list")

    assert unresolved_lines((matched, unknown, confirmed, retired)) == (unknown, retired)


def test_an_unrecognised_or_confirmed_line_makes_no_finding_by_itself():
    assert _codes(MedicineLine("Zyxolin 10mg", None)) == []
    assert _codes(MedicineLine("Zyxolin 10mg", None, confirmed_not_relevant=True)) == []


# --- Screening on class, route, status and dates ------------------------------------------


def test_a_blood_thinner_stopped_recently_counts_with_its_stop_date_in_the_detail():
    stopped = MedicineLine("warfarin 3mg", "warfarin", Route.MOUTH, False, SESSION - timedelta(5))
    answers = ScreeningAnswers(treatment_date=SESSION, medicine_lines=(stopped,))

    (finding,) = screen(answers).findings

    assert finding.code == "blood_thinners"
    assert "stopped 10 Mar 2027" in finding.detail
    assert "eligible from 24 Mar 2027" in finding.detail
    assert "warfarin 3mg" in finding.detail


def test_the_stopped_window_of_blood_thinners_is_the_callers_to_set():
    stopped = MedicineLine("Xarelto", "xarelto", Route.MOUTH, False, SESSION - timedelta(20))

    assert STOPPED_WITHIN_DAYS == 14
    assert _codes(stopped) == []
    assert _codes(stopped, stopped_within_days=21) == ["blood_thinners"]
    assert _codes(stopped, stopped_within_days=20) == []


def test_the_window_counts_to_the_treatment_date_not_today():
    stopped = MedicineLine("Roaccutane", "roaccutane", Route.MOUTH, False, date(2026, 10, 20))

    assert _codes(stopped) == ["isotretinoin_recent"]  # 15 Mar 2027 is before 20 Apr
    later = ScreeningAnswers(treatment_date=date(2027, 4, 20), medicine_lines=(stopped,))
    assert screen(later).is_clear


def test_every_line_that_counts_is_in_the_finding_and_the_others_are_not():
    lines = (
        MedicineLine("Eliquis 5mg", "eliquis", Route.MOUTH),
        MedicineLine("Ramipril", "ramipril", Route.MOUTH),
        MedicineLine("warfarin", "warfarin", Route.MOUTH, False, date(2019, 1, 1)),
        MedicineLine("DuoPlavin", "duoplavin", Route.MOUTH),
    )
    answers = ScreeningAnswers(treatment_date=SESSION, medicine_lines=lines)

    (finding,) = screen(answers).findings

    assert "Eliquis (apixaban) in “Eliquis 5mg”" in finding.detail
    assert "DuoPlavin (clopidogrel + aspirin)" in finding.detail
    assert "warfarin" not in finding.detail
    assert "Ramipril" not in finding.detail


def test_a_medicine_of_several_classes_fires_each_rule_once():
    lines = (
        MedicineLine("Isotrexin gel", "isotrexin", Route.SKIN),
        MedicineLine("Tri-Luma", "tri-luma", Route.SKIN),
        MedicineLine("prednisolone 5mg", "prednisolone", Route.MOUTH),
        MedicineLine("Metoject", "metoject", Route.INJECTION),
    )

    assert _codes(*lines) == ["immunosuppression", "topical_retinoid_recent"]


def test_results_carry_the_vocabulary_version():
    result = screen(ScreeningAnswers(treatment_date=SESSION))

    assert result.vocabulary_version == VOCABULARY_VERSION
