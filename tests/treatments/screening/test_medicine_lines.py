"""Medicine lines as patients write them: what is recognised, what is only suggested, and
what screening makes of each line once its route and status are answered.

Each row: the line as written; the medicine key it is recognised as, or "?key" when it is
not recognised and that medicine is the first suggestion ("?" alone: nothing suggested);
the route the practitioner answers (None: not asked); the status (NOW, STOPPED on an
unknown date, or the stop date); and the rule codes screening gives once the line is
matched (for a suggestion, once the practitioner accepts it)."""

from datetime import date, timedelta

import pytest

from treatments.screening.engine import screen
from treatments.screening.medicines import MedicineLine, Route, recognise, unresolved_lines
from treatments.screening.rules import ScreeningAnswers

SESSION = date(2027, 3, 15)
NOW = "now"
STOPPED = "stopped, date unknown"
M, S, INJ, EYE, INH = (
    Route.MOUTH,
    Route.SKIN,
    Route.INJECTION,
    Route.EYE_EAR_NOSE,
    Route.INHALED,
)
BT, BS, ISO, IMM, TOP = (
    ["blood_thinners"],
    ["bleeding_supplements"],
    ["isotretinoin_recent"],
    ["immunosuppression"],
    ["topical_retinoid_recent"],
)
NONE: list[str] = []


def days_before(days: int) -> date:
    return SESSION - timedelta(days=days)


