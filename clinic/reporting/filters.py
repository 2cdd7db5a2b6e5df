"""What a report covers: a range of days (in the clinic's time zone), and optionally one
location and one practitioner."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone

from clinic.scheduling.models import Location
from clinic.staff.models import PractitionerProfile

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
SELECT = forms.Select(attrs={"class": "form-select"})
LONGEST_RANGE_DAYS = 3 * 366
DEFAULT_DAYS = 30
EARLIEST = date(2000, 1, 1)
YEARS_AHEAD = 5


@dataclass(frozen=True)
class Period:
    """Days ``first`` to ``last`` inclusive; ``start`` and ``end`` are the instants that
    bound them (``end`` excluded): midnight at the location chosen, or in the clinic's
    own time zone for all locations."""

    first: date
    last: date
    location: Location | None = None
    practitioner: PractitionerProfile | None = None

    @property
    def zone(self) -> ZoneInfo:
        if self.location is not None:
            return self.location.zone
        return ZoneInfo(settings.TIME_ZONE)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), tzinfo=self.zone)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=self.zone)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def query(self) -> dict[str, str]:
        """The filter as query-string values (for the CSV link and the form)."""
        values = {"start": self.first.isoformat(), "end": self.last.isoformat()}
        if self.location is not None:
            values["location"] = str(self.location.pk)
        if self.practitioner is not None:
            values["practitioner"] = str(self.practitioner.pk)
        return values


def default_period() -> Period:
    today = timezone.localdate()
    return Period(first=today - timedelta(days=DEFAULT_DAYS - 1), last=today)


class ReportFilterForm(forms.Form):
    start = forms.DateField(label="From", widget=DATE, required=False)
    end = forms.DateField(label="To", widget=DATE, required=False)
    location = forms.ModelChoiceField(
        queryset=Location.objects.order_by("name"),
        required=False,
        empty_label="All locations",
        widget=SELECT,
    )
    practitioner = forms.ModelChoiceField(
        queryset=PractitionerProfile.objects.select_related("user").order_by(
            "user__first_name", "user__last_name"
        ),
        required=False,
        empty_label="All practitioners",
        widget=SELECT,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        fallback = default_period()
        # The range shown when the page opens, so the fields say what the figures cover.
        self.fields["start"].initial = fallback.first
        self.fields["end"].initial = fallback.last

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        fallback = default_period()
        first = data.get("start") or fallback.first
        last = data.get("end") or fallback.last
        latest = date(timezone.localdate().year + YEARS_AHEAD, 12, 31)
        if first < EARLIEST or last > latest:
            self.add_error(
                "start" if first < EARLIEST else "end",
                f"Choose days from {EARLIEST:%Y} to {latest:%Y}.",
            )
        elif first > last:
            self.add_error("end", "The range ends before it starts.")
        elif (last - first).days >= LONGEST_RANGE_DAYS:
            self.add_error("end", "Choose a range of at most three years.")
        data["start"], data["end"] = first, last
        return data

    def period(self) -> Period:
        """The period asked for; the default (the last 30 days) when the form is invalid."""
        if not self.is_valid():
            return default_period()
        data = self.cleaned_data
        return Period(
            first=data["start"],
            last=data["end"],
            location=data.get("location"),
            practitioner=data.get("practitioner"),
        )
