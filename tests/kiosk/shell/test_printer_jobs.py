"""The printer on its own thread: the runtime never waits for it, and one process owns its port.

The real runtime and the real ESC/POS driver, reaching the printer emulator through a
`PrinterLine` (kiosk/bench/line.py) whose replies a test can keep back: a printer still busy.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from drivers.card.sim import SimCardReader
from drivers.display.sim import SimQueueDisplay
from drivers.interfaces import TicketPrinter
from drivers.printer.emulator import PrinterEmulator
from drivers.printer.escpos_printer import EscposTicketPrinter
from drivers.printer.settings import PrinterConfig, PrinterConnection
from kiosk.bench.line import PrinterLine, dead_printer
from kiosk.domain.flow import ChooseLanguage, ChooseProcedure, Continue, Screen, TicketStage, Touch
from kiosk.domain.model import Procedure
from kiosk.queue.sqlite_store import SqliteTicketStore
from kiosk.shell.port_lock import PortLock
from kiosk.shell.printer_jobs import PrinterWorker
from kiosk.shell.runtime import Devices, Runtime
from kiosk.site.model import SiteConfig
from kiosk.ticket.render import compose

MORNING = datetime(2026, 11, 26, 9, 30, tzinfo=ZoneInfo("Asia/Tokyo"))


@dataclass
class Lobby:
    runtime: Runtime
    line: PrinterLine
    emulator: PrinterEmulator
    printer_config: PrinterConfig


@pytest.fixture
def lobby(site_config: SiteConfig, tmp_path: Path) -> Iterator[Lobby]:
    emulator = PrinterEmulator(tmp_path / "printed", draw=compose)
    line = PrinterLine(emulator.serve_tcp())
    # A generous read timeout: a printer the test keeps busy is slow, not dead.
    printer_config = replace(site_config.printer, connection=PrinterConnection.parse(line.tcp_url), read_timeout_s=10)
    printer = EscposTicketPrinter(printer_config)
    store = SqliteTicketStore(tmp_path / "tickets.sqlite3")
    devices = Devices(SimCardReader(today=MORNING.date), printer, SimQueueDisplay(), True)
    runtime = Runtime(config=site_config, devices=devices, store=store, clock=lambda: MORNING)
    yield Lobby(runtime, line, emulator, printer_config)
    line.release()
    runtime.close()
    printer.close()
    store.close()
    line.close()
    emulator.close()


def test_the_welcome_screens_printer_check_never_holds_the_caller(lobby: Lobby) -> None:
    lobby.line.hold()  # the printer takes its time to answer
    lobby.runtime.poll()  # the check is due at once: asked on the printer's thread
    assert lobby.runtime.printer_status is None  # the poll came back before the printer answered
    lobby.line.release()
    lobby.runtime.settle()
    assert lobby.runtime.printer_status is not None and lobby.runtime.printer_status.can_print


def test_a_ticket_waits_for_the_printers_answer_on_its_thread_then_takes_its_number(lobby: Lobby) -> None:
    runtime = lobby.runtime
    lobby.line.hold()
    for event in (Touch(), ChooseLanguage("ja"), ChooseProcedure(Procedure.ENQUIRY), Continue()):
        runtime.dispatch(event)
    for _ in range(3):
        runtime.poll()
    assert runtime.state.visit.ticket_stage is TicketStage.ISSUING  # "Printing your ticket…", still
    assert runtime.store.count_issued(MORNING.date(), Procedure.ENQUIRY) == 0  # asked before a number is taken
    lobby.line.release()
    runtime.settle()
    assert runtime.state.screen is Screen.TICKET and runtime.state.visit.ticket_stage is TicketStage.PRINTED
    assert len(runtime.issued) == 1 and len(lobby.emulator.printed) == 1


def test_a_dead_network_printer_costs_the_visitor_no_wait_and_no_number(
    site_config: SiteConfig, tmp_path: Path
) -> None:
    server, url = dead_printer()
    printer = EscposTicketPrinter(replace(site_config.printer, connection=PrinterConnection.parse(url)))
    store = SqliteTicketStore(tmp_path / "tickets.sqlite3")
    devices = Devices(SimCardReader(today=MORNING.date), printer, SimQueueDisplay(), True)
    runtime = Runtime(config=site_config, devices=devices, store=store, clock=lambda: MORNING)
    try:
        runtime.poll()  # the welcome screen's check: the printer never answers it
        for event in (Touch(), ChooseLanguage("ja"), ChooseProcedure(Procedure.ENQUIRY), Continue()):
            runtime.dispatch(event)
        assert runtime.state.visit.ticket_stage is TicketStage.ISSUING
        runtime.settle()
        assert runtime.state.visit.ticket_stage is TicketStage.FAILED  # ask staff; no number used up
        assert runtime.store.count_issued(MORNING.date(), Procedure.ENQUIRY) == 0
    finally:
        runtime.close()
        printer.close()
        store.close()
        server.close()


def test_jobs_run_one_at_a_time_in_order_on_the_printers_thread(lobby: Lobby) -> None:
    seen: list[tuple[int, str]] = []

    def job(n: int) -> object:
        def run(printer: TicketPrinter) -> int:
            seen.append((n, threading.current_thread().name))
            return n

        return run

    worker = lobby.runtime.printer_jobs
    futures = [worker.submit(job(n)) for n in range(5)]
    assert [f.result(timeout=10) for f in futures] == list(range(5))
    assert seen == [(n, "printer") for n in range(5)]


def test_the_kiosk_waits_for_a_staff_command_holding_the_port_then_owns_it(
    site_config: SiteConfig, lobby: Lobby, tmp_path: Path
) -> None:
    command = PortLock(lobby.printer_config, tmp_path)
    assert command.try_acquire()  # a staff command is printing on its own
    worker = PrinterWorker(lobby.runtime.devices.printer, PortLock(lobby.printer_config, tmp_path))
    try:
        answer = worker.submit(lambda printer: printer.status())
        with pytest.raises(TimeoutError):
            answer.result(timeout=0.3)  # the kiosk does not talk to the printer beside it
        command.release()
        assert answer.result(timeout=10).can_print
        assert not PortLock(lobby.printer_config, tmp_path).try_acquire()  # the kiosk holds it now
    finally:
        worker.close()
        command.release()
    assert PortLock(lobby.printer_config, tmp_path).try_acquire()  # and lets go when it closes


def test_a_serial_printers_lock_is_the_device_itself(site_config: SiteConfig, tmp_path: Path) -> None:
    master, slave = os.openpty()  # a serial port
    try:
        device = os.ttyname(slave)
        config = replace(site_config.printer, connection=PrinterConnection.parse(f"serial://{device}?flow=none"))
        with PortLock(config, tmp_path / "a") as first, PortLock(config, tmp_path / "b") as second:
            assert first.path == Path(device)
            assert first.try_acquire()
            assert not second.try_acquire()  # whatever data folder the other process uses
        assert list(tmp_path.iterdir()) == []  # no lock file for a serial port
    finally:
        os.close(master)
        os.close(slave)
