"""The wait the kiosk tells, from a real calling store: tickets issued and called through the stores
on one SQLite file, then a visitor at the kiosk (runtime, flow, screens, ticket)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from drivers.card.sim import SimCardReader
from drivers.display.sim import SimQueueDisplay
from kiosk.demo.printer import DemoPrinter
from kiosk.domain.flow import AnswerQuestion, Back, ChooseLanguage, ChooseProcedure, Continue, Question, Screen, Touch
from kiosk.domain.model import Answers, Procedure
from kiosk.domain.routing import Route, route_for
from kiosk.domain.waiting import WaitEstimate, procedure_wait
from kiosk.queue.lifecycle import CallingSetup
from kiosk.queue.sqlite_calling import SqliteCallingStore
from kiosk.queue.sqlite_store import SqliteTicketStore
from kiosk.shell.runtime import Devices, Runtime
from kiosk.site.model import SiteConfig
from kiosk.ticket.document import TextBlock

JST = ZoneInfo("Asia/Tokyo")
MORNING = datetime(2026, 11, 26, 8, 0, tzinfo=JST)  # Thursday: the counters' morning starts
VISIT = datetime(2026, 11, 26, 9, 15, tzinfo=JST)  # the visitor comes in the excellent class's window
RENEWAL = Answers(procedure=Procedure.RENEWAL)
SERVICE = timedelta(minutes=6)
ANSWERS = (("current", "license_only"), ("wanted", "license_only"), ("lecture_class", "excellent"))


class Kiosk:
    """One kiosk and the lobby's counters on one ticket file, with a clock that moves when told."""

    def __init__(self, config: SiteConfig, tmp_path: Path, *, with_calling: bool = True) -> None:
        self.now = MORNING
        self.config = config
        database = tmp_path / "tickets.sqlite3"
        self.store = SqliteTicketStore(database)
        self.counters = SqliteCallingStore(database, CallingSetup.from_site(config))  # the clerks' side
        self.calling = SqliteCallingStore(database, CallingSetup.from_site(config)) if with_calling else None
        self.printer = DemoPrinter(config, tmp_path / "printed", tmp_path)
        devices = Devices(SimCardReader(today=lambda: self.now.date()), self.printer.driver, SimQueueDisplay(), True)
        self.runtime = Runtime(
            config=config, devices=devices, store=self.store, clock=lambda: self.now, calling=self.calling
        )

    def issue(self, count: int, every: float = 30) -> None:
        """Other visitors take renewal tickets, one every `every` seconds."""
        route = self._route()
        for _ in range(count):
            self.now += timedelta(seconds=every)
            self.store.issue(self.runtime.ticket_request(route, RENEWAL))

    def serve(self, count: int, counter: str = "c1") -> None:
        """The counter calls, starts and finishes `count` renewal tickets, SERVICE each."""
        for _ in range(count):
            self.now += timedelta(seconds=30)
            assert self.counters.call_next(counter, self.now) is not None
            self.now += timedelta(seconds=20)
            self.counters.start(counter, self.now)
            self.now += SERVICE
            self.counters.done(counter, self.now)

    def to_menu(self) -> None:
        self.now = max(self.now, VISIT)
        self.runtime.dispatch(Touch())
        self.runtime.dispatch(ChooseLanguage("ja"))
        assert self.runtime.state.screen is Screen.PROCEDURE

    def renewal_wait(self) -> WaitEstimate | None:
        state = self.runtime.state
        return procedure_wait(self.config, state.lobby, Procedure.RENEWAL, self.now, state.issued_today)

    def take_a_renewal_ticket(self) -> None:
        """From the menu: a licence-card holder renews, confirms and takes the ticket."""
        r = self.runtime
        r.dispatch(ChooseProcedure(Procedure.RENEWAL))
        for question, value in ANSWERS:
            r.dispatch(AnswerQuestion(Question(question), value))
        assert r.state.screen is Screen.CONFIRM
        r.dispatch(Continue())
        r.settle()  # the printer's thread checks, the number is taken, the ticket printed
        assert r.issued and r.issued[-1].printed

    def _route(self) -> Route:
        return route_for(self.config, RENEWAL, ())

    def close(self) -> None:
        self.printer.close()
        self.store.close()
        self.counters.close()
        if self.calling is not None:
            self.calling.close()


@pytest.fixture
def kiosk(site_config: SiteConfig, tmp_path: Path) -> Iterator[Kiosk]:
    k = Kiosk(site_config, tmp_path)
    yield k
    k.close()