# fmt: off
LINES = [
    # --- Every line of the issue -------------------------------------------------------
    ("DuoPlavin 75/100", "duoplavin", M, NOW, BT),
    ("Aspirine Protect 100 mg", "aspirin-protect", M, NOW, BT),
    ("Bayer 81mg daily", "bayer-aspirin", M, NOW, BT),
    ("Alka-Seltzer", "alka-seltzer", M, NOW, BT),
    ("Excedrin migraine", "excedrin-migraine", M, NOW, BT),
    ("Xeralto 20mg", "?xarelto", M, NOW, BT),
    ("Elliquis 5mg", "?eliquis", M, NOW, BT),
    ("Zenatane 40mg", "zenatane", M, NOW, ISO),
    ("Myorisan 30mg", "myorisan", M, NOW, ISO),
    ("Omega3 1000mg", "fish-oil", M, NOW, BS),
    ("Krill oil", "krill-oil", M, NOW, BS),
    ("Gingko biloba", "?ginkgo", M, NOW, BS),
    ("5-ASA (mesalazine) 2.4g", "mesalazine", M, NOW, NONE),
    ("Isotretinoin 0.05% gel", "isotretinoin", S, NOW, TOP),
    ("Prednisolone eye drops", "prednisolone", EYE, NOW, NONE),
    ("warfarin - stopped 2019", "?warfarin", M, date(2019, 6, 1), NONE),
    ("warfarin 3mg", "warfarin", M, days_before(5), BT),
    # --- Stopped and current: the 14-day window of blood thinners ----------------------
    ("warfarin 3mg", "warfarin", M, days_before(13), BT),
    ("warfarin 3mg", "warfarin", M, days_before(14), NONE),
    ("Xarelto 20mg", "xarelto", M, STOPPED, NONE),
    ("Eliquis 5mg bd", "eliquis", M, SESSION + timedelta(days=3), BT),  # stops after it
    ("Clopidogrel 75mg", "clopidogrel", M, days_before(1), BT),
    ("Clopidogrel 75mg", "clopidogrel", None, NOW, BT),
    ("Warfarin 5mg/3mg alternate days", "warfarin", M, NOW, BT),
    # --- Anticoagulants, brands of several countries ------------------------------------
    ("Coumadin 5mg", "coumadin", M, NOW, BT),  # US
    ("Marevan 3 mg", "marevan", M, NOW, BT),  # UK, Norway
    ("Jantoven", "jantoven", M, NOW, BT),  # US
    ("Waran 2.5mg", "waran", M, NOW, BT),  # Sweden
    ("Coumadine 2 mg", "coumadine", M, NOW, BT),  # France
    ("Sintrom 4mg", "sintrom", M, NOW, BT),  # EU
    ("Sinthrome 1mg", "sinthrome", M, NOW, BT),  # UK
    ("Marcumar 3mg", "marcumar", M, NOW, BT),  # Germany
    ("Falithrom", "falithrom", M, NOW, BT),  # Germany
    ("Marcoumar", "marcoumar", M, NOW, BT),  # Switzerland
    ("Previscan 20mg", "previscan", M, NOW, BT),  # France
    ("Eliquis 2.5mg bd", "eliquis", M, NOW, BT),
    ("Éliquis 5 mg", "eliquis", M, NOW, BT),
    ("Xarelto 20mg od", "xarelto", M, NOW, BT),
    ("Lixiana 60mg", "lixiana", M, NOW, BT),  # EU
    ("Savaysa 60 mg", "savaysa", M, NOW, BT),  # US
    ("Roteas 30mg", "roteas", M, NOW, BT),  # EU
    ("PRADAXA 150MG BD", "pradaxa", M, NOW, BT),
    ("Pradax 110 mg", "pradax", M, NOW, BT),  # Canada
    ("Clexane 40mg sc daily", "clexane", INJ, NOW, BT),  # UK
    ("Lovenox 40 mg", "lovenox", INJ, NOW, BT),  # US, France
    ("Inhixa 40mg", "inhixa", INJ, NOW, BT),
    ("Fragmin 5000 units", "fragmin", INJ, NOW, BT),
    ("Innohep 3500 units", "innohep", INJ, NOW, BT),
    ("Fraxiparine 0.3ml", "fraxiparine", INJ, NOW, BT),
    ("Arixtra 2.5mg", "arixtra", INJ, NOW, BT),
    ("LMWH prophylaxis", "low-molecular-weight-heparin", INJ, NOW, BT),
    ("heparin 5000 units sc", "heparin", INJ, NOW, BT),
    ("apixaban 5mg BD", "apixaban", M, NOW, BT),
    ("rivaroxaban 15 mg", "rivaroxaban", M, NOW, BT),
    ("dabigatran etexilate 110mg", "dabigatran", M, NOW, BT),
    # --- Antiplatelets and aspirin --------------------------------------------------------
    ("Plavix 75mg", "plavix", M, NOW, BT),
    ("Grepid 75 mg", "grepid", M, NOW, BT),  # UK
    ("Iscover 75mg", "iscover", M, NOW, BT),  # EU
    ("Efient 10mg", "efient", M, NOW, BT),  # EU
    ("Effient 10 mg", "effient", M, NOW, BT),  # US
    ("Brilique 90mg bd", "brilique", M, NOW, BT),  # UK, EU
    ("Brilinta 90 mg", "brilinta", M, NOW, BT),  # US
    ("Persantin Retard 200mg", "persantin", M, NOW, BT),
    ("Aggrenox bd", "aggrenox", M, NOW, BT),  # US
    ("Asasantin Retard", "asasantin-retard", M, NOW, BT),  # UK
    ("DuoCover 75/75", "duocover", M, NOW, BT),
    ("DuoPlavin (clopidogrel + aspirin)", "duoplavin", M, NOW, BT),
    ("Nu-Seals 75", "nu-seals", M, NOW, BT),
    ("Disprin", "disprin", M, NOW, BT),
    ("Ecotrin 325mg", "ecotrin", M, NOW, BT),
    ("Kardegic 75mg", "kardegic", M, NOW, BT),  # France
    ("Aspegic 1000", "aspegic", M, NOW, BT),  # France
    ("Cardioaspirina 100mg", "cardioaspirina", M, NOW, BT),  # Italy
    ("Aspirin Cardio 100", "aspirin-cardio", M, NOW, BT),  # Switzerland
    ("Durlaza 162.5mg", "durlaza", M, NOW, BT),  # US
    ("Vazalore 81 mg", "vazalore", M, NOW, BT),  # US
    ("St Joseph aspirin 81mg", "st-joseph-aspirin", M, NOW, BT),  # US
    ("ASA 81mg daily", "aspirin", M, NOW, BT),
    ("low dose aspirin 75mg", "aspirin", M, NOW, BT),
    ("acetylsalicylic acid 75 mg", "aspirin", M, NOW, BT),
    ("Acetylsalicylsäure 100 mg", "aspirin", M, NOW, BT),  # German
    ("Anadin Extra", "anadin-extra", M, NOW, BT),  # UK
    ("Anadin Original", "anadin-original", M, NOW, BT),
    ("Goody's Headache Powder", "goodys-headache-powder", M, NOW, BT),  # US
    ("BC Powder", "bc-powder", M, NOW, BT),  # US
    ("Thomapyrin", "thomapyrin", M, NOW, BT),  # Germany
    ("Yosprala 81/40", "yosprala", M, NOW, BT),  # US
    ("Pletal 100mg", "pletal", M, NOW, BT),
    ("Excedrin", "?excedrin-migraine", M, NOW, BT),  # which Excedrin? asked
    ("Anadin Paracetamol", "anadin-paracetamol", M, NOW, NONE),
    ("Anadin Joint Pain 200mg", "anadin-joint-pain", M, NOW, NONE),
    ("Excedrin Tension Headache", "excedrin-tension-headache", M, NOW, NONE),
    ("Excedrin PM Headache", "excedrin-pm-headache", M, NOW, NONE),
    # --- Supplements that raise bleeding risk: a week's pause -------------------------
    ("Omega-3 fish oil 1000mg", "fish-oil", M, NOW, BS),
    ("fish oil capsules", "fish-oil", M, NOW, BS),
    ("fish oil", "fish-oil", M, days_before(3), BS),
    ("fish oil", "fish-oil", M, days_before(10), NONE),
    ("Cod liver oil 1 capsule", "cod-liver-oil", M, NOW, BS),
    ("Omacor 1g", "omacor", M, NOW, BS),  # UK, EU
    ("Vascepa 1g bd", "vascepa", M, NOW, BS),  # US
    ("Vitamin E 400 IU", "vitamin-e", M, NOW, BS),
    ("Vit E 400iu", "vitamin-e", M, NOW, BS),
    ("tocopherol", "vitamin-e", M, NOW, BS),
    ("Ginkgo biloba 120mg", "ginkgo", M, NOW, BS),
    ("Tebonin 120 mg", "tebonin", M, NOW, BS),  # Germany
    ("Tanakan", "tanakan", M, NOW, BS),  # France
    ("garlic tablets", "garlic", M, NOW, BS),
    ("Kyolic aged garlic extract", "kyolic", M, NOW, BS),
    ("Panax ginseng 200mg", "ginseng", M, NOW, BS),
    ("turmeric 500mg", "turmeric", M, NOW, BS),
    ("curcumin", "turmeric", M, NOW, BS),
    ("krill oil 500mg", "krill-oil", M, NOW, BS),
    # --- Retinoids: by mouth the isotretinoin rule, on the skin the topical rule -------
    ("Roaccutane 20mg", "roaccutane", M, NOW, ISO),  # UK, EU
    ("Accutane 40mg", "accutane", M, NOW, ISO),  # US
    ("Absorica 25mg", "absorica", M, NOW, ISO),
    ("Claravis", "claravis", M, NOW, ISO),
    ("Amnesteem 40 mg", "amnesteem", M, NOW, ISO),
    ("Epuris 30mg", "epuris", M, NOW, ISO),  # Canada
    ("Contracne 20mg", "contracne", M, NOW, ISO),  # France
    ("isotretinoin 20mg", "isotretinoin", M, SESSION - timedelta(days=150), ISO),
    ("isotretinoin 20mg", "isotretinoin", M, SESSION - timedelta(days=200), NONE),
    ("isotretinoin 20mg", "isotretinoin", None, NOW, ISO),  # route not asked: systemic
    ("Isotrex gel", "isotrex", None, NOW, TOP),  # exists on the skin only
    ("Isotrexin gel", "isotrexin", S, NOW, TOP),
    ("Differin gel at night", "differin", None, NOW, TOP),
    ("adapalene 0.1% gel", "adapalene", S, NOW, TOP),
    ("Epiduo gel", "epiduo", S, NOW, TOP),
    ("Epiduo Forte", "epiduo", None, NOW, TOP),
    ("Retin-A 0.025% cream", "retin-a", S, NOW, TOP),
    ("tretinoin 0.05% cream", "tretinoin", S, NOW, TOP),
    ("tretinoin 0.05% cream", "tretinoin", None, NOW, ISO),  # not asked: systemic, safe
    ("tretinoin 10mg", "tretinoin", M, NOW, ISO),
    ("Zorac 0.1% gel", "zorac", S, NOW, TOP),  # UK
    ("Tazorac cream", "tazorac", S, NOW, TOP),  # US
    ("Aklief cream", "aklief", S, NOW, TOP),
    ("retinol serum", "retinol", None, NOW, TOP),
    ("retinol 0.5%", "retinol", S, days_before(3), TOP),
    ("retinol 0.5%", "retinol", S, days_before(6), NONE),
    ("Treclin gel", "treclin", S, NOW, TOP),
    ("Tri-Luma cream", "tri-luma", S, NOW, TOP),
    ("acitretin 25mg", "acitretin", M, NOW, ISO),
    ("Neotigason 10mg", "neotigason", M, NOW, ISO),  # UK
    ("Soriatane", "soriatane", M, NOW, ISO),  # US
    ("Toctino 30mg", "toctino", M, NOW, ISO),
    # --- Acid exfoliants on the skin ------------------------------------------------------
    ("glycolic acid 7% lotion", "glycolic-acid", S, NOW, TOP),
    ("salicylic acid 2% gel", "salicylic-acid", None, NOW, TOP),
    ("Skinoren cream", "skinoren", S, NOW, TOP),
    ("Finacea gel", "finacea", S, NOW, TOP),
    ("azelaic acid 15%", "azelaic-acid", S, days_before(2), TOP),
    ("lactic acid lotion", "lactic-acid", S, NOW, TOP),
    ("mandelic acid serum", "mandelic-acid", S, NOW, TOP),
    ("benzoyl peroxide 5% gel", "benzoyl-peroxide", S, NOW, NONE),
    ("Acnecide gel", "acnecide", S, NOW, NONE),
    ("Duac gel", "duac", S, NOW, NONE),
    # --- Corticosteroids: systemic only by mouth or injection ---------------------------
    ("Prednisolone 5mg daily", "prednisolone", M, NOW, IMM),
    ("prednisolone 40mg", "prednisolone", M, days_before(5), IMM),
    ("prednisolone 40mg", "prednisolone", M, days_before(30), NONE),
    ("Pred Forte eye drops", "pred-forte", None, NOW, NONE),
    ("Maxidex", "maxidex", EYE, NOW, NONE),
    ("dexamethasone 4mg", "dexamethasone", M, NOW, IMM),
    ("dexamethasone eye drops", "dexamethasone", EYE, NOW, NONE),
    ("hydrocortisone 1% cream", "hydrocortisone", S, NOW, NONE),
    ("Cortizone-10", "cortizone-10", None, NOW, NONE),
    ("Daktacort", "daktacort", S, NOW, NONE),
    ("Canesten HC cream", "canesten-hc", S, NOW, NONE),
    ("Betnovate cream", "betnovate", S, NOW, NONE),
    ("Dermovate ointment", "dermovate", S, NOW, NONE),
    ("clobetasol", "clobetasol", None, NOW, NONE),
    ("betamethasone 500mcg tablets", "betamethasone", M, NOW, IMM),
    ("Kenalog injection", "kenalog", INJ, NOW, IMM),
    ("Medrol 4mg", "medrol", M, NOW, IMM),
    ("Depo-Medrone 40mg", "depo-medrone", INJ, NOW, IMM),
    ("Nasonex nasal spray", "nasonex", EYE, NOW, NONE),
    ("Flixonase", "flixonase", None, NOW, NONE),
    ("Flonase", "flonase", EYE, NOW, NONE),
    ("Avamys", "avamys", EYE, NOW, NONE),
    ("Beconase", "beconase", EYE, NOW, NONE),
    ("mometasone nasal spray", "mometasone", EYE, NOW, NONE),
    ("fluticasone inhaler", "fluticasone", INH, NOW, NONE),
    ("Seretide 250 2 puffs bd", "seretide", INH, NOW, NONE),
    ("Symbicort 200/6", "symbicort", INH, NOW, NONE),
    ("Fostair 100/6", "fostair", INH, NOW, NONE),
    ("Clenil", "clenil", None, NOW, NONE),
    ("Qvar", "qvar", INH, NOW, NONE),
    ("Pulmicort", "pulmicort", INH, NOW, NONE),
    ("Entocort 9mg", "entocort", None, NOW, IMM),
    ("budesonide 9mg", "budesonide", M, NOW, IMM),
    # --- Immunosuppressants ----------------------------------------------------------------
    ("Methotrexate 15mg weekly", "methotrexate", M, NOW, IMM),
    ("Metoject 15mg weekly", "metoject", INJ, NOW, IMM),
    ("ciclosporin 100mg bd", "ciclosporin", M, NOW, IMM),
    ("cyclosporine 100 mg", "ciclosporin", M, NOW, IMM),
    ("Ikervis eye drops", "ikervis", None, NOW, NONE),
    ("Restasis", "restasis", EYE, NOW, NONE),
    ("ciclosporin eye drops", "ciclosporin", EYE, NOW, NONE),
    ("Protopic 0.1% ointment", "protopic", None, NOW, NONE),
    ("tacrolimus ointment", "tacrolimus", S, NOW, NONE),
    ("Prograf 1mg bd", "prograf", M, NOW, IMM),
    ("Elidel cream", "elidel", S, NOW, NONE),
    ("Imuran 50mg", "imuran", M, NOW, IMM),
    ("CellCept 500mg", "cellcept", M, NOW, IMM),
    ("mycophenolate mofetil 1g", "mycophenolic-acid", M, NOW, IMM),
    ("Humira 40mg", "humira", INJ, NOW, IMM),
    ("Amgevita 40 mg pen", "amgevita", INJ, NOW, IMM),
    ("Enbrel 50mg weekly", "enbrel", INJ, NOW, IMM),
    ("Benepali", "benepali", INJ, NOW, IMM),
    ("Remicade", "remicade", INJ, NOW, IMM),
    ("Stelara 90mg", "stelara", INJ, NOW, IMM),
    ("Cosentyx 300mg", "cosentyx", INJ, NOW, IMM),
    ("Skyrizi", "skyrizi", INJ, NOW, IMM),
    ("Xeljanz 5mg bd", "xeljanz", M, NOW, IMM),
    ("Rinvoq 15mg", "rinvoq", M, NOW, IMM),
    ("Arava 20mg", "arava", M, NOW, IMM),
    ("Arava 20mg", "arava", M, STOPPED, NONE),
    # --- Photosensitising and NSAIDs: recognised, no rule of their own ------------------
    ("doxycycline 100mg", "doxycycline", M, NOW, NONE),
    ("Efracea 40mg", "efracea", M, NOW, NONE),
    ("Lymecycline 408mg", "lymecycline", M, NOW, NONE),
    ("amiodarone 200mg", "amiodarone", M, NOW, NONE),
    ("St John's wort", "st-johns-wort", M, NOW, NONE),
    ("St. Johns Wort 300mg", "st-johns-wort", M, NOW, NONE),
    ("ibuprofen 400mg tds", "ibuprofen", M, NOW, NONE),
    ("Nurofen", "nurofen", M, NOW, NONE),
    ("Advil 200 mg", "advil", M, NOW, NONE),
    ("naproxen 500mg bd", "naproxen", M, NOW, NONE),
    ("Voltaren Emulgel", "voltaren", S, NOW, NONE),
    ("celecoxib 200mg", "celecoxib", M, NOW, NONE),
    # --- Known and not relevant ----------------------------------------------------------
    ("Ramipril 5mg od", "ramipril", M, NOW, NONE),
    ("Tritace 2.5 mg", "tritace", M, NOW, NONE),
    ("metformin 500mg bd", "metformin", M, NOW, NONE),
    ("Glucophage SR 500", "glucophage", M, NOW, NONE),
    ("levothyroxine 50 micrograms", "levothyroxine", M, NOW, NONE),
    ("Levothyrox 50", "levothyrox", M, NOW, NONE),  # France
    ("atorvastatin 20mg nocte", "atorvastatin", M, NOW, NONE),
    ("paracetamol 1g qds", "paracetamol", M, NOW, NONE),
    ("Doliprane 1000", "doliprane", M, NOW, NONE),  # France
    ("Ben-u-ron 500 mg", "ben-u-ron", M, NOW, NONE),  # Germany
    ("co-codamol 30/500", "co-codamol", M, NOW, NONE),
    ("Tylenol with Codeine", "tylenol-with-codeine", M, NOW, NONE),
    ("omeprazole 20mg", "omeprazole", M, NOW, NONE),
    ("Lustral 100mg", "lustral", M, NOW, NONE),  # UK
    ("Zoloft 50 mg", "zoloft", M, NOW, NONE),  # US
    ("cetirizine 10mg", "cetirizine", M, NOW, NONE),
    ("Ventolin 2 puffs prn", "ventolin", INH, NOW, NONE),
    ("Microgynon 30", "microgynon", M, NOW, NONE),
    ("vitamine D 1000", "vitamin-d", M, NOW, NONE),  # French
    ("Vitamin B12", "cyanocobalamin", M, NOW, NONE),
    ("Ozempic 1mg weekly", "ozempic", INJ, NOW, NONE),
    ("Lantus 20 units nocte", "lantus", INJ, NOW, NONE),
    ("Zestoretic 20/12.5", "zestoretic", M, NOW, NONE),
    ("hyaluronic acid serum", "hyaluronic-acid", S, NOW, NONE),
    ("niacinamide 10% serum", "nicotinamide", S, NOW, NONE),
    ("Asacol 400mg", "asacol", M, NOW, NONE),
    ("mesalamine 1.2g", "mesalazine", M, NOW, NONE),
    ("mesalazine (5-ASA)", "mesalazine", M, NOW, NONE),
    ("Augmentin 625mg tds", "augmentin", M, NOW, NONE),
    ("Valtrex 500mg", "valtrex", M, NOW, NONE),
    ("EMLA cream", "emla", S, NOW, NONE),
    ("Hydroxychloroquine 200mg", "hydroxychloroquine", M, NOW, NONE),  # condition asked
    ("Nurofen Plus", "nurofen-plus", M, NOW, NONE),
    ("Prednisolone 30mg reducing", "prednisolone", M, NOW, IMM),
    # --- Not recognised, nothing offered --------------------------------------------------
    ("Zyxolin 10mg", "?", None, NOW, NONE),
    ("Benadryl", "?", None, NOW, NONE),  # a different medicine in the US and the UK
]
# fmt: on


