"""Reads for consultations: the latest history, the patient's clearance and consent, the
clinic's rule settings, the consultation that clears a patient for treatment, and the
history a patient gave at home as the practitioner reviews it."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils.dateformat import format as format_date
from django.utils.text import capfirst

from clinic.scheduling.models import Appointment
from patients.models import Patient
from treatments.models import (
    MEDICINES,
    ConsentSignature,
    ConsentText,
    Consultation,
    HistoryTakeIn,
    HomeHistory,
    MedicalHistory,
    MedicineLine,
    ScreeningRuleSetting,
    history_label,
    rule_state_label,
)
from treatments.models.home_history import answer_kind, stored_value
from treatments.screening.rules import (
    Level,
    RuleAdjustment,
)


def latest_history(patient: Patient) -> MedicalHistory | None:
    """The history as last recorded for the patient, to start the next consultation from."""
    return (
        MedicalHistory.objects.filter(consultation__patient=patient)
        .order_by("-consultation__consulted_on", "-consultation_id")
        .first()
    )


def consultation_list_for_patient(patient: Patient) -> QuerySet[Consultation]:
    return Consultation.objects.filter(patient=patient).select_related("practitioner")


def clearance_word(decision: str | None) -> str:
    """The front desk's word for a latest signed decision (None: none signed yet)."""
    if decision is None:
        return "review"
    return "no" if decision == Consultation.Decision.NOT_SUITABLE else "yes"


def _latest_signed_decision(patient: Any) -> "QuerySet[Consultation, str]":
    return (
        Consultation.objects.filter(patient=patient, status=Consultation.Status.SIGNED)
        .order_by("-consulted_on", "-id")
        .values_list("decision", flat=True)
    )


def clearance_for_patient(patient: Patient) -> str:
    """Cleared for treatment: "yes", "no" or "review", from the latest signed consultation.

    All the front desk may know: never the findings or their reasons.
    """
    return clearance_word(_latest_signed_decision(patient).first())


def clearance_of_the_patient() -> Subquery:
    """The decision of the patient's latest signed consultation, as a column of a query
    of appointments (``OuterRef("patient_id")``), that ``clearance_word`` reads."""
    return Subquery(_latest_signed_decision(OuterRef("patient_id"))[:1])


def rule_adjustments(
    settings: Iterable[ScreeningRuleSetting] | None = None,
) -> dict[str, RuleAdjustment]:
    """The clinic's changes to the default rules, as the screening engine takes them
    (from ``settings`` when the caller has them already)."""
    if settings is None:
        settings = ScreeningRuleSetting.objects.all()
    return {
        setting.code: RuleAdjustment(
            enabled=setting.enabled,
            level=Level.from_code(setting.level) if setting.level else None,
        )
        for setting in settings
    }


@dataclass(frozen=True)
class ClinicRuleChange:
    """A rule the clinic screens differently from the default, as practitioners see it."""

    title: str
    default_label: str
    state_label: str
    switched_off: bool
    changed_by: str
    changed_at: datetime
    reason: str


def clinic_rule_settings() -> list[ScreeningRuleSetting]:
    """The clinic's rule settings with who changed them, in one query."""
    return list(ScreeningRuleSetting.objects.select_related("changed_by"))


def clinic_rule_changes(settings: Iterable[ScreeningRuleSetting]) -> list[ClinicRuleChange]:
    """The settings that make a rule differ from its default: what, who, when, why."""
    changes = []
    for setting in settings:
        rule = setting.default_rule
        if rule is None or setting.state == rule.level.code:
            continue
        changes.append(
            ClinicRuleChange(
                title=rule.title,
                default_label=rule.level.label,
                state_label=rule_state_label(setting.state),
                switched_off=not setting.enabled,
                changed_by=setting.changed_by.get_full_name() or setting.changed_by.get_username(),
                changed_at=setting.changed_at,
                reason=setting.reason,
            )
        )
    return changes


@dataclass(frozen=True)
class ConsentState:
    signature: ConsentSignature | None
    is_current: bool


