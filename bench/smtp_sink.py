"""A loopback SMTP server (aiosmtpd) that counts the messages each recipient receives."""

import socket
import threading
from collections import Counter

from aiosmtpd.controller import Controller


class _CountingHandler:
    def __init__(self):
        self.received: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.received[recipient.lower()] += 1
        return "250 Message accepted"


class SmtpSink:
    """``with SmtpSink() as sink:`` serves on ``sink.url`` (an EMAIL_URL) in a thread;
    ``sink.received`` counts messages per recipient."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._handler = _CountingHandler()
        self._controller = Controller(self._handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def received(self) -> Counter:
        with self._handler.lock:
            return Counter(self._handler.received)

    def __enter__(self) -> "SmtpSink":
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()
