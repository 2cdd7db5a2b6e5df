"""The day of a session: check-in screening, start, the record and its signature. Uses
plans and aftercare below it."""
