"""The emulated card in the field of a vsmartcard `vpcd` reader inside the real pcscd.

vpcd listens on TCP (35963 for slot 0 by default); the card connects to it. Framing both ways:
2-byte big-endian length, then the bytes. From vpcd: 1-byte controls 00 power off, 01 power on,
02 reset (no reply), 04 get ATR (reply the ATR); longer messages are C-APDUs, answered with the
R-APDU. Closing the socket takes the card out of the field; connecting again puts it back.
TCP_QUICKACK is set before every receive, or vpcd 0.8 adds ~44 ms to each APDU (card-facts.md).

The control side (`place`, `remove`, `pull_during_next_read`) is what the demo panel, the tests
and `kiosk card-sim` use. Every received command is logged with what was selected when it came,
so tests can prove nothing outside the allowlist ever reached a card.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from drivers.card.emulator.card import ChipFault, EmulatedCard
from drivers.card.profiles import CardProfile, profile

log = logging.getLogger(__name__)

DEFAULT_PORT = 35963
MUTE_TIMEOUT_S = 0.3  # how long a reader waits for a mute chip before it gives up
SLOW_DELAY_S = 0.03
CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0x00, 0x01, 0x02, 0x04


@dataclass(frozen=True)
class ReceivedApdu:
    profile: str
    application: str  # what was selected when the command came ("card" = nothing yet)
    ef: str | None
    apdu: bytes


class VirtualCard:
    """One card slot of a vpcd reader: holds at most one emulated card, connected while it is placed."""

    def __init__(self, port: int = DEFAULT_PORT, host: str = "127.0.0.1", today: Callable[[], date] = date.today):
        self._address = (host, port)
        self._today = today
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._card: EmulatedCard | None = None
        self._generation = 0  # bumped on every place/remove: a serving loop for an old card stops
        self._sock: socket.socket | None = None
        self._spare: socket.socket | None = None  # the next link, made before a mute chip's link drops
        self._pull_next = False
        self._closed = False
        self.received: list[ReceivedApdu] = []
        self.connections = 0
        self.last_link_error: str | None = None  # why the latest try to reach vpcd failed
        self._linked = threading.Event()  # set once vpcd took a link
        self._thread = threading.Thread(target=self._run, name=f"vpcd-card-{port}", daemon=True)
        self._thread.start()

    # --- control ---

    @property
    def card(self) -> CardProfile | None:
        card = self._card
        return card.profile if card is not None else None

    def place(self, name: str) -> None:
        card = EmulatedCard(profile(name), self._today())
        with self._lock:
            self._drop_locked()
            self._card = card
            self._wake.notify_all()
        log.info("emulated card placed: %s", name)

    def remove(self) -> None:
        with self._lock:
            self._drop_locked()
            self._card = None

    def wait_linked(self, timeout_s: float) -> bool:
        """True once vpcd has taken a link from this card (place() a card first)."""
        return self._linked.wait(timeout_s)

    def pull_during_next_read(self) -> None:
        """The card leaves the field while the next command is in flight: no answer, socket closed."""
        self._pull_next = True

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._drop_locked()
            self._card = None
            self._wake.notify_all()
        self._thread.join(timeout=2)

    def _drop_locked(self) -> None:
        self._generation += 1
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)

    # --- the link to vpcd ---

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._closed and self._card is None:
                    self._wake.wait()
                if self._closed:
                    return
                card, generation = self._card, self._generation
            assert card is not None
            sock, self._spare = (self._spare, None) if self._spare is not None else (self._connect(), None)
            if sock is None:
                time.sleep(0.05)  # vpcd not listening (pcscd down or restarting): try again
                continue
            with self._lock:
                if generation != self._generation:
                    sock.close()
                    continue
                self._sock = sock
                self.connections += 1
            self._linked.set()
            try:
                self._serve(sock, card, generation)
            except OSError as exc:
                log.debug("vpcd link closed: %s", exc)
            finally:
                with self._lock:
                    self._sock = None
                sock.close()

    def _connect(self) -> socket.socket | None:
        try:
            sock = socket.create_connection(self._address, timeout=0.5)
        except OSError as exc:
            self.last_link_error = exc.strerror or str(exc)
            return None
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        _quickack(sock)
        return sock

    def _serve(self, sock: socket.socket, card: EmulatedCard, generation: int) -> None:
        while generation == self._generation:
            message = _receive(sock)
            if message is None:
                return
            if len(message) == 1:
                control = message[0]
                if control == CTRL_ATR:
                    _send(sock, card.atr)
                elif control in (CTRL_ON, CTRL_RESET, CTRL_OFF):
                    card.reset()
                continue
            application, ef = card.where()
            self.received.append(ReceivedApdu(card.profile.name, application, ef, bytes(message)))
            if self._pull_next:
                self._pull_next = False
                log.info("emulated card pulled in the middle of a command")
                with self._lock:
                    if generation == self._generation:
                        self._generation += 1
                        self._card = None
                return
            if card.traits.fault is ChipFault.SLOW:
                time.sleep(SLOW_DELAY_S)
            answer = card.respond(bytes(message))
            if answer is None:
                time.sleep(MUTE_TIMEOUT_S)
                # No answer: vpcd drops the link. The chip is still in the field, so the next link is
                # waiting before this one closes, or pcscd's presence poll could see an empty reader.
                self._spare = self._connect()
                return
            _send(sock, answer)


def _quickack(sock: socket.socket) -> None:
    quickack = getattr(socket, "TCP_QUICKACK", None)
    if quickack is not None:
        sock.setsockopt(socket.IPPROTO_TCP, quickack, 1)


def _receive(sock: socket.socket) -> bytes | None:
    header = _exactly(sock, 2)
    if header is None:
        return None
    size = int.from_bytes(header, "big")
    return _exactly(sock, size) if size else b""


def _exactly(sock: socket.socket, size: int) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        # vpcd sends the length and the body as two segments: the body waits for our ACK of the
        # length (Nagle). Sending a reply puts Linux back into delayed-ACK mode, so ask again each time.
        _quickack(sock)
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def _send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(len(payload).to_bytes(2, "big") + payload)
