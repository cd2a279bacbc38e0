"""The PostgreSQL notifier: NOTIFY at commit wakes waiting threads and asyncio tasks; a dropped
connection reconnects and resyncs from the event table, so no event is missed."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest

from kiosk.queue.pg_calling import PgCallingStore
from kiosk.queue.pg_notify import PgNotifier, wait_connected
from kiosk.queue.pg_store import PgTicketStore
from tests.kiosk.queue.test_sqlite_calling import at, make_setup, request


@pytest.fixture
def tickets(pg_url: str) -> Iterator[PgTicketStore]:
    store = PgTicketStore(pg_url, timezone="Asia/Tokyo")
    yield store
    store.close()


@pytest.fixture
def notifier(pg_url: str) -> Iterator[PgNotifier]:
    follower = PgNotifier(pg_url, reconnect_s=0.05)
    yield follower
    follower.close()


def test_a_commit_on_another_connection_wakes_a_waiting_thread(tickets: PgTicketStore, notifier: PgNotifier) -> None:
    seen = notifier.wait(0, timeout_s=0.05)
    assert seen == 0
    timer = threading.Timer(0.2, lambda: tickets.issue(request()))
    timer.start()
    started = time.monotonic()
    latest = notifier.wait(seen, timeout_s=5)
    timer.join()
    assert latest == 1 and time.monotonic() - started < 2


def test_a_waiting_asyncio_task_is_woken_without_blocking_its_loop(
    tickets: PgTicketStore, notifier: PgNotifier, pg_url: str
) -> None:
    async def scenario() -> tuple[int, int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        asyncio.get_running_loop().call_later(0.2, lambda: tickets.issue(request()))
        latest = await notifier.wait_async(0, timeout_s=5)
        task.cancel()
        return latest, ticks

    latest, ticks = asyncio.run(scenario())
    assert latest == 1 and ticks >= 5


def test_a_wait_returns_at_its_time_limit_with_the_latest_id(notifier: PgNotifier) -> None:
    started = time.monotonic()
    assert notifier.wait(0, timeout_s=0.2) == 0
    assert 0.15 <= time.monotonic() - started < 2
    with pytest.raises(ValueError, match="time limit"):
        notifier.wait(0, timeout_s=0)


def test_a_dropped_connection_reconnects_and_resyncs_what_it_missed(
    pg_url: str, tickets: PgTicketStore, notifier: PgNotifier
) -> None:
    calls = PgCallingStore(pg_url, make_setup())
    try:
        tickets.issue(request())
        assert notifier.wait(0, timeout_s=5) == 1
        # Drop the listener's session, and commit while it is gone: no NOTIFY can reach it.
        conn = tickets._db.connection()
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'kiosk-notify'"
            " AND datname = current_database()"
        )
        calls.call_next("c13", at(1))
        assert wait_connected(notifier, 5)
        assert notifier.wait(1, timeout_s=5) == 2
        assert [e.kind.value for e in calls.events_after(1)] == ["called"]
    finally:
        calls.close()
