"""Forms of the consultation: the record, the medical history as answered, overrides,
signing, addenda, consent, and the clinic's screening rule settings."""

from datetime import date
from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms

from treatments.consultations.home_history_review import AS_GIVEN, AsGiven
from treatments.consultations.medicines import MedicineEntry
from treatments.consultations.services import CONSULTATION_FIELDS, HISTORY_FIELDS
from treatments.models import (
    MEDICINES,
    Consultation,
    MedicalHistory,
    MedicineRoute,
    rule_change_refused,
)
from treatments.models.home_history import ANSWER_FIELDS, HistoryValue, answer_kind
from treatments.screening.rules import Condition, Level, Rule

FITZPATRICK_TYPES = [
    ("", "Choose…"),
    (1, "I: always burns, never tans"),
    (2, "II: usually burns, tans minimally"),
    (3, "III: sometimes burns, tans evenly"),
    (4, "IV: burns minimally, tans well"),
    (5, "V: rarely burns, tans deeply"),
    (6, "VI: never burns"),
]


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ConsultationForm(forms.ModelForm):
    concerns = forms.MultipleChoiceField(
        choices=Consultation.Concern.choices, widget=forms.CheckboxSelectMultiple
    )
    areas = forms.MultipleChoiceField(
        choices=Consultation.Area.choices, widget=forms.CheckboxSelectMultiple
    )
    fitzpatrick_type = forms.TypedChoiceField(
        label="Fitzpatrick skin type", choices=FITZPATRICK_TYPES, coerce=int
    )

    class Meta:
        model = Consultation
        fields = list(CONSULTATION_FIELDS)
        labels = {"intended_treatment_date": "First treatment on (planned)"}
        widgets = {
            "consulted_on": DATE,
            "intended_treatment_date": DATE,
            "goals": forms.Textarea(attrs={"rows": 2}),
            "skin_assessment": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                "Concerns and goals",
                Row(Column("consulted_on"), Column("intended_treatment_date")),
                Row(Column(Field("concerns")), Column(Field("areas"))),
                "goals",
            ),
            Fieldset(
                "Skin assessment",
                Row(Column("fitzpatrick_type"), Column("skin_thickness")),
                "skin_assessment",
            ),
        )


def _checkboxes(*conditions: Condition) -> list[str]:
    return [condition.value for condition in conditions]


