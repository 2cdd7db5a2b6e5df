from typing import Any, cast

from django import forms

from clinic.scheduling.models import Location, WaitlistEntry
from clinic.scheduling.selectors import bookable_types
from clinic.staff.models import PractitionerProfile


class WaitlistEntryForm(forms.ModelForm):
    class Meta:
        model = WaitlistEntry
        fields = ["location", "appointment_type", "practitioner", "earliest", "latest", "note"]
        labels = {
            "appointment_type": "Appointment type",
            "earliest": "From",
            "latest": "Until",
            "practitioner": "Practitioner",
        }
        help_texts = {
            "earliest": "The first day the patient could come.",
            "latest": "The last day that would still suit them.",
        }
        widgets = {
            "earliest": forms.DateInput(attrs={"type": "date"}),
            "latest": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        location = cast(forms.ModelChoiceField, self.fields["location"])
        location.queryset = Location.objects.order_by("name")
        kind = cast(forms.ModelChoiceField, self.fields["appointment_type"])
        kind.queryset = bookable_types()
        practitioner = cast(forms.ModelChoiceField, self.fields["practitioner"])
        practitioner.queryset = PractitionerProfile.objects.select_related("user").filter(
            user__is_active=True
        )
        practitioner.empty_label = "Any practitioner"
        practitioner.required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        earliest, latest = cleaned.get("earliest"), cleaned.get("latest")
        if earliest and latest and latest < earliest:
            self.add_error("latest", "The last day cannot be before the first.")
        return cleaned

    def validate_constraints(self) -> None:
        # The days' order is said on the field above; the database's check stays the net.
        pass


class WaitlistRemoveForm(forms.Form):
    reason = forms.CharField(max_length=200, required=False, label="Why (optional)")


class WaitlistFilterForm(forms.Form):
    location = forms.ModelChoiceField(queryset=Location.objects.order_by("name"), required=False)
