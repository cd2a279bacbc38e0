"""Calling tickets in the SQLite store: the lifecycle through the real file, one transaction per step,
the event log every screen follows, counters per business day, and several processes at once."""

from __future__ import annotations

import asyncio
import dataclasses
import multiprocessing
import sqlite3
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from datetime import time as wall_time
from multiprocessing.synchronize import Barrier
from multiprocessing.synchronize import Event as MpEvent
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from kiosk.domain.lifecycle import EventKind, Share, TicketState
from kiosk.domain.model import Procedure
from kiosk.queue.lifecycle import (
    CallingSetup,
    CallingStore,
    CounterClosed,
    NotAllowed,
    NothingAtCounter,
    UnknownCounter,
    UnknownGroup,
    UnknownTicket,
)
from kiosk.queue.model import PrintState, Ticket, TicketRequest
from kiosk.queue.notify import Notifier
from kiosk.queue.sqlite_calling import SqliteCallingStore
from kiosk.queue.sqlite_notify import SqliteNotifier
from kiosk.queue.sqlite_store import SCHEMA_VERSION, SqliteTicketStore
from kiosk.site.model import CallingConfig

JST = timezone(timedelta(hours=9))
DAY = date(2026, 11, 26)
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=JST)
PREFIXES = {"myna": "M", "renewal": "R", "general": "G"}


