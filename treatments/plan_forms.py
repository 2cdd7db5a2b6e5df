from datetime import date, datetime
from decimal import Decimal
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms

from clinic.scheduling.models import Location, Weekday
from clinic.staff.models import PractitionerProfile
from treatments.models import (
    CourseLimits,
    DepthGuidance,
    Treatment,
    TreatmentArea,
    TreatmentSession,
)
from treatments.sessions import RECORD_FIELDS, Zone

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
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
    earliest_start = forms.DateField(
        label="First session from", required=False, widget=DATE,
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


class SessionTimeForm(forms.Form):
    """A new date and time for one session, in the plan's location time zone."""

    day = forms.DateField(label="Date", widget=DATE)
    start_time = forms.TimeField(label="Time", widget=TIME)

    def start(self, location: Location) -> datetime:
        day: date = self.cleaned_data["day"]
        return datetime.combine(day, self.cleaned_data["start_time"], tzinfo=location.zone)


class SessionRecordForm(forms.ModelForm):
    """The session record, with a depth (and a reason if outside guidance) per zone."""

    class Meta:
        model = TreatmentSession
        fields = list(RECORD_FIELDS)
        widgets = {
            "numbing_applied_at": TIME,
            "products_applied": forms.Textarea(attrs={"rows": 2}),
            "skin_reaction": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"numbing_applied_at": "Numbing applied at", "numbing_cream": "Numbing cream"}

    def __init__(self, *args: Any, zones: list[Zone], depths: dict[str, Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.zones = zones
        depth_rows = []
        for index, zone in enumerate(zones):
            saved = depths.get(zone.name)
            self.fields[f"depth_{index}"] = forms.DecimalField(
                label=f"{zone.name} (mm)", required=False, min_value=Decimal("0.01"),
                max_value=Decimal(CourseLimits.MAX_DEPTH_MM), decimal_places=2, max_digits=3,
                help_text=f"Guidance: {zone.guidance}",
                initial=saved.depth_mm if saved else None,
                widget=forms.NumberInput(attrs={"step": "0.01"}),
            )  # fmt: skip
            self.fields[f"reason_{index}"] = forms.CharField(
                label="Reason if outside the guidance", required=False, max_length=500,
                initial=saved.reason if saved else "",
            )  # fmt: skip
            depth_rows.append(Row(Column(f"depth_{index}"), Column(f"reason_{index}")))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("device"), Column("device_model"), Column("needle_lot")),
            Fieldset("Depth by area", *depth_rows),
            Row(Column("passes"), Column("numbing_cream"), Column("numbing_applied_at")),
            "products_applied",
            "skin_reaction",
            "notes",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for index, zone in enumerate(self.zones):
            depth, reason = data.get(f"depth_{index}"), data.get(f"reason_{index}", "")
            outside = (
                depth is not None and zone.low is not None and zone.high is not None
                and not zone.low <= depth <= zone.high
            )  # fmt: skip
            if outside and not reason.strip():
                self.add_error(
                    f"reason_{index}",
                    f"{depth} mm is outside the guidance ({zone.guidance}): say why.",
                )
        return data

    def depths(self) -> dict[str, tuple[Decimal | None, str]]:
        return {
            zone.name: (
                self.cleaned_data.get(f"depth_{index}"),
                self.cleaned_data.get(f"reason_{index}", ""),
            )
            for index, zone in enumerate(self.zones)
        }


class TreatmentAreaForm(forms.ModelForm):
    class Meta:
        model = TreatmentArea
        fields = [
            "name", "default_sessions", "min_interval_days", "max_interval_days",
            "session_minutes", "is_active",
        ]  # fmt: skip
        labels = {
            "min_interval_days": "At least (days apart)",
            "max_interval_days": "At most (days apart)",
            "session_minutes": "Session length (minutes)",
            "is_active": "Offered",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_interval_days"), data.get("max_interval_days")
        if low and high and high < low:
            self.add_error("max_interval_days", "This cannot be shorter than “at least”.")
        sessions = data.get("default_sessions")
        if sessions is not None and not CourseLimits.sessions_ok(sessions):
            self.add_error("default_sessions", CourseLimits.SESSIONS_TEXT)
        minutes = data.get("session_minutes")
        if minutes is not None and not CourseLimits.session_minutes_ok(minutes):
            self.add_error("session_minutes", CourseLimits.SESSION_MINUTES_TEXT)
        return data


class DepthGuidanceForm(forms.ModelForm):
    class Meta:
        model = DepthGuidance
        fields = ["zone", "thin_min_mm", "thin_max_mm", "thick_min_mm", "thick_max_mm"]
        labels = {
            "thin_min_mm": "Thin skin from (mm)", "thin_max_mm": "to",
            "thick_min_mm": "Thick skin from (mm)", "thick_max_mm": "to",
        }  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for low, high in (("thin_min_mm", "thin_max_mm"), ("thick_min_mm", "thick_max_mm")):
            bottom, top = data.get(low), data.get(high)
            if bottom is None or top is None:
                continue
            if bottom <= 0 or top > CourseLimits.MAX_DEPTH_MM:
                self.add_error(
                    high, f"Depths are more than 0 and at most {CourseLimits.MAX_DEPTH_MM} mm."
                )
            elif bottom > top:
                self.add_error(high, "This is below the lowest depth.")
        return data


DepthGuidanceFormSet = forms.inlineformset_factory(
    TreatmentArea, DepthGuidance, form=DepthGuidanceForm, extra=1, can_delete=True
)
