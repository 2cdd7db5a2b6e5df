"""Signals other apps listen to, sent inside the transaction that made the change.

The scheduling app knows nothing of treatment plans or patient messages; a plan that
owns an appointment listens here to keep its later sessions inside their interval window,
and the message outbox to write the confirmation, reminders or notice in the same
transaction.

What reacts to each signal, all of it (tests/clinic/scheduling/test_signals.py checks
that exactly these receivers are connected; a new one is listed here first):

appointment_booked
    clinic.messaging.appointments.on_booked: the reminders, and the confirmation unless
        the booking is one of a course confirmed together (``confirm_alone=False``; the
        plan then calls ``course_confirmation_schedule`` itself).
appointment_moved
    clinic.messaging.appointments.on_moved: the new time and fresh reminders, also when
        a plan made the move (the patient still needs to know).
    treatments.plans.services.on_appointment_moved: the plan's later sessions kept in window;
        a move the plan made itself (``by_plan``) is left alone.
    treatments.plans.preparation.on_appointment_moved: the preparation email follows the
        first session.
    clinic.scheduling.waitlist.on_moved: the time it left offered to the waitlist.
appointment_cancelled
    clinic.messaging.appointments.on_cancelled: what was still to go out is stopped,
        and the patient told.
    treatments.plans.services.on_appointment_cancelled: the session proposed again; a
        cancellation the plan made itself (``by_plan``) is left alone.
    clinic.scheduling.waitlist.on_cancelled: the time it held offered to the waitlist.
appointment_no_show
    clinic.messaging.appointments.on_no_show: a word to the patient who did not come.
waitlist_offered
    clinic.messaging.waitlist.on_offered: the email that offers the time, due at once.
waitlist_accepting
    treatments.plans.patient_waitlist.on_waitlist_accepting: the plan of the session
        waited for is locked before the freed time (the plan's own order).
waitlist_booking
    treatments.plans.patient_waitlist.on_waitlist_booking: a plan session waited for is
        booked into the freed time through the plan's own booking.
appointment_badges
    clinic.messaging.appointments.on_badges: whether the patient asked to cancel (a column
        of the cards' query).
    treatments.consultations.badges.on_badges: the patient's clearance word, as the front
        desk sees it on the record (a column of the cards' query).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.dispatch import Signal

# Sent with ``appointment`` (as saved), ``by`` and ``confirm_alone`` after a booking.
appointment_booked = Signal()
# Sent with ``appointment`` (as saved), ``previous_start``, ``previous_room_id``, ``by``
# and ``by_plan`` (a treatment plan moved its own session) after a move.
appointment_moved = Signal()
# Sent with ``appointment`` (as saved), ``by`` and ``by_plan`` after a cancellation.
appointment_cancelled = Signal()
# Sent with ``appointment`` (as saved) when it is marked a no-show.
appointment_no_show = Signal()

# Sent with ``offer`` when a freed time is offered to a waiting patient.
waitlist_offered = Signal()
# Sent with ``entry`` when a patient accepts an offer for an entry with a ``purpose``,
# inside the acceptance's transaction and before it locks anything: the receiver that owns
# the purpose locks its own rows first, as its own writes do before they reach the
# waitlist, so the two take their locks in one order.
waitlist_accepting = Signal()
# Sent with ``entry``, ``slot`` (the freed time), ``now`` and ``by`` when a patient accepts
# an offer for an entry with a ``purpose``: the receiver that owns the purpose books what
# the entry waits for and answers the appointment (others answer None), or raises
# SlotTaken or ValidationError; inside the acceptance's transaction.
waitlist_booking = Signal()

# Sent by the book once a drawing, with no arguments: each receiver answers ``CardBadges``,
# columns that the book adds to the one query that reads its cards (a busy day has
# hundreds of cards: the badges cost no query of their own).
appointment_badges = Signal()


@dataclass(frozen=True)
class CardBadges:
    """What a receiver of ``appointment_badges`` adds to the cards' query: expressions
    over an appointment (``OuterRef("pk")`` is the appointment, ``OuterRef("patient_id")``
    its patient)."""

    # True when the patient asked to cancel the appointment and it still stands.
    cancel_requested: Any = None
    # A value that ``clearance_word`` reads as "yes", "no" or "review".
    clearance: Any = None
    clearance_word: Callable[[Any], str] | None = None

    def clearance_of(self, value: Any) -> str:
        """The clearance word for a card's ``clearance`` column ("" when none is asked)."""
        return self.clearance_word(value) if self.clearance_word else ""