def make_setup(**rules: Any) -> CallingSetup:
    base = CallingConfig(
        recalls_before_no_show=2,
        transfer_keeps_place=True,
        same_press_window_s=2.0,
        recent_calls=3,
        stats_min_samples=2,
    )
    return CallingSetup(
        timezone="Asia/Tokyo",
        business_day_reset=wall_time(5, 0),
        groups=MappingProxyType(PREFIXES),
        counters=MappingProxyType(
            {
                "c13": (Share("myna", 1),),
                "c1": (Share("renewal", 1),),
                "c5": (Share("renewal", 2), Share("general", 1)),
                "c6": (Share("general", 1),),
                **{f"p{i}": (Share("myna", 1),) for i in range(4)},  # for the several-process tests
            }
        ),
        rules=dataclasses.replace(base, **rules),
    )


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def request(group: str = "myna", minutes: float = 0, lang: str | None = "ja") -> TicketRequest:
    return TicketRequest(
        group=group,
        prefix=PREFIXES[group],
        first_number=1,
        last_number=9999,
        counter="c13",
        procedure=Procedure.MYNA_SERVICE,
        current=None,
        after=None,
        reasons=(),
        business_date=DAY,
        issued_at=at(minutes),
        kiosk_id="kiosk-1",
        lang=lang,
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "tickets.sqlite3"


@pytest.fixture
def tickets(db: Path) -> Iterator[SqliteTicketStore]:
    store = SqliteTicketStore(db)
    yield store
    store.close()


@pytest.fixture
def calls(db: Path, tickets: SqliteTicketStore) -> Iterator[SqliteCallingStore]:
    store = SqliteCallingStore(db, make_setup())
    yield store
    store.close()


def _is_a_calling_store(store: SqliteCallingStore) -> CallingStore:
    return store  # mypy fails here when the class drifts from the Protocol


def _is_a_notifier(notifier: SqliteNotifier) -> Notifier:
    return notifier


def issue(tickets: SqliteTicketStore, n: int, group: str = "myna", minutes: float = 0) -> list[Ticket]:
    return [tickets.issue(request(group, minutes)) for _ in range(n)]


def kinds(store: SqliteCallingStore, after: int = 0) -> list[tuple[str, str | None]]:
    return [(e.kind.value, e.label) for e in store.events_after(after, limit=1000)]


# --- call next -----------------------------------------------------------------------------------


def test_call_next_calls_in_issue_order_and_none_when_nobody_waits(
    tickets: SqliteTicketStore, calls: SqliteCallingStore
) -> None:
    issue(tickets, 2)
    first = calls.call_next("c13", at(1))
    second = calls.call_next("c13", at(2))
    assert first is not None and second is not None
    assert (first.label, first.state, first.counter, first.repeated) == ("M-001", TicketState.CALLED, "c13", False)
    assert second.label == "M-002"
    assert calls.call_next("c13", at(3)) is None
    assert kinds(calls) == [
        ("issued", "M-001"),
        ("issued", "M-002"),
        ("called", "M-001"),
        ("done", "M-001"),  # "next" finishes the visitor at the counter
        ("called", "M-002"),
        ("done", "M-002"),
    ]


def test_a_second_press_within_the_window_is_the_same_call(
    tickets: SqliteTicketStore, calls: SqliteCallingStore
) -> None:
    issue(tickets, 2)
    first = calls.call_next("c13", at(1))
    last_event = calls.last_event_id()
    again = calls.call_next("c13", at(1) + timedelta(seconds=1.5))
    assert first is not None and again is not None
    assert (again.ticket_id, again.event_id, again.at, again.repeated) == (
        first.ticket_id,
        first.event_id,
        first.at,
        True,
    )
    assert calls.last_event_id() == last_event, "a repeated press writes nothing"
    later = calls.call_next("c13", at(1) + timedelta(seconds=2.5))
    assert later is not None and later.label == "M-002" and not later.repeated


def test_the_same_press_window_is_per_counter(tickets: SqliteTicketStore, calls: SqliteCallingStore) -> None:
    issue(tickets, 2, "renewal")
    one = calls.call_next("c1", at(1))
    other = calls.call_next("c5", at(1))
    assert one is not None and other is not None
    assert (one.label, other.label) == ("R-001", "R-002")


def test_a_press_after_the_called_visitor_was_started_is_a_new_call(
    tickets: SqliteTicketStore, calls: SqliteCallingStore
) -> None:
    issue(tickets, 2)
    calls.call_next("c13", at(1))
    calls.start("c13", at(1) + timedelta(seconds=0.5))
    nxt = calls.call_next("c13", at(1) + timedelta(seconds=1))
    assert nxt is not None and nxt.label == "M-002" and not nxt.repeated


def test_a_counter_calls_only_from_its_groups_with_the_configured_weights(
    tickets: SqliteTicketStore, calls: SqliteCallingStore
) -> None:
    issue(tickets, 10, "renewal")
    issue(tickets, 10, "general")
    issue(tickets, 10, "myna")
    labels = []
    for i in range(9):
        outcome = calls.call_next("c5", at(10 + i))
        assert outcome is not None
        labels.append(outcome.label)
    assert [label[0] for label in labels] == list("RGRRGRRGR")
    assert labels[:3] == ["R-001", "G-001", "R-002"]


def test_an_unknown_counter_is_refused_by_name(calls: SqliteCallingStore) -> None:
    for action in (calls.call_next, calls.recall, calls.start, calls.done, calls.no_show):
        with pytest.raises(UnknownCounter, match=r'"c99".*c13'):
            action("c99", at(1))
    with pytest.raises(UnknownCounter):
        calls.set_counter_open("c99", False, at(1))


def test_naive_times_are_refused(calls: SqliteCallingStore) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        calls.call_next("c13", datetime(2026, 11, 26, 9, 0))


# --- the steps at a counter ----------------------------------------------------------------------


def test_recall_then_no_show_only_after_enough_recalls(tickets: SqliteTicketStore, calls: SqliteCallingStore) -> None:
    issue(tickets, 1)
    calls.call_next("c13", at(1))
    with pytest.raises(NotAllowed, match="recalled 0 of 2"):
        calls.no_show("c13", at(2))
    assert calls.recall("c13", at(3)).recalls == 1
    with pytest.raises(NotAllowed, match="recalled 1 of 2"):
        calls.no_show("c13", at(4))
    assert calls.recall("c13", at(5)).recalls == 2
    gone = calls.no_show("c13", at(6))
    assert (gone.state, gone.label) == (TicketState.NO_SHOW, "M-001")
    with pytest.raises(NothingAtCounter):
        calls.recall("c13", at(7))
    assert kinds(calls)[1:] == [("called", "M-001"), ("recalled", "M-001"), ("recalled", "M-001"), ("no_show", "M-001")]


def test_no_show_at_once_when_configured_with_zero_recalls(db: Path, tickets: SqliteTicketStore) -> None:
    issue(tickets, 1)
    store = SqliteCallingStore(db, make_setup(recalls_before_no_show=0))
    try:
        store.call_next("c13", at(1))
        assert store.no_show("c13", at(2)).state is TicketState.NO_SHOW
    finally:
        store.close()


def test_start_and_done_keep_the_time_of_every_step(
    tickets: SqliteTicketStore, calls: SqliteCallingStore, db: Path
) -> None:
    issue(tickets, 1)
    calls.call_next("c13", at(10))
    assert calls.start("c13", at(11)).state is TicketState.SERVING
    with pytest.raises(NotAllowed, match="serving ticket cannot be given start"):
        calls.start("c13", at(11.5))
    assert calls.done("c13", at(15)).state is TicketState.DONE
    conn = sqlite3.connect(db)
    try:
        row = conn.execute("SELECT issued_at, called_at, serving_at, done_at, state, at_counter FROM ticket").fetchone()
    finally:
        conn.close()
    assert row == (at(0).isoformat(), at(10).isoformat(), at(11).isoformat(), at(15).isoformat(), "done", "c13")


def test_actions_at_a_counter_with_nothing_called_are_refused(calls: SqliteCallingStore) -> None:
    for action in (calls.recall, calls.start, calls.done, calls.no_show):
        with pytest.raises(NothingAtCounter, match="c13"):
            action("c13", at(1))


# --- transfer and cancel -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keeps_place", "expected"), [(True, ["M-001", "R-001", "R-002"]), (False, ["R-001", "R-002", "M-001"])]
)
def test_a_transferred_ticket_keeps_its_number_and_its_place_or_goes_to_the_back(
    db: Path, tickets: SqliteTicketStore, keeps_place: bool, expected: list[str]
) -> None:
    issue(tickets, 1, "myna", minutes=0)
    issue(tickets, 2, "renewal", minutes=1)
    store = SqliteCallingStore(db, make_setup(transfer_keeps_place=keeps_place))
    try:
        called = store.call_next("c13", at(2))
        assert called is not None and called.label == "M-001"
        moved = store.transfer("M-001", "renewal", at(3))
        assert (moved.label, moved.group, moved.state, moved.counter) == ("M-001", "renewal", TicketState.WAITING, None)
        state = store.lobby_state(at(3))
        assert state.counters[0].calling is None, "the transfer freed counter 13"
        assert [w.label for w in state.waiting_list["renewal"]] == expected
        assert [w.transferred for w in state.waiting_list["renewal"]] == [label == "M-001" for label in expected]
        order = []
        for i in range(3):
            outcome = store.call_next("c1", at(4 + i))
            assert outcome is not None
            order.append(outcome.label)
        assert order == expected
        event = next(e for e in store.events_after(0) if e.kind is EventKind.TRANSFERRED)
        assert (event.label, event.from_group, event.group, event.counter) == ("M-001", "myna", "renewal", "c13")
    finally:
        store.close()


