"""A simulated 80 mm thermal ticket printer: every ticket becomes a numbered PNG, faults on demand.

It stands in for the lobby's ESC/POS receipt printer (203 dpi, 576 dots across 80 mm paper) until
the simulator that speaks the real wire protocol arrives: a TCP 9100 ESC/POS endpoint that renders
what it receives (a later issue). Until then this one renders the `TicketDocument` itself with
`kiosk.ticket.render`, the same renderer the real driver will use for its Japanese raster lines,
so what lands in `out_dir` is what the paper would show.

Behaviour copied from the real device and its library (device-facts.md, thermal printer):
- a printer that does not answer reports `online=None` and paper UNKNOWN, never "paper OK";
- paper NEAR_END still prints (staff are warned through `health()`), END does not;
- a print that cannot happen raises before anything is "printed": no half ticket, no file.

Rejected: recording ESC/POS bytes here (python-escpos `Dummy` does that, for the real driver's
golden-bytes tests); this stand-in records what a person would see on the paper.

Faults are injected through plain methods (`paper_out_after`, `set_paper`, `set_cover_open`,
`set_offline`, `set_no_reply`) that tests and the demo call; none is ever chosen at random.
Health always says `simulated=True`, so the UI can show its SIMULATION badge.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from drivers.interfaces import Health, HealthState, PaperState, PrinterStatus
from kiosk.errors import PaperOut, PrinterError, PrinterOffline
from kiosk.ticket.document import TicketDocument
from kiosk.ticket.render import render_ticket

log = logging.getLogger(__name__)

DEVICE = "printer"
_NUMBERED = re.compile(r"^(\d{4,})\.png$")


class SimTicketPrinter:
    """A `TicketPrinter` writing `out_dir/0001.png`, `0002.png`, … one per ticket printed.

    Numbering continues after the highest number already in `out_dir`, so a restarted demo never
    overwrites the tickets of an earlier run. `printed` lists the files this instance wrote.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.printed: list[Path] = []
        self._next = 1 + max(
            (int(m.group(1)) for p in self.out_dir.iterdir() if (m := _NUMBERED.match(p.name))),
            default=0,
        )
        self._paper = PaperState.OK
        self._cover_open = False
        self._offline = False
        self._no_reply = False
        self._tickets_left: int | None = None  # None: the roll does not run out
        self._closed = False

    # --- faults -----------------------------------------------------------------------------

    def paper_out_after(self, tickets: int) -> None:
        """The roll ends after `tickets` more tickets: the one after that raises PaperOut."""
        if tickets < 0:
            raise ValueError(f"tickets must be >= 0, got {tickets}")
        self._tickets_left = tickets
        if tickets == 0:
            self._paper = PaperState.END

    def set_paper(self, paper: PaperState) -> None:
        """Force the paper sensor's state (NEAR_END prints and warns; END and UNKNOWN do not print).

        Setting any state cancels a pending `paper_out_after` (a new roll, or a sensor fault).
        """
        self._paper = paper
        self._tickets_left = None

    def set_cover_open(self, cover_open: bool) -> None:
        self._cover_open = cover_open

    def set_offline(self, offline: bool) -> None:
        """The printer answers but says it is offline (error state, feed button held, …)."""
        self._offline = offline

    def set_no_reply(self, no_reply: bool) -> None:
        """The printer does not answer status queries at all (unplugged, powered off, stalled)."""
        self._no_reply = no_reply

    # --- TicketPrinter ----------------------------------------------------------------------

    def status(self) -> PrinterStatus:
        if self._no_reply or self._closed:
            return PrinterStatus(online=None, paper=PaperState.UNKNOWN, cover_open=None)
        return PrinterStatus(online=not self._offline, paper=self._paper, cover_open=self._cover_open)

    def print_ticket(self, document: TicketDocument) -> None:
        """Render the ticket to the next numbered PNG. Raises PaperOut or PrinterOffline, writing nothing."""
        if self._closed:
            raise PrinterOffline("simulated printer is closed")
        status = self.status()
        if not status.can_print:
            raise self._refusal(status)
        image = render_ticket(document)  # before touching the disk: a render error writes nothing
        path = self.out_dir / f"{self._next:04d}.png"
        partial = path.with_name(f".{path.name}.partial")
        try:
            image.save(partial, format="PNG")
            partial.replace(path)  # whole ticket or no ticket, like the cutter
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise PrinterError(f"simulated printer cannot write {path}: {exc}") from exc
        self._next += 1
        self.printed.append(path)
        log.info("simulated printer: ticket %s printed to %s", document.label, path.name)
        if self._tickets_left is not None:
            self._tickets_left -= 1
            if self._tickets_left == 0:
                self._paper = PaperState.END

    def health(self) -> Health:
        status = self.status()
        if not status.can_print:
            return Health(DEVICE, HealthState.DOWN, _why(status), simulated=True)
        if status.paper is PaperState.NEAR_END:
            return Health(DEVICE, HealthState.DEGRADED, "paper near end: change the roll soon", simulated=True)
        return Health(DEVICE, HealthState.OK, f"{len(self.printed)} ticket(s) printed", simulated=True)

    def close(self) -> None:
        self._closed = True

    # --- helpers ----------------------------------------------------------------------------

    def _refusal(self, status: PrinterStatus) -> PrinterError:
        if status.paper is PaperState.END:
            return PaperOut(_why(status))
        return PrinterOffline(_why(status))


def _why(status: PrinterStatus) -> str:
    """Plain words for staff on why the printer cannot print."""
    if status.online is None:
        return "printer does not answer"
    if status.paper is PaperState.END:
        return "paper end: load a new roll"
    if status.cover_open:
        return "cover open"
    if status.online is False:
        return "printer offline"
    if status.paper is PaperState.UNKNOWN:
        return "paper state unknown"
    return "printer not ready"