def consent_state(patient: Patient, treatment: str = "microneedling") -> ConsentState:
    """The patient's latest consent signature, and whether it is on the text in force.

    One query, signed or not: the newest version comes along as a subquery.
    """
    newest = (
        ConsentText.objects.filter(treatment=treatment).order_by("-version").values("version")[:1]
    )
    signature = (
        ConsentSignature.objects.filter(patient=patient, consent_text__treatment=treatment)
        .select_related("consent_text")
        .annotate(newest_version=Subquery(newest))
        .order_by("-signed_at", "-id")
        .first()
    )
    if signature is None:
        return ConsentState(signature=None, is_current=False)
    is_current = signature.consent_text.version == signature.newest_version
    return ConsentState(signature=signature, is_current=is_current)


def clearing_consultation(patient: Patient) -> Consultation:
    """The latest signed consultation, if it clears the patient for treatment."""
    consultation = (
        Consultation.objects.filter(patient=patient, status=Consultation.Status.SIGNED)
        .select_related("history")
        .prefetch_related("findings")
        .order_by("-consulted_on", "-id")
        .first()
    )
    if consultation is None or consultation.found_not_suitable:
        raise ValidationError(
            "No signed consultation clears this patient for treatment: a practitioner must "
            "consult first."
        )
    return consultation


# --- The history from home ---------------------------------------------------------------


def home_history_for_appointment(appointment: Appointment) -> HomeHistory | None:
    """The history the patient gives at home for this consultation booking, sent or not."""
    return HomeHistory.objects.filter(appointment=appointment).first()


def home_history_for_patient(patient: Patient) -> HomeHistory | None:
    """The history from home a practitioner prepares the patient's next consultation with.

    1. The patient's latest sent one, unless it is already fully taken into signed
       consultations (every answer taken in by one or another). An older one is not
       offered then either: the newer account supersedes it.
    2. Failing that, one started for an appointment still to come and not yet sent
       (the panel says "not sent yet").

    One query: each history with how many of its answers signed consultations took in.
    """
    signed = Q(take_ins__consultation__status=Consultation.Status.SIGNED)
    histories = list(
        HomeHistory.objects.filter(patient=patient)
        .select_related("appointment")
        .annotate(taken_signed=Count("take_ins__field", filter=signed, distinct=True))
        .order_by("-started_at", "-id")
    )
    sent = [history for history in histories if history.is_submitted]
    if sent:
        latest = max(sent, key=lambda history: (history.submitted_at, history.pk))
        if not latest.is_fully_taken_in(latest.taken_signed):
            return latest
    return next((h for h in histories if not h.is_submitted and h.appointment.is_upcoming), None)


# A date the patient left out on the questionnaire's "had it, not sure when".
NOT_SURE_WHEN = "Had it, not sure when"


def answer_lines(name: str, stored: Any, *, said: bool = False) -> list[str]:
    """An answer as stored (the patient's, ``said``, or what was recorded) in words, a
    line each. The patient's dated answer with no date is "had it, not sure when"."""
    kind = answer_kind(name)
    if said and kind == "date" and stored is None:
        return [NOT_SURE_WHEN]
    if kind == "medicines":
        return [_medicine_words(line) for line in stored or []] or ["None"]
    if kind == "condition":
        return ["Yes" if stored is True else "No" if stored is False else "Not answered"]
    if kind == "date":
        return [_day_words(stored) if stored else "No date"]
    return [str(stored).strip() or "Nothing"] if stored is not None else ["Nothing"]


def _day_words(stored: Any) -> str:
    try:
        return format_date(datetime.fromisoformat(str(stored)).date(), "j M Y")
    except ValueError:
        return str(stored)


def _medicine_words(line: dict[str, Any]) -> str:
    words = str(line.get("text") or "")
    if line.get("dose"):
        words += f", {line['dose']}"
    if line.get("current", True):
        return f"{words}: taking now"
    stopped = line.get("stopped_on")
    return f"{words}: stopped" + (f" {_day_words(stopped)}" if stopped else "")


