"""Steps that several browser journeys share, and journeys written to be chained."""

from collections.abc import Callable

from django.contrib.auth.models import User
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from clinic.staff.mfa import mfa_required
from tests.factories import TEST_PASSWORD, TOTPDeviceFactory
from tests.signing_in import code_now


def authenticator_for(username: str) -> TOTPDevice | None:
    """An authenticator app set up for this person if their sign-in needs a second step
    (a new one each time: a code is accepted once per device and 30-second step)."""
    user = User.objects.filter(username=username).first()
    if user is None or not (mfa_required(user) or TOTPDevice.objects.filter(user=user).exists()):
        return None
    return TOTPDeviceFactory(user=user)


def enter_code(page: Page, device: TOTPDevice) -> None:
    """The second step: type the code the authenticator app shows now."""
    page.get_by_label("Code").fill(code_now(device))
    page.get_by_role("button", name="Continue").click()


def sign_in(page: Page, base: str, username: str, password: str = TEST_PASSWORD) -> None:
    """Sign in through the real sign-in form, and the second step when the role needs it."""
    device = authenticator_for(username)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    if device is not None and "/accounts/verify/" in page.url:
        with page.expect_navigation():
            enter_code(page, device)


def review_history_from_home(page: Page, base: str, *, appointment_pk: int, peel_on: str) -> None:
    """The practitioner's half of the history from home, from the appointment on.

    The patient's history must hold: cold sores in the past, a chemical peel within 30
    days, an allergy, not pregnant, and Eliquis. The practitioner sees its findings
    before starting, starts the consultation, takes the cold sores in as given, records
    the peel on ``peel_on`` ("YYYY-MM-DD", over 30 days ago) instead, takes the medicines
    in, then the rest; the consultation's screening follows each step.
    """
    page.goto(f"{base}/appointments/{appointment_pk}/")
    panel = page.get_by_test_id("home-history-panel")
    expect(panel.get_by_test_id("home-finding-chemical_peel_recent")).to_contain_text(
        "Needs clearance"
    )
    expect(panel.get_by_test_id("home-finding-blood_thinners")).to_be_visible()
    expect(panel.get_by_test_id("home-finding-cold_sore_history")).to_contain_text("Precaution")

    panel.get_by_role("link", name="Start the consultation").click()
    page.get_by_label("Acne scars").check()
    page.get_by_label("Face").check()
    page.get_by_label("Fitzpatrick skin type").select_option("2")
    page.get_by_role("button", name="Save consultation").click()
    page.get_by_test_id("home-history-summary").get_by_role(
        "link", name="Review and take in"
    ).click()

    screening = page.get_by_test_id("consultation-screening")
    expect(screening).to_contain_text("Clear")
    page.get_by_role("button", name="Take in: Has had cold sores").click()
    expect(screening.get_by_test_id("finding-cold_sore_history")).to_be_visible()
    expect(screening).to_contain_text("Precaution")

    peel = page.get_by_test_id("answer-chemical_peel_on")
    peel.get_by_text("Record differently").click()
    peel.get_by_label("Record “Last chemical peel” as").fill(peel_on)
    peel.get_by_role("button", name="Record: Last chemical peel").click()
    expect(peel).to_contain_text("Differs from what the patient said")
    expect(screening.get_by_test_id("finding-chemical_peel_recent")).to_have_count(0)

    page.get_by_role("button", name="Take in: Medicines").click()
    expect(screening.get_by_test_id("finding-blood_thinners")).to_be_visible()
    expect(screening).to_contain_text("Needs clearance")

    page.get_by_role("button", name="Take in all answers as given").click()
    expect(page.get_by_test_id("left-to-take-in")).to_have_text("All taken in")
    for field in ("cold_sore_history", "chemical_peel_on", "medicines", "allergies"):
        row = page.get_by_test_id(f"answer-{field}")
        expect(row.get_by_test_id("said")).to_be_visible()
        expect(row.get_by_test_id("recorded")).to_be_visible()


def fill_in_history_at_home(
    page: Page, url: str, *, checkpoint: Callable[[Page, str], None] | None = None
) -> None:
    """The patient opens the questionnaire from her email, answers (a cold-sore history,
    warfarin taken now), finds her answers kept after a reload, reads the consent form,
    checks her answers and sends them. ``checkpoint(page, name)`` runs on each page
    ("questionnaire", "consent", "review", "received"), e.g. to check accessibility."""
    check = checkpoint or (lambda _page, _name: None)
    status = page.get_by_test_id("save-status")

    def saved_since(before: str | None) -> None:
        """Wait until a save after the one counted ``before`` is done and none is due."""
        expect(status).not_to_have_attribute("data-saves", before or "0")
        expect(status).to_have_attribute("data-pending", "false")
        expect(status).to_have_text("Saved.")

    page.goto(url)
    expect(page.get_by_role("heading", name="Hello Ines")).to_be_visible()
    check(page, "questionnaire")
    page.locator("#cold_sore_history-yes").check()
    saved_since(None)
    before = status.get_attribute("data-saves")
    page.locator("#sunburn-no").check()
    page.locator("#pregnant_or_breastfeeding-no").check()
    medicine = page.locator("#med-0-text")
    medicine.fill("warf")
    expect(page.locator("#medicine-suggestions option")).not_to_have_count(0)
    medicine.fill("Warfarin")
    page.locator("#med-0-dose").fill("3mg daily")
    page.locator("#med-0-dose").blur()
    saved_since(before)

    page.reload()
    expect(page.locator("#cold_sore_history-yes")).to_be_checked()
    expect(page.locator("#sunburn-no")).to_be_checked()
    expect(page.locator("#med-0-text")).to_have_value("Warfarin")
    expect(page.locator("#med-0-dose")).to_have_value("3mg daily")

    page.get_by_test_id("consent-link").click()
    expect(page.get_by_text("Reading it is not signing it")).to_be_visible()
    check(page, "consent")
    page.go_back()

    page.get_by_test_id("review-link").click()
    review = page.get_by_test_id("review-answers")
    expect(review).to_contain_text("Have you ever had cold sores?")
    expect(review).to_contain_text("Warfarin, 3mg daily: Taking now")
    check(page, "review")
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("received")).to_have_text("Received, thank you, Ines")
    expect(page.get_by_test_id("sent-answers")).to_contain_text("Warfarin")
    expect(page.locator("form[data-home-history]")).to_have_count(0)
    check(page, "received")
