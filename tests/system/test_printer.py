"""The kiosk's shell with the real ESC/POS driver and the emulator: printer faults as a visitor and
staff meet them. No number is taken while the printer cannot print; a number whose ticket did not
come out stays on screen and is never printed again by itself; staff reprint and test on purpose."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from drivers.card.sim import SimCardReader
from drivers.display.sim import SimQueueDisplay
from drivers.interfaces import HealthState, PaperState
from drivers.printer.emulator import PrinterEmulator
from drivers.printer.escpos_printer import EscposTicketPrinter
from drivers.printer.settings import PrinterConnection
from kiosk.cli import main
from kiosk.domain.flow import ChooseLanguage, ChooseProcedure, Continue, Screen, TicketStage, Touch
from kiosk.domain.model import Procedure
from kiosk.queue.model import PrintState
from kiosk.queue.sqlite_store import SqliteTicketStore
from kiosk.shell.runtime import Devices, Runtime
from kiosk.site.model import SiteConfig, Storage
from kiosk.ticket.render import compose
from tests.drivers.printer.conftest import within

MORNING = datetime(2026, 11, 26, 9, 30, tzinfo=ZoneInfo("Asia/Tokyo"))


class Lobby:
    """One kiosk: runtime, store, emulator, and a clock that moves when told."""

    def __init__(self, config: SiteConfig, emulator: PrinterEmulator, tmp_path: Path, **printer: object) -> None:
        self.now = MORNING
        self.emulator = emulator
        port = emulator.serve_tcp()
        url = PrinterConnection.parse(f"tcp://127.0.0.1:{port}")
        printer_config = replace(config.printer, connection=url, **printer)  # type: ignore[arg-type]
        self.config = replace(config, printer=printer_config, storage=Storage(data_dir=tmp_path))
        self.printer = EscposTicketPrinter.from_config(printer_config, tmp_path)
        self.store = SqliteTicketStore(tmp_path / "tickets.sqlite3")
        devices = Devices(SimCardReader(today=lambda: self.now.date()), self.printer, SimQueueDisplay(), True)
        self.runtime = Runtime(config=self.config, devices=devices, store=self.store, clock=lambda: self.now)

    def visit(self) -> None:
        """A visitor asks for a ticket (an enquiry: no questions, no card)."""
        self.now += timedelta(minutes=1)
        for event in (Touch(), ChooseLanguage("ja"), ChooseProcedure(Procedure.ENQUIRY), Continue()):
            self.runtime.dispatch(event)
        assert self.stage is TicketStage.ISSUING  # drawn first: "Printing your ticket…"
        self.runtime.settle()  # the printer's thread checks it, then prints the ticket
        assert self.runtime.state.screen is Screen.TICKET and self.stage is not TicketStage.ISSUING

    def leave(self) -> None:
        self.runtime.dispatch(Continue())
        self.runtime.dispatch(Continue())
        assert self.runtime.state.screen is Screen.WELCOME

    @property
    def stage(self) -> TicketStage | None:
        return self.runtime.state.visit.ticket_stage

    def issued_today(self) -> int:
        return self.store.count_issued(self.now.date(), Procedure.ENQUIRY)

    def close(self) -> None:
        self.runtime.close()
        self.printer.close()
        self.store.close()


@pytest.fixture
def lobby(site_config: SiteConfig, tmp_path: Path) -> Iterator[Lobby]:
    with PrinterEmulator(tmp_path / "printed", draw=compose) as emulator:
        kiosk = Lobby(site_config, emulator, tmp_path)
        yield kiosk
        kiosk.close()


def test_a_visitor_gets_a_printed_ticket(lobby):
    lobby.visit()
    assert lobby.stage is TicketStage.PRINTED
    assert len(lobby.emulator.printed) == 1
    assert lobby.runtime.issued[-1].ticket.label == lobby.runtime.state.visit.ticket_label


@pytest.mark.parametrize(
    "fault",
    [
        lambda e: e.set_paper(PaperState.END),
        lambda e: e.set_cover_open(True),
        lambda e: e.set_offline(True),
        lambda e: e.set_no_reply(True),
    ],
    ids=["paper-end", "cover-open", "offline", "no-reply"],
)
def test_no_number_is_taken_while_the_printer_cannot_print_and_issuing_resumes_by_itself(lobby, fault):
    fault(lobby.emulator)
    lobby.visit()
    visit = lobby.runtime.state.visit
    assert lobby.stage is TicketStage.FAILED  # the screen says: ask staff
    assert visit.refusal is not None and visit.refusal.reason == "printer_unavailable"
    assert visit.ticket_label is None and lobby.issued_today() == 0  # no number used up
    assert lobby.printer.health().state is HealthState.DOWN
    lobby.leave()
    # Staff fix the printer; the next visitor simply gets a ticket.
    lobby.emulator.set_paper(PaperState.OK)
    lobby.emulator.set_cover_open(False)
    lobby.emulator.set_offline(False)
    lobby.emulator.set_no_reply(False)
    lobby.visit()
    assert lobby.stage is TicketStage.PRINTED and lobby.issued_today() == 1
    assert lobby.printer.health().state is HealthState.OK


def test_paper_near_end_still_issues_and_staff_see_it(lobby):
    lobby.emulator.set_paper(PaperState.NEAR_END)
    lobby.visit()
    assert lobby.stage is TicketStage.PRINTED
    assert lobby.printer.health().state is HealthState.DEGRADED


def test_a_ticket_cut_short_keeps_its_number_on_screen_and_is_never_replayed(lobby, tmp_path):
    lobby.emulator.paper_end_after(0)  # the roll ends during the next ticket
    lobby.visit()
    label = lobby.runtime.state.visit.ticket_label
    assert lobby.stage is TicketStage.PRINT_FAILED and label is not None  # the number, on screen
    ticket = lobby.runtime.issued[-1].ticket
    stored = lobby.store.get(ticket.group, ticket.business_date, ticket.number)
    assert stored is not None and stored.print_state is PrintState.PRINT_FAILED
    lobby.leave()
    # A new roll; the kiosk runs on, polls the printer, serves the next visitor: the lost ticket stays lost.
    lobby.emulator.set_paper(PaperState.OK)
    for _ in range(20):
        lobby.now += timedelta(seconds=5)
        lobby.runtime.poll()
        lobby.runtime.settle()
    lobby.visit()
    assert len(lobby.emulator.printed) == 1  # only the new visitor's ticket
    assert lobby.store.get(ticket.group, ticket.business_date, ticket.number).print_state is PrintState.PRINT_FAILED

    # Staff reprint it on purpose, marked as a reprint.
    config_file = write_config(lobby, tmp_path)
    assert main(["reprint", label, "--config", str(config_file), "--date", f"{ticket.business_date}"]) == 0
    assert len(lobby.emulator.printed) == 2
    stored = lobby.store.get(ticket.group, ticket.business_date, ticket.number)
    assert stored is not None and stored.print_state is PrintState.REPRINTED
    with Image.open(lobby.emulator.printed[-1]) as reprint:
        assert reprint.width == 576


def write_config(lobby: Lobby, tmp_path: Path) -> Path:
    """The shipped config pointing at this lobby's emulator and data folder."""
    from tests.kiosk.site.test_load import shipped_text

    text = shipped_text()
    text = text.replace('url = "tcp://127.0.0.1:9100"', f'url = "{lobby.config.printer.connection.url}"')
    text = text.replace('data_dir = "../.data"', f'data_dir = "{tmp_path}"')
    path = tmp_path / "config" / "site.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_print_test_prints_and_reports_the_status(lobby, tmp_path, capsys):
    assert main(["print-test", "--config", str(write_config(lobby, tmp_path))]) == 0
    assert len(lobby.emulator.printed) == 1
    assert "online=True paper=ok" in capsys.readouterr().out


