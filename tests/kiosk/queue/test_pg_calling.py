"""Calling tickets in the PostgreSQL store: every calling test of the SQLite store that speaks only
through the `TicketStore` and `CallingStore` interfaces runs here again against a real server (the
same rules, the same answers), plus what only several machines at once can show."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from kiosk.domain.lifecycle import TicketState
from kiosk.errors import StoreUnreachable
from kiosk.queue.pg_calling import PgCallingStore
from kiosk.queue.pg_store import PgTicketStore
from tests.kiosk.queue import test_sqlite_calling as sqlite_tests
from tests.kiosk.queue.test_sqlite_calling import at, issue, make_setup, request

# The interface tests of the SQLite module, collected here under the same names: those whose only
# fixtures are the two stores (tests that open the file, processes or the notifier stay SQLite's).
_INTERFACE_FIXTURES = {"tickets", "calls"}
for _name, _test in inspect.getmembers(sqlite_tests, inspect.isfunction):
    if _name.startswith("test_"):
        _params = set(inspect.signature(_test).parameters) - {"label", "timeout_s"}
        if _params and _params <= _INTERFACE_FIXTURES:
            globals()[_name] = _test


@pytest.fixture
def tickets(pg_url: str) -> Iterator[PgTicketStore]:
    store = PgTicketStore(pg_url, timezone="Asia/Tokyo")
    yield store
    store.close()


@pytest.fixture
def calls(pg_url: str) -> Iterator[PgCallingStore]:
    store = PgCallingStore(pg_url, make_setup())
    yield store
    store.close()


def test_interface_tests_of_the_sqlite_store_run_here_too() -> None:
    assert sum(name.startswith("test_") for name in globals()) > 25


def test_two_machines_pressing_next_at_once_never_call_a_ticket_twice(pg_url: str, tickets: PgTicketStore) -> None:
    issue(tickets, 40)
    called: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(4)

    def counter(name: str) -> None:
        store = PgCallingStore(pg_url, make_setup(same_press_window_s=0.0))
        try:
            start.wait()
            minute = 1.0
            while (outcome := store.call_next(name, at(minute))) is not None:
                with lock:
                    called.append(outcome.label)
                minute += 0.01
        finally:
            store.close()

    threads = [threading.Thread(target=counter, args=(f"p{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(called) == sorted(f"M-{n:03d}" for n in range(1, 41))


def test_a_ticket_being_called_elsewhere_is_skipped_not_waited_for(pg_url: str, tickets: PgTicketStore) -> None:
    first, second = issue(tickets, 2)
    other = PgCallingStore(pg_url, make_setup())
    blocker = PgTicketStore(pg_url, timezone="Asia/Tokyo")
    try:
        # Another machine holds the head of the line in an open transaction (as its call-next would).
        conn = blocker._db.connection()
        with conn.transaction():
            conn.execute("SELECT id FROM ticket WHERE id = %s FOR UPDATE", (first.id,))
            outcome = other.call_next("c13", at(1))
        assert outcome is not None and outcome.label == second.label
    finally:
        other.close()
        blocker.close()


def test_the_store_outlives_a_dropped_connection(pg_url: str, tickets: PgTicketStore, calls: PgCallingStore) -> None:
    issue(tickets, 2)
    calls.call_next("c13", at(1))
    admin = PgTicketStore(pg_url)
    try:
        pid = calls._db.connection().info.backend_pid
        admin._db.connection().execute("SELECT pg_terminate_backend(%s)", (pid,))
    finally:
        admin.close()
    with pytest.raises(StoreUnreachable):
        calls.call_next("c13", at(2))
    outcome: Any = calls.call_next("c13", at(3))  # a new connection, the same queue
    assert outcome.label == "M-002" and outcome.state is TicketState.CALLED
    assert tickets.issue(request()).number == 3
