"""Two-step sign-in: who must pass it, enrolment, codes and recovery codes, the admin."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.staff import mfa
from clinic.staff.roles import Role
from tests.factories import TEST_PASSWORD, TOTPDeviceFactory, UserFactory
from tests.signing_in import code_now, sign_in

pytestmark = pytest.mark.django_db


def _password_only(username: str) -> Client:
    client = Client()
    response = client.post(
        reverse("login"), {"username": username, "password": TEST_PASSWORD}, follow=False
    )
    assert response.status_code == 302
    return client


def _code_for_key(key: str) -> str:
    device = TOTPDevice(key=key)
    return code_now(device)


def test_a_practitioner_with_only_a_password_is_sent_to_set_up_two_step(practitioner):
    client = _password_only("prac")

    response = client.get(reverse("patients:list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_enrol"))


def test_the_front_desk_signs_in_with_a_password_alone_by_default(front_desk):
    client = _password_only("desk")

    assert client.get(reverse("patients:list")).status_code == 200


def test_the_clinic_may_require_two_step_for_everyone(front_desk, settings):
    settings.MFA_REQUIRED_FOR_ALL = True
    client = _password_only("desk")

    response = client.get(reverse("patients:list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_enrol"))


def test_an_htmx_request_before_the_second_step_redirects_the_whole_page(practitioner):
    client = _password_only("prac")

    response = client.get(reverse("patients:list"), headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("mfa_enrol")


def test_enrolment_shows_a_qr_code_as_a_data_uri_and_the_key(practitioner):
    client = _password_only("prac")

    response = client.get(reverse("mfa_enrol"))

    html = response.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    assert response.context["secret"].replace(" ", "")
    # No menu until the second step is passed.
    assert 'href="/patients/"' not in html


def test_enrolment_with_the_right_code_gives_recovery_codes_and_a_verified_session(practitioner):
    client = _password_only("prac")
    client.get(reverse("mfa_enrol"))
    key = client.session["clinic_mfa_enrol_key"]

    response = client.post(reverse("mfa_enrol"), {"code": _code_for_key(key)})

    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user=practitioner).count() == 10
    assert TOTPDevice.objects.get(user=practitioner).confirmed
    assert client.get(reverse("patients:list")).status_code == 200


def test_enrolment_with_a_wrong_code_saves_nothing_and_says_why(practitioner):
    client = _password_only("prac")
    client.get(reverse("mfa_enrol"))

    response = client.post(reverse("mfa_enrol"), {"code": "000000x"})

    assert response.status_code == 200
    assert "does not match" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=practitioner).exists()


@pytest.mark.parametrize(
    "junk", ["", " ", "1" * 40, "\x00", "\uff11\uff12\uff13\uff14\uff15\uff16"]
)
def test_junk_codes_are_refused_with_a_message(practitioner, junk):
    TOTPDeviceFactory(user=practitioner)
    client = _password_only("prac")

    response = client.post(reverse("mfa_verify"), {"code": junk})

    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert client.get(reverse("patients:list")).status_code == 302


def test_a_code_from_the_app_passes_the_second_step(practitioner):
    device = TOTPDeviceFactory(user=practitioner)
    client = _password_only("prac")
    assert client.get(reverse("patients:list"))["Location"].startswith(reverse("mfa_verify"))

    response = client.post(reverse("mfa_verify") + "?next=/patients/", {"code": code_now(device)})

    assert response.status_code == 302
    assert response["Location"] == "/patients/"
    assert client.get(reverse("patients:list")).status_code == 200


def test_the_same_code_does_not_work_twice(practitioner):
    device = TOTPDeviceFactory(user=practitioner)
    code = code_now(device)
    assert _password_only("prac").post(reverse("mfa_verify"), {"code": code}).status_code == 302

    second = _password_only("prac").post(reverse("mfa_verify"), {"code": code})

    assert second.status_code == 200


def test_a_recovery_code_passes_once(practitioner):
    TOTPDeviceFactory(user=practitioner)
    codes = mfa.recovery_codes_replace(user=practitioner)

    first = _password_only("prac").post(reverse("mfa_verify"), {"code": codes[0].upper()})
    again = _password_only("prac").post(reverse("mfa_verify"), {"code": codes[0]})

    assert first.status_code == 302
    assert again.status_code == 200
    assert mfa.recovery_codes_left(practitioner) == 9


def test_an_outside_redirect_after_the_second_step_is_ignored(practitioner):
    device = TOTPDeviceFactory(user=practitioner)
    client = _password_only("prac")

    response = client.post(
        reverse("mfa_verify") + "?next=https://evil.example/", {"code": code_now(device)}
    )

    assert response["Location"] == reverse("today")


def test_the_verify_page_needs_a_password_first(client):
    response = client.get(reverse("mfa_verify"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_admin_login_sends_to_the_clinics_sign_in(client):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_admin_needs_the_second_step(manager):
    client = _password_only("boss")

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_enrol"))
    assert sign_in(Client(), manager).get(reverse("admin:index")).status_code == 200


def test_a_superuser_without_a_role_needs_the_second_step_too():
    UserFactory(username="root", is_superuser=True, is_staff=True)
    client = _password_only("root")

    response = client.get(reverse("admin:index"))

    assert response["Location"].startswith(reverse("mfa_enrol"))


def test_a_reset_second_factor_stops_a_verified_session_at_once(manager, practitioner):
    colleague = sign_in(Client(), practitioner)
    assert colleague.get(reverse("patients:list")).status_code == 200

    sign_in(Client(), manager).post(reverse("staff_mfa_reset", args=[practitioner.pk]))

    assert not TOTPDevice.objects.filter(user=practitioner).exists()
    response = colleague.get(reverse("patients:list"))
    assert response.status_code == 302
    assert colleague.get(response["Location"])["Location"].startswith(reverse("mfa_enrol"))


def test_the_reset_is_in_the_audit_log_with_the_manager_as_actor(manager, practitioner):
    sign_in(Client(), practitioner)
    TOTPDevice.objects.filter(user=practitioner).delete()  # the sign-in's own device
    device = TOTPDeviceFactory(user=practitioner)

    sign_in(Client(), manager).post(reverse("staff_mfa_reset", args=[practitioner.pk]))

    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(TOTPDevice),
        object_pk=str(device.pk),  # type: ignore[attr-defined]
        action=LogEntry.Action.DELETE,
    )
    assert entry.actor == manager
    assert "key" not in (entry.changes or {})


@pytest.mark.parametrize("who", ["front_desk", "practitioner", "outsider"])
def test_only_the_manager_resets_a_second_factor(role_clients, practitioner, who):
    TOTPDeviceFactory(user=practitioner)

    response = role_clients[who].post(reverse("staff_mfa_reset", args=[practitioner.pk]))

    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=practitioner).exists()


def test_the_roles_that_need_a_second_factor():
    desk = UserFactory(roles=[Role.FRONT_DESK])
    prac = UserFactory(roles=[Role.PRACTITIONER])
    boss = UserFactory(roles=[Role.CLINIC_MANAGER])

    assert [mfa.mfa_required(u) for u in (desk, prac, boss)] == [False, True, True]  # type: ignore[arg-type]


def test_codes_are_computed_as_an_authenticator_app_does():
    # RFC 6238's SHA-1 test vector at 59 s: 94287082 (eight digits), 287082 in six.
    key = b"12345678901234567890"
    vector = TOTP(key, step=30, t0=0, digits=6)
    vector.time = 59
    assert vector.token() == 287082
