from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from clinic.demo.loader import demo_authenticator_hex


class Command(BaseCommand):
    help = (
        "Print the six-digit code the demo's authenticator shows now, for the second step "
        "of signing in as the demo's practitioners or manager. Only with DEBUG on."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("The demo's authenticator key is published: DEBUG only.")
        token = TOTP(bytes.fromhex(demo_authenticator_hex()), step=30, t0=0, digits=6).token()
        self.stdout.write(f"{token:06d}")
