"""Aftercare: the versioned template per treatment, and the copy issued at each session.

1. ``aftercare_template_revise``: the manager's change becomes the next version; earlier
   versions, and every copy issued from them, stay as they were.
2. ``aftercare_issue`` (called by ``session_sign``, in its transaction): the version in
   force is copied onto the session, the aftercare email is put in the outbox, and one
   follow-up for each of the template's days, at 10:00 local time."""

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.messaging.models import PatientMessage
from clinic.messaging.services import message_schedule
from clinic.messaging.timing import days_after_at
from treatments.aftercare.defaults import DEFAULT_CALL_CLINIC, DEFAULT_FOLLOW_UP_DAYS, DEFAULT_STEPS
from treatments.models import AftercareTemplate, IssuedAftercare, Treatment, TreatmentSession

K = PatientMessage.Kind


FOLLOW_UP_AT = time(10, 0)


LAST_DAY = 90


MOST_FOLLOW_UPS = 5


MOST_STEPS = 20


@dataclass(frozen=True)
class Step:
    from_day: int
    to_day: int
    text: str

    @property
    def days(self) -> str:
        if self.from_day == self.to_day:
            return f"Day {self.from_day}"
        return f"Days {self.from_day} to {self.to_day}"

    def covers(self, day: int) -> bool:
        return self.from_day <= day <= self.to_day


def steps_of(rows: list[dict[str, Any]]) -> list[Step]:
    """Stored steps, in the order the manager wrote them."""
    return [Step(int(r["from_day"]), int(r["to_day"]), str(r["text"])) for r in rows]


def for_email(steps: list[Step]) -> list[dict[str, str]]:
    return [{"days": step.days, "text": step.text} for step in steps]


def aftercare_check(
    *, steps: list[dict[str, Any]], call_clinic: str, follow_up_days: list[int]
) -> None:
    """Refuse a template a patient could not follow, with a message per field."""
    errors: dict[str, list[str]] = {}
    if not steps:
        errors["steps"] = ["Write at least one step."]
    if len(steps) > MOST_STEPS:
        errors["steps"] = [f"At most {MOST_STEPS} steps."]
    for number, row in enumerate(steps, start=1):
        first, last, text = row.get("from_day"), row.get("to_day"), row.get("text", "")
        if not isinstance(first, int) or not isinstance(last, int):
            errors.setdefault("steps", []).append(f"Step {number}: give both days as numbers.")
        elif not 0 <= first <= last <= LAST_DAY:
            errors.setdefault("steps", []).append(
                f"Step {number}: the days run from 0 (the day of the session) to {LAST_DAY}, "
                "the first no later than the last."
            )
        if not str(text).strip():
            errors.setdefault("steps", []).append(f"Step {number}: say what to do.")
    if not call_clinic.strip():
        errors["call_clinic"] = ["Say when the patient should contact the clinic at once."]
    if len(follow_up_days) > MOST_FOLLOW_UPS:
        errors["follow_up_days"] = [f"At most {MOST_FOLLOW_UPS} follow-up days."]
    elif any(not 1 <= day <= LAST_DAY for day in follow_up_days):
        errors["follow_up_days"] = [f"Follow-up days run from 1 to {LAST_DAY}."]
    elif len(set(follow_up_days)) != len(follow_up_days):
        errors["follow_up_days"] = ["Give each follow-up day once."]
    if errors:
        raise ValidationError(errors)


def aftercare_template_current(treatment: Treatment) -> AftercareTemplate:
    """The version in force; a treatment with none yet starts from the default."""
    current = treatment.aftercare_templates.order_by("-version").first()
    if current is not None:
        return current
    return AftercareTemplate.objects.create(
        treatment=treatment,
        version=1,
        steps=DEFAULT_STEPS,
        call_clinic=DEFAULT_CALL_CLINIC,
        follow_up_days=DEFAULT_FOLLOW_UP_DAYS,
    )


@transaction.atomic
def aftercare_template_revise(
    *,
    treatment: Treatment,
    steps: list[dict[str, Any]],
    call_clinic: str,
    follow_up_days: list[int],
    by: User,
) -> AftercareTemplate:
    """Save the manager's aftercare as the next version of the treatment's template."""
    aftercare_check(steps=steps, call_clinic=call_clinic, follow_up_days=follow_up_days)
    # Lock the treatment so two managers saving at once get versions n+1 and n+2.
    Treatment.objects.select_for_update().get(pk=treatment.pk)
    current = aftercare_template_current(treatment)
    cleaned = [
        {"from_day": s.from_day, "to_day": s.to_day, "text": s.text.strip()}
        for s in steps_of(steps)
    ]
    return AftercareTemplate.objects.create(
        treatment=treatment,
        version=current.version + 1,
        steps=cleaned,
        call_clinic=call_clinic.strip(),
        follow_up_days=sorted(follow_up_days),
        created_by=by,
    )


def _next_to_book(session: TreatmentSession) -> dict[str, int]:
    """The plan's next session, when it still waits for a time: the aftercare email then
    carries the link to book it (``book_session``)."""
    following = TreatmentSession.objects.filter(
        plan_id=session.plan_id, number=session.number + 1, status=TreatmentSession.Status.PROPOSED
    ).first()
    return {"book_session": following.pk} if following is not None else {}


def aftercare_issue(*, session: TreatmentSession, by: User, now: datetime) -> IssuedAftercare:
    """Copy the aftercare in force onto a session being signed, and put the aftercare
    email and its follow-ups in the outbox. Runs inside ``session_sign``'s transaction."""
    appointment = session.appointment
    if appointment is None:
        raise ValidationError("This session has no appointment to issue aftercare for.")
    template = aftercare_template_current(session.plan.treatment)
    issued = IssuedAftercare.objects.create(
        session=session,
        template=template,
        version=template.version,
        steps=template.steps,
        call_clinic=template.call_clinic,
        follow_up_days=template.follow_up_days,
        issued_at=now,
        issued_by=by,
    )
    steps = steps_of(issued.steps)
    location = appointment.location

    def schedule(kind: str, what: str, due_at: datetime, about: str, **payload: Any) -> None:
        message_schedule(
            patient=session.plan.patient,
            appointment=appointment,
            time_zone=location.time_zone,
            kind=kind,
            key=f"session:{session.pk}:{what}",
            due_at=due_at,
            about=about,
            payload={
                **payload,
                "call_clinic": issued.call_clinic,
                "session": session.pk,
                "version": issued.version,
            },
        )

    schedule(
        K.AFTERCARE, "aftercare", now,
        f"Aftercare after session {session.number} (version {issued.version})",
        steps=for_email(steps), **_next_to_book(session),
    )  # fmt: skip
    for day in issued.follow_up_days:
        # That day's steps; a day no step mentions gets them all, rather than nothing.
        todays = [step for step in steps if step.covers(day)] or steps
        schedule(
            K.FOLLOW_UP, f"follow-up:day-{day}",
            days_after_at(now, day, FOLLOW_UP_AT, location.zone),
            f"Day {day} after session {session.number}",
            day=day, steps=for_email(todays),
        )  # fmt: skip
    return issued
