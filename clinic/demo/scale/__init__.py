"""Demo data at clinic-chain size: ``manage.py seed_demo --patients N``.

Grows the ordinary demo (``clinic.demo.loader``) to N patients in all, each with about twenty
appointments over the two years up to today and some weeks ahead, and with the
consultations, screening findings, treatment plans, sessions, aftercare and patient
messages those appointments would have left behind. Every random choice comes from a
seeded ``random.Random`` and every date is counted from now, so the same demo grown to the
same N at the same moment gets the same rows. Asking again for as many patients or fewer
adds nothing; asking for more adds the difference, fitted around what is there.

These rows skip the audit log, on purpose. Everywhere else in the clinic, patient and
clinical records are written one at a time through their services, so that each change
is in the audit log; this generator is the one exception. Its records are invented,
so there is nothing to audit, and writing two hundred thousand appointments one at a
time would take hours; it writes them with ``bulk_create``, which sends no signals.
The few setup rows it adds (practitioners, their hours and leave, rooms, closures) go
through the ordinary code and are audited as usual.

1. ``stories``: each new patient's two years, told visit by visit (no database).
2. ``clinic_setup``: enough practitioners for the busiest weeks, joining as the clinic
   grows, a room for each, and a closure every Christmas.
3. ``diary``: a place for every visit, never two at once for a practitioner or a room.
4. ``rows`` and ``outbox``: the rows, a few thousand per insert.
"""

from clinic.demo.scale.grow import Growth, demo_grow

__all__ = ["Growth", "demo_grow"]
