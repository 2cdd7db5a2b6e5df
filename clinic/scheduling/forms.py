from datetime import datetime
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms

from clinic.scheduling.models import AppointmentType, Room
from clinic.staff.models import PractitionerProfile
from patients.models import Patient


class BookingForm(forms.Form):
    patient = forms.IntegerField(widget=forms.HiddenInput)
    appointment_type = forms.ModelChoiceField(
        label="Type", queryset=AppointmentType.objects.filter(is_active=True)
    )
    practitioner = forms.ModelChoiceField(
        queryset=PractitionerProfile.objects.filter(user__is_active=True).select_related("user")
    )
    room = forms.ModelChoiceField(
        queryset=Room.objects.filter(is_active=True).select_related("location")
    )
    day = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
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


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class CalendarForm(forms.Form):
    date = forms.DateField(required=False)
    by = forms.ChoiceField(
        choices=[("practitioner", "By practitioner"), ("room", "By room")], required=False
    )
