"""A standard ticket (renewal, Japanese, one clerk note) and printers wired to the emulator through
python-escpos' real `Network` and `Serial` classes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from drivers.printer.emulator import PrinterEmulator
from drivers.printer.escpos_printer import EscposTicketPrinter
from kiosk.domain.model import Answers, HoldingStatus, LectureClass, Procedure
from kiosk.domain.routing import Route, bring_list, estimate_fee
from kiosk.queue.model import PrintState, Ticket
from kiosk.site.model import PrinterConfig, PrinterConnection, SiteConfig
from kiosk.ticket.document import TicketDocument
from kiosk.ticket.layout import build_ticket

RENEWAL = Answers(
    procedure=Procedure.RENEWAL,
    current=HoldingStatus.BOTH,
    wanted=HoldingStatus.MYNA_ONLY,
    lecture_class=LectureClass.EXCELLENT,
    online_lecture_done=False,
)


def standard_ticket(config: SiteConfig, lang: str = "ja", width: int = 576, number: int = 12) -> TicketDocument:
    """The benchmark's ticket: a renewal with a fee, a bring-list and one pre-check note."""
    counter = config.counter_for(Procedure.RENEWAL)
    group = config.groups[counter.group]
    reasons = ("R17.submission_permanent",)
    route = Route(
        procedure=Procedure.RENEWAL,
        counter=counter,
        group=group,
        fee=estimate_fee(config, RENEWAL),
        bring=bring_list(config, RENEWAL),
        reasons=reasons,
    )
    ticket = Ticket(
        id=number,
        number=number,
        group=group.id,
        prefix=group.prefix,
        counter=counter.id,
        procedure=Procedure.RENEWAL,
        current=RENEWAL.current,
        after=RENEWAL.after,
        reasons=reasons,
        business_date=date(2026, 11, 26),
        issued_at=datetime(2026, 11, 26, 0, 15, tzinfo=UTC),
        kiosk_id="lobby-1",
        print_state=PrintState.RESERVED,
    )
    return build_ticket(config, ticket, route, lang, width_dots=width)


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[PrinterEmulator]:
    with PrinterEmulator(tmp_path / "printed") as emu:
        yield emu


def printer_config(site_config: SiteConfig, url: str, **changes: object) -> PrinterConfig:
    base = replace(site_config.printer, connection=PrinterConnection.parse(url), read_timeout_s=0.3)
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
