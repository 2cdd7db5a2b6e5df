"""Signals other apps listen to, sent inside the transaction that made the change.

The scheduling app knows nothing of treatment plans or patient messages; a plan that
owns an appointment listens here to keep its later sessions inside their interval window,
and the message outbox to write the confirmation, reminders or notice in the same
transaction.
"""

from django.dispatch import Signal

# Sent with ``appointment`` (as saved) and ``by`` after a booking.
appointment_booked = Signal()
# Sent with ``appointment`` (as saved), ``previous_start`` and ``by`` after a move.
appointment_moved = Signal()
# Sent with ``appointment`` (as saved) and ``by`` after a cancellation.
appointment_cancelled = Signal()
# Sent with ``appointment`` (as saved) when it is marked a no-show.
appointment_no_show = Signal()
