"""Writes for patients' data rights: restrict and lift, erase, and anonymise once the
clinical record has been kept as long as the clinic's retention rule says.

Each action is audited as one entry naming what was done (clinic/data_rights/audit.py).
"""

from datetime import date, datetime

from auditlog.context import disable_auditlog
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.data_rights.audit import audit_data_rights
from clinic.data_rights.retention import retained_until
from clinic.data_rights.selectors import last_contact, patients_past_retention
from clinic.messaging.models import PatientMessage
from clinic.scheduling.models import Appointment, WaitlistEntry
from clinic.scheduling.services import appointment_cancel
from clinic.scheduling.waitlist import waitlist_remove
from patients.models import Patient
from patients.validators import normalise_text
from treatments.models import (
    MEDICINES,
    CheckInScreening,
    ConsentSignature,
    Consultation,
    ConsultationAddendum,
    HistoryTakeIn,
    HomeHistory,
    MedicalHistory,
    MedicineLine,
    ScreeningFinding,
    SessionDepth,
    TreatmentPlan,
    TreatmentSession,
)

REASON_MAX = 500
ERASURE_CANCELS = "The patient asked for their data to be erased."
ERASURE_RESTRICTS = "Erasure requested: nothing is sent to the patient."
# What the law lets go at once: how to reach the patient and who to call for them, and
# the front desk's practical notes. Name, birth date, sex and GP stay with the clinical
# record until the end of retention.
ERASED_NOW = {
    "email": "",
    "mobile": "",
    "address_line1": "",
    "address_line2": "",
    "town": "",
    "postcode": "",
    "emergency_contact_name": "",
    "emergency_contact_phone": "",
    "emergency_contact_relationship": "",
    "notes": "",
    "consents_to_transactional_email": False,
    "consents_to_marketing_email": False,
}
ANONYMOUS_FIRST = "Anonymised"
ANONYMOUS_LAST = "patient"


def _reason(reason: str, what: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [f"Say why {what}."]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [f"Keep the reason under {REASON_MAX} characters."]})
    return reason


def _locked(patient: Patient) -> Patient:
    return Patient.objects.select_for_update().get(pk=patient.pk)


@transaction.atomic
def patient_restrict(*, patient: Patient, reason: str, now: datetime) -> Patient:
    """Restrict the use of the patient's data (UK GDPR art. 18): from now on nothing is
    sent to them; the outbox shows why each waiting message will not go."""
    reason = _reason(reason, "the patient's data is restricted")
    current = _locked(patient)
    if current.is_restricted:
        raise ValidationError("The patient's data is already restricted.")
    current.restricted_at = now
    current.restriction_reason = reason
    with disable_auditlog():
        current.save(update_fields=["restricted_at", "restriction_reason", "updated_at"])
    audit_data_rights(current, "restriction", reason)
    return current


@transaction.atomic
def patient_restriction_lift(*, patient: Patient, reason: str) -> Patient:
    """Lift a restriction: messages still waiting go out again when they are due."""
    reason = _reason(reason, "the restriction is lifted")
    current = _locked(patient)
    if not current.is_restricted:
        raise ValidationError("The patient's data is not restricted.")
    if current.erasure_requested:
        raise ValidationError("The patient asked for erasure: the restriction stays.")
    current.restricted_at = None
    current.restriction_reason = ""
    with disable_auditlog():
        current.save(update_fields=["restricted_at", "restriction_reason", "updated_at"])
    audit_data_rights(current, "restriction lifted", reason)
    return current


def retention_end(patient: Patient, *, now: datetime) -> date:
    """The first day the patient's clinical record may be anonymised (the clinic's rule,
    clinic/data_rights/retention.py)."""
    return retained_until(
        born=patient.date_of_birth,
        last_contact=last_contact(patient, now=now),
        years=settings.RECORD_RETENTION_YEARS,
        minors_until_age=settings.RECORD_RETENTION_MINORS_UNTIL_AGE,
    )


def _leave_the_waitlist(patient: Patient, *, now: datetime) -> None:
    """Every place the patient holds on the waitlist goes; a time they were being offered
    goes to the next patient waiting."""
    for entry in WaitlistEntry.objects.filter(patient=patient, status__in=WaitlistEntry.OPEN):
        waitlist_remove(entry=entry, reason=ERASURE_CANCELS, now=now)


def _cancel_what_is_to_come(patient: Patient, *, by: User, now: datetime) -> int:
    _leave_the_waitlist(patient, now=now)
    upcoming = Appointment.objects.filter(
        patient=patient, status__in=Appointment.CANCELLABLE, starts_at__gt=now
    )
    for appointment in upcoming:
        appointment_cancel(appointment=appointment, reason=ERASURE_CANCELS, by=by, now=now)
    # Whatever is still waiting (the cancellations just written included) stops here.
    PatientMessage.objects.filter(patient=patient, status__in=PatientMessage.WAITING).update(
        status=PatientMessage.Status.CANCELLED, skip_reason=ERASURE_CANCELS, updated_at=now
    )
    return len(upcoming)


