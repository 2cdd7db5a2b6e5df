from datetime import UTC, datetime
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from clinic.messaging.models import MessageSettings, PatientMessage
from clinic.messaging.selectors import Place

STATUS_CHOICES = [("", "All"), *PatientMessage.Status.choices]
KIND_CHOICES = [("", "Every kind"), *PatientMessage.Kind.choices]


# Where a page of the list starts, in its address: the due time in UTC to the
# microsecond, and the id ("20260610T090000000000-123").
PLACE_FORMAT = "%Y%m%dT%H%M%S%f"
LARGEST_ID = 2**63 - 1
LOST_PLACE = "That page of the list was not found; here are the newest messages."


def place_token(place: Place) -> str:
    return f"{place.due_at.astimezone(UTC).strftime(PLACE_FORMAT)}-{place.pk}"


def place_from_token(token: str) -> Place:
    stamp, _, pk = token.partition("-")
    if not pk.isascii() or not pk.isdigit() or not 0 < int(pk) <= LARGEST_ID:
        raise forms.ValidationError(LOST_PLACE, code="invalid")
    try:
        due_at = datetime.strptime(stamp, PLACE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise forms.ValidationError(LOST_PLACE, code="invalid") from None
    return Place(due_at=due_at, pk=int(pk))


class MessageFilterForm(forms.Form):
    # Drawn by templates/messaging/message_list.html itself, option by option.
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)
    kind = forms.ChoiceField(choices=KIND_CHOICES, required=False)
    before = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    after = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def clean_before(self) -> Place | None:
        token = self.cleaned_data["before"]
        return place_from_token(token) if token else None

    def clean_after(self) -> Place | None:
        token = self.cleaned_data["after"]
        return place_from_token(token) if token else None


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


class OfferAnswerForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("accept", "Book this time"),
            ("decline", "No thanks"),
            ("leave", "Take me off the waitlist"),
        ],
        error_messages={"invalid_choice": "Choose to book this time or not."},
    )
