"""The manager's form for the next version of a treatment's aftercare."""

from typing import Any

from django import forms

from treatments.aftercare.services import LAST_DAY, MOST_FOLLOW_UPS, MOST_STEPS, steps_of
from treatments.models import AftercareTemplate


class AftercareStepForm(forms.Form):
    from_day = forms.IntegerField(label="From day", min_value=0, max_value=LAST_DAY)
    to_day = forms.IntegerField(label="To day", min_value=0, max_value=LAST_DAY)
    text = forms.CharField(
        label="What to do", max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("from_day"), data.get("to_day")
        if first is not None and last is not None and first > last:
            self.add_error("to_day", "This is before the first day.")
        return data


class BaseStepFormSet(forms.BaseFormSet):
    """The rows kept: filled in and not marked for deletion (read once the rows are valid)."""

    def _kept(self) -> list[forms.Form]:
        return [f for f in self.forms if f.has_changed() and not f.cleaned_data.get("DELETE")]

    def clean(self) -> None:
        if any(self.errors):
            return
        if not self._kept():
            raise forms.ValidationError("Write at least one step.")

    def steps(self) -> list[dict[str, Any]]:
        return [
            {key: form.cleaned_data[key] for key in ("from_day", "to_day", "text")}
            for form in self._kept()
        ]


AftercareStepFormSet = forms.formset_factory(
    AftercareStepForm,
    formset=BaseStepFormSet,
    extra=1,
    can_delete=True,
    max_num=MOST_STEPS,
    validate_max=True,
)


class AftercareTemplateForm(forms.Form):
    call_clinic = forms.CharField(
        label="Contact the clinic at once if the patient notices",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    follow_up_days = forms.CharField(
        label="Follow-up emails on days",
        required=False,
        max_length=50,
        help_text="Days after the session, separated by commas (1, 3). Leave blank for none.",
    )

    def clean_follow_up_days(self) -> list[int]:
        raw = self.cleaned_data.get("follow_up_days", "")
        days: list[int] = []
        for part in raw.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit() or not 1 <= int(part) <= LAST_DAY:
                raise forms.ValidationError(
                    f"“{part}” is not a day: use whole numbers from 1 to {LAST_DAY}."
                )
            days.append(int(part))
        if len(days) != len(set(days)):
            raise forms.ValidationError("Give each day once.")
        if len(days) > MOST_FOLLOW_UPS:
            raise forms.ValidationError(f"At most {MOST_FOLLOW_UPS} follow-up days.")
        return sorted(days)


def initial_from(template: AftercareTemplate) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The form's and the steps' starting values: the version in force."""
    form = {
        "call_clinic": template.call_clinic,
        "follow_up_days": ", ".join(str(day) for day in template.follow_up_days),
    }
    steps = [
        {"from_day": s.from_day, "to_day": s.to_day, "text": s.text}
        for s in steps_of(template.steps)
    ]
    return form, steps
