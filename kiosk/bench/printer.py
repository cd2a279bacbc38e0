"""Printer benchmark: the standard Japanese ticket (a renewal with fees, a bring-list and one
pre-check note) at 576 dots (80 mm paper), as the ESC/POS driver sends it.

- `printer.ticket_mm`: the paper it takes, QR code included, before the cut (target <= 120, with
  room for one more line under the number: tests/kiosk/ticket/test_limits.py);
- `printer.ticket_bytes`: bytes of the whole job (target <= 16000); `printer.ticket_bytes_kanji` the
  same in Kanji mode; `printer.ticket_full_raster_bytes` what the naive way sends, the whole
  ticket as one raster (python-escpos' `image()`: one `GS v 0` per 960 rows, for comparison);
  `printer.ticket_s_at_115200` the job's time on a 115200-baud serial line (10 bits a byte, target
  <= 1.5);
- the same three for 58 mm paper (384 dots): `printer.ticket_mm_384`, `printer.ticket_bytes_384`,
  `printer.ticket_s_at_115200_384`.
- `printer.render_ms`: median of layout + render + encode over many tickets, each with its own
  number (so its own QR code), after one warm-up that loads the fonts; `printer.render_first_ms`
  is that warm-up, the cost the first visitor after a restart pays.
- `printer.status_ms`: median of DLE EOT 1..4 round trips to the emulator over TCP (loopback).
"""

from __future__ import annotations

import logging
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.domain.model import Answers, HoldingStatus, LectureClass, Procedure
from kiosk.domain.routing import route_for
from kiosk.queue.model import PrintState, Ticket
from kiosk.site.load import load_site_config
from kiosk.site.model import SiteConfig
from kiosk.ticket.document import TicketDocument
from kiosk.ticket.layout import build_ticket

if TYPE_CHECKING:
    from drivers.printer.bands import TicketJob

CONFIG = Path(__file__).resolve().parents[2] / "config"
TICKETS = 60
STATUS_ROUNDS = 50
DOTS_PER_MM = 8  # 203 dpi
SERIAL_BITS_PER_BYTE = 10  # 8N1: a start and a stop bit
NAIVE_FRAGMENT_ROWS = 960  # python-escpos' image() splits a taller image into fragments of this many rows

STANDARD_ANSWERS = Answers(
    procedure=Procedure.RENEWAL,
    current=HoldingStatus.BOTH,
    wanted=HoldingStatus.MYNA_ONLY,
    lecture_class=LectureClass.EXCELLENT,
    online_lecture_done=False,
)


def standard_ticket(config: SiteConfig, lang: str = "ja", width: int = 576, number: int = 12) -> TicketDocument:
    """The benchmark's ticket (also the golden-bytes tests' one)."""
    answers = STANDARD_ANSWERS
    reasons = ("R17.submission_permanent",)
    route = route_for(config, answers, reasons)
    counter, group = route.counter, route.group
    ticket = Ticket(
        id=number,
        number=number,
        group=group.id,
        prefix=group.prefix,
        counter=counter.id,
        procedure=Procedure.RENEWAL,
        current=answers.current,
        after=answers.after,
        reasons=reasons,
        business_date=date(2026, 11, 26),
        issued_at=datetime(2026, 11, 26, 0, 15, tzinfo=UTC),
        kiosk_id=config.site.kiosk_id,
        print_state=PrintState.RESERVED,
    )
    return build_ticket(config, ticket, route, lang, width_dots=width)


def standard_job(
    config: SiteConfig, lang: str = "ja", width: int = 576, number: int = 12, kanji: bool = False
) -> TicketJob:
    """The benchmark's ticket as the printer driver takes it."""
    from kiosk.ticket.render import ticket_job

    return ticket_job(standard_ticket(config, lang, width, number), kanji)


def encoded(document: TicketDocument, kanji: bool = False) -> bytes:
    """The whole ESC/POS job the driver sends for `document`."""
    from drivers.printer.escpos_codec import encode_bands
    from kiosk.ticket.render import ticket_bands

    return encode_bands(ticket_bands(document, kanji), kanji=kanji)


def full_raster_bytes(width: int, height: int) -> int:
    """Bytes of a `width` x `height` ticket sent whole as raster, as python-escpos 3.1's
    `image(impl="bitImageRaster")` sends it: an 8-byte `GS v 0` header per fragment, then the rows."""
    row_bytes = (width + 7) // 8
    return sum(8 + row_bytes * min(NAIVE_FRAGMENT_ROWS, height - top) for top in range(0, height, NAIVE_FRAGMENT_ROWS))


def ticket_figures(document: TicketDocument, suffix: str = "") -> dict[str, float]:
    """Length, bytes and serial time of one ticket: `printer.ticket_mm{suffix}` and so on."""
    from kiosk.ticket.render import ticket_job

    job = encoded(document)
    return {
        f"printer.ticket_mm{suffix}": round(ticket_job(document).length_dots / DOTS_PER_MM, 1),
        f"printer.ticket_bytes{suffix}": len(job),
        f"printer.ticket_s_at_115200{suffix}": round(len(job) * SERIAL_BITS_PER_BYTE / 115200, 2),
    }


def measure() -> dict[str, float]:
    from kiosk.ticket.render import render_ticket

    config = load_site_config(CONFIG)
    timings: list[float] = []
    for number in range(1, TICKETS + 2):
        start = time.perf_counter_ns()
        encoded(standard_ticket(config, number=number))
        timings.append((time.perf_counter_ns() - start) / 1e6)
    first, rest = timings[0], timings[1:]

    document = standard_ticket(config)
    paper = render_ticket(document)
    return {
        **ticket_figures(document),
        **ticket_figures(standard_ticket(config, width=384), "_384"),
        "printer.ticket_bytes_kanji": len(encoded(document, kanji=True)),
        "printer.ticket_full_raster_bytes": full_raster_bytes(paper.width, paper.height),
        "printer.render_first_ms": round(first, 2),
        "printer.render_ms": round(statistics.median(rest), 2),
        "printer.status_ms": _status_ms(config),
    }


def _status_ms(config: SiteConfig) -> float:
    from dataclasses import replace

    from drivers.printer.emulator import PrinterEmulator
    from drivers.printer.escpos_printer import EscposTicketPrinter
    from drivers.printer.settings import PrinterConnection
    from kiosk.ticket.render import compose

    logging.getLogger("drivers.printer").setLevel(logging.WARNING)
    with (
        tempfile.TemporaryDirectory(prefix="kiosk-bench-") as scratch,
        PrinterEmulator(Path(scratch), draw=compose) as emulator,
    ):
        port = emulator.serve_tcp()
        printer_config = replace(config.printer, connection=PrinterConnection.parse(f"tcp://127.0.0.1:{port}"))
        printer = EscposTicketPrinter(printer_config)
        try:
            printer.status()  # connect first: the figure is a round trip, not a connect
            rounds: list[float] = []
            for _ in range(STATUS_ROUNDS):
                start = time.perf_counter_ns()
                status = printer.status()
                rounds.append((time.perf_counter_ns() - start) / 1e6)
                if not status.can_print:
                    raise RuntimeError(f"the emulator did not answer the status query: {status}")
        finally:
            printer.close()
    return round(statistics.median(rounds), 3)