class HistoryForm(forms.ModelForm):
    """The history questionnaire: every condition the screening rules ask about."""

    class Meta:
        model = MedicalHistory
        fields = HISTORY_FIELDS
        widgets = {
            **dict.fromkeys(MedicalHistory.DATE_FIELDS.values(), DATE),
            "allergies": forms.Textarea(attrs={"rows": 2}),
            "other_conditions": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        c = Condition
        self.helper.layout = Layout(
            Fieldset(
                "The skin today",
                *_checkboxes(
                    c.ACTIVE_ACNE, c.ECZEMA_FLARE, c.ROSACEA_FLARE, c.ROSACEA_CONTROLLED,
                    c.PSORIASIS_PLAQUES, c.SKIN_INFECTION_OR_WOUND, c.COLD_SORE_ACTIVE,
                    c.SUNBURN, c.SUSPICIOUS_LESION,
                ),
            ),
            Fieldset(
                "Medical history",
                *_checkboxes(
                    c.COLD_SORE_HISTORY, c.CANCER_TREATMENT_IN_PROGRESS,
                    c.PREGNANT_OR_BREASTFEEDING, c.BLEEDING_DISORDER, c.KELOID_TENDENCY,
                    c.IMMUNOSUPPRESSION_OR_AUTOIMMUNE, c.UNCONTROLLED_DIABETES,
                ),
                "other_conditions",
            ),
            Fieldset(
                "Isotretinoin",
                "taking_isotretinoin",
                "isotretinoin_stopped_on",
            ),
            Fieldset(
                "Recent procedures",
                Row(Column("radiotherapy_to_area_on"), Column("chemical_peel_on")),
                Row(Column("laser_or_ipl_on"), Column("toxin_or_filler_on")),
                Row(Column("topical_retinoid_or_acid_on")),
            ),
            Fieldset(
                "Allergies and comfort",
                *_checkboxes(
                    c.NEEDLE_METAL_ALLERGY, c.TOPICAL_ANAESTHETIC_ALLERGY,
                    c.LOW_PAIN_TOLERANCE_OR_NEEDLE_PHOBIA,
                ),
                "allergies",
            ),
        )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("taking_isotretinoin") and cleaned.get("isotretinoin_stopped_on"):
            self.add_error(
                "isotretinoin_stopped_on",
                "They are taking it now: leave the stop date empty, or untick 'taking now'.",
            )
        return cleaned


class MedicineLineForm(forms.Form):
    """One medicine: the name as written, the medicine it is (matched exactly, or a
    suggestion the practitioner accepted), how it is taken, and whether it is taken now.

    A line the list does not know is confirmed by ticking "checked: not relevant".
    """

    STATUS = [("current", "Taking now"), ("stopped", "Stopped")]
    ROUTES = [("", "Not asked"), *MedicineRoute.choices]

    text = forms.CharField(
        label="Medicine",
        max_length=500,
        required=False,
        widget=forms.TextInput(
            # No example medicine: on a patient's record it would read as one she takes.
            attrs={"autocomplete": "off", "data-medicine-name": "", "placeholder": "As on the box"}
        ),
    )
    medicine_key = forms.CharField(max_length=80, required=False, widget=forms.HiddenInput)
    dose = forms.CharField(
        label="Dose", max_length=200, required=False,
        widget=forms.TextInput(attrs={"placeholder": "Strength and how often"}),
    )  # fmt: skip
    route = forms.ChoiceField(label="How taken", choices=ROUTES, required=False)
    status = forms.ChoiceField(label="Status", choices=STATUS, initial="current")
    stopped_on = forms.DateField(label="Stopped on", required=False, widget=DATE)
    confirmed = forms.BooleanField(label="Checked: not relevant to microneedling", required=False)

    # The row is laid out by treatments/_medicine_lines.html; its inputs are small.
    CSS = {
        "TextInput": "form-control form-control-sm",
        "DateInput": "form-control form-control-sm",
        "Select": "form-select form-select-sm",
        "CheckboxInput": "form-check-input",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = self.CSS.get(type(field.widget).__name__)
            if css:
                field.widget.attrs = {**field.widget.attrs, "class": css}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("status") == "current" and cleaned.get("stopped_on"):
            self.add_error("stopped_on", "Taken now: leave the stop date empty, or choose Stopped.")
        if not cleaned.get("text") and (cleaned.get("medicine_key") or cleaned.get("confirmed")):
            self.add_error("text", "Write the medicine's name.")
        return cleaned

    def entry(self) -> MedicineEntry:
        data = self.cleaned_data
        return MedicineEntry(
            text=data.get("text") or "",
            medicine_key=data.get("medicine_key") or "",
            route=data.get("route") or "",
            current=data.get("status") != "stopped",
            stopped_on=data.get("stopped_on"),
            dose=data.get("dose") or "",
            confirmed=bool(data.get("confirmed")),
        )


class BaseMedicineFormSet(forms.BaseFormSet):
    def entries(self) -> list[MedicineEntry]:
        """The lines that validate and are not removed (all of them once valid)."""
        return [
            form.entry()
            for form in self.forms
            if isinstance(form, MedicineLineForm)
            and form.is_valid()
            and not form.cleaned_data.get("DELETE")
        ]


# A few blank rows, so that without JavaScript lines can still be added.
MedicineFormSet = cast(
    type[BaseMedicineFormSet],
    forms.formset_factory(
        MedicineLineForm, formset=BaseMedicineFormSet, extra=2, can_delete=True, max_num=40,
        validate_max=True,
    ),
)  # fmt: skip


def medicine_initial(entries: list[MedicineEntry]) -> list[dict[str, Any]]:
    return [
        {
            "text": entry.text,
            "medicine_key": entry.medicine_key,
            "dose": entry.dose,
            "route": entry.route,
            "status": "current" if entry.current else "stopped",
            "stopped_on": entry.stopped_on,
            "confirmed": entry.confirmed,
        }
        for entry in entries
    ]


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label="Why treatment may go ahead", widget=forms.Textarea(attrs={"rows": 2})
    )
    physician_clearance_note = forms.CharField(
        label="Physician's clearance (who, when, what they said)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SignForm(forms.Form):
    decision = forms.ChoiceField(choices=Consultation.Decision.choices, widget=forms.RadioSelect)

    def __init__(self, *args: Any, allowed: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["decision"])
        field.choices = [(v, label) for v, label in Consultation.Decision.choices if v in allowed]


class RuleSettingForm(forms.Form):
    """The clinic's change to one rule. A contraindication offers neither "off" nor a
    lower level; every change asks why."""

    LEVELS = [
        ("", "Default level"),
        ("contraindicated", "Contraindicated"),
        ("needs_clearance", "Needs clearance"),
        ("precaution", "Precaution"),
    ]

    enabled = forms.TypedChoiceField(
        label="In use",
        choices=[("1", "On"), ("0", "Off")],
        coerce=lambda value: value == "1",
    )
    level = forms.ChoiceField(choices=LEVELS, required=False)
    reason = forms.CharField(
        label="Why",
        max_length=1000,
        error_messages={"required": "Give the reason for the change."},
    )

    def __init__(self, *args: Any, rule: Rule | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_fixed = (
            rule is not None and rule_change_refused(rule.level, False, None) is not None
        )
        if rule is not None and self.is_fixed:
            enabled = cast(forms.ChoiceField, self.fields["enabled"])
            enabled.choices = [("1", "On")]
            level = cast(forms.ChoiceField, self.fields["level"])
            level.choices = [
                (value, label)
                for value, label in self.LEVELS
                if not value or not rule_change_refused(rule.level, True, Level.from_code(value))
            ]


class AddendumForm(forms.Form):
    text = forms.CharField(
        label="Addendum",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A correction or later note. The signed consultation itself stays as it was.",
    )


class ConsentForm(forms.Form):
    """Filled in by the patient on the clinic tablet."""

    consent_text = forms.IntegerField(widget=forms.HiddenInput)
    typed_name = forms.CharField(
        label="Your full name",
        max_length=201,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    agreed = forms.BooleanField(
        label="I have read and understood this, and I agree to microneedling treatment.",
        required=False,
    )


class ConsentTextForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(label="Text", widget=forms.Textarea(attrs={"rows": 16}))


class TakeInForm(forms.Form):
    """One answer of the history from home to take in: as given, or as the practitioner
    records it (yes or no, a date or none, text)."""

    AS_GIVEN, DIFFERENTLY = "as_given", "differently"

    home_history = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    field = forms.ChoiceField(
        choices=[(name, name) for name in (*ANSWER_FIELDS, MEDICINES)], widget=forms.HiddenInput
    )
    how = forms.ChoiceField(
        choices=[(AS_GIVEN, "As given"), (DIFFERENTLY, "Recorded differently")],
        widget=forms.HiddenInput,
    )
    value = forms.CharField(required=False, max_length=2000)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        name, how = cleaned.get("field"), cleaned.get("how")
        if name is None or how != self.DIFFERENTLY or "value" not in cleaned:
            return cleaned
        cleaned["recorded"] = self._recorded(name, cleaned["value"])
        return cleaned

    def _recorded(self, name: str, value: str) -> HistoryValue:
        kind = answer_kind(name)
        if kind == "condition":
            if value not in ("yes", "no"):
                self.add_error("value", "Choose yes or no.")
            return value == "yes"
        if kind == "date":
            if not value:
                return None
            try:
                day: date = forms.DateField().clean(value)
            except forms.ValidationError:
                self.add_error("value", "Enter the date as day, month and year.")
                return None
            return day
        if kind == "medicines":
            self.add_error("value", "The medicine list is taken in as given.")
        return value

    def recorded(self) -> HistoryValue | AsGiven:
        """What to record: ``AS_GIVEN``, or the practitioner's value."""
        if self.cleaned_data["how"] == self.AS_GIVEN:
            return AS_GIVEN
        return self.cleaned_data["recorded"]


class TakeInAllForm(forms.Form):
    home_history = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