def test_transfer_refuses_an_unknown_group_the_same_group_and_an_ended_ticket(
    tickets: SqliteTicketStore, calls: SqliteCallingStore
) -> None:
    issue(tickets, 1)
    with pytest.raises(UnknownGroup, match='"nowhere"'):
        calls.transfer("M-001", "nowhere", at(1))
    with pytest.raises(NotAllowed, match="already waits in myna"):
        calls.transfer("M-001", "myna", at(1))
    calls.cancel("M-001", at(2))
    with pytest.raises(NotAllowed, match="cancelled ticket cannot be given transfer"):
        calls.transfer("M-001", "renewal", at(3))


def test_cancel_by_label_or_id_takes_the_ticket_out_of_the_line(
    tickets: SqliteTicketStore, calls: SqliteCallingStore
) -> None:
    first, second, _ = issue(tickets, 3)
    assert calls.cancel("m-001", at(1)).state is TicketState.CANCELLED  # labels as staff type them
    assert calls.cancel(second.id, at(1)).label == "M-002"
    outcome = calls.call_next("c13", at(2))
    assert outcome is not None and outcome.label == "M-003"
    assert first.id != second.id


@pytest.mark.parametrize("label", ["M-099", "X-001", "M-", "twelve", "M-0x1"])
def test_a_ticket_not_issued_today_is_unknown(
    tickets: SqliteTicketStore, calls: SqliteCallingStore, label: str
) -> None:
    issue(tickets, 1)
    with pytest.raises(UnknownTicket):
        calls.cancel(label, at(1))


def test_labels_are_looked_up_on_the_business_date_of_now(
    tickets: SqliteTicketStore, calls: SqliteCallingStore
) -> None:
    issue(tickets, 1)
    with pytest.raises(UnknownTicket, match="2026-11-27"):
        calls.cancel("M-001", at(24 * 60))


