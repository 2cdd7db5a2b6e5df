"""The session page as the practitioner charts: the screening and overrides that apply
today, the plan's notes, the last session's record, and the depth guidance for this
patient's skin, each depth judged against the right range."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clinic.scheduling.services import appointment_check_in
from tests.factories import make_patient, make_staff
from tests.treatments.sessions.sessions_setup import make_plan, record, start_record_and_sign
from treatments.consultations.services import (
    consent_text_current,
    consultation_sign,
    consultation_start,
    consultation_update,
    finding_override,
)
from treatments.models import ConsentSignature, TreatmentSession
from treatments.plans.services import plan_book
from treatments.sessions.check_in import check_in_screen
from treatments.sessions.services import session_sign, session_start, zones_for

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 11, 23, 8, 45, tzinfo=UTC)  # within the start margin of 09:00
CONDITIONS = "Keloid on the chest only: max 0.5 mm on the cheeks, no neck"
CHEEKS = "Face: Cheeks and chin"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def _consulted(practitioner, skin=""):
    """A signed consultation with a needs-clearance finding overridden with conditions,
    the patient's skin as found, and the current consent signed."""
    patient = make_patient()
    consultation = consultation_start(patient=patient, practitioner=practitioner)
    consultation_update(
        consultation=consultation, by=practitioner, fields={"skin_thickness": skin},
        history={"keloid_tendency": True},
    )  # fmt: skip
    (finding,) = consultation.findings.filter(level="needs_clearance")
    finding_override(finding=finding, by=practitioner, reason=CONDITIONS)
    consultation = consultation_sign(
        consultation=consultation, by=practitioner, decision="suitable_with_precautions"
    )
    ConsentSignature.objects.create(
        patient=patient, consent_text=consent_text_current(), typed_name=patient.full_name,
        agreed=True, witnessed_by=practitioner,
    )  # fmt: skip
    return consultation


def _started(setting, practitioner, skin="", notes=""):
    """Session 1 of a plan for a patient consulted as above, started at 09:00 today."""
    consultation = _consulted(practitioner, skin)
    plan = make_plan({**setting, "consultation": consultation}, practitioner, notes=notes)
    plan_book(plan=plan, by=make_staff(), now=timezone.now())
    session = plan.sessions.select_related("appointment").get(number=1)
    appointment_check_in(appointment=session.appointment, now=timezone.now())
    check_in_screen(patient=consultation.patient, by=practitioner, conditions=set())
    return session_start(session=session, now=timezone.now())


