from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinic.demo.loader import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo clinic (staff and sample data); later runs add only what is missing. "
        "With --patients N, also grow it to N patients with two years of appointments, "
        "plans, sessions and messages. The grown data is made-up and written in bulk: it "
        "is not in the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--patients",
            type=int,
            metavar="N",
            help=(
                "Grow the demo to N patients in all, about 20 appointments each "
                "(10000 gives about 200,000). Running it again with the same or a smaller "
                "N adds nothing; a larger N adds the difference."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        patients = options["patients"]
        if patients is not None and patients < 1:
            raise CommandError("--patients needs a number of patients above 0.")
        try:
            loaded = load_demo(self.stdout.write)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        if loaded:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {', '.join(loaded)}."))
        else:
            self.stdout.write("Demo data is already loaded; leaving it as it is.")
        if patients is not None:
            self._grow(patients)

    def _grow(self, patients: int) -> None:
        from clinic.demo.scale import demo_grow

        grown = demo_grow(patients=patients, log=self.stdout.write)
        if grown is None:
            self.stdout.write(f"The demo has {patients} patients or more; adding none.")
            return
        counts = ", ".join(f"{n} {name}" for name, n in grown.counts.items())
        self.stdout.write(
            f"Added {grown.practitioners_added} practitioners and {grown.rooms_added} rooms."
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Grew the demo from {grown.patients_before} to {grown.patients_after} "
                f"patients in {grown.seconds:.0f} s: {counts}."
            )
        )
