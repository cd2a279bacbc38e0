"""The printer emulator (printing with the preview's own composition), and printers wired to it
through the driver's real TCP and serial transports."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from drivers.printer.emulator import PrinterEmulator
from drivers.printer.escpos_printer import EscposTicketPrinter
from drivers.printer.settings import PrinterConfig, PrinterConnection
from kiosk.site.model import SiteConfig
from kiosk.ticket.render import compose


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[PrinterEmulator]:
    with PrinterEmulator(tmp_path / "printed", draw=compose) as emu:
        yield emu


def printer_config(site_config: SiteConfig, url: str, **changes: object) -> PrinterConfig:
    # A generous read timeout: a loaded CI machine must not look like a dead printer.
    base = replace(site_config.printer, connection=PrinterConnection.parse(url), read_timeout_s=1.0)
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
def tcp_printer(site_config: SiteConfig, emulator: PrinterEmulator, tmp_path: Path) -> Iterator[EscposTicketPrinter]:
    port = emulator.serve_tcp()
    printer = EscposTicketPrinter.from_config(printer_config(site_config, f"tcp://127.0.0.1:{port}"), tmp_path)
    yield printer
    printer.close()


@pytest.fixture
def serial_printer(site_config: SiteConfig, emulator: PrinterEmulator, tmp_path: Path) -> Iterator[EscposTicketPrinter]:
    device = emulator.serve_pty()
    printer = EscposTicketPrinter.from_config(printer_config(site_config, f"serial://{device}?flow=none"), tmp_path)
    yield printer
    printer.close()
