"""A serial number board emulator: one board of lobby-facts.md §4 on a pty (or on a serial port the
caller names), answering as the real board does and checking every byte it receives.

It stands behind the real stack: the driver opens the pty's device path with pyserial exactly as it
opens `/dev/ttyUSB0`. Every malformed frame (bad BCC, unknown command, bad data, no ETX) is NAKed
when it was addressed to this board and logged at ERROR with its bytes, so a driver bug is loud.
Bytes arrive through a pty all at once, so the board answers after the time the frame and its
answer would take on the wire at `baud` (10 bits a byte): the host sees a 9600-baud line's delays.

Like the real board it starts powered on: no rows, answering ENQ to every good frame until a C.
Faults (plain methods, never random; `kiosk board-sim` types them on stdin):
- `nak_next(n)`: the next n good frames for this board are NAKed and not carried out;
- `drop_next(n)`: the next n frames are lost on the line (neither carried out nor answered);
- `garble_next(n)`: the next n answers reach the host as noise (the frame itself was carried out);
- `power_cycle()`: every row forgotten, ENQ until a C;
- `set_silent(True)`: the board hears nothing and says nothing (unplugged) until `set_silent(False)`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
import time
import tty
from collections.abc import Callable
from dataclasses import dataclass

from drivers.board.frames import Answer, Command, Frame, FrameReader, Malformed, encode, encode_answer, is_address

log = logging.getLogger(__name__)

_POLL_S = 0.05


@dataclass(frozen=True)
class Received:
    """A frame this board carried out, with the answer it gave and when (monotonic seconds)."""

    frame: Frame
    answer: Answer
    at: float


class BoardEmulator:
    """One emulated board. Thread-safe: faults may be set while it serves."""

    def __init__(self, address: str = "01", *, baud: int = 9600, rows: int = 9) -> None:
        if not is_address(address):
            raise ValueError(f"address {address!r}: two upper-case hex digits 01..FE")
        self.address = address
        self.baud = baud
        self.row_count = rows
        self.received: list[Received] = []
        self.malformed: list[Malformed] = []
        self.chimes = 0
        self.on_change: Callable[[], None] | None = None  # called after every change of what it shows
        self._rows: dict[int, str] = {}
        self._flash_until: dict[int, float] = {}
        self._restarted = True  # power-on: ENQ until a C
        self._nak = 0
        self._drop = 0
        self._garble = 0
        self._silent = False
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._closers: list[Callable[[], None]] = []

    # --- what it shows, and faults ----------------------------------------------------------

    def rows(self) -> dict[int, str]:
        """Row -> text for every row showing something."""
        with self._lock:
            return {row: text for row, text in self._rows.items() if text}

    def flashing(self) -> set[int]:
        with self._lock:
            now = time.monotonic()
            return {row for row, until in self._flash_until.items() if until > now}

    @property
    def restarted(self) -> bool:
        """True from power-on until the host sent C."""
        with self._lock:
            return self._restarted

    @property
    def silent(self) -> bool:
        with self._lock:
            return self._silent

    def nak_next(self, n: int) -> None:
        with self._lock:
            self._nak = _count(n)

    def drop_next(self, n: int) -> None:
        with self._lock:
            self._drop = _count(n)

    def garble_next(self, n: int) -> None:
        with self._lock:
            self._garble = _count(n)

    def power_cycle(self) -> None:
        with self._lock:
            self._rows.clear()
            self._flash_until.clear()
            self._restarted = True
            self._nak = self._drop = self._garble = 0
        log.warning("board %s: power-cycled (no rows; ENQ until cleared)", self.address)
        self._changed()

    def set_silent(self, silent: bool) -> None:
        with self._lock:
            self._silent = silent

    def faults(self) -> str:
        with self._lock:
            parts = [f"nak {self._nak}", f"drop {self._drop}", f"garble {self._garble}"]
            if self._silent:
                parts.append("silent")
            if self._restarted:
                parts.append("restarted (ENQ)")
            return ", ".join(parts)

    # --- the line ---------------------------------------------------------------------------

    def serve_pty(self) -> str:
        """Open a pty pair and serve its master side; returns the device path the host opens."""
        master, slave = os.openpty()
        tty.setraw(slave)
        tty.setraw(master)
        path = os.ttyname(slave)
        # The slave stays open here too, so the master never reads EIO while the host has it closed.
        self._closers += [lambda: os.close(master), lambda: os.close(slave)]

        def read() -> bytes:
            ready, _, _ = select.select([master], [], [], _POLL_S)
            if not ready:
                return b""
            try:
                return os.read(master, 1024)
            except OSError:
                self._stop.wait(_POLL_S)
                return b""

        self._spawn(read, lambda data: os.write(master, data))
        return path

    def serve_port(self, url: str) -> None:
        """Serve a serial port the caller has (a real adapter for a wiring test, one end of a socat pair)."""
        import serial

        port = serial.serial_for_url(url, baudrate=self.baud, timeout=_POLL_S)
        self._closers.append(port.close)

        def read() -> bytes:
            data: bytes = port.read(1)
            return data + port.read(port.in_waiting) if data else b""

        self._spawn(read, port.write)

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2)
        for closer in self._closers:
            with contextlib.suppress(OSError):
                closer()

    def __enter__(self) -> BoardEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _spawn(self, read: Callable[[], bytes], write: Callable[[bytes], object]) -> None:
        thread = threading.Thread(target=self._serve, args=(read, write), daemon=True, name=f"board-sim {self.address}")
        self._threads.append(thread)
        thread.start()

    def _serve(self, read: Callable[[], bytes], write: Callable[[bytes], object]) -> None:
        reader = FrameReader()
        while not self._stop.is_set():
            data = read()
            if not data or self.silent:
                continue  # a silent board hears nothing: nothing half-read survives it
            for item in reader.feed(data):
                reply = self._handle(item)
                if reply is None:
                    continue
                # the frame and the answer on a `baud` line, 10 bits a byte
                self._stop.wait((len(_raw(item)) + len(reply)) * 10 / self.baud)
                with contextlib.suppress(OSError):
                    write(reply)

    # --- the board --------------------------------------------------------------------------

    def _handle(self, item: Frame | Malformed) -> bytes | None:
        with self._lock:
            if self._drop:
                self._drop -= 1
                log.info("board %s: frame dropped on the line (fault)", self.address)
                return None
            if isinstance(item, Malformed):
                self.malformed.append(item)
                log.error(
                    "board %s: MALFORMED frame %s: %s (%s)",
                    self.address,
                    item.raw.hex(" "),
                    item.reason,
                    "NAK" if item.address == self.address else "not for this board: silent",
                )
                return encode_answer(Answer.NAK, self.address) if item.address == self.address else None
            if item.address != self.address:
                return None  # another board's frame, or a broadcast (FF): never answered
            if self._nak:
                self._nak -= 1
                self.received.append(Received(item, Answer.NAK, time.monotonic()))
                return self._reply(Answer.NAK)
            answer = Answer.ENQ if self._restarted else Answer.ACK
            self._carry_out(item)
            if item.command is Command.CLEAR:
                answer = Answer.ACK  # the C is what a restarted board asked for
            self.received.append(Received(item, answer, time.monotonic()))
            reply = self._reply(answer)
        self._changed()
        return reply

    def _reply(self, answer: Answer) -> bytes:
        reply = encode_answer(answer, self.address)
        if self._garble:
            self._garble -= 1
            return bytes(b ^ 0x80 for b in reply)  # noise on the line: no answer byte survives
        return reply

    def _carry_out(self, frame: Frame) -> None:
        match frame.command:
            case Command.SHOW:
                row, text = frame.data.split(":", 1)
                self._rows[int(row)] = text
                self._flash_until.pop(int(row), None)
            case Command.FLASH:
                row, seconds = frame.data.split(":", 1)
                self._flash_until[int(row)] = time.monotonic() + int(seconds)
            case Command.CLEAR:
                self._rows.clear()
                self._flash_until.clear()
                self._restarted = False
            case Command.CHIME:
                self.chimes += 1
            case Command.PING:
                pass

    def _changed(self) -> None:
        callback = self.on_change
        if callback is not None:
            callback()


def _raw(item: Frame | Malformed) -> bytes:
    return item.raw if isinstance(item, Malformed) else encode(item)


def _count(n: int) -> int:
    if n < 0:
        raise ValueError(f"a count of frames is 0 or more, got {n}")
    return n
