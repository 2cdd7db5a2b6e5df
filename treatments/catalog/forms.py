"""The manager's forms for the catalog: area defaults and depth guidance."""

from typing import Any

from django import forms

from treatments.models import (
    CourseLimits,
    DepthGuidance,
    TreatmentArea,
)


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
