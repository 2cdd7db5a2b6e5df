from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from patients.models import Patient

REASON_HELP = "Kept in the audit log; for example, the patient's letter of 3 March."


class RestrictionForm(forms.Form):
    """Set or lift a restriction: the service says which, the form only wants why."""

    reason = forms.CharField(
        max_length=500, widget=forms.Textarea(attrs={"rows": 2}), help_text=REASON_HELP
    )

    def __init__(self, *args: object, lift: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.helper = FormHelper()
        words = "Lift the restriction" if lift else "Restrict: send nothing to the patient"
        self.helper.add_input(Submit("save", words, css_class="btn-warning"))


class ErasureForm(forms.Form):
    """The confirmation step of an erasure: the reason and the patient's name typed out."""

    reason = forms.CharField(
        max_length=500, widget=forms.Textarea(attrs={"rows": 2}), help_text=REASON_HELP
    )
    confirm_name = forms.CharField(label="Type the patient's full name to confirm", max_length=201)

    def __init__(self, *args: object, patient: Patient, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.patient = patient
        self.fields["confirm_name"].widget.attrs.update(autocomplete="off", spellcheck="false")
        self.helper = FormHelper()
        self.helper.add_input(Submit("erase", "Erase what may go now", css_class="btn-danger"))

    def clean_confirm_name(self) -> str:
        typed = " ".join(self.cleaned_data["confirm_name"].split())
        if typed.casefold() != self.patient.full_name.casefold():
            raise forms.ValidationError(
                f"Type “{self.patient.full_name}” exactly, to confirm this is the patient."
            )
        return typed
