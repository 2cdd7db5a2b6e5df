from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from clinic.messaging.models import MessageSettings, PatientMessage

STATUS_CHOICES = [("", "All"), *PatientMessage.Status.choices]
KIND_CHOICES = [("", "Every kind"), *PatientMessage.Kind.choices]


class MessageFilterForm(forms.Form):
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)
    kind = forms.ChoiceField(choices=KIND_CHOICES, required=False)


class ReplyForm(forms.Form):
    action = forms.ChoiceField(choices=[("confirm", "Confirm"), ("cancel", "Ask to cancel")])


class MessageSettingsForm(forms.ModelForm):
    class Meta:
        model = MessageSettings
        fields = [
            "reminder_hours_before",
            "day_before_reminder_at",
            "preparation_days_before",
            "quiet_from",
            "quiet_until",
        ]
        widgets = {
            "day_before_reminder_at": forms.TimeInput(attrs={"type": "time"}),
            "quiet_from": forms.TimeInput(attrs={"type": "time"}),
            "quiet_until": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Save message settings"))
