"""Aftercare: versioned templates per treatment and the copy issued when a session is
signed, with its emails and the printable page."""
