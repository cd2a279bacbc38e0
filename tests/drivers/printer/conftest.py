"""The printer emulator (printing with the preview's own composition), and printers wired to it
through the driver's real TCP and serial transports."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import pytest

from drivers.printer.bands import Justify, Raster, TicketJob
from drivers.printer.emulator import PrinterEmulator
from drivers.printer.escpos_printer import EscposTicketPrinter
from drivers.printer.settings import PrinterConfig, PrinterConnection
from kiosk.bench.printer import standard_job
from kiosk.site.model import SiteConfig
from kiosk.ticket.render import compose

T = TypeVar("T")


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


def lookalike_job(site_config: SiteConfig, number: int = 12) -> TicketJob:
    """The standard ticket with a raster band whose rows hold `DLE EOT 4` and `DLE EOT 1`
    look-alikes (LOOKALIKES of them): bytes a real printer answers as status queries."""
    base = standard_job(site_config, number=number)
    rows = LOOKALIKE_ROW * (LOOKALIKES // 2)
    band = Raster(len(LOOKALIKE_ROW) * 8, rows, Justify.CENTER)
    return TicketJob(base.label, base.width_dots, (*base.bands, band), base.length_dots + band.height)


LOOKALIKE_ROW = b"\x00\x10\x04\x04\x00\x10\x04\x01"  # one raster row, two look-alikes
LOOKALIKES = 8


def within(seconds: float, call: Callable[[], T]) -> T:
    """`call()`, on a thread of its own, failing the test when it has not returned in `seconds`:
    for code that used to hang for ever (the thread is left behind; it ends with the emulator)."""
    result: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(call())
        except BaseException as exc:  # handed to the test
            failure.append(exc)

    thread = threading.Thread(target=run, daemon=True, name="within")
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s: it hangs"
    if failure:
        raise failure[0]
    return result[0]
