"""A mail server for the end-to-end tests: it takes every message and remembers it.

It runs aiosmtpd in a thread of the test process, on a fixed port that the Celery worker
(a separate process) is told about. The test may stop it and start it again, as a mail
server that goes down and comes back, and may hold one message: the answer to that
message's data is never given, so its sender is left waiting mid-send and the message is
never accepted. A sender that goes away while held is noted, not counted as received.
"""

import asyncio
import logging
import threading
from collections import Counter
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from typing import Any

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"
PORT = 8025

# aiosmtpd logs every command it reads; a failing test's report needs none of that.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Received:
    message_id: str
    recipients: tuple[str, ...]


class SmtpSink:
    """Start with ``start()``, stop with ``stop()``; both may be called again."""

    def __init__(self, *, host: str = HOST, port: int = PORT, answer_after: float = 0.0):
        self.host = host
        self.port = port
        # Wait this long before accepting each message, so that senders overlap.
        self.answer_after = answer_after
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._dropped: list[str] = []
        self._hold_after: int | None = None
        self._holding = False
        self._in_data = 0
        self._most_in_data = 0
        self.held = threading.Event()
        self._controller: Controller | None = None

    # --- Running --------------------------------------------------------------------------

    def start(self) -> None:
        if self._controller is not None:
            return
        # A fresh controller (and event loop) each time: aiosmtpd's is not meant to restart.
        controller = Controller(self, hostname=self.host, port=self.port, ready_timeout=10)
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        if self._controller is None:
            return
        self._controller.stop()
        self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    # --- What the test asks ---------------------------------------------------------------

    def hold_after(self, count: int) -> None:
        """Hold the first message that arrives once ``count`` have been accepted."""
        with self._lock:
            self._hold_after = count

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def message_ids(self) -> Counter[str]:
        """How often each Message-ID arrived."""
        return Counter(item.message_id for item in self.received)

    def delivery_problems(self, expected: set[str]) -> list[str]:
        """What went wrong, in words: empty when each expected Message-ID arrived exactly
        once and nothing else arrived."""
        counts = self.message_ids()
        problems = [f"{mid} arrived {n} times" for mid, n in sorted(counts.items()) if n > 1]
        problems += [f"{mid} never arrived" for mid in sorted(expected - counts.keys())]
        problems += [f"{mid} was not expected" for mid in sorted(counts.keys() - expected)]
        return problems

    @property
    def dropped(self) -> list[str]:
        """Message-IDs of held messages whose sender went away without an answer."""
        with self._lock:
            return list(self._dropped)

    @property
    def most_at_once(self) -> int:
        """The most messages that were being answered at the same moment."""
        with self._lock:
            return self._most_in_data

    # --- aiosmtpd's handler hook ----------------------------------------------------------

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        headers = BytesHeaderParser().parsebytes(envelope.original_content or envelope.content)
        item = Received(
            message_id=str(headers.get("Message-ID", "")),
            recipients=tuple(envelope.rcpt_tos),
        )
        with self._lock:
            hold = (
                self._hold_after is not None
                and not self._holding
                and len(self._received) >= self._hold_after
            )
            self._holding = self._holding or hold
            self._in_data += 1
            self._most_in_data = max(self._most_in_data, self._in_data)
        try:
            if hold:
                await self._hold(item)
            if self.answer_after:
                await asyncio.sleep(self.answer_after)
            with self._lock:
                self._received.append(item)
            return "250 Message accepted"
        finally:
            with self._lock:
                self._in_data -= 1

    async def _hold(self, item: Received) -> None:
        """Never answer: aiosmtpd cancels this when the sender's connection closes (or
        the sink stops), and the message is noted as dropped, not received."""
        self.held.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            with self._lock:
                self._dropped.append(item.message_id)
            raise