def _recorded_now(history: MedicalHistory, name: str, lines: list[MedicineLine]) -> list[str]:
    if name == MEDICINES:
        return answer_lines(
            name,
            [
                {"text": line.text, "dose": line.dose, "current": line.current,
                 "stopped_on": line.stopped_on.isoformat() if line.stopped_on else None}
                for line in lines
            ],
        )  # fmt: skip
    return answer_lines(name, stored_value(getattr(history, name)))


@dataclass(frozen=True)
class TakeInRow:
    """One answer taken in: the patient said, the practitioner recorded."""

    field: str
    question: str
    said: list[str]
    recorded: list[str]
    was_changed: bool
    by: User
    at: datetime


@dataclass(frozen=True)
class ReviewRow:
    """One answer of the history from home beside what the consultation records now,
    and its take-in once it is taken in."""

    field: str
    kind: str
    question: str
    said: list[str]
    now: list[str]
    take_in: TakeInRow | None

    @property
    def differs(self) -> bool:
        return self.said != self.now

    @property
    def may_be_recorded_differently(self) -> bool:
        """Every answer but the medicine list, which is taken in as a whole as given."""
        return self.kind != "medicines"

    @property
    def asks_yes_no(self) -> bool:
        return self.kind == "condition"

    @property
    def asks_date(self) -> bool:
        return self.kind == "date"


@dataclass(frozen=True)
class HomeHistoryReview:
    """The history from home a consultation reviews (None: there is none), answer by
    answer."""

    home_history: HomeHistory | None
    rows: list[ReviewRow]

    @property
    def taken_in(self) -> list[TakeInRow]:
        return [row.take_in for row in self.rows if row.take_in is not None]

    @property
    def left_to_take_in(self) -> int:
        return sum(1 for row in self.rows if row.take_in is None)


def answer_question(name: str) -> str:
    """The question an answer answers, as the practitioner reads it."""
    return "Medicines" if name == MEDICINES else capfirst(history_label(name))


def _take_in_row(take_in: HistoryTakeIn) -> TakeInRow:
    said = answer_lines(take_in.field, take_in.patient_said, said=True)
    recorded = answer_lines(take_in.field, take_in.recorded)
    # Marked where the words differ: a medicine line the vocabulary matched on the way in
    # is still what the patient said.
    return TakeInRow(
        field=take_in.field, question=answer_question(take_in.field), said=said,
        recorded=recorded, was_changed=said != recorded, by=take_in.by, at=take_in.at,
    )  # fmt: skip


def home_history_review(consultation: Consultation, *, now: bool = True) -> HomeHistoryReview:
    """The history from home that ``consultation`` reviews, answer by answer.

    Which history: the one the consultation has taken answers from; else, for a draft,
    the patient's sent one that ``home_history_for_patient`` finds. A signed consultation
    that took nothing in reviews none. ``now``: also read what the consultation records
    now, for each answer (its medicine rows: one more query).

    Queries: the consultation's take-ins with their history and who took them in; the
    patient's histories when there are none; the medicine rows.
    """
    take_ins = list(consultation.take_ins.select_related("home_history", "by"))
    if take_ins:
        home: HomeHistory | None = take_ins[0].home_history
    elif consultation.is_signed:
        home = None
    else:
        home = home_history_for_patient(consultation.patient)
        home = home if home is not None and home.is_submitted else None
    if home is None:
        return HomeHistoryReview(home_history=None, rows=[])
    taken = {take_in.field: _take_in_row(take_in) for take_in in take_ins}
    history = consultation.history
    lines = list(history.medicine_lines.all()) if now else []
    rows = []
    for name in home.given_fields():
        said = home.medicines if name == MEDICINES else home.answers[name]
        rows.append(
            ReviewRow(
                field=name, kind=answer_kind(name), question=answer_question(name),
                said=answer_lines(name, said, said=True),
                now=_recorded_now(history, name, lines) if now else [],
                take_in=taken.get(name),
            )
        )  # fmt: skip
    return HomeHistoryReview(home_history=home, rows=rows)
