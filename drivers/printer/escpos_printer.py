"""The lobby's ESC/POS thermal ticket printer (80 mm / 576 dots or 58 mm / 384 dots, 203 dpi),
on a network (raw TCP 9100), serial or USB link, through our own small transports
(drivers/printer/transport.py: socket, pyserial, pyusb; python-escpos is not used, see there why).

Facts relied on (device-facts.md, thermal printer): every status comes from `DLE EOT 1..4`,
parsed by our own code (drivers/printer/status.py); no reply means unknown, and unknown never
prints. Every write and read has a timeout (a stalled USB printer would otherwise block for ever).

A ticket (`TicketJob`, drivers/printer/bands.py: bands the kiosk drew, kiosk/ticket/render.py):
status before (refuse to print unless the printer is fine), the whole job in one write
(drivers/printer/escpos_codec.py) that the printer must take within the write timeout, status
after (a ticket the printer cannot vouch for is a failed ticket: the visitor keeps the number on
screen and staff reprint). A job is never sent twice: after a lost connection the next call
reconnects and sends only what it is given; a job not taken in time is thrown away with the link.
The after-status on a real printer reflects the job as received, not necessarily as printed; a
roll that ends during the cut shows at the next check, before the next number is taken.

A printer answers real-time queries on reception, also `DLE EOT n` look-alikes inside raster
data (Citizen and Epson DLE EOT notes), may send automatic status back at any time, and a broken
one may send anything: `_Link` says which bytes can be the reply to a query (see there).

Rejected: python-escpos' `is_online()`/`paper_status()` (see status.py), its `image()` and its
text encoding (see escpos_codec.py), and its connection classes (see transport.py). `GS ( D`
(enable/disable real-time commands) against look-alikes: as we read the Epson reference it covers
the DLE DC4 functions (pulse, power-off), not DLE EOT (not checked on hardware), and not every
printer has it; counting look-alikes in the job and skipping their replies works on every
printer, with no setting.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from drivers.interfaces import Health, HealthState, PaperState, PrinterStatus
from drivers.printer.bands import NativeText, TicketJob
from drivers.printer.escpos_codec import encode_bands
from drivers.printer.roll import RollCounter
from drivers.printer.settings import PrinterConfig
from drivers.printer.status import QUERIES, ReplyStream, parse_status, query, realtime_queries
from drivers.printer.transport import Transport, open_transport
from kiosk.errors import PaperOut, PrinterError, PrinterOffline

log = logging.getLogger(__name__)

DEVICE = "printer"
UNKNOWN = PrinterStatus(online=None, paper=PaperState.UNKNOWN, cover_open=None, error=None)
_STATUS_QUERY = b"".join(query(q) for q in QUERIES)
DRAIN_BYTES = 4096  # more unasked bytes than this at once: a printer that keeps sending
NEW_LINK_LISTEN_S = 0.1  # a new link listens this long before its first query
_SENT_POLL_S = (0.0005, 0.01)  # first and longest pause while the printer takes a write
_MAX_OWED = 64  # replies still expected are not counted past this
FLOODING = "printer keeps sending data nobody asked for"
UNASKED = "printer sends status bytes nobody asked for"


class _Untrusted(PrinterOffline):
    """What the printer sent cannot be the reply to our query."""


class _Link:
    """One open connection: what goes out must be taken by the printer in time, and what comes
    back counts as a reply only when it can be one.

    Every read has a time limit and draining has a budget (DRAIN_BYTES, the read timeout): a
    printer that keeps sending is a fault, never a hang. Replies are framed (ASB frames and block
    data skipped, status.ReplyStream) and counted: `owed` is how many real-time replies the
    printer may still send for earlier queries that went unanswered in time and for look-alikes in
    a job; stale replies beyond that, or more replies than asked for, were sent unasked, and then
    nothing read on this link is believed. A new link first listens a moment (NEW_LINK_LISTEN_S):
    a printer that talks before it is asked anything is not believed either.
    """

    def __init__(self, config: PrinterConfig, connect: Callable[[PrinterConfig], Transport]) -> None:
        self.config = config
        self.owed = 0
        self._fresh = True
        try:
            self.transport = connect(config)
        except (OSError, ValueError) as exc:
            raise PrinterOffline(f"cannot open printer {config.connection.url}: {exc}") from exc

    def send(self, data: bytes, timeout_s: float) -> None:
        """Write `data` and see the printer take all of it within `timeout_s`, or raise OSError."""
        deadline = time.monotonic() + timeout_s
        self.transport.write(data)
        pause = _SENT_POLL_S[0]
        while (left := self.transport.unsent()) > 0:
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{left} of {len(data)} bytes not taken within {timeout_s:g} s")
            time.sleep(pause)
            pause = min(pause * 2, _SENT_POLL_S[1])

    def ask(self, query: bytes, count: int, in_transit: int = 0) -> bytes:
        """The `count` reply bytes to `query` (fewer: the printer did not answer all in time).
        Raises _Untrusted when what arrives cannot be the reply."""
        stale = self._drain()
        if stale > self.owed:
            raise _Untrusted(f"{UNASKED}: {stale} status bytes arrived before the query")
        self.owed -= stale
        self.transport.write(query)  # taken or not shows below: replies prove it, silence asks
        expected = self.owed + count
        stream = ReplyStream()
        got = bytearray()
        received = 0
        start = time.monotonic()
        deadline = start + self.config.read_timeout_s + self.transport.transit_s(in_transit)
        while len(got) < expected:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            chunk = self.transport.read(64, left)
            if not chunk:  # the time ran out
                break
            received += len(chunk)
            if received > DRAIN_BYTES:
                raise _Untrusted(f"{FLOODING}: {received} bytes in reply to one query")
            got += stream.feed(chunk)
            # Replies to one write come together: once some are in, the rest follow quickly.
            deadline = min(deadline, time.monotonic() + self.config.read_timeout_s)
        with contextlib.suppress(ConnectionError):  # closed after answering: the answer stands
            got += stream.feed(self.transport.read(64, 0))  # any more already here were not asked for
        if len(got) > expected:
            raise _Untrusted(f"{UNASKED}: {len(got)} status bytes for {expected} asked")
        if len(got) >= count:  # ours are the last; what was owed and did not come never will
            self.owed = 0
            return bytes(got[-count:])
        if self.transport.unsent():
            raise TimeoutError("the printer did not take the status query")
        self.owed = min(expected - len(got), _MAX_OWED)  # late replies may still come
        return bytes(got) if expected == count else b""  # with replies owed, which are ours is unknown

    def _drain(self) -> int:
        """Read away what arrived unasked, within a byte and a time budget; how many of those bytes
        were real-time replies. A new link listens NEW_LINK_LISTEN_S first."""
        stream = ReplyStream()
        replies = received = 0
        now = time.monotonic()
        listen_until = now + (min(NEW_LINK_LISTEN_S, self.config.read_timeout_s) if self._fresh else 0.0)
        budget_until = now + self.config.read_timeout_s + NEW_LINK_LISTEN_S
        self._fresh = False
        while True:
            chunk = self.transport.read(1024, max(listen_until - time.monotonic(), 0.0))
            if not chunk:
                left = listen_until - time.monotonic()
                if left <= 0:
                    return replies
                time.sleep(min(left, _SENT_POLL_S[1]))  # a link whose reads do not wait (in memory)
                continue
            received += len(chunk)
            replies += len(stream.feed(chunk))
            if received > DRAIN_BYTES or time.monotonic() > budget_until:
                raise _Untrusted(f"{FLOODING}: more than {min(received, DRAIN_BYTES)} bytes unasked")

    def close(self) -> None:
        try:
            self.transport.close()
        except OSError as exc:  # closing a broken link: nothing more to learn
            log.debug("closing printer link: %s", exc)


@dataclass(frozen=True)
class Printed:
    """What the last ticket cost: for the staff page and the benchmark."""

    bytes_sent: int
    height_dots: int


class EscposTicketPrinter:
    """A `TicketPrinter` for a real ESC/POS printer (or the emulator, which speaks the same bytes)."""

    def __init__(
        self,
        config: PrinterConfig,
        roll: RollCounter | None = None,
        simulated: bool = False,
        connect: Callable[[PrinterConfig], Transport] = open_transport,
    ) -> None:
        self.config = config
        self.roll = roll
        self.simulated = simulated  # talking to the emulator: the UI shows its SIMULATION badge
        self.last_status: PrinterStatus | None = None
        self.last_printed: Printed | None = None
        self._connect = connect  # the link config names; tests pass a MemoryTransport
        self._link: _Link | None = None
        self._trouble: str | None = None  # why the last status is not to be believed

    @classmethod
    def from_config(
        cls,
        config: PrinterConfig,
        data_dir: Path,
        simulated: bool = False,
        connect: Callable[[PrinterConfig], Transport] = open_transport,
    ) -> EscposTicketPrinter:
        roll = None
        if config.roll_length_mm is not None:
            roll = RollCounter(data_dir / "printer-roll.json", config.roll_length_mm, config.roll_low_mm)
        return cls(config, roll, simulated, connect)

    # --- TicketPrinter ----------------------------------------------------------------------

    def status(self, after_job: int = 0) -> PrinterStatus:
        """DLE EOT 1..4 in one write, four reply bytes back. Any failure: UNKNOWN, link dropped.
        `after_job`: the size of the job just sent, which the query waits behind on the line."""
        self._trouble = None
        try:
            link = self._connected()
            replies = link.ask(_STATUS_QUERY, len(QUERIES), in_transit=after_job)
        except _Untrusted as exc:
            self._trouble = str(exc).split(":", 1)[0]
            self._drop(f"status not believed: {exc}")
            status = UNKNOWN
        except (PrinterError, OSError) as exc:
            self._drop(f"status: {exc}")
            status = UNKNOWN
        else:
            status = parse_status({q: (replies[i] if i < len(replies) else None) for i, q in enumerate(QUERIES)})
            if not replies:
                log.warning("printer %s did not answer the status query", self.config.connection.url)
        self._remember(status)
        return status

    def print_ticket(self, ticket: TicketJob) -> None:
        """Check, send once, check. Raises PaperOut or PrinterOffline; never sends a job twice.
        A job the printer did not take within the write timeout is failed (and thrown away)."""
        if ticket.width_dots != self.config.width_dots:
            raise PrinterError(f"ticket laid out for {ticket.width_dots} dots, printer has {self.config.width_dots}")
        if not self.config.kanji and any(isinstance(b, NativeText) for b in ticket.bands):
            raise PrinterError(f"ticket {ticket.label} has text in the printer's font, but Kanji mode is off")
        before = self.status()
        if not before.can_print:
            raise refusal(before, "not printed", self._trouble)
        job = encode_bands(ticket.bands, kanji=self.config.kanji)
        try:
            link = self._connected()
            link.send(job, self.config.write_timeout_s)
        except (PrinterError, OSError) as exc:
            self._drop(f"write: {exc}")
            raise PrinterOffline(f"the printer did not take ticket {ticket.label} ({exc}); not sent again") from exc
        link.owed += len(realtime_queries(b"", job))  # the printer answers look-alikes in raster data
        after = self.status(after_job=len(job))
        if not after.can_print:
            raise refusal(after, f"ticket {ticket.label} may be incomplete", self._trouble)
        self.last_printed = Printed(bytes_sent=len(job), height_dots=ticket.length_dots)
        if self.roll is not None:
            self.roll.add_ticket(ticket.length_dots)
        log.info("ticket %s printed (%d bytes)", ticket.label, len(job))

    def send_raw_job(self, job: bytes) -> None:
        """Send an already encoded job as is (tests of the emulator's rejection of unknown bytes)."""
        self._connected().send(job, self.config.write_timeout_s)

    def health(self) -> Health:
        status = self.last_status if self.last_status is not None else self.status()
        if not status.can_print:
            return Health(DEVICE, HealthState.DOWN, self._trouble or why(status), self.simulated)
        if status.paper is PaperState.NEAR_END:
            return Health(DEVICE, HealthState.DEGRADED, "paper near end: change the roll soon", self.simulated)
        if self.roll is not None and self.roll.low:
            left = f"about {self.roll.left_mm / 1000:.1f} m of paper left by the counter: change the roll soon"
            return Health(DEVICE, HealthState.DEGRADED, left, self.simulated)
        return Health(DEVICE, HealthState.OK, "ready", self.simulated)

    def close(self) -> None:
        if self._link is not None:
            self._link.close()
            self._link = None

    # --- helpers ----------------------------------------------------------------------------

    def _connected(self) -> _Link:
        if self._link is None:
            self._link = _Link(self.config, self._connect)
        return self._link

    def _drop(self, why: str) -> None:
        log.warning("printer %s: %s; reconnecting on next use", self.config.connection.url, why)
        self.close()

    def _remember(self, status: PrinterStatus) -> None:
        self.last_status = status
        if self.roll is not None:
            self.roll.paper_seen(status.paper)  # paper end, then paper again: a roll was loaded


def refusal(status: PrinterStatus, what: str, trouble: str | None = None) -> PrinterError:
    if status.paper is PaperState.END:
        return PaperOut(f"{why(status)}: {what}")
    return PrinterOffline(f"{trouble or why(status)}: {what}")


def why(status: PrinterStatus) -> str:
    """Plain words for staff on why the printer cannot print."""
    if status.online is None:
        return "printer does not answer"
    if status.paper is PaperState.END:
        return "paper end: load a new roll"
    if status.cover_open:
        return "cover open"
    if status.error:
        return "printer error (cutter or mechanism): see the printer"
    if status.online is False:
        return "printer offline"
    if status.paper is PaperState.UNKNOWN or status.cover_open is None or status.error is None:
        return "printer state unknown"
    return "printer not ready"