def test_print_test_fails_clearly_when_the_printer_cannot_print(lobby, tmp_path, capsys):
    lobby.emulator.set_cover_open(True)
    assert main(["print-test", "--config", str(write_config(lobby, tmp_path))]) == 1
    assert "cover open" in capsys.readouterr().err
    assert lobby.emulator.printed == []


def test_reprint_of_an_unknown_number_says_so(lobby, tmp_path, capsys):
    config_file = write_config(lobby, tmp_path)
    assert main(["reprint", "X-001", "--config", str(config_file)]) == 2
    assert "not a ticket number of this site" in capsys.readouterr().err
    assert main(["reprint", "G-999", "--config", str(config_file)]) == 2
    assert "no ticket G-999" in capsys.readouterr().err


def test_demo_prints_through_an_outside_printer_url(site_config, tmp_path):
    with PrinterEmulator(tmp_path / "outside", draw=compose) as emulator:
        port = emulator.serve_tcp()
        out = tmp_path / "demo"
        code = main(
            ["demo", "--headless", "--scenario", "enquiry", "--out", str(out), "--printer", f"tcp://127.0.0.1:{port}"]
        )
        assert code == 0
        assert len(emulator.printed) == 1
        assert (out / "ticket.png").exists() is False  # the outside printer's PNGs are its own


