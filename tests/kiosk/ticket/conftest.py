"""Tickets and routes built from the shipped site config through the real routing functions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from kiosk.domain.model import Answers
from kiosk.domain.routing import Route, route_for
from kiosk.queue.model import PrintState, Ticket
from kiosk.site.model import SiteConfig

BUSINESS_DATE = date(2026, 11, 25)
ISSUED_AT = datetime(2026, 11, 25, 0, 12, tzinfo=UTC)  # 09:12 in Tokyo

Make = Callable[..., tuple[Ticket, Route]]


@pytest.fixture
def make(site_config: SiteConfig) -> Make:
    """(ticket, route) for a visit: `make(answers, reasons=(...), number=12)`."""

    def build(
        answers: Answers,
        reasons: tuple[str, ...] = (),
        number: int = 12,
        issued_at: datetime = ISSUED_AT,
    ) -> tuple[Ticket, Route]:
        procedure = answers.procedure
        assert procedure is not None
        route = route_for(site_config, answers, reasons)
        counter, group = route.counter, route.group
        ticket = Ticket(
            id=1,
            number=number,
            group=group.id,
            prefix=group.prefix,
            counter=counter.id,
            procedure=procedure,
            current=answers.current,
            after=answers.after,
            reasons=reasons,
            business_date=BUSINESS_DATE,
            issued_at=issued_at,
            kiosk_id="lobby-1",
            print_state=PrintState.RESERVED,
        )
        return ticket, route

    return build