# --- counters ------------------------------------------------------------------------------------


def test_a_closed_counter_calls_nobody_until_reopened_and_the_next_day_opens_it(
    tickets: SqliteTicketStore, calls: SqliteCallingStore
) -> None:
    issue(tickets, 1)
    assert calls.set_counter_open("c13", False, at(1)) is True
    assert calls.set_counter_open("c13", False, at(2)) is False
    with pytest.raises(CounterClosed, match="c13"):
        calls.call_next("c13", at(3))
    assert calls.lobby_state(at(3)).counters[0].open is False
    assert calls.lobby_state(at(24 * 60)).counters[0].open is True, "a new business day opens every counter"
    assert calls.set_counter_open("c13", True, at(4)) is True
    outcome = calls.call_next("c13", at(5))
    assert outcome is not None and outcome.label == "M-001"
    assert [k for k, _ in kinds(calls)] == ["issued", "counter_closed", "counter_opened", "called"]
    assert [e.counter for e in calls.events_after(1)][:2] == ["c13", "c13"]


# --- print failures, language --------------------------------------------------------------------


def test_a_ticket_whose_print_failed_stays_in_line_marked_no_paper(
    tickets: SqliteTicketStore, calls: SqliteCallingStore
) -> None:
    failed, printed = issue(tickets, 2)
    tickets.set_print_state(failed.id, PrintState.PRINT_FAILED, at(0.1))
    tickets.set_print_state(printed.id, PrintState.PRINTED, at(0.1))
    line = calls.lobby_state(at(1)).waiting_list["myna"]
    assert [(w.label, w.no_paper) for w in line] == [("M-001", True), ("M-002", False)]
    outcome = calls.call_next("c13", at(2))
    assert outcome is not None and outcome.no_paper
    assert calls.lobby_state(at(2)).counters[0].no_paper is True
    assert ("print_failed", "M-001") in kinds(calls)
    tickets.set_print_state(failed.id, PrintState.REPRINTED, at(3))
    assert calls.lobby_state(at(3)).counters[0].no_paper is False
    assert kinds(calls)[-1] == ("reprinted", "M-001")


def test_the_visitors_language_is_kept_on_the_ticket_and_its_events(
    tickets: SqliteTicketStore, calls: SqliteCallingStore
) -> None:
    ticket = tickets.issue(request(lang="vi"))
    unknown = tickets.issue(request(lang=None))
    assert tickets.get("myna", DAY, 1) == ticket and ticket.lang == "vi"
    assert tickets.get("myna", DAY, 2) == unknown and unknown.lang is None
    outcome = calls.call_next("c13", at(1))
    assert outcome is not None and outcome.lang == "vi"
    assert [e.lang for e in calls.events_after(0)] == ["vi", None, "vi"]


# --- the lobby state and the event log -----------------------------------------------------------


def test_lobby_state_carries_what_api_state_needs(tickets: SqliteTicketStore, calls: SqliteCallingStore) -> None:
    issue(tickets, 3)
    issue(tickets, 1, "general")
    calls.call_next("c13", at(1))
    state = calls.lobby_state(at(1))
    data = state.as_json()
    assert data["event_id"] == calls.last_event_id() == state.event_id
    assert data["waiting"] == {"myna": 2, "renewal": 0, "general": 1}
    counters = data["counters"]
    assert isinstance(counters, list)
    assert counters[0] == {
        "id": "c13",
        "open": True,
        "calling": "M-001",
        "state": "called",
        "groups": ["myna"],
        "no_paper": False,
    }
    assert [c["id"] for c in counters] == ["c13", "c1", "c5", "c6", "p0", "p1", "p2", "p3"]
    assert all(c["calling"] is None for c in counters[1:])


def test_recent_calls_are_newest_first_and_at_most_the_configured_number(
    tickets: SqliteTicketStore, calls: SqliteCallingStore
) -> None:
    issue(tickets, 4)
    for i in range(4):
        calls.call_next("c13", at(1 + i))
    calls.recall("c13", at(6))
    recent = calls.lobby_state(at(6)).recent_calls
    assert [(r.label, r.recall, r.counter) for r in recent] == [
        ("M-004", True, "c13"),
        ("M-004", False, "c13"),
        ("M-003", False, "c13"),
    ]


