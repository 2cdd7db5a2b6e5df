from typing import Any

from crispy_forms.bootstrap import FormActions
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Field, Fieldset, Layout, Row, Submit
from django import forms
from django.utils import timezone

from patients.models import Patient
from patients.services import PATIENT_FIELDS
from patients.validators import normalise_phone, validate_birth_date


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        label="Find a patient",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "placeholder": "Name, phone, email or date of birth",
                "autocomplete": "off",
                "type": "search",
            }
        ),
    )


class PatientForm(forms.ModelForm):
    """The patient's details, in the sections a receptionist fills in."""

    confirm_not_duplicate = forms.BooleanField(
        required=False,
        label="I have checked: this is a different person. Register them anyway.",
    )

    class Meta:
        model = Patient
        fields = PATIENT_FIELDS
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "mobile": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "emergency_contact_phone": forms.TextInput(attrs={"type": "tel"}),
            "physician_phone": forms.TextInput(attrs={"type": "tel"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.mobile:
            self.initial["mobile"] = self.instance.mobile_display
        self.helper = FormHelper()
        self.helper.form_tag = False
        self._lay_out(show_duplicate_confirmation=False)

    def show_duplicate_confirmation(self) -> None:
        """Ask the receptionist to confirm that a near-match is a different person."""
        self._lay_out(show_duplicate_confirmation=True)

    def _lay_out(self, *, show_duplicate_confirmation: bool) -> None:
        sections = [
            Fieldset(
                "Person",
                Row(Column("first_name"), Column("last_name")),
                Row(Column("date_of_birth"), Column("sex")),
            ),
            Fieldset(
                "Contact",
                Row(Column(Field("mobile")), Column("email")),
                Row(Column("preferred_channel")),
                "consents_to_transactional_email",
                "consents_to_marketing_email",
            ),
            Fieldset(
                "Address",
                "address_line1",
                "address_line2",
                Row(Column("town"), Column("postcode")),
            ),
            Fieldset(
                "Emergency contact",
                Row(
                    Column("emergency_contact_name"),
                    Column("emergency_contact_relationship"),
                    Column("emergency_contact_phone"),
                ),
            ),
            Fieldset(
                "GP or physician",
                Row(
                    Column("physician_name"),
                    Column("physician_practice"),
                    Column("physician_phone"),
                ),
            ),
            Fieldset("Notes", "notes"),
        ]
        if show_duplicate_confirmation:
            sections.insert(
                0, Div(Field("confirm_not_duplicate"), css_class="duplicate-confirmation")
            )
        self.helper.layout = Layout(
            *sections,
            FormActions(Submit("save", "Save patient", css_class="btn-primary")),
        )

    def clean_date_of_birth(self) -> Any:
        born = self.cleaned_data["date_of_birth"]
        validate_birth_date(born, today=timezone.localdate())
        return born

    def _clean_phone(self, name: str) -> str:
        raw: str = self.cleaned_data.get(name, "")
        return normalise_phone(raw) if raw.strip() else ""

    def clean_mobile(self) -> str:
        return self._clean_phone("mobile")

    def clean_emergency_contact_phone(self) -> str:
        return self._clean_phone("emergency_contact_phone")

    def clean_physician_phone(self) -> str:
        return self._clean_phone("physician_phone")

    def patient_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PATIENT_FIELDS}
