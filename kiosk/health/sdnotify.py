"""The systemd notify protocol, for `Type=notify` units with `WatchdogSec=` (lobby-facts.md §7).

Datagrams to the socket named in `$NOTIFY_SOCKET` (a leading `@` is an abstract socket):
`READY=1` once serving, `WATCHDOG=1` at least every half of `$WATCHDOG_USEC`, `STATUS=…` one line
for `systemctl status`. With no NOTIFY_SOCKET (a developer's shell, the tests) every call does
nothing. A send that fails is logged once and never stops the caller: systemd restarts a service
that stops pinging, which is the point.

Where the pings come from matters: `watchdog()` is called from the main loop itself (the kiosk's
UI loop, the lobby's event loop), so a frozen loop stops them and systemd restarts the service.
It sends at most every quarter of the watchdog interval, however often the loop turns.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Mapping

log = logging.getLogger(__name__)


class SystemdNotify:
    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        address = env.get("NOTIFY_SOCKET", "")
        self._address = "\0" + address[1:] if address.startswith("@") else address
        usec = env.get("WATCHDOG_USEC", "")
        pid = env.get("WATCHDOG_PID", "")
        ours = not pid or pid == str(os.getpid())
        self.watchdog_s = int(usec) / 1e6 if usec.isdigit() and int(usec) > 0 and ours else None
        self._sock: socket.socket | None = None
        self._last_ping: float | None = None
        self._last_status = ""
        self._failed = False
        self.ready_sent = False

    @property
    def enabled(self) -> bool:
        return bool(self._address)

    def ready(self, status: str = "") -> None:
        if self.ready_sent:
            return
        self.ready_sent = True
        self._send("READY=1" + (f"\nSTATUS={_one_line(status)}" if status else ""))

    def status(self, text: str) -> None:
        line = _one_line(text)
        if line != self._last_status:
            self._last_status = line
            self._send(f"STATUS={line}")

    def watchdog(self) -> None:
        """From the main loop: a ping when a quarter of the interval has passed since the last."""
        if self.watchdog_s is None:
            return
        now = time.monotonic()
        if self._last_ping is None or now - self._last_ping >= self.watchdog_s / 4:
            self._last_ping = now
            self._send("WATCHDOG=1")

    def turned(self) -> None:
        """The main loop turned: READY the first time (it serves now), then the watchdog's ping."""
        self.ready()
        self.watchdog()

    def stopping(self) -> None:
        self._send("STOPPING=1")

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def _send(self, message: str) -> None:
        if not self._address:
            return
        try:
            if self._sock is None:
                # Never blocking: a datagram socket whose reader lags blocks the sender once its
                # queue is full, and the sender is the UI loop. A dropped ping is only a late one.
                self._sock = socket.socket(
                    socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC | socket.SOCK_NONBLOCK
                )
            self._sock.sendto(message.encode("utf-8"), self._address)
        except OSError as exc:
            if not self._failed:
                log.warning("systemd notify socket %s: %s", self._address.lstrip("\0"), exc)
                self._failed = True


def _one_line(text: str) -> str:
    return " ".join(text.split())[:200]
