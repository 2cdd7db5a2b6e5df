"""Treatment plans: a course proposed in one go (``planning``, no database), booked all or
none, kept in window when a session moves, with preparation and nudges by email. Uses
consultations (who is cleared), the catalog and screening."""
