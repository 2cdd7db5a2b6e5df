"""Signing a test client in the way staff do: the password (forced), then the second
factor through the real verification page, with a code computed from an authenticator
set up for the purpose. Nothing in the settings switches the second factor off."""

from typing import Any

from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.staff.mfa import AUTHENTICATOR_NAME, mfa_required
from tests.factories import TOTPDeviceFactory


def code_now(device: TOTPDevice) -> str:
    """The six digits the authenticator app would show now (time-machine aware)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in(client: Client, user: Any) -> Client:
    """Sign ``client`` in as ``user``, passing the second factor when the user needs one.

    Each call sets up a new authenticator, as a second phone would be: a code is accepted
    once per device and 30-second step, and tests sign the same person in more than once
    within one step.
    """
    client.force_login(user)
    if mfa_required(user) or TOTPDevice.objects.filter(user=user).exists():
        device = TOTPDeviceFactory(user=user, name=AUTHENTICATOR_NAME)
        response = client.post(reverse("mfa_verify"), {"code": code_now(device)})
        assert response.status_code == 302, "the second factor was not accepted"
    return client
