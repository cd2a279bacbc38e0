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
Misbehaviour found by probing (issue 10): a printer that floods the link with status-looking
bytes (`set_flood`), one that never reads what it is sent yet keeps sending status-looking bytes
(`set_deaf`), and, as a mode rather than a fault, a printer that answers `DLE EOT n` look-alikes
inside raster data the moment they arrive, as real printers do (`set_answers_lookalikes`).
Its TCP receive buffer is small (8 kB, as on a printer's interface board), so bytes it does not
read stay with the sender instead of vanishing into a large kernel buffer.
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
from drivers.printer.status import FIXED_BITS, Query, realtime_queries, reply_bytes

log = logging.getLogger(__name__)

_NUMBERED = re.compile(r"^(\d{4,})\.png$")
_POLL_S = 0.1  # how often idle threads look at the stop flag
_RECEIVE_BUFFER = 4096  # bytes; the kernel doubles it. A printer's interface board holds a few kB.
CHATTER = bytes((FIXED_BITS,))  # what a flooding or deaf printer sends: it looks like "all is well"
_CHATTER_EVERY_S = 0.02  # a deaf printer's pace
_FLOOD_CHUNK = CHATTER * 65536

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
        self._flood = False
        self._deaf = False
        self._lookalikes = False
        self._stall_next = False

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

    def set_flood(self, flood: bool) -> None:
        """Send status-looking bytes (0x12: "online, no error, paper ok") as fast as the link takes
        them, unasked, on every connection; jobs are still read and printed."""
        with self._lock:
            self._flood = flood

    def set_deaf(self, deaf: bool) -> None:
        """Stop reading what arrives (jobs and queries stay in the link, unread) while sending a
        status-looking byte every 20 ms, like a printer whose firmware hung half-way."""
        with self._lock:
            self._deaf = deaf

    def stall_next_job(self) -> None:
        """Go deaf (`set_deaf`) at the first bytes of the next job: it is never read, let alone printed."""
        with self._lock:
            self._stall_next = True

    def set_answers_lookalikes(self, answers: bool) -> None:
        """Answer every `DLE EOT n` in the byte stream the moment it arrives, also inside raster
        data, as a real printer does (its real-time commands are seen on reception, before any
        command is parsed). Off: only queries the decoder reads as commands are answered."""
        with self._lock:
            self._lookalikes = answers

    @property
    def flood(self) -> bool:
        return self._flood

    @property
    def deaf(self) -> bool:
        return self._deaf

    @property
    def answers_lookalikes(self) -> bool:
        return self._lookalikes

    def drop_next_job(self, after_bytes: int) -> None:
        """Close the connection after `after_bytes` bytes of the next job: the job is lost."""
        with self._lock:
            self._drop_after = max(after_bytes, 0)

    # --- serving ----------------------------------------------------------------------------

    def serve_tcp(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen on (host, port) (0: a free port) and serve every connection; returns the port."""
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _RECEIVE_BUFFER)  # inherited by each connection
        try:
            server.bind((host, port))
            server.listen()
        except OSError:
            server.close()
            raise
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

        def read(size: int) -> bytes | None:
            ready, _, _ = select.select([master], [], [], _POLL_S)
            if not ready:
                return None
            try:
                return os.read(master, size)
            except OSError:  # no process has the serial side open right now
                self._stop.wait(_POLL_S)
                return None

        def write(data: bytes) -> None:
            view = memoryview(data)
            while view:  # never blocks for long: a side that does not read makes this give up
                _, ready, _ = select.select([], [master], [], _POLL_S)
                if not ready:
                    raise TimeoutError("nobody reads the serial side")
                view = view[os.write(master, view) :]

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

            def read(size: int, conn: socket.socket = conn) -> bytes | None:
                try:
                    return conn.recv(size)
                except TimeoutError:
                    return None
                except OSError:
                    return b""

            self._closers.append(conn.close)
            self._spawn(self._session, read, conn.sendall, conn.close, False)

    def _session(
        self,
        read: Callable[[int], bytes | None],
        write: Callable[[bytes], None],
        close: Callable[[], None],
        serial: bool,
    ) -> None:
        """One connection: decode what arrives, answer queries, print what is cut. `read` returns
        None when nothing came within a poll, b"" when the other side hung up."""
        decoder = Decoder()
        ended = threading.Event()
        writing = threading.Lock()  # replies and unasked bytes, one write at a time

        def send(data: bytes) -> None:
            with writing, contextlib.suppress(OSError):
                write(data)

        self._spawn(self._talk, write, writing, ended)
        scan = b""  # the last bytes seen, for look-alikes split across reads
        try:
            while not self._stop.is_set() and not ended.is_set():
                if self._deaf:
                    self._stop.wait(_POLL_S)  # what arrives stays in the link, unread
                    continue
                # Waiting to stall at a job: read little, or a short job arriving in one burst would be
                # swallowed whole and count as taken.
                data = read(64 if self._stall_next else 65536)
                if data is None:
                    continue
                if not data:
                    if serial:
                        continue  # the serial side was closed; the device stays
                    break
                with self._lock:
                    drop = self._drop_after if data.startswith(INIT) else None
                    if drop is not None:
                        self._drop_after = None
                    lookalikes = self._lookalikes
                    if self._stall_next and data.startswith(INIT):
                        self._stall_next, self._deaf = False, True
                        log.warning("printer emulator: stalled at the start of a job: it is not read")
                        continue
                if drop is not None:
                    decoder.feed(data[:drop])
                    log.warning("printer emulator: connection dropped after %d bytes of a job", drop)
                    with self._lock:
                        self.discarded += 1
                    return
                replies = bytearray()  # answered in one write: no Nagle delay between reply bytes
                if lookalikes:  # real-time commands are seen on reception, wherever they are
                    for n in realtime_queries(scan, data):
                        replies += self._answer(StatusQuery(n))
                scan = (scan + data)[-2:]
                try:
                    events = decoder.feed(data)
                except UnknownCommand as exc:
                    log.error("printer emulator: job rejected: %s", exc)
                    with self._lock:
                        self.rejected.append(str(exc))
                    if serial:
                        decoder = Decoder()
                        continue
                    return
                for event in events:
                    if isinstance(event, StatusQuery):
                        if not lookalikes:  # else already answered on reception
                            replies += self._answer(event)
                    elif isinstance(event, Cut):
                        self._cut(event)
                if replies:
                    send(bytes(replies))
            if decoder.pending:
                log.warning("printer emulator: connection ended in the middle of a job: job lost")
                with self._lock:
                    self.discarded += 1
        finally:
            ended.set()
            close()

    def _talk(self, write: Callable[[bytes], None], writing: threading.Lock, ended: threading.Event) -> None:
        """What a flooding or deaf printer sends unasked, for as long as the connection lasts."""
        while not self._stop.is_set() and not ended.is_set():
            with self._lock:
                flood, deaf = self._flood, self._deaf
            if not (flood or deaf):
                ended.wait(_POLL_S)
                continue
            try:
                with writing:
                    write(_FLOOD_CHUNK if flood else CHATTER)
            except ConnectionError:  # the other side hung up
                ended.set()
            except OSError:  # it does not read: keep trying
                pass
            if deaf and not flood:
                ended.wait(_CHATTER_EVERY_S)

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
