"""Signals other apps listen to, sent inside the transaction that made the change.

The scheduling app knows nothing of treatment plans; a plan that owns an appointment
listens here to keep its later sessions inside their interval window.
"""

from django.dispatch import Signal

# Sent with ``appointment`` (as saved), ``previous_start`` and ``by`` after a move.
appointment_moved = Signal()
# Sent with ``appointment`` (as saved) and ``by`` after a cancellation.
appointment_cancelled = Signal()
