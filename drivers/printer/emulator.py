"""A printer emulator: an ESC/POS thermal printer on TCP (port 9100) and on a pty (a serial port),
that decodes every byte the driver sends, renders each cut ticket to `NNNN.png` and answers
`DLE EOT` from a state tests and the demo set.

It stands behind the real stack: the driver reaches it through its TCP and serial transports
(drivers/printer/transport.py) exactly as it reaches the lobby printer. Unknown bytes are not
guessed at: the job is rejected, logged at ERROR with the bytes, and the connection closed (a
real printer would print garbage). What it prints is drawn by the `draw` it is given: the kiosk
hands it `kiosk.ticket.render.compose`, the composition the preview uses, so a decoded ticket
equals its preview dot for dot when the bytes are right (injected rather than imported: a driver
uses nothing of the kiosk but its errors and domain model, and the printer's own font is the
kiosk's BIZ UD Gothic).

Faults (plain methods, never random): paper near end / end, paper running out after N tickets
(the next ticket is cut short and lost), cover open, offline, an error, no reply to status
queries (jobs are lost too, as with a stalled printer), and the connection dropped in the middle
of the next job. A job that arrives while the printer cannot print is discarded, as paper that
never came out. `simulated` health is the driver's business; this is the device.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import select
import socket
import threading
import tty
from collections.abc import Callable, Sequence
from pathlib import Path

from PIL import Image

from drivers.interfaces import PaperState, PrinterStatus
from drivers.printer.bands import Band
from drivers.printer.escpos_codec import INIT, Cut, Decoder, StatusQuery, UnknownCommand
from drivers.printer.status import Query, reply_bytes

log = logging.getLogger(__name__)

_NUMBERED = re.compile(r"^(\d{4,})\.png$")
_POLL_S = 0.1  # how often idle threads look at the stop flag

Draw = Callable[[Sequence[Band], int], Image.Image]  # bands and the paper width in dots -> the paper


class PrinterEmulator:
    """One emulated printer; serve it on TCP and/or a pty. Thread-safe: the fault methods may be
    called from tests or the demo window while connections are being served."""

    def __init__(self, out_dir: Path, width_dots: int = 576, *, draw: Draw) -> None:
        self.out_dir = Path(out_dir)
        self.draw = draw
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.width_dots = width_dots
        self.printed: list[Path] = []
        self.rejected: list[str] = []  # why each rejected job was rejected
        self.discarded = 0  # jobs cut while the printer could not print, or cut short
        self.status_queries = 0
        self._next = 1 + max(
            (int(m.group(1)) for p in self.out_dir.iterdir() if (m := _NUMBERED.match(p.name))), default=0
        )
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._closers: list[Callable[[], None]] = []
        self._online = True
        self._cover_open = False
        self._paper = PaperState.OK
        self._error = False
        self._no_reply = False
        self._tickets_left: int | None = None
        self._drop_after: int | None = None

    # --- state and faults -------------------------------------------------------------------

    def status(self) -> PrinterStatus:
        with self._lock:
            return PrinterStatus(self._online, self._paper, self._cover_open, self._error)

    def set_paper(self, paper: PaperState) -> None:
        """The paper sensors' state; any setting cancels a pending `paper_end_after` (a new roll)."""
        with self._lock:
            self._paper, self._tickets_left = paper, None

    def paper_end_after(self, tickets: int) -> None:
        """`tickets` more tickets print; the one after runs out of paper mid-ticket and is lost."""
        if tickets < 0:
            raise ValueError(f"tickets must be >= 0, got {tickets}")
        with self._lock:
            self._tickets_left = tickets

    def set_cover_open(self, cover_open: bool) -> None:
        with self._lock:
            self._cover_open = cover_open

    def set_offline(self, offline: bool) -> None:
        with self._lock:
            self._online = not offline

    def set_error(self, error: bool) -> None:
        with self._lock:
            self._error = error

    def set_no_reply(self, no_reply: bool) -> None:
        """Status queries go unanswered (and jobs are lost), like a stalled or half-dead printer."""
        with self._lock:
            self._no_reply = no_reply

    @property
    def no_reply(self) -> bool:
        return self._no_reply

    def drop_next_job(self, after_bytes: int) -> None:
        """Close the connection after `after_bytes` bytes of the next job: the job is lost."""
        with self._lock:
            self._drop_after = max(after_bytes, 0)

    # --- serving ----------------------------------------------------------------------------

    def serve_tcp(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen on (host, port) (0: a free port) and serve every connection; returns the port."""
        server = socket.create_server((host, port))
        server.settimeout(_POLL_S)
        self._closers.append(server.close)
        self._spawn(self._accept, server)
        bound: int = server.getsockname()[1]
        log.info("printer emulator listening on tcp://%s:%d, tickets to %s", host, bound, self.out_dir)
        return bound

    def serve_pty(self) -> str:
        """Open a pty pair and serve its master side; returns the path of the serial device to open."""
        master, slave = os.openpty()
        tty.setraw(slave)  # bytes as they are: no newline translation, no echo
        path = os.ttyname(slave)
        self._closers += [lambda: os.close(master), lambda: os.close(slave)]

        def read(size: int) -> bytes:
            while not self._stop.is_set():
                ready, _, _ = select.select([master], [], [], _POLL_S)
                if ready:
                    try:
                        return os.read(master, size)
                    except OSError:  # no process has the serial side open right now
                        self._stop.wait(_POLL_S)
            return b""

        def write(data: bytes) -> None:
            os.write(master, data)

        self._spawn(self._session, read, write, lambda: None, True)
        log.info("printer emulator on serial device %s, tickets to %s", path, self.out_dir)
        return path

    def close(self) -> None:
        self._stop.set()
        for closer in self._closers:
            with contextlib.suppress(OSError):
                closer()
        for thread in self._threads:
            thread.join(timeout=2)

    def __enter__(self) -> PrinterEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="printer-emulator")
        self._threads.append(thread)
        thread.start()

    def _accept(self, server: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(_POLL_S)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def read(size: int, conn: socket.socket = conn) -> bytes:
                while not self._stop.is_set():
                    try:
                        return conn.recv(size)
                    except TimeoutError:
                        continue
                    except OSError:
                        return b""
                return b""

            self._closers.append(conn.close)
            self._spawn(self._session, read, conn.sendall, conn.close, False)

    def _session(
        self, read: Callable[[int], bytes], write: Callable[[bytes], None], close: Callable[[], None], serial: bool
    ) -> None:
        """One connection: decode what arrives, answer queries, print what is cut."""
        decoder = Decoder()
        while not self._stop.is_set():
            data = read(65536)
            if not data:
                if serial:
                    continue  # the serial side was closed; the device stays
                break
            with self._lock:
                drop = self._drop_after if data.startswith(INIT) else None
                if drop is not None:
                    self._drop_after = None
            if drop is not None:
                decoder.feed(data[:drop])
                log.warning("printer emulator: connection dropped after %d bytes of a job", drop)
                with self._lock:
                    self.discarded += 1
                close()
                return
            try:
                events = decoder.feed(data)
            except UnknownCommand as exc:
                log.error("printer emulator: job rejected: %s", exc)
                with self._lock:
                    self.rejected.append(str(exc))
                if serial:
                    decoder = Decoder()
                    continue
                close()
                return
            replies = bytearray()  # answered in one write: no Nagle delay between reply bytes
            for event in events:
                if isinstance(event, StatusQuery):
                    replies += self._answer(event)
                elif isinstance(event, Cut):
                    self._cut(event)
            if replies:
                with contextlib.suppress(OSError):
                    write(bytes(replies))
        if decoder.pending:
            log.warning("printer emulator: connection ended in the middle of a job: job lost")
            with self._lock:
                self.discarded += 1
        close()

    def _answer(self, query: StatusQuery) -> bytes:
        with self._lock:
            self.status_queries += 1
            if self._no_reply:
                return b""
            return bytes((reply_bytes(self.status())[Query(query.n)],))

    def _cut(self, cut: Cut) -> None:
        with self._lock:
            status = self.status()
            if self._no_reply or not status.can_print:
                log.warning("printer emulator: a ticket arrived while the printer cannot print: lost")
                self.discarded += 1
                return
            if self._tickets_left == 0:
                log.warning("printer emulator: paper ran out in the middle of a ticket: lost")
                self._paper, self._tickets_left = PaperState.END, None
                self.discarded += 1
                return
            if self._tickets_left is not None:
                self._tickets_left -= 1
            path = self.out_dir / f"{self._next:04d}.png"
            self._next += 1
        image = self.draw(cut.bands, self.width_dots)
        partial = path.with_name(f".{path.name}.partial")
        image.save(partial, format="PNG")
        partial.replace(path)  # whole ticket or none, like the cutter
        with self._lock:
            self.printed.append(path)
        log.info("printer emulator: ticket printed to %s", path)