@transaction.atomic
def patient_erase(*, patient: Patient, reason: str, by: User, now: datetime) -> Patient:
    """Act on a request to erase (UK GDPR art. 17) as far as the law lets go now.

    1. Take the patient off the waitlist (a time held for them goes to the next patient),
       cancel the appointments to come and stop every message still waiting.
    2. Clear contact details, address, emergency contact and front-desk notes; clear
       what messages carried (their payload and any error text from the mail server) and
       the front desk's cancellation reasons.
    3. Restrict the record, so nothing more is sent, and set the day retention ends: the
       clinical record is kept until then and anonymised by a periodic task.
    """
    reason = _reason(reason, "the patient's data is erased")
    current = _locked(patient)
    if current.erasure_requested:
        raise ValidationError("The patient's erasure has already been recorded.")
    cancelled = _cancel_what_is_to_come(current, by=by, now=now)
    PatientMessage.objects.filter(patient=current).update(payload={}, last_error="")
    Appointment.objects.filter(patient=current).exclude(cancellation_reason=ERASURE_CANCELS).update(
        cancellation_reason=""
    )
    for name, value in ERASED_NOW.items():
        setattr(current, name, value)
    current.restricted_at = current.restricted_at or now
    current.restriction_reason = current.restriction_reason or ERASURE_RESTRICTS
    current.erasure_requested_at = now
    current.clinical_retained_until = retention_end(current, now=now)
    with disable_auditlog():
        current.save()
    audit_data_rights(
        current,
        "erasure",
        f"{reason} Contact details cleared; {cancelled} appointment(s) cancelled; "
        f"clinical record kept until {current.clinical_retained_until:%d %b %Y}.",
    )
    return current


def _anonymise_clinical_rows(patient: Patient) -> None:
    """Blank the free text and identifying details of every clinical row; keep the rows,
    their dates, statuses, levels and codes, which the reports count."""
    consultations = Consultation.objects.filter(patient=patient)
    consultations.update(goals="", skin_assessment="")
    MedicalHistory.objects.filter(consultation__in=consultations).update(
        medications="", allergies="", other_conditions=""
    )
    # The medicine as the patient or practitioner wrote it goes; what it was matched to
    # (key, classes, route, dates) stays, as screening and the reports read it.
    MedicineLine.objects.filter(history__consultation__in=consultations).update(text="", dose="")
    ScreeningFinding.objects.filter(consultation__in=consultations).update(
        detail="", override_reason="", physician_clearance_note=""
    )
    ConsultationAddendum.objects.filter(consultation__in=consultations).update(text="")
    ConsentSignature.objects.filter(patient=patient).update(typed_name="")
    for check_in in CheckInScreening.objects.filter(patient=patient):
        check_in.changes = {}
        check_in.findings = [
            {k: v for k, v in finding.items() if k in ("code", "title", "level", "blocks")}
            for finding in check_in.findings
        ]
        check_in.save(update_fields=["changes", "findings"])
    _anonymise_home_histories(patient)
    TreatmentPlan.objects.filter(patient=patient).update(notes="", cancellation_reason="")
    sessions = TreatmentSession.objects.filter(plan__patient=patient)
    sessions.update(problem="", products_applied="", skin_reaction="", notes="")
    SessionDepth.objects.filter(session__in=sessions).update(reason="")


# The free-text answers of a history given at home; the yes/no answers and dates stay, as
# a medical history's columns do.
HOME_TEXT_ANSWERS = ("allergies", "other_conditions")


def _anonymise_home_histories(patient: Patient) -> None:
    """Blank what the patient wrote at home (free text, medicines as written, doses) and
    the practitioner's copies of it; keep the yes/no answers, dates, matched medicines,
    levels and codes."""
    for history in HomeHistory.objects.filter(patient=patient):
        history.answers = {
            name: ("" if name in HOME_TEXT_ANSWERS else value)
            for name, value in history.answers.items()
        }
        history.medicines = [{**row, "text": "", "dose": ""} for row in history.medicines]
        history.findings = [
            {k: v for k, v in finding.items() if k in ("code", "title", "level", "blocks")}
            for finding in history.findings
        ]
        history.save(update_fields=["answers", "medicines", "findings"])
    HistoryTakeIn.objects.filter(
        home_history__patient=patient, field__in=(*HOME_TEXT_ANSWERS, MEDICINES)
    ).update(patient_said=None, recorded=None)


@transaction.atomic
def patient_anonymise(*, patient: Patient, now: datetime) -> Patient:
    """Anonymise an erased patient's record once retention is over: the rows stay (so
    every report counts the same), with names, free text and identifying details blank."""
    current = _locked(patient)
    if not current.retention_over(timezone.localdate(now)):
        raise ValidationError("The clinical record is still within its retention period.")
    with disable_auditlog():
        _anonymise_clinical_rows(current)
        current.first_name = ANONYMOUS_FIRST
        current.last_name = ANONYMOUS_LAST
        current.search_name = normalise_text(f"{ANONYMOUS_FIRST} {ANONYMOUS_LAST}")
        # The year of birth stays for age bands; the day is what identifies.
        current.date_of_birth = current.date_of_birth.replace(month=1, day=1)
        current.physician_name = current.physician_practice = current.physician_phone = ""
        current.anonymised_at = now
        current.save()
    audit_data_rights(current, "anonymisation", "Retention period over.")
    return current


def patients_anonymise_due(*, now: datetime) -> int:
    """Anonymise every erased record whose retention is over; returns how many. Each in
    its own transaction, so one failure leaves the others done."""
    done = 0
    for patient in patients_past_retention(timezone.localdate(now)):
        patient_anonymise(patient=patient, now=now)
        done += 1
    return done