def test_the_menu_tells_the_wait_from_todays_service(kiosk: Kiosk) -> None:
    kiosk.issue(11)
    kiosk.serve(5)  # five served at counter 1, six minutes each; six still wait
    kiosk.to_menu()
    facts = kiosk.runtime.state.lobby
    assert facts is not None and facts.calling_today
    renewal = facts.groups["renewal"]
    assert (renewal.waiting, renewal.served, renewal.median_service_min) == (6, 5, 6.0)
    # six waiting x 6 min over counters 1 and 2 (both open): 18 -> about 20
    assert kiosk.renewal_wait() == WaitEstimate(people=6, minutes=20)


def test_a_counter_closed_by_staff_slows_the_estimate(kiosk: Kiosk) -> None:
    kiosk.issue(11)
    kiosk.serve(5)
    kiosk.counters.set_counter_open("c2", False, kiosk.now)
    kiosk.to_menu()
    assert kiosk.renewal_wait() == WaitEstimate(people=6, minutes=40)


def test_nothing_is_told_before_enough_are_served(kiosk: Kiosk) -> None:
    kiosk.issue(10)
    kiosk.serve(4)  # one short of calling.stats_min_samples
    kiosk.to_menu()
    assert kiosk.runtime.state.lobby is not None
    assert kiosk.renewal_wait() is None
    kiosk.take_a_renewal_ticket()
    assert kiosk.runtime.issued[-1].ahead is None


def test_nothing_is_told_before_the_first_call(kiosk: Kiosk) -> None:
    kiosk.issue(30)  # the site may not call numbers through the store at all: 30 "waiting" mean nothing
    kiosk.to_menu()
    facts = kiosk.runtime.state.lobby
    assert facts is not None and not facts.calling_today
    assert kiosk.renewal_wait() is None


def test_the_lobby_is_read_as_the_menu_is_entered_not_while_it_is_shown(kiosk: Kiosk) -> None:
    kiosk.issue(11)
    kiosk.serve(5)
    kiosk.to_menu()
    kiosk.issue(4, every=1)  # another kiosk's visitors, while this one looks at the menu
    for _ in range(20):
        kiosk.now += timedelta(seconds=0.2)
        kiosk.runtime.poll()
    assert kiosk.renewal_wait() == WaitEstimate(6, 20)
    kiosk.runtime.dispatch(ChooseProcedure(Procedure.RENEWAL))
    kiosk.runtime.dispatch(Back())  # the menu entered again: read again
    assert kiosk.renewal_wait() == WaitEstimate(10, 30)


def test_the_confirm_screen_reads_the_lobby_again(kiosk: Kiosk) -> None:
    kiosk.issue(11)
    kiosk.serve(5)
    kiosk.to_menu()
    kiosk.serve(3)  # three more called while the visitor answers
    r = kiosk.runtime
    r.dispatch(ChooseProcedure(Procedure.RENEWAL))
    for question, value in (("current", "license_only"), ("wanted", "license_only"), ("lecture_class", "excellent")):
        r.dispatch(AnswerQuestion(Question(question), value))
    assert r.state.screen is Screen.CONFIRM
    assert kiosk.renewal_wait() == WaitEstimate(3, 10)  # 3 x 6 / 2 = 9 -> about 10


def test_the_ticket_says_how_many_are_ahead(kiosk: Kiosk) -> None:
    kiosk.issue(11)
    kiosk.serve(5)
    kiosk.to_menu()
    kiosk.take_a_renewal_ticket()
    issued = kiosk.runtime.issued[-1]
    assert issued.ahead == 6
    lines = [b.text for b in issued.document.blocks if isinstance(b, TextBlock)]
    assert "あなたの前にお待ちの方：6人" in lines
    assert kiosk.printer.printed, "and it came out of the printer"


def test_the_first_in_line_is_told_nobody_is_ahead(kiosk: Kiosk) -> None:
    kiosk.issue(5)
    kiosk.serve(5)
    kiosk.to_menu()
    assert kiosk.renewal_wait() == WaitEstimate(0, 0)
    kiosk.take_a_renewal_ticket()
    assert kiosk.runtime.issued[-1].ahead == 0


def test_a_calling_store_that_fails_tells_nothing_and_the_visit_goes_on(kiosk: Kiosk) -> None:
    kiosk.issue(11)
    kiosk.serve(5)
    assert kiosk.calling is not None
    kiosk.calling.close()  # its file gone from under it: every read raises StoreError
    kiosk.to_menu()
    assert kiosk.runtime.state.lobby is None
    kiosk.take_a_renewal_ticket()
    assert kiosk.runtime.issued[-1].ahead is None


def test_a_kiosk_without_a_calling_store_tells_no_wait(site_config: SiteConfig, tmp_path: Path) -> None:
    k = Kiosk(site_config, tmp_path, with_calling=False)
    try:
        k.issue(11)
        k.serve(5)
        k.to_menu()
        assert k.runtime.state.lobby is None
        k.take_a_renewal_ticket()
        assert k.runtime.issued[-1].ahead is None
    finally:
        k.close()
