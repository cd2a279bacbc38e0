"""Ticket render benchmark: lay out and render a standard Japanese ticket at 576 dots (80 mm paper).

`printer.render_ms` is the median of build + render over many tickets, each with its own number
(so its own QR code), after one warm-up that loads the fonts; `printer.render_first_ms` is that
warm-up, the cost the first visitor after a restart pays.
"""

from __future__ import annotations

import statistics
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.domain.model import Answers, HoldingStatus, LectureClass, Procedure
from kiosk.domain.routing import Route, bring_list, estimate_fee
from kiosk.queue.model import PrintState, Ticket
from kiosk.site.load import load_site_config
from kiosk.ticket.layout import build_ticket
from kiosk.ticket.render import render_ticket

CONFIG = Path(__file__).resolve().parents[2] / "config"
TICKETS = 60


def _ticket(number: int, route: Route, answers: Answers) -> Ticket:
    return Ticket(
        id=number,
        number=number,
        group=route.group.id,
        prefix=route.group.prefix,
        counter=route.counter.id,
        procedure=route.procedure,
        current=answers.current,
        after=answers.after,
        reasons=("R17.submission_permanent",),
        business_date=date(2026, 11, 26),
        issued_at=datetime(2026, 11, 26, 9, 15, tzinfo=ZoneInfo("Asia/Tokyo")),
        kiosk_id="lobby-1",
        print_state=PrintState.RESERVED,
    )


def measure() -> dict[str, float]:
    config = load_site_config(CONFIG)
    answers = Answers(
        procedure=Procedure.RENEWAL,
        current=HoldingStatus.BOTH,
        wanted=HoldingStatus.MYNA_ONLY,
        lecture_class=LectureClass.EXCELLENT,
        online_lecture_done=False,
    )
    counter = config.counter_for(Procedure.RENEWAL)
    route = Route(
        procedure=Procedure.RENEWAL,
        counter=counter,
        group=config.groups[counter.group],
        fee=estimate_fee(config, answers),
        bring=bring_list(config, answers),
        reasons=("R17.submission_permanent",),
    )
    timings: list[float] = []
    for number in range(1, TICKETS + 2):
        start = time.perf_counter_ns()
        render_ticket(build_ticket(config, _ticket(number, route, answers), route, "ja"))
        timings.append((time.perf_counter_ns() - start) / 1e6)
    first, rest = timings[0], timings[1:]
    return {
        "printer.render_first_ms": round(first, 2),
        "printer.render_ms": round(statistics.median(rest), 2),
    }
