"""A calendar file (RFC 5545) for one appointment, or for each session of a course:
plain text, written by hand.

The UID stays the same for the appointment's whole life and SEQUENCE follows its
version, so a calendar replaces the old time on a move and removes it on a cancel.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


@dataclass(frozen=True)
class CalendarEvent:
    """One appointment in a calendar file: its UID stays the same for its whole life."""

    uid: str
    sequence: int
    start: datetime
    end: datetime
    summary: str
    location: str


def _event_lines(
    event: CalendarEvent, *, organizer_email: str, stamp: datetime, cancelled: bool
) -> list[str]:
    return [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"SEQUENCE:{event.sequence}",
        f"DTSTAMP:{_stamp(stamp)}",
        f"DTSTART:{_stamp(event.start)}",
        f"DTEND:{_stamp(event.end)}",
        f"SUMMARY:{_escape(event.summary)}",
        f"LOCATION:{_escape(event.location)}",
        f"ORGANIZER:mailto:{organizer_email}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "END:VEVENT",
    ]


def calendar_ics(
    *,
    events: Sequence[CalendarEvent],
    organizer_email: str,
    stamp: datetime,
    cancelled: bool = False,
) -> str:
    """A calendar file with one event per appointment (a course's sessions in one file)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Clinic//Appointments//EN",
        f"METHOD:{'CANCEL' if cancelled else 'PUBLISH'}",
    ]
    for event in events:
        lines.extend(
            _event_lines(event, organizer_email=organizer_email, stamp=stamp, cancelled=cancelled)
        )
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def appointment_ics(
    *,
    uid: str,
    sequence: int,
    start: datetime,
    end: datetime,
    summary: str,
    location: str,
    organizer_email: str,
    stamp: datetime,
    cancelled: bool = False,
) -> str:
    event = CalendarEvent(
        uid=uid, sequence=sequence, start=start, end=end, summary=summary, location=location
    )
    return calendar_ics(
        events=[event], organizer_email=organizer_email, stamp=stamp, cancelled=cancelled
    )
