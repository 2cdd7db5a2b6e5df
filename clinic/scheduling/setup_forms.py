"""Forms of the clinic manager's setup pages. They validate only; services save."""

from datetime import date, datetime, time, timedelta
from difflib import get_close_matches
from typing import Any, cast
from zoneinfo import available_timezones

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from clinic.scheduling.forms import HorizonDateField
from clinic.scheduling.hours import WEEKDAY_NAMES, Interval, Week, overlap, span
from clinic.scheduling.models import (
    LONGEST_APPOINTMENT_MINUTES,
    LONGEST_BUFFER_MINUTES,
    SHORTEST_APPOINTMENT_MINUTES,
    AppointmentType,
    Location,
    validate_time_zone,
)
from patients.validators import normalise_phone

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The time zone regions people pick from; the legacy aliases (US/Eastern, GB, ...) are
# still accepted if typed.
ZONE_REGIONS = (
    "Africa/", "America/", "Antarctica/", "Asia/", "Atlantic/", "Australia/", "Europe/",
    "Indian/", "Pacific/",
)  # fmt: skip


def time_zone_names() -> list[str]:
    """The names offered as suggestions while typing a time zone."""
    return sorted(name for name in available_timezones() if name.startswith(ZONE_REGIONS))


def _helper(*layout: Any) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True  # the page's own <form> carries the token
    helper.layout = Layout(*layout)
    return helper


class ClinicDateField(HorizonDateField):
    """A closure's or leave's day: from the day the clinic opened to two years ahead."""


