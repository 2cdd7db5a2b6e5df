from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.http import QueryDict

from clinic.scheduling.models import AppointmentType, Room
from clinic.staff.models import PractitionerProfile
from patients.models import Patient

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
    day = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
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

    def start(self) -> datetime:
        room: Room = self.cleaned_data["room"]
        return datetime.combine(
            self.cleaned_data["day"], self.cleaned_data["start_time"], tzinfo=room.location.zone
        )


class MoveForm(forms.Form):
    """A new date and time; the practitioner, room and type stay as they are."""

    day = forms.DateField(
        label="New date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label="New time", widget=forms.TimeInput(attrs={"type": "time", "step": 900})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Row(Column("day"), Column("start_time")))

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
