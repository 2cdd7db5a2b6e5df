"""Forms of a treatment plan: the wishes a course is proposed from, and a session's time."""

from datetime import date, datetime
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms

from clinic.scheduling.forms import HorizonDateField, refuse_past_start
from clinic.scheduling.models import Location, Weekday
from clinic.staff.models import PractitionerProfile
from treatments.models import (
    CourseLimits,
    Treatment,
    TreatmentArea,
)

TIME = forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")


class PlanForm(forms.Form):
    treatment = forms.ModelChoiceField(queryset=Treatment.objects.filter(is_active=True))
    areas = forms.ModelMultipleChoiceField(
        queryset=TreatmentArea.objects.filter(is_active=True, treatment__is_active=True),
        widget=forms.CheckboxSelectMultiple,
    )
    location = forms.ModelChoiceField(queryset=Location.objects.order_by("name"))
    sessions_planned = forms.IntegerField(
        label="Sessions", required=False, help_text="Blank: the areas' default.",
        min_value=CourseLimits.MIN_SESSIONS, max_value=CourseLimits.MAX_SESSIONS,
    )  # fmt: skip
    min_interval_days = forms.IntegerField(
        label="At least (days apart)", required=False,
        min_value=CourseLimits.MIN_INTERVAL_DAYS, max_value=CourseLimits.MAX_INTERVAL_DAYS,
    )  # fmt: skip
    max_interval_days = forms.IntegerField(
        label="At most (days apart)", required=False,
        min_value=CourseLimits.MIN_INTERVAL_DAYS, max_value=CourseLimits.MAX_INTERVAL_DAYS,
    )  # fmt: skip
    session_minutes = forms.IntegerField(
        label="Session length (minutes)", required=False,
        min_value=CourseLimits.MIN_SESSION_MINUTES, max_value=CourseLimits.MAX_SESSION_MINUTES,
    )  # fmt: skip
    preferred_practitioner = forms.ModelChoiceField(
        queryset=PractitionerProfile.objects.filter(user__is_active=True).select_related("user"),
        required=False,
        empty_label="Anyone",
    )
    preferred_weekdays = forms.TypedMultipleChoiceField(
        choices=Weekday.choices, coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple, help_text="None ticked: any day.",
    )  # fmt: skip
    preferred_time = forms.TimeField(required=False, widget=TIME)
    earliest_start = HorizonDateField(
        label="First session from", required=False,
        help_text="Blank: the consultation's intended treatment date.",
    )  # fmt: skip
    notes = forms.CharField(
        label="Clinical notes", required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["areas"].label_from_instance = lambda area: (  # type: ignore[attr-defined]
            f"{area.name} ({area.default_sessions} sessions, {area.min_interval_days} to "
            f"{area.max_interval_days} days apart, {area.session_minutes} min)"
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("treatment"), Column("location")),
            Field("areas"),
            Fieldset(
                "Course",
                Row(
                    Column("sessions_planned"), Column("min_interval_days"),
                    Column("max_interval_days"), Column("session_minutes"),
                ),
            ),
            Fieldset(
                "Wishes",
                Row(Column("preferred_practitioner"), Column("preferred_time"),
                    Column("earliest_start")),
                Field("preferred_weekdays", css_class="weekday-choices"),
            ),
            "notes",
        )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_interval_days"), data.get("max_interval_days")
        if low and high and high < low:
            self.add_error("max_interval_days", "This cannot be shorter than “at least”.")
        treatment, areas = data.get("treatment"), data.get("areas")
        if treatment and areas and any(a.treatment_id != treatment.pk for a in areas):
            self.add_error("areas", "Choose areas offered for this treatment.")
        return data


class PlanCancelForm(forms.Form):
    """Why a plan is cancelled (the plan page's one-line form; the service requires it)."""

    reason = forms.CharField(max_length=500, required=False)


class SessionTimeForm(forms.Form):
    """A new date and time for one session, in the plan's location time zone."""

    day = HorizonDateField(label="Date")
    start_time = forms.TimeField(label="Time", widget=TIME)

    def __init__(self, *args: Any, location: Location | None = None, **kwargs: Any) -> None:
        """``location``: the plan's, to judge a start that has passed."""
        super().__init__(*args, **kwargs)
        self.location = location

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.location is not None and data.get("day") and data.get("start_time"):
            refuse_past_start(self, self.start(self.location))
        return data

    def start(self, location: Location) -> datetime:
        day: date = self.cleaned_data["day"]
        return datetime.combine(day, self.cleaned_data["start_time"], tzinfo=location.zone)


class SessionWaitlistForm(forms.Form):
    """The patient's answer on the page to book a session: join the waitlist (with the
    plan's practitioner or any) or leave it. Nothing in it names a record: the link does."""

    action = forms.ChoiceField(
        choices=[("join", "Join the waitlist"), ("leave", "Leave the waitlist")],
        error_messages={"invalid_choice": "Choose to join the waitlist or to leave it."},
    )
    with_whom = forms.ChoiceField(
        choices=[("own", "The practitioner I have been seeing"), ("any", "Any practitioner")],
        required=False,
        error_messages={"invalid_choice": "Choose whom the time may be with."},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("action") == "join" and not cleaned.get("with_whom"):
            self.add_error("with_whom", "Choose whom the time may be with.")
        return cleaned