class LocationForm(forms.Form):
    name = forms.CharField(max_length=100)
    time_zone = forms.CharField(
        max_length=64,
        help_text="As in the time zone database, such as Europe/London.",
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
    )
    address = forms.CharField(
        required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    phone = forms.CharField(
        max_length=30,
        help_text="The number patients call about their appointments here. Their emails "
        "and pages give it wherever they are asked to call.",
        error_messages={
            "required": "Give the number patients call: their emails and pages tell them "
            "to call it."
        },
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Row(Column("name"), Column("time_zone")), "address", "phone")

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"].strip())

    def clean_time_zone(self) -> str:
        name: str = self.cleaned_data["time_zone"]
        try:
            validate_time_zone(name)
        except ValidationError as exc:
            guess = get_close_matches(name, time_zone_names(), n=1)
            if not guess:
                raise
            raise ValidationError(f"{exc.messages[0]} Did you mean {guess[0]}?") from exc
        return name


class RoomForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="As the staff call it, such as Room 2.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("name")


class WeekForm(forms.Form):
    """A week of hours on one page: per day, up to ``slots`` intervals; blank is closed."""

    SLOTS = 2
    start_label, end_label, again_label = "Starts", "Ends", "Starts again"
    both_or_neither = "Give both times, or leave both blank."
    end_before_start = "Must be after the start time."

    def __init__(
        self,
        data: Any = None,
        *,
        week: Week | None = None,
        initial: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        week = week or {}
        # Hours entered elsewhere (the admin) may have more intervals in a day than the
        # page usually offers: show them all, so that saving does not drop any.
        self.slots = max([self.SLOTS, *(len(intervals) for intervals in week.values())])
        initial = dict(initial or {})
        for day, intervals in week.items():
            for slot, (starts, ends) in enumerate(sorted(intervals), start=1):
                initial[self.start_name(day, slot)] = starts
                initial[self.end_name(day, slot)] = ends
        super().__init__(data, initial=initial, **kwargs)
        for day in range(7):
            for slot in range(1, self.slots + 1):
                first = self.start_label if slot == 1 else self.again_label
                self.fields[self.start_name(day, slot)] = forms.TimeField(
                    label=first, required=False, widget=TIME
                )
                self.fields[self.end_name(day, slot)] = forms.TimeField(
                    label=self.end_label, required=False, widget=TIME
                )
        self.fields["from_day"] = HorizonDateField(
            label="These hours apply from",
            required=False,
            help_text="Blank: from today. Earlier days keep the hours they had.",
        )
        self.helper = _helper("from_day", *(self._day_layout(day) for day in range(7)))

    @staticmethod
    def start_name(day: int, slot: int) -> str:
        return f"d{day}_{slot}_start"

    @staticmethod
    def end_name(day: int, slot: int) -> str:
        return f"d{day}_{slot}_end"

    def _day_layout(self, day: int) -> Fieldset:
        columns = []
        for slot in range(1, self.slots + 1):
            for name in (self.start_name(day, slot), self.end_name(day, slot)):
                columns.append(Column(name, css_class="col-6 col-md-3"))
        legend = f'<span class="fs-6 fw-semibold">{WEEKDAY_NAMES[day]}</span>'
        return Fieldset(legend, Row(*columns), css_class="border-bottom pt-2 mb-2")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for day in range(7):
            self._clean_day(day, cleaned)
        return cleaned

    def _clean_day(self, day: int, cleaned: dict[str, Any]) -> None:
        """Each interval whole and the right way round, then none overlapping another."""
        kept: list[tuple[str, Interval]] = []
        for slot in range(1, self.slots + 1):
            start, end = self.start_name(day, slot), self.end_name(day, slot)
            if start in self.errors or end in self.errors:
                continue  # not a time at all: already said
            starts, ends = cleaned.get(start), cleaned.get(end)
            if starts is None and ends is None:
                continue
            if starts is None or ends is None:
                self.add_error(start if starts is None else end, self.both_or_neither)
            elif ends <= starts:
                self.add_error(end, self.end_before_start)
            else:
                kept.append((start, (starts, ends)))
        for index, (start, interval) in enumerate(kept):
            earlier = next((o for _, o in kept[:index] if overlap(o, interval)), None)
            if earlier is not None:
                self.add_error(start, f"Overlaps {span(earlier)} on the same day.")

    def week(self) -> dict[int, list[Interval]]:
        """The valid form's week: every weekday, with its intervals in order."""
        week: dict[int, list[Interval]] = {day: [] for day in range(7)}
        for day in range(7):
            for slot in range(1, self.slots + 1):
                starts = self.cleaned_data.get(self.start_name(day, slot))
                ends = self.cleaned_data.get(self.end_name(day, slot))
                if starts is not None and ends is not None:
                    week[day].append((starts, ends))
            week[day].sort()
        return week


class OpeningHoursForm(WeekForm):
    start_label, end_label, again_label = "Opens", "Closes", "Opens again"
    both_or_neither = "Give both times, or leave both blank for closed."
    end_before_start = "Must be after the opening time."


class WorkingHoursForm(WeekForm):
    both_or_neither = "Give both times, or leave both blank for a day off."


class ClosureForm(forms.Form):
    first_day = ClinicDateField()
    last_day = ClinicDateField(help_text="The clinic opens again the day after.")
    reason = forms.CharField(
        required=False, max_length=200, help_text="Such as Bank holiday or Refurbishment."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Row(Column("first_day"), Column("last_day")), "reason")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", "The last day cannot be before the first day.")
        return cleaned


class LeaveForm(forms.Form):
    """Time away, entered in the local time of a location; whole days by leaving the
    times blank."""

    location = forms.ModelChoiceField(
        label="Times are local to",
        queryset=Location.objects.none(),
        empty_label=None,
        help_text="The times are in this location's time zone.",
    )
    start_day = ClinicDateField(label="First day")
    start_time = forms.TimeField(
        label="From", required=False, widget=TIME, help_text="Blank: the start of the day."
    )
    end_day = ClinicDateField(label="Last day")
    end_time = forms.TimeField(
        label="Until", required=False, widget=TIME, help_text="Blank: the end of the day."
    )
    reason = forms.CharField(required=False, max_length=200, help_text="Such as Annual leave.")

    def __init__(self, *args: Any, locations: QuerySet[Location], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["location"]).queryset = locations
        self.helper = _helper(
            "location",
            Row(Column("start_day"), Column("start_time")),
            Row(Column("end_day"), Column("end_time")),
            "reason",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        if cleaned["end_day"] < cleaned["start_day"]:
            self.add_error("end_day", "The last day cannot be before the first day.")
        elif self.ends_at() <= self.starts_at():
            self.add_error("end_time", "Must be after the start time.")
        return cleaned

    def starts_at(self) -> datetime:
        day: date = self.cleaned_data["start_day"]
        return self._local(day, self.cleaned_data["start_time"] or time(0))

    def ends_at(self) -> datetime:
        day: date = self.cleaned_data["end_day"]
        if self.cleaned_data["end_time"] is None:
            return self._local(day + timedelta(days=1), time(0))
        return self._local(day, self.cleaned_data["end_time"])

    def _local(self, day: date, at: time) -> datetime:
        location: Location = self.cleaned_data["location"]
        return datetime.combine(day, at, tzinfo=location.zone)


class AppointmentTypeForm(forms.Form):
    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=AppointmentType.Kind.choices)
    duration_minutes = forms.IntegerField(
        label="Length (minutes)",
        min_value=SHORTEST_APPOINTMENT_MINUTES,
        max_value=LONGEST_APPOINTMENT_MINUTES,
        error_messages={
            "min_value": f"An appointment lasts at least {SHORTEST_APPOINTMENT_MINUTES} minutes."
        },
    )
    buffer_before_minutes = forms.IntegerField(
        label="Free before (minutes)",
        min_value=0,
        max_value=LONGEST_BUFFER_MINUTES,
        initial=0,
        help_text="Kept free to prepare.",
    )
    buffer_after_minutes = forms.IntegerField(
        label="Free after (minutes)",
        min_value=0,
        max_value=LONGEST_BUFFER_MINUTES,
        initial=0,
        help_text="Kept free to clean and reset.",
    )
    is_active = forms.BooleanField(
        label="Offered for booking",
        required=False,
        initial=True,
        help_text="Switched off, it is no longer offered; booked appointments keep it.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Row(Column("name"), Column("kind")),
            Row(
                Column("duration_minutes"),
                Column("buffer_before_minutes"),
                Column("buffer_after_minutes"),
            ),
            "is_active",
        )
