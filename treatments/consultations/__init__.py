"""Consultations: the record, the medical history as answered, live screening, overrides,
signing and addenda, consent, and the clinic's screening rule settings."""
