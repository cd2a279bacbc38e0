"""The lobby's ESC/POS thermal ticket printer (80 mm / 576 dots or 58 mm / 384 dots, 203 dpi),
on a network (raw TCP 9100), serial or USB link, through python-escpos' connection classes.

Facts relied on (device-facts.md, thermal printer; python-escpos 3.1 source): `Network`, `Serial`
and `Usb` each own one `_raw` write path and a `device` we can read from; `Network` takes one
timeout for connect and I/O, `Serial` a read timeout (we add pyserial's write timeout), `Usb` a
write timeout that defaults to none (a stalled printer would block forever: we always set it).
Every status comes from `DLE EOT 1..4`, parsed by our own code (drivers/printer/status.py); no
reply means unknown, and unknown never prints.

A ticket: status before (refuse to print unless the printer is fine), the whole job in one write
(drivers/printer/escpos_codec.py), status after (a ticket the printer cannot vouch for is a failed
ticket: the visitor keeps the number on screen and staff reprint). A job is never sent twice:
after a lost connection the next call reconnects and sends only what it is given.
The after-status on a real printer reflects the job as received, not necessarily as printed; a
roll that ends during the cut shows at the next check, before the next number is taken.

Rejected: python-escpos' `is_online()`/`paper_status()` (see status.py), its `image()` and its
text encoding (see escpos_codec.py), and `Serial._read()` (reads 16 bytes, so every status query
would wait the whole timeout: we read exactly the replies we expect).
"""

from __future__ import annotations

import logging
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drivers.interfaces import Health, HealthState, PaperState, PrinterStatus
from drivers.printer.escpos_codec import encode_bands
from drivers.printer.roll import RollCounter
from drivers.printer.status import QUERIES, parse_status, query
from kiosk.errors import PaperOut, PrinterError, PrinterOffline
from kiosk.site.model import PrinterConfig, PrinterLink, SerialFlow
from kiosk.ticket.document import TicketDocument
from kiosk.ticket.render import band_height, ticket_bands

log = logging.getLogger(__name__)

DEVICE = "printer"
UNKNOWN = PrinterStatus(online=None, paper=PaperState.UNKNOWN, cover_open=None, error=None)
_STATUS_QUERY = b"".join(query(q) for q in QUERIES)


class _Link:
    """One open connection: python-escpos' object for writes, its device for our reads."""

    def __init__(self, config: PrinterConfig) -> None:
        self.config = config
        self.printer = self._open()

    def _open(self) -> Any:
        c, cfg = self.config.connection, self.config
        try:
            from escpos.exceptions import Error as EscposError  # lazily: `kiosk check-config` never loads it

            if c.link is PrinterLink.TCP:
                from escpos.printer import Network

                printer: Any = Network(c.host, c.port, timeout=cfg.connect_timeout_s)
                # Connected here, not by `Network.open()`: that one leaks the socket when connect fails.
                sock = socket.create_connection((c.host, c.port), timeout=cfg.connect_timeout_s)
                printer.device = sock
                sock.settimeout(cfg.write_timeout_s)
                printer.device.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # status queries go at once
            elif c.link is PrinterLink.SERIAL:
                from escpos.printer import Serial

                printer = Serial(
                    devfile=c.device,
                    baudrate=c.baudrate,
                    timeout=cfg.read_timeout_s,
                    dsrdtr=c.flow is SerialFlow.DSRDTR,
                    xonxoff=False,  # raster data holds XON/XOFF bytes
                )
                printer.open()
                printer.device.write_timeout = cfg.write_timeout_s
                printer.device.rtscts = c.flow is SerialFlow.RTSCTS
            else:
                from escpos.printer import Usb

                printer = Usb(c.usb_vendor, c.usb_product, timeout=int(cfg.write_timeout_s * 1000))
                printer.open()
        except (OSError, EscposError) as exc:
            raise PrinterOffline(f"cannot open printer {c.url}: {exc}") from exc
        if printer.device is None:  # python-escpos logs instead of raising in some paths
            raise PrinterOffline(f"cannot open printer {c.url}")
        return printer

    def write(self, data: bytes) -> None:
        self.printer._raw(data)

    def replies(self, count: int, in_transit: int = 0) -> bytes:
        """Up to `count` bytes arriving within the read timeout (fewer: the printer said no more),
        plus the time the last `in_transit` bytes sent may still take to reach the printer."""
        link, device, timeout = self.config.connection.link, self.printer.device, self.config.read_timeout_s
        deadline = time.monotonic() + timeout + self._transit_s(in_transit)
        got = bytearray()
        while len(got) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            if link is PrinterLink.TCP:
                device.settimeout(left)
                try:
                    chunk = device.recv(count - len(got))
                except TimeoutError:
                    break
                if not chunk:
                    raise ConnectionError("printer closed the connection")
            elif link is PrinterLink.SERIAL:
                device.timeout = left
                chunk = device.read(count - len(got))
            else:
                import usb.core

                try:
                    chunk = bytes(device.read(self.printer.in_ep, 16, max(int(left * 1000), 1)))
                except usb.core.USBTimeoutError:
                    break
            got += chunk
        if link is PrinterLink.TCP:
            device.settimeout(self.config.write_timeout_s)
        return bytes(got)

    def _transit_s(self, size: int) -> float:
        """A reply queued behind a job comes only after the job's tail has gone down the line: on
        serial that is the line's speed (10 bits a byte); elsewhere at most the write timeout."""
        if size <= 0:
            return 0.0
        if self.config.connection.link is PrinterLink.SERIAL:
            return size * 10 / self.config.connection.baudrate
        return self.config.write_timeout_s

    def drain(self) -> None:
        """Throw away bytes that arrived unasked (a real printer can answer bytes in raster data
        that look like DLE EOT), so the next replies are the ones we asked for."""
        link, device = self.config.connection.link, self.printer.device
        if link is PrinterLink.TCP:
            device.setblocking(False)
            try:
                while device.recv(64):
                    pass
                raise ConnectionError("printer closed the connection")
            except BlockingIOError:
                pass
            finally:
                device.settimeout(self.config.write_timeout_s)
        elif link is PrinterLink.SERIAL:
            device.reset_input_buffer()

    def close(self) -> None:
        try:
            if self.config.connection.link is PrinterLink.SERIAL and self.printer.device is not None:
                # pyserial's close() waits, without a timeout, for the output to drain: a printer
                # holding the line (paper out under flow control) would freeze the kiosk here.
                self.printer.device.reset_output_buffer()
            self.printer.close()
        except OSError as exc:  # closing a broken link: nothing more to learn
            log.debug("closing printer link: %s", exc)


