"""A patient's record as data: the JSON they may take elsewhere (UK GDPR art. 15 and 20)
and the sections of the printable copy, built from the same dictionary so that the two
always agree."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from clinic.data_rights.selectors import PatientRecord
from patients.services import PATIENT_FIELDS

# Emails are written from the clinic's templates at the moment they are sent and are not
# kept word for word; the export lists what was sent, about what, when and how it went.
MESSAGES_NOTE = (
    "Emails are composed from the clinic's templates when they are sent; their text is "
    "not stored, so each is listed by kind, subject matter, time and outcome."
)
FORMAT_VERSION = 1


def _person(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def _history(consultation: Any) -> dict[str, Any] | None:
    history = getattr(consultation, "history", None)
    if history is None:
        return None
    return {
        "medications_as_first_written": history.medications,
        "medicines": [
            {
                "as_written": line.text,
                "medicine": line.medicine_label,
                "route": line.route,
                "taking_now": line.current,
                "stopped_on": line.stopped_on,
                "dose": line.dose,
            }
            for line in history.medicine_lines.all()
        ],
        "allergies": history.allergies,
        "other_conditions": history.other_conditions,
        "conditions": [condition.value for condition in history.conditions()],
        "dates": {event.value: day for event, day in history.event_dates().items()},
    }


def _consultation(consultation: Any) -> dict[str, Any]:
    return {
        "id": consultation.pk,
        "consulted_on": consultation.consulted_on,
        "practitioner": _person(consultation.practitioner),
        "status": consultation.status,
        "decision": consultation.decision,
        "screening_level": consultation.screening_level,
        "ruleset_version": consultation.ruleset_version,
        "concerns": consultation.concerns,
        "areas": consultation.areas,
        "goals": consultation.goals,
        "skin_assessment": consultation.skin_assessment,
        "fitzpatrick_type": consultation.fitzpatrick_type,
        "skin_thickness": consultation.skin_thickness,
        "signed_at": consultation.signed_at,
        "medical_history": _history(consultation),
        "findings": [
            {
                "code": finding.code,
                "title": finding.title,
                "level": finding.level,
                "reason": finding.reason,
                "detail": finding.detail,
                "needs_physician_clearance": finding.needs_physician_clearance,
                "override_reason": finding.override_reason,
                "physician_clearance_note": finding.physician_clearance_note,
                "overridden_by": _person(finding.overridden_by),
                "overridden_at": finding.overridden_at,
            }
            for finding in consultation.findings.all()
        ],
        "addenda": [
            {"written_at": a.created_at, "by": _person(a.author), "text": a.text}
            for a in consultation.addenda.all()
        ],
    }


def _home_history(history: Any, take_ins: list[Any]) -> dict[str, Any]:
    """The medical history the patient gave at home, as given, and what the practitioner
    took from it into a consultation."""
    return {
        "appointment_starts_at": history.appointment.starts_at,
        "started_at": history.started_at,
        "sent_at": history.submitted_at,
        "answers": history.answers,
        "medicines": history.medicines,
        "consent_text_shown": (
            f"{history.consent_text.title} (version {history.consent_text.version})"
            if history.consent_text is not None
            else ""
        ),
        "screening_level": history.screening_level,
        "findings": history.findings,
        "ruleset_version": history.ruleset_version,
        "taken_into_consultation": [
            {
                "consultation_id": take_in.consultation_id,
                "answer": take_in.field,
                "patient_said": take_in.patient_said,
                "recorded": take_in.recorded,
                "by": _person(take_in.by),
                "at": take_in.at,
            }
            for take_in in take_ins
            if take_in.home_history_id == history.pk
        ],
    }


def _session(session: Any) -> dict[str, Any]:
    appointment = session.appointment
    return {
        "plan_id": session.plan_id,
        "number": session.number,
        "status": session.status,
        "starts_at": appointment.starts_at if appointment is not None else None,
        "device": session.device,
        "device_model": session.device_model,
        "needle_lot": session.needle_lot,
        "skin_thickness": session.skin_thickness,
        "passes": session.passes,
        "numbing_cream": session.numbing_cream,
        "products_applied": session.products_applied,
        "skin_reaction": session.skin_reaction,
        "notes": session.notes,
        "signed_at": session.signed_at,
        "signed_by": _person(session.signed_by),
        "depths": [
            {"zone": d.zone, "depth_mm": d.depth_mm, "reason": d.reason}
            for d in session.depths.all()
        ],
    }


def _aftercare(session: Any) -> dict[str, Any] | None:
    issued = getattr(session, "aftercare", None)
    if issued is None:
        return None
    return {
        "plan_id": session.plan_id,
        "session": session.number,
        "version": issued.version,
        "issued_at": issued.issued_at,
        "steps": issued.steps,
        "call_clinic": issued.call_clinic,
        "follow_up_days": issued.follow_up_days,
    }


def _patient(record: PatientRecord) -> dict[str, Any]:
    patient = record.patient
    details: dict[str, Any] = {name: getattr(patient, name) for name in PATIENT_FIELDS}
    details.update(
        id=patient.pk,
        registered_at=patient.created_at,
        restricted_at=patient.restricted_at,
        restriction_reason=patient.restriction_reason,
        erasure_requested_at=patient.erasure_requested_at,
        clinical_retained_until=patient.clinical_retained_until,
    )
    return details


def record_as_data(record: PatientRecord, *, now: datetime | None = None) -> dict[str, Any]:
    """The whole record as plain values (dates and times stay Python objects: the JSON
    encoder and the printable page each write them their own way)."""
    sessions = record.sessions
    return {
        "format_version": FORMAT_VERSION,
        "exported_at": now or timezone.now(),
        "patient": _patient(record),
        "consents": [
            {
                "signed_at": c.signed_at,
                "consent_text": c.consent_text.title,
                "consent_version": c.consent_text.version,
                "typed_name": c.typed_name,
                "agreed": c.agreed,
                "witnessed_by": _person(c.witnessed_by),
            }
            for c in record.consents
        ],
        "consultations": [_consultation(c) for c in record.consultations],
        "check_in_screenings": [
            {
                "screened_on": c.screened_on,
                "by": _person(c.by),
                "level": c.level,
                "ruleset_version": c.ruleset_version,
                "may_start": c.may_start,
                "changes": c.changes,
                "findings": c.findings,
            }
            for c in record.check_ins
        ],
        "home_histories": [_home_history(h, record.take_ins) for h in record.home_histories],
        "plans": [
            {
                "id": p.pk,
                "treatment": p.treatment.name,
                "areas": [area.name for area in p.areas.all()],
                "location": p.location.name,
                "status": p.status,
                "sessions_planned": p.sessions_planned,
                "interval_days": [p.min_interval_days, p.max_interval_days],
                "notes": p.notes,
                "cancellation_reason": p.cancellation_reason,
                "created_at": p.created_at,
                "activated_at": p.activated_at,
            }
            for p in record.plans
        ],
        "sessions": [_session(s) for s in sessions],
        "aftercare_given": [a for a in (_aftercare(s) for s in sessions) if a is not None],
        "appointments": [
            {
                "starts_at": a.starts_at,
                "ends_at": a.ends_at,
                "type": a.appointment_type.name,
                "location": a.location.name,
                "practitioner": _person(a.practitioner.user),
                "status": a.status,
                "cancellation_reason": a.cancellation_reason,
            }
            for a in record.appointments
        ],
        "messages_note": MESSAGES_NOTE,
        "messages": [
            {
                "kind": m.kind,
                "subject": m.get_kind_display(),
                "about": m.about,
                "due_at": m.due_at,
                "status": m.status,
                "sent_at": m.sent_at,
                "not_sent_because": m.skip_reason,
            }
            for m in record.messages
        ],
        "record_accesses": record.accesses,
    }


# --- The printable copy ---------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """A part of the printable copy: a heading and a table of rows of text."""

    title: str
    key: str
    headers: list[str]
    rows: list[list[str]]


SECTION_TITLES = {
    "consents": "Consents",
    "consultations": "Consultations",
    "check_in_screenings": "Screening at check-in",
    "home_histories": "Medical history given at home",
    "plans": "Treatment plans",
    "sessions": "Treatment sessions",
    "aftercare_given": "Aftercare given",
    "appointments": "Appointments",
    "messages": "Messages",
    "record_accesses": "Who accessed this record",
}
# Shown in their own section rather than as a column of the consultation.
NESTED_APART = {"findings", "medical_history", "addenda"}


def text(value: Any) -> str:
    """A value as a person reads it."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%-d %b %Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%-d %b %Y")
    if isinstance(value, Decimal):
        return f"{value:g}"
    if isinstance(value, dict):
        return "; ".join(f"{label(k)}: {text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(text(item) for item in value)
    return str(value)


def label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _table(title: str, key: str, rows: list[dict[str, Any]]) -> Section:
    headers = [k for k in rows[0] if k not in NESTED_APART] if rows else []
    return Section(
        title=title,
        key=key,
        headers=[label(h) for h in headers],
        rows=[[text(row[h]) for h in headers] for row in rows],
    )


def record_sections(data: dict[str, Any]) -> list[Section]:
    """The printable copy's sections, in the order of the JSON."""
    sections = []
    for key, title in SECTION_TITLES.items():
        sections.append(_table(title, key, data[key]))
        if key == "consultations":
            sections.extend(_consultation_parts(data[key]))
    return sections


def _consultation_parts(consultations: list[dict[str, Any]]) -> list[Section]:
    histories = [
        {"consultation": c["consulted_on"], **c["medical_history"]}
        for c in consultations
        if c["medical_history"] is not None
    ]
    findings = [
        {"consultation": c["consulted_on"], **finding}
        for c in consultations
        for finding in c["findings"]
    ]
    addenda = [
        {"consultation": c["consulted_on"], **addendum}
        for c in consultations
        for addendum in c["addenda"]
    ]
    return [
        _table("Medical history", "medical_history", histories),
        _table("Screening findings", "findings", findings),
        _table("Addenda", "addenda", addenda),
    ]


def detail_rows(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The patient's details as (label, text) pairs for the printable copy."""
    return [(label(key), text(value)) for key, value in data["patient"].items()]