def _line(text: str, key: str | None, route: Route | None, status: object) -> MedicineLine:
    if status == NOW:
        return MedicineLine(text, key, route)
    stopped_on = None if status == STOPPED else status
    assert stopped_on is None or isinstance(stopped_on, date)
    return MedicineLine(text, key, route, current=False, stopped_on=stopped_on)


def _codes(lines: tuple[MedicineLine, ...]) -> list[str]:
    result = screen(ScreeningAnswers(treatment_date=SESSION, medicine_lines=lines))
    return [finding.code for finding in result.findings]


def test_the_table_is_large_and_covers_every_route_and_status():
    assert len(LINES) >= 150
    assert {route for _, _, route, _, _ in LINES} == {*Route, None}
    statuses = {type(status) if status not in (NOW, STOPPED) else status for *_, status, _ in LINES}
    assert statuses == {NOW, STOPPED, date}


@pytest.mark.parametrize(("text", "expected", "route", "status", "codes"), LINES)
def test_a_medicine_line_is_recognised_or_only_suggested_and_screened(
    text, expected, route, status, codes
):
    recognition = recognise(text)

    if expected.startswith("?"):
        assert recognition.medicine is None
        unmatched = _line(text, None, route, status)
        assert unresolved_lines((unmatched,)) == (unmatched,)
        assert _codes((unmatched,)) == []  # a suggestion is never applied
        offered = [medicine.key for medicine in recognition.suggestions]
        if expected == "?":
            assert offered == []
            return
        assert offered[0] == expected[1:]
        key = expected[1:]
    else:
        assert recognition.medicine is not None
        assert recognition.medicine.key == expected
        key = expected
    line = _line(text, key, route, status)

    assert unresolved_lines((line,)) == ()
    assert _codes((line,)) == codes
