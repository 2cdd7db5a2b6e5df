from datetime import date

from auditlog.models import LogEntry
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout, Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator


class SignInForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "That user name and password do not match. Check both (passwords are "
            "case-sensitive) and try again."
        ),
        "inactive": "This account has been switched off. Ask the clinic manager.",
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        username = self.fields["username"]
        username.label = "User name"
        username.widget.attrs.update(autocapitalize="none", spellcheck="false")
        # AuthenticationForm sets max_length after the field is built, so no validator
        # enforces it; an overlong name would otherwise reach the failed-attempt record.
        username.validators.append(MaxLengthValidator(self.username_field.max_length or 150))


AUDIT_DATE_BOUNDS = [
    MinValueValidator(date(2000, 1, 1), "Enter a date in the year 2000 or later."),
    MaxValueValidator(date(2999, 12, 31), "Enter a date before the year 3000."),
]


class AuditFilterForm(forms.Form):
    ACTIONS = [
        ("", "Any action"),
        (str(LogEntry.Action.CREATE), "Created"),
        (str(LogEntry.Action.UPDATE), "Changed"),
        (str(LogEntry.Action.DELETE), "Deleted"),
        (str(LogEntry.Action.ACCESS), "Viewed"),
    ]

    action = forms.TypedChoiceField(choices=ACTIONS, required=False, coerce=int, empty_value=None)
    actor = forms.CharField(label="Staff user name", required=False, max_length=150)
    # The log's dates are turned into the clinic's midnights a day apart: a bound keeps
    # them inside the calendar.
    date_from = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=AUDIT_DATE_BOUNDS,
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=AUDIT_DATE_BOUNDS,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "row row-cols-md-auto g-2 align-items-end"
        self.helper.layout = Layout(
            Field("action", wrapper_class="col"),
            Field("actor", wrapper_class="col"),
            Field("date_from", wrapper_class="col"),
            Field("date_to", wrapper_class="col"),
            Submit("filter", "Filter", css_class="mb-3"),
        )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            raise forms.ValidationError("The end date is before the start date.")
        return cleaned
