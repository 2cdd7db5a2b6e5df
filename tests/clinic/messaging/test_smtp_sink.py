"""The end-to-end tests' mail server: it must count right, or "exactly once" means nothing."""

import smtplib
import socket
import time

import pytest

from tests.clinic.messaging.smtp_sink import SmtpSink


@pytest.fixture
def sink():
    # Any free port: these tests run beside anything else on the machine.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = SmtpSink(port=port)
    server.start()
    yield server
    server.stop()


def send(sink: SmtpSink, message_id: str, *, timeout: float = 10) -> None:
    with smtplib.SMTP(sink.host, sink.port, timeout=timeout) as client:
        client.sendmail(
            "clinic@example.org",
            ["patient@example.org"],
            f"Message-ID: {message_id}\r\nSubject: Hello\r\n\r\nHello.\r\n",
        )


def test_it_names_a_message_that_arrived_twice_one_missing_and_one_unexpected(sink):
    for message_id in ("<a@clinic>", "<a@clinic>", "<b@clinic>", "<x@clinic>"):
        send(sink, message_id)

    assert sink.delivery_problems({"<a@clinic>", "<b@clinic>", "<c@clinic>"}) == [
        "<a@clinic> arrived 2 times",
        "<c@clinic> never arrived",
        "<x@clinic> was not expected",
    ]
    assert sink.delivery_problems({"<b@clinic>", "<x@clinic>"}) == [
        "<a@clinic> arrived 2 times",
        "<a@clinic> was not expected",
    ]


def test_each_message_once_is_no_problem(sink):
    send(sink, "<a@clinic>")
    send(sink, "<b@clinic>")

    assert sink.delivery_problems({"<a@clinic>", "<b@clinic>"}) == []
    assert [item.recipients for item in sink.received] == [("patient@example.org",)] * 2


def test_a_stopped_sink_refuses_connections_and_takes_mail_again_when_started(sink):
    sink.stop()
    with pytest.raises(ConnectionRefusedError):
        send(sink, "<a@clinic>")

    sink.start()
    send(sink, "<a@clinic>")

    assert sink.message_ids() == {"<a@clinic>": 1}


def test_a_held_message_is_never_accepted_and_a_sender_that_gives_up_is_noted(sink):
    sink.hold_after(1)
    send(sink, "<first@clinic>")

    with pytest.raises(smtplib.SMTPServerDisconnected):
        send(sink, "<held@clinic>", timeout=0.5)

    assert sink.held.is_set()
    deadline = time.monotonic() + 10
    while not sink.dropped and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sink.dropped == ["<held@clinic>"]
    assert sink.message_ids() == {"<first@clinic>": 1}
    # Only one message is held; the next goes through.
    send(sink, "<next@clinic>")
    assert sink.message_ids() == {"<first@clinic>": 1, "<next@clinic>": 1}