@dataclass(frozen=True)
class Printed:
    """What the last ticket cost: for the staff page and the benchmark."""

    bytes_sent: int
    height_dots: int


class EscposTicketPrinter:
    """A `TicketPrinter` for a real ESC/POS printer (or the emulator, which speaks the same bytes)."""

    def __init__(self, config: PrinterConfig, roll: RollCounter | None = None, simulated: bool = False) -> None:
        self.config = config
        self.roll = roll
        self.simulated = simulated  # talking to the emulator: the UI shows its SIMULATION badge
        self.last_status: PrinterStatus | None = None
        self.last_printed: Printed | None = None
        self._link: _Link | None = None

    @classmethod
    def from_config(cls, config: PrinterConfig, data_dir: Path, simulated: bool = False) -> EscposTicketPrinter:
        roll = None
        if config.roll_length_mm is not None:
            roll = RollCounter(data_dir / "printer-roll.json", config.roll_length_mm, config.roll_low_mm)
        return cls(config, roll, simulated)

    # --- TicketPrinter ----------------------------------------------------------------------

    def status(self, after_job: int = 0) -> PrinterStatus:
        """DLE EOT 1..4 in one write, four reply bytes back. Any failure: UNKNOWN, link dropped.
        `after_job`: the size of the job just sent, which the query waits behind on the line."""
        try:
            link = self._connected()
            link.drain()
            link.write(_STATUS_QUERY)
            replies = link.replies(len(QUERIES), in_transit=after_job)
        except (PrinterError, OSError, ConnectionError) as exc:
            self._drop(f"status: {exc}")
            status = UNKNOWN
        else:
            status = parse_status({q: (replies[i] if i < len(replies) else None) for i, q in enumerate(QUERIES)})
            if not replies:
                log.warning("printer %s did not answer the status query", self.config.connection.url)
        self._remember(status)
        return status

    def print_ticket(self, document: TicketDocument) -> None:
        """Check, send once, check. Raises PaperOut or PrinterOffline; never sends a job twice."""
        if document.width_dots != self.config.width_dots:
            raise PrinterError(f"ticket laid out for {document.width_dots} dots, printer has {self.config.width_dots}")
        before = self.status()
        if not before.can_print:
            raise refusal(before, "not printed")
        bands = ticket_bands(document, kanji=self.config.kanji)
        job = encode_bands(bands, kanji=self.config.kanji)
        try:
            self._connected().write(job)
        except (PrinterError, OSError) as exc:
            self._drop(f"write: {exc}")
            raise PrinterOffline(f"connection lost while sending ticket {document.label}; not sent again") from exc
        after = self.status(after_job=len(job))
        if not after.can_print:
            raise refusal(after, f"ticket {document.label} may be incomplete")
        height = sum(band_height(b) for b in bands)
        self.last_printed = Printed(bytes_sent=len(job), height_dots=height)
        if self.roll is not None:
            self.roll.add_ticket(height)
        log.info("ticket %s printed (%d bytes)", document.label, len(job))

    def send_raw_job(self, job: bytes) -> None:
        """Send an already encoded job as is (tests of the emulator's rejection of unknown bytes)."""
        self._connected().write(job)

    def health(self) -> Health:
        status = self.last_status if self.last_status is not None else self.status()
        if not status.can_print:
            return Health(DEVICE, HealthState.DOWN, why(status), self.simulated)
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
            self._link = _Link(self.config)
        return self._link

    def _drop(self, why: str) -> None:
        log.warning("printer %s: %s; reconnecting on next use", self.config.connection.url, why)
        self.close()

    def _remember(self, status: PrinterStatus) -> None:
        previous = self.last_status
        self.last_status = status
        reloaded = previous is not None and previous.paper is PaperState.END
        if self.roll is not None and reloaded and status.paper in (PaperState.OK, PaperState.NEAR_END):
            self.roll.new_roll()  # paper end, then paper again: a roll was loaded


def refusal(status: PrinterStatus, what: str) -> PrinterError:
    if status.paper is PaperState.END:
        return PaperOut(f"{why(status)}: {what}")
    return PrinterOffline(f"{why(status)}: {what}")


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
