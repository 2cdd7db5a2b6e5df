from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.http import QueryDict
from django.utils import timezone

from clinic.scheduling.models import Appointment, AppointmentType, Room, outside_horizon
from clinic.staff.models import PractitionerProfile
from patients.models import Patient


class HorizonDateField(forms.DateField):
    """A date from the day the clinic opened to two years ahead, or a message on the
    field (a slip such as 0001-01-01 or 9999-12-31 never reaches the services)."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value:
            problem = outside_horizon(value, timezone.localdate())
            if problem is not None:
                raise forms.ValidationError(problem)


def refuse_past_start(form: forms.Form, start: datetime) -> None:
    """A start that has passed (beyond a walk-in's grace), said on the time field."""
    if start < Appointment.earliest_start(timezone.now()):
        form.add_error("start_time", "That time has passed: choose a time from now on.")


# The booking form's fields that a free slot fills in (everything but the patient).
SLOT_FIELDS = ("appointment_type", "practitioner", "room", "day", "start_time")


class BookingForm(forms.Form):
    patient = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"invalid": "There is no such patient. Find them again."},
    )
    appointment_type = forms.ModelChoiceField(
        label="Type", queryset=AppointmentType.objects.filter(is_active=True)
    )
    practitioner = forms.ModelChoiceField(
        queryset=PractitionerProfile.objects.filter(user__is_active=True).select_related("user")
    )
    room = forms.ModelChoiceField(
        queryset=Room.objects.filter(is_active=True).select_related("location")
    )
    day = HorizonDateField(label="Date")
    start_time = forms.TimeField(
        label="Time", widget=forms.TimeInput(attrs={"type": "time", "step": 900})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "patient",
            Row(Column("appointment_type"), Column("practitioner"), Column("room")),
            Row(Column("day"), Column("start_time")),
        )

    @classmethod
    def from_address(cls, query: QueryDict) -> "BookingForm":
        """The form filled from an address (a free slot, a patient's record): each value
        given is checked, with a message on its field if wrong; nothing not given is
        asked for yet."""
        form = cls(query)
        form.is_valid()
        for name in [name for name in form.errors if not query.get(name)]:
            del form.errors[name]
        return form

    def clean_patient(self) -> Patient:
        patient = Patient.objects.filter(pk=self.cleaned_data["patient"]).first()
        if patient is None:
            raise forms.ValidationError("There is no such patient. Find them again.")
        return patient

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if all(data.get(name) for name in ("room", "day", "start_time")):
            refuse_past_start(self, self.start())
        return data

    def start(self) -> datetime:
        room: Room = self.cleaned_data["room"]
        return datetime.combine(
            self.cleaned_data["day"], self.cleaned_data["start_time"], tzinfo=room.location.zone
        )


class MoveForm(forms.Form):
    """A new date and time; the practitioner, room and type stay as they are."""

    day = HorizonDateField(label="New date")
    start_time = forms.TimeField(
        label="New time", widget=forms.TimeInput(attrs={"type": "time", "step": 900})
    )

    def __init__(self, *args: Any, zone: ZoneInfo | None = None, **kwargs: Any) -> None:
        """``zone``: the appointment's location's, to judge a start that has passed."""
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Row(Column("day"), Column("start_time")))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.zone is not None and data.get("day") and data.get("start_time"):
            refuse_past_start(self, self.start(self.zone))
        return data

    def start(self, zone: ZoneInfo) -> datetime:
        return datetime.combine(
            self.cleaned_data["day"], self.cleaned_data["start_time"], tzinfo=zone
        )


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class CalendarForm(forms.Form):
    date = forms.DateField(required=False)
    by = forms.ChoiceField(
        choices=[("practitioner", "By practitioner"), ("room", "By room")], required=False
    )


class DayViewForm(CalendarForm):
    """The day view's address: which appointment type's free starts, at which location."""

    type = forms.IntegerField(required=False, min_value=1)
    location = forms.IntegerField(required=False, min_value=1)