def test_yesterdays_tickets_are_not_in_todays_lobby(tickets: SqliteTicketStore, calls: SqliteCallingStore) -> None:
    issue(tickets, 2)
    state = calls.lobby_state(at(24 * 60))
    assert state.business_date == DAY + timedelta(days=1)
    assert state.waiting["myna"] == 0
    assert calls.call_next("c13", at(24 * 60)) is None


def test_events_after_pages_through_increasing_ids(tickets: SqliteTicketStore, calls: SqliteCallingStore) -> None:
    assert calls.last_event_id() == 0 and calls.events_after(0) == []
    issue(tickets, 5)
    page1 = calls.events_after(0, limit=2)
    page2 = calls.events_after(page1[-1].id, limit=10)
    ids = [e.id for e in page1 + page2]
    assert len(ids) == 5 and ids == sorted(set(ids))
    assert ids[-1] == calls.last_event_id()
    with pytest.raises(ValueError):
        calls.events_after(0, limit=0)


def test_service_stats_give_medians_only_with_enough_served(
    tickets: SqliteTicketStore, calls: SqliteCallingStore
) -> None:
    issue(tickets, 3)
    calls.call_next("c13", at(10))
    calls.start("c13", at(11))
    calls.done("c13", at(15))  # waited 10, served 4
    stats = calls.service_stats("myna", DAY)
    assert (stats.served, stats.median_service_min, stats.median_wait_min) == (1, None, None)
    calls.call_next("c13", at(20))
    calls.start("c13", at(21))
    calls.done("c13", at(27))  # waited 20, served 6
    calls.call_next("c13", at(30))
    calls.done("c13", at(31))  # done without start: served from the call, 1 min
    stats = calls.service_stats("myna", DAY)
    assert (stats.served, stats.median_service_min, stats.median_wait_min) == (3, 4.0, 20.0)
    assert calls.service_stats("myna", DAY + timedelta(days=1)).served == 0
    with pytest.raises(UnknownGroup):
        calls.service_stats("nowhere", DAY)


# --- an existing file of schema 1 ----------------------------------------------------------------

SCHEMA_1 = """CREATE TABLE ticket (
    id INTEGER PRIMARY KEY, business_date TEXT NOT NULL, counter_group TEXT NOT NULL, number INTEGER NOT NULL,
    prefix TEXT NOT NULL, counter TEXT NOT NULL, procedure TEXT NOT NULL, current_status TEXT, after_status TEXT,
    reasons TEXT NOT NULL, issued_at TEXT NOT NULL, printed_at TEXT, failed_at TEXT, reprinted_at TEXT,
    kiosk_id TEXT NOT NULL,
    print_state TEXT NOT NULL CHECK (print_state IN ('reserved', 'printed', 'print_failed', 'reprinted')),
    UNIQUE (counter_group, business_date, number));
CREATE INDEX ticket_by_date_procedure ON ticket (business_date, procedure);
PRAGMA user_version = 1;
"""