def test_the_demo_prints_through_the_in_process_emulator(tmp_path):
    out = tmp_path / "demo"
    assert main(["demo", "--headless", "--scenario", "enquiry", "--out", str(out)]) == 0
    with Image.open(out / "ticket.png") as ticket:
        assert ticket.mode == "1" and ticket.width == 576


def test_staff_are_told_once_each_time_the_printers_health_changes(lobby, caplog):
    caplog.set_level(logging.INFO, logger="kiosk.shell.runtime")

    def poll_a_while() -> None:
        for _ in range(4):
            lobby.now += timedelta(seconds=20)  # past the kiosk's printer check interval
            lobby.runtime.poll()
            lobby.runtime.settle()  # the check runs on the printer's thread

    poll_a_while()
    lobby.emulator.set_paper(PaperState.NEAR_END)
    poll_a_while()
    lobby.emulator.set_paper(PaperState.END)
    poll_a_while()
    lobby.emulator.set_paper(PaperState.OK)
    poll_a_while()
    said = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "kiosk.shell.runtime"]
    assert said == [
        ("INFO", "printer ok: ready"),
        ("WARNING", "printer degraded: paper near end: change the roll soon"),
        ("ERROR", "printer down: paper end: load a new roll"),
        ("INFO", "printer ok: ready"),
    ]


def test_reprint_without_a_ticket_database_creates_none(lobby, tmp_path, capsys):
    config_file = write_config(lobby, tmp_path / "elsewhere")
    assert main(["reprint", "G-001", "--config", str(config_file)]) == 2
    assert "no ticket database" in capsys.readouterr().err
    assert not (tmp_path / "elsewhere" / "tickets.sqlite3").exists()


def test_new_roll_that_cannot_write_its_counter_file_fails_clearly(tmp_path, capsys):
    from tests.kiosk.site.test_load import shipped_text

    blocked = tmp_path / "data"
    blocked.write_text("a file where the data folder should be", encoding="utf-8")
    path = tmp_path / "site.toml"
    path.write_text(shipped_text().replace('data_dir = "../.data"', f'data_dir = "{blocked}"'), encoding="utf-8")
    assert main(["new-roll", "--config", str(path)]) == 1
    assert "could not be written" in capsys.readouterr().err


def test_a_printer_flooding_the_link_takes_no_number_and_never_hangs_the_kiosk(site_config, tmp_path):
    def day(emulator: PrinterEmulator) -> None:  # on one thread: the store belongs to the thread that opened it
        lobby = Lobby(site_config, emulator, tmp_path)
        try:
            emulator.set_flood(True)
            lobby.visit()
            assert lobby.stage is TicketStage.FAILED and lobby.issued_today() == 0
            assert lobby.printer.health().state is HealthState.DOWN
            lobby.leave()
            emulator.set_flood(False)
            lobby.visit()
            assert lobby.stage is TicketStage.PRINTED and lobby.issued_today() == 1
        finally:
            lobby.close()

    with PrinterEmulator(tmp_path / "printed", draw=compose) as emulator:
        within(30, lambda: day(emulator))


def test_a_job_the_printer_never_reads_is_print_failed_whatever_it_sends_and_never_prints_later(site_config, tmp_path):
    def day(emulator: PrinterEmulator) -> None:
        lobby = Lobby(site_config, emulator, tmp_path, write_timeout_s=1.0)
        try:
            emulator.stall_next_job()  # answers the status, then never reads the job and says "all is well"
            lobby.visit()
            assert lobby.stage is TicketStage.PRINT_FAILED  # the number stays on screen
            ticket = lobby.runtime.issued[-1].ticket
            stored = lobby.store.get(ticket.group, ticket.business_date, ticket.number)
            assert stored is not None and stored.print_state is PrintState.PRINT_FAILED
            lobby.leave()
            lobby.visit()  # still deaf: no number is taken
            assert lobby.stage is TicketStage.FAILED and lobby.issued_today() == 1
            lobby.leave()
            emulator.set_deaf(False)  # it reads again: the stalled job must not come out now
            lobby.visit()
            assert lobby.stage is TicketStage.PRINTED and lobby.issued_today() == 2
            assert len(emulator.printed) == 1
            again = lobby.store.get(ticket.group, ticket.business_date, ticket.number)
            assert again is not None and again.print_state is PrintState.PRINT_FAILED
        finally:
            lobby.close()

    with PrinterEmulator(tmp_path / "printed", draw=compose) as emulator:
        within(60, lambda: day(emulator))
