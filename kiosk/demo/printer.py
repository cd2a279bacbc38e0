"""The demo's ticket printer: the real ESC/POS driver, talking over TCP to the printer emulator
started in this process on a free port (or to `--printer tcp://HOST:PORT`, a printer or an
emulator elsewhere). The demo panel's paper and offline keys set the emulator's state, so the
kiosk learns of them the way it would in a lobby: from `DLE EOT` replies.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from drivers.interfaces import PaperState, PrinterStatus
from drivers.printer.emulator import PrinterEmulator
from drivers.printer.escpos_printer import EscposTicketPrinter
from drivers.printer.settings import PrinterConnection
from kiosk.errors import UsageError
from kiosk.site.model import SiteConfig
from kiosk.ticket.render import compose

log = logging.getLogger(__name__)


class DemoPrinter:
    """Owns the emulator (when it started one) and the driver; `close()` stops both."""

    def __init__(self, config: SiteConfig, out_dir: Path, data_dir: Path, url: str | None = None) -> None:
        self.emulator: PrinterEmulator | None = None
        if url is None:
            self.emulator = PrinterEmulator(out_dir, config.printer.width_dots, draw=compose)
            port = self.emulator.serve_tcp("127.0.0.1", 0)
            url = f"tcp://127.0.0.1:{port}"
        try:
            connection = PrinterConnection.parse(url)
        except ValueError as exc:
            raise UsageError(f"--printer: {exc}") from None
        printer_config = replace(config.printer, connection=connection)
        self.driver = EscposTicketPrinter.from_config(printer_config, data_dir, simulated=self.emulator is not None)
        self.url = url

    @property
    def printed(self) -> list[Path]:
        """Tickets the emulator printed (none known for an outside printer)."""
        return list(self.emulator.printed) if self.emulator is not None else []

    def status(self) -> PrinterStatus:
        """What the emulator's sensors say (the panel shows it without asking the printer)."""
        if self.emulator is None:
            return self.driver.last_status or self.driver.status()
        return self.emulator.status()

    def set_paper(self, paper: PaperState) -> None:
        if self._emulated("paper"):
            assert self.emulator is not None
            self.emulator.set_paper(paper)

    def set_offline(self, offline: bool) -> None:
        if self._emulated("offline"):
            assert self.emulator is not None
            self.emulator.set_offline(offline)

    def set_cover_open(self, cover_open: bool) -> None:
        if self._emulated("cover"):
            assert self.emulator is not None
            self.emulator.set_cover_open(cover_open)

    def _emulated(self, what: str) -> bool:
        if self.emulator is None:
            log.warning("demo: %s is set at the printer itself when printing to %s", what, self.url)
        return self.emulator is not None

    def close(self) -> None:
        self.driver.close()
        if self.emulator is not None:
            self.emulator.close()