def test_a_schema_1_file_from_todays_kiosk_is_migrated_and_its_tickets_called_first(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(SCHEMA_1)
    for number in (1, 2):
        conn.execute(
            "INSERT INTO ticket (business_date, counter_group, number, prefix, counter, procedure, reasons,"
            " issued_at, kiosk_id, print_state) VALUES (?, 'myna', ?, 'M', 'c13', 'myna_service', '[]', ?, 'k', ?)",
            (DAY.isoformat(), number, at(number).isoformat(), "print_failed" if number == 2 else "printed"),
        )
    conn.commit()
    conn.close()

    tickets = SqliteTicketStore(db)
    calls = SqliteCallingStore(db, make_setup())
    try:
        old = tickets.get("myna", DAY, 1)
        assert old is not None and old.lang is None
        new = tickets.issue(request(minutes=3))
        assert new.number == 3, "numbering goes on from the old rows"
        line = calls.lobby_state(at(4)).waiting_list["myna"]
        assert [(w.label, w.no_paper) for w in line] == [("M-001", False), ("M-002", True), ("M-003", False)]
        labels = [o.label for o in (calls.call_next("c13", at(5 + i)) for i in range(3)) if o is not None]
        assert labels == ["M-001", "M-002", "M-003"]
    finally:
        calls.close()
        tickets.close()
    check = sqlite3.connect(db)
    try:
        assert check.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    finally:
        check.close()


# --- several processes ---------------------------------------------------------------------------


def _call_in_another_process(path: str, counter: str, presses: int, start: Barrier, out: Any) -> None:
    store = SqliteCallingStore(Path(path), make_setup(), busy_timeout_s=30.0)
    try:
        start.wait(timeout=60)
        got = []
        for i in range(presses):
            # 3 s apart: every press is a new one, not a repeat within the same-press window
            outcome = store.call_next(counter, at(60) + timedelta(seconds=3 * i))
            if outcome is not None:
                got.append(outcome.ticket_id)
        out.put((counter, got))
    finally:
        store.close()


def _spawn() -> Any:
    return multiprocessing.get_context("spawn")


def _join(processes: list[Any]) -> None:
    for process in processes:
        process.join(timeout=120)
    for process in processes:
        if process.is_alive():
            process.kill()
    assert [p.exitcode for p in processes] == [0] * len(processes)


@pytest.mark.slow
def test_four_processes_calling_at_once_never_call_a_ticket_twice_nor_lose_one(
    db: Path, tickets: SqliteTicketStore
) -> None:
    issued = {t.id for t in issue(tickets, 200)}
    spawn = _spawn()
    start, out = spawn.Barrier(4), spawn.Queue()
    processes = [
        spawn.Process(target=_call_in_another_process, args=(str(db), f"p{i}", 50, start, out)) for i in range(4)
    ]
    for process in processes:
        process.start()
    results = dict(out.get(timeout=120) for _ in processes)
    _join(processes)

    called = [tid for got in results.values() for tid in got]
    assert sorted(called) == sorted(issued), "each ticket called exactly once"
    assert all(len(got) == 50 for got in results.values())
    conn = sqlite3.connect(db)
    try:
        per_ticket = conn.execute(
            "SELECT ticket_id, COUNT(*) FROM queue_event WHERE kind = 'called' GROUP BY ticket_id"
        )
        assert {count for _, count in per_ticket} == {1}
    finally:
        conn.close()


def _issue_in_another_process(path: str, count: int, start: Barrier) -> None:
    store = SqliteTicketStore(Path(path), busy_timeout_s=30.0)
    try:
        start.wait(timeout=60)
        for _ in range(count):
            store.issue(request())
    finally:
        store.close()


def _call_until_told(path: str, counter: str, start: Barrier, issued: MpEvent, out: Any) -> None:
    store = SqliteCallingStore(Path(path), make_setup(), busy_timeout_s=30.0)
    try:
        start.wait(timeout=60)
        got: list[int] = []
        press = 0
        while True:
            finished = issued.is_set()  # read before the press: a None after this means the line is empty
            outcome = store.call_next(counter, at(60) + timedelta(seconds=3 * press))
            press += 1
            if outcome is not None:
                got.append(outcome.ticket_id)
            elif finished:
                break
            else:
                time.sleep(0.002)
        out.put(got)
    finally:
        store.close()


@pytest.mark.slow
def test_issuing_while_calling_loses_no_ticket_and_calls_none_twice(db: Path, tickets: SqliteTicketStore) -> None:
    spawn = _spawn()
    start, issued, out = spawn.Barrier(4), spawn.Event(), spawn.Queue()
    issuers = [spawn.Process(target=_issue_in_another_process, args=(str(db), 60, start)) for _ in range(2)]
    callers = [spawn.Process(target=_call_until_told, args=(str(db), f"p{i}", start, issued, out)) for i in range(2)]
    for process in issuers + callers:
        process.start()
    _join(issuers)
    issued.set()
    results = [out.get(timeout=120) for _ in callers]
    _join(callers)

    called = [tid for got in results for tid in got]
    conn = sqlite3.connect(db)
    try:
        all_ids = [row[0] for row in conn.execute("SELECT id FROM ticket ORDER BY id")]
        numbers = [row[0] for row in conn.execute("SELECT number FROM ticket ORDER BY number")]
    finally:
        conn.close()
    assert numbers == list(range(1, 121))
    assert sorted(called) == all_ids


# --- the notifier --------------------------------------------------------------------------------


def _issue_one_later(path: str, ready: MpEvent) -> None:
    store = SqliteTicketStore(Path(path))
    try:
        ready.wait(timeout=60)
        time.sleep(0.2)  # the parent is waiting by now
        store.issue(request())
    finally:
        store.close()


@pytest.mark.slow
def test_the_notifier_sees_another_process_commit(
    db: Path, tickets: SqliteTicketStore, calls: SqliteCallingStore
) -> None:
    issue(tickets, 1)
    seen = calls.last_event_id()
    notifier = SqliteNotifier(db)
    spawn = _spawn()
    ready = spawn.Event()
    process = spawn.Process(target=_issue_one_later, args=(str(db), ready))
    process.start()
    try:
        assert notifier.wait(seen, timeout_s=0.05) == seen, "nothing new: the wait runs out"
        ready.set()
        latest = notifier.wait(seen, timeout_s=30)
        assert latest == seen + 1
        assert [(e.kind, e.label) for e in calls.events_after(seen)] == [(EventKind.ISSUED, "M-002")]
    finally:
        _join([process])
        notifier.close()


def test_the_notifier_returns_at_once_when_an_event_is_already_there(
    db: Path, tickets: SqliteTicketStore, calls: SqliteCallingStore
) -> None:
    issue(tickets, 3)
    notifier = SqliteNotifier(db)
    try:
        started = time.monotonic()
        assert notifier.wait(1, timeout_s=30) == 3
        assert time.monotonic() - started < 10, "did not wait for the time limit"
    finally:
        notifier.close()


def test_the_notifier_sees_a_commit_of_another_connection_while_waiting_async(
    db: Path, tickets: SqliteTicketStore
) -> None:
    issue(tickets, 1)
    notifier = SqliteNotifier(db)

    async def scenario() -> int:
        waiting = asyncio.create_task(notifier.wait_async(1, timeout_s=30))
        await asyncio.sleep(0.1)
        assert not waiting.done()
        tickets.issue(request())  # another connection to the file commits
        return await waiting

    try:
        assert asyncio.run(scenario()) == 2
        assert asyncio.run(notifier.wait_async(2, timeout_s=0.05)) == 2
    finally:
        notifier.close()


@pytest.mark.parametrize("timeout_s", [0, -1, 61, float("inf")])
def test_every_wait_has_a_time_limit(db: Path, tickets: SqliteTicketStore, timeout_s: float) -> None:
    notifier = SqliteNotifier(db)
    try:
        with pytest.raises(ValueError, match="time limit"):
            notifier.wait(0, timeout_s)
        with pytest.raises(ValueError, match="time limit"):
            asyncio.run(notifier.wait_async(0, timeout_s))
    finally:
        notifier.close()


def test_a_notifier_on_a_missing_file_is_refused(tmp_path: Path) -> None:
    from kiosk.errors import StoreError

    with pytest.raises(StoreError, match="no ticket database"):
        SqliteNotifier(tmp_path / "nothing.sqlite3")


def test_the_notifier_returns_at_once_when_the_log_is_behind_what_the_caller_saw(
    db: Path, tickets: SqliteTicketStore
) -> None:
    issue(tickets, 2)
    notifier = SqliteNotifier(db)
    try:
        started = time.monotonic()
        assert notifier.wait(500, timeout_s=30) == 2, "a log that went back (a new file) means: resync"
        assert time.monotonic() - started < 10
    finally:
        notifier.close()


def test_for_site_opens_the_sites_ticket_file(tmp_path: Path) -> None:
    from kiosk.site.load import load_site_config

    config = load_site_config(Path(__file__).resolve().parents[3] / "config")
    SqliteTicketStore(tmp_path / "tickets.sqlite3").close()
    store = SqliteCallingStore.for_site(config, tmp_path)
    try:
        assert [c.id for c in store.lobby_state(T0).counters] == list(config.counters)
    finally:
        store.close()


def test_a_counter_that_never_presses_start_still_gives_a_service_median(
    tickets: SqliteTicketStore, calls: SqliteCallingStore
) -> None:
    issue(tickets, 4)
    for minute in (10, 13, 19):  # "next" finishes the one before: 3, then 6 minutes from the call
        calls.call_next("c13", at(minute))
    calls.done("c13", at(24))  # 5 minutes
    stats = calls.service_stats("myna", DAY)
    assert stats.served == 3 and stats.median_service_min == 5.0
