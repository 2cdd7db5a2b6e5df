from datetime import date

from auditlog.models import LogEntry
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout, Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator

from clinic.staff.roles import Role


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


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The six digits your authenticator app shows, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label="Code from the app",
        max_length=32,
        help_text="After adding the clinic to the app, type the six digits it shows.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )


class PasswordForgotForm(forms.Form):
    email = forms.EmailField(label="Your email address", max_length=254)


def _role_choices() -> list[tuple[str, str]]:
    return [(role.value, role.label) for role in Role]


class StaffMemberForm(forms.Form):
    """The clinic manager's form for a colleague's account: new (with a user name) or edit."""

    username = forms.CharField(
        label="User name",
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="Letters, digits and @ . + - _ only; they sign in with it.",
    )
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(max_length=254, help_text="The invitation and password links go here.")
    roles = forms.TypedMultipleChoiceField(
        choices=_role_choices,
        coerce=Role,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one role."},
    )

    def __init__(self, *args: object, new: bool = True, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not new:
            del self.fields["username"]
        self.helper = FormHelper()
        self.helper.form_tag = False
