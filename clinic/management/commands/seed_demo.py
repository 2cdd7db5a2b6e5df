from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from clinic.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo clinic (staff and sample data); later runs add only what is missing."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            loaded = load_demo(self.stdout.write)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        if loaded:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {', '.join(loaded)}."))
        else:
            self.stdout.write("Demo data is already loaded; leaving it as it is.")