def _page(client, session):
    response = client.get(reverse("treatments:session", args=[session.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_an_overrides_conditions_and_the_plans_notes(
    setting, practitioner, practitioner_client
):
    session = _started(setting, practitioner, notes="Prefers the left side first.")

    page = _page(practitioner_client, session)

    assert CONDITIONS in page
    assert "Keloid" in page
    assert "Prefers the left side first." in page
    assert "first recorded session" in page


def test_the_page_shows_the_last_sessions_depths_passes_reaction_and_aftercare(
    setting, practitioner, practitioner_client, frozen
):
    first = _started(setting, practitioner)
    record(first, depths={CHEEKS: (Decimal("0.75"), "")}, passes=3,
           skin_reaction="Even redness, settled by day 2")  # fmt: skip
    session_sign(session=first, by=practitioner, now=timezone.now())
    second = TreatmentSession.objects.get(plan=first.plan, number=2)

    page = _page(practitioner_client, second)

    assert f"{CHEEKS}: 0.75 mm" in page
    assert "Even redness, settled by day 2" in page
    assert "version 1" in page
    assert "Session 1, 23 Nov 2026" in page


def test_a_thick_skin_depth_inside_the_thick_range_needs_no_reason_for_thick_skin(
    setting, practitioner
):
    session = _started(setting, practitioner, skin="thick")

    # Cheeks and chin: thin skin 0.5 to 1.0 mm, thick skin 1.0 to 2.0 mm.
    record(session, depths={CHEEKS: (Decimal("1.75"), "")})
    signed = session_sign(session=session, by=practitioner, now=timezone.now())

    assert signed.is_completed
    depth = signed.depths.get()
    assert (depth.guidance_low_mm, depth.guidance_high_mm) == (Decimal("1.00"), Decimal("2.00"))


def test_the_same_depth_needs_a_reason_for_thin_skin(setting, practitioner):
    session = _started(setting, practitioner, skin="thin")

    record(session, depths={CHEEKS: (Decimal("1.75"), "")})

    with pytest.raises(ValidationError, match="outside the guidance"):
        session_sign(session=session, by=practitioner, now=timezone.now())


def test_skin_not_recorded_anywhere_is_judged_as_thin(setting, practitioner):
    session = _started(setting, practitioner)

    record(session, depths={CHEEKS: (Decimal("1.75"), "")})

    with pytest.raises(ValidationError, match="outside the guidance"):
        session_sign(session=session, by=practitioner, now=timezone.now())


def test_thick_skin_chosen_at_the_session_judges_the_depths_saved_before(setting, practitioner):
    session = _started(setting, practitioner)
    record(session, depths={CHEEKS: (Decimal("1.75"), "")})

    record(session, depths={}, skin_thickness="thick")

    assert session_sign(session=session, by=practitioner, now=timezone.now()).is_completed


def test_the_form_judges_a_depth_for_the_skin_posted(setting, practitioner, practitioner_client):
    session = _started(setting, practitioner, skin="thick")
    url = reverse("treatments:session", args=[session.pk])
    cheeks = [zone.name for zone in zones_for(session.plan)].index(CHEEKS)
    data = {"device": "pen", "needle_lot": "L1", f"depth_{cheeks}": "1.75"}

    as_found = practitioner_client.post(url, data)
    as_thin = practitioner_client.post(url, {**data, "skin_thickness": "thin"})

    assert as_found.status_code == 302
    assert as_thin.status_code == 200
    assert "outside the guidance for thin skin (0.50 to 1.00 mm)" in as_thin.content.decode()


def test_the_guidance_shows_both_ranges_and_which_applies(
    setting, practitioner, practitioner_client
):
    session = _started(setting, practitioner, skin="thick")

    page = _page(practitioner_client, session)

    assert "Depth guidance for thick skin" in page
    assert "Thick skin: as the consultation found." in page
    assert "1.00 to 2.00 mm" in page


@pytest.mark.parametrize("earlier", [1, 3])
def test_the_page_before_treating_costs_the_same_however_long_the_history(
    setting, practitioner, practitioner_client, django_assert_num_queries, frozen, earlier
):
    session = _started(setting, practitioner)
    patient = session.plan.patient
    for days in range(1, earlier + 1):
        other = make_plan({**setting, "consultation": session.plan.consultation}, practitioner)
        TreatmentSession.objects.filter(plan=other, number=1).update(
            status="completed", signed_at=timezone.now() - timedelta(days=days),
            signed_by=practitioner, started_at=timezone.now() - timedelta(days=days),
        )  # fmt: skip
    assert patient.plans.count() == earlier + 1
    url = reverse("treatments:session", args=[session.pk])

    # login (3), the session with its plan, patient, consultation, appointment and
    # aftercare, audit, the plan's zones (areas, guidance), the depths saved so far,
    # the latest signed consultation with its patient, its findings with who overrode them,
    # the day's check-in, audit of the consultation, the last session,
    # its depths, menu; each audit is four queries (its INSERT, the chain head locked, the
    # seal, the head moved on)
    with django_assert_num_queries(21):
        assert practitioner_client.get(url).status_code == 200


def test_the_signed_record_names_the_skin_and_links_the_lot(
    session_today, practitioner, practitioner_client
):
    signed = start_record_and_sign(session_today, practitioner)

    page = _page(practitioner_client, signed)

    assert "Thin skin (not recorded" in page
    assert reverse("treatments:lot_recall") + "?needle_lot=LOT-2291" in page
