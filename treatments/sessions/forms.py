"""Forms for the day of a session: the check-in questions and the session record."""

from decimal import Decimal
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import ValidationError

from treatments.consultations.forms import DATE
from treatments.models import (
    CourseLimits,
    MedicalHistory,
    SkinThickness,
    TreatmentSession,
    history_label,
)
from treatments.plans.forms import TIME
from treatments.screening.rules import Condition, DatedEvent
from treatments.sessions.check_in import CHANGING_CONDITIONS
from treatments.sessions.recall import LotQuery
from treatments.sessions.services import RECORD_FIELDS, Zone, skin_label


class CheckInForm(forms.Form):
    """ "Anything changed since your last visit?": for the day of a session.

    Lasting conditions from the consultation show ticked and cannot be unticked here
    (a change to those needs a new consultation); any condition may be newly ticked.
    """

    new_medications = forms.CharField(
        label="New medicines or supplements",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line, with strength and dose.",
    )
    confirm_unrecognised = forms.BooleanField(
        label="Checked: the new medicines not recognised are not relevant to microneedling",
        required=False,
    )
    other_changes = forms.CharField(
        label="Anything else that changed", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, carried: set[Condition], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for condition in Condition:
            self.fields[condition.value] = forms.BooleanField(
                label=history_label(MedicalHistory.CONDITION_FIELDS[condition]),
                required=False,
                initial=condition in carried,
                disabled=condition in carried,
                help_text="From the consultation." if condition in carried else "",
            )
        for event in DatedEvent:
            self.fields[event.value] = forms.DateField(
                label=history_label(MedicalHistory.DATE_FIELDS[event]), required=False, widget=DATE
            )
        lasting = [c.value for c in Condition if c not in CHANGING_CONDITIONS]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset("The skin and health today", *[c.value for c in CHANGING_CONDITIONS]),
            Fieldset("Lasting conditions (new ones may be added)", *lasting),
            Fieldset("Medicines", "new_medications", "confirm_unrecognised"),
            Fieldset(
                "Procedures since the last visit",
                Row(*[Column(e.value) for e in list(DatedEvent)[:3]]),
                Row(*[Column(e.value) for e in list(DatedEvent)[3:]]),
            ),
            Fieldset("Notes", "other_changes"),
        )

    def conditions(self) -> set[Condition]:
        return {c for c in Condition if self.cleaned_data.get(c.value)}

    def dates(self) -> dict[DatedEvent, Any]:
        return {e: self.cleaned_data[e.value] for e in DatedEvent if self.cleaned_data.get(e.value)}


def _both_ranges(zone: Zone) -> str:
    if zone.thin is None or zone.thick is None:
        return "Guidance: none in the catalog."
    return (
        f"Guidance: thin skin {zone.thin[0]} to {zone.thin[1]} mm, "
        f"thick skin {zone.thick[0]} to {zone.thick[1]} mm."
    )


class SessionRecordForm(forms.ModelForm):
    """The session record, with a depth (and a reason if outside guidance) per zone."""

    class Meta:
        model = TreatmentSession
        fields = list(RECORD_FIELDS)
        widgets = {
            "numbing_applied_at": TIME,
            "products_applied": forms.Textarea(attrs={"rows": 2}),
            "skin_reaction": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"numbing_applied_at": "Numbing applied at", "numbing_cream": "Numbing cream"}

    def __init__(
        self,
        *args: Any,
        zones: list[Zone],
        depths: dict[str, Any],
        consultation_skin: str = "",
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.zones = zones
        self.consultation_skin = consultation_skin
        found = f"as the consultation found: {skin_label(consultation_skin).lower()}"
        self.fields["skin_thickness"].help_text = (
            f"Empty: {found}." if consultation_skin else "Empty: judged as thin skin."
        )
        self.fields["skin_thickness"].choices = [  # type: ignore[attr-defined]
            ("", "As the consultation found"),
            *SkinThickness.choices,
        ]
        depth_rows = []
        for index, zone in enumerate(zones):
            saved = depths.get(zone.name)
            self.fields[f"depth_{index}"] = forms.DecimalField(
                label=f"{zone.name} (mm)", required=False, min_value=Decimal("0.01"),
                max_value=Decimal(CourseLimits.MAX_DEPTH_MM), decimal_places=2, max_digits=3,
                help_text=_both_ranges(zone),
                initial=saved.depth_mm if saved else None,
                widget=forms.NumberInput(attrs={"step": "0.01"}),
            )  # fmt: skip
            self.fields[f"reason_{index}"] = forms.CharField(
                label="Reason if outside the guidance", required=False, max_length=500,
                initial=saved.reason if saved else "",
            )  # fmt: skip
            depth_rows.append(Row(Column(f"depth_{index}"), Column(f"reason_{index}")))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("device"), Column("device_model"), Column("needle_lot")),
            Row(Column("skin_thickness"), Column()),
            Fieldset("Depth by area", *depth_rows),
            Row(Column("passes"), Column("numbing_cream"), Column("numbing_applied_at")),
            "products_applied",
            "skin_reaction",
            "notes",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        skin = data.get("skin_thickness") or self.consultation_skin
        for index, zone in enumerate(self.zones):
            depth, reason = data.get(f"depth_{index}"), data.get(f"reason_{index}", "")
            if depth is not None and zone.outside(depth, skin) and not reason.strip():
                self.add_error(
                    f"reason_{index}",
                    f"{depth} mm is outside the guidance for {skin_label(skin).lower()} "
                    f"({zone.guidance_for(skin)}): say why.",
                )
        return data

    def depths(self) -> dict[str, tuple[Decimal | None, str]]:
        return {
            zone.name: (
                self.cleaned_data.get(f"depth_{index}"),
                self.cleaned_data.get(f"reason_{index}", ""),
            )
            for index, zone in enumerate(self.zones)
        }


class LotSearchForm(forms.Form):
    """Find the sessions that used a cartridge lot, a device model, or both."""

    needle_lot = forms.CharField(label="Cartridge or needle lot", required=False, max_length=50)
    device_model = forms.CharField(label="Device model", required=False, max_length=100)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            try:
                data["query"] = LotQuery(
                    needle_lot=data.get("needle_lot", ""), device_model=data.get("device_model", "")
                )
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from exc
        return data


class LotRecallForm(LotSearchForm):
    """The letter to every patient the search found (the search comes along, hidden)."""

    text = forms.CharField(
        label="What to tell the patients",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Sent by email to each of them once, greeted by first name.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["needle_lot"].widget = forms.HiddenInput()
        self.fields["device_model"].widget = forms.HiddenInput()
