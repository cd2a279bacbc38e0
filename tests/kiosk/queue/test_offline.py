"""A kiosk cut off from the shared database keeps issuing from its block, tells staff, and uploads
in order when the database is back: never a duplicate, never a ticket stored twice."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from drivers.interfaces import HealthState
from kiosk.errors import StoreError, StoreUnreachable
from kiosk.queue.model import PrintState
from kiosk.queue.offline import OfflineTicketStore
from kiosk.queue.pg_store import PgTicketStore
from kiosk.site.model import CounterGroup
from tests.kiosk.queue.test_sqlite_calling import DAY, T0, request

GROUPS = (CounterGroup("myna", "M", 1, 9999), CounterGroup("renewal", "R", 1, 9999))


class Outage:
    """The database refuses new sessions and drops the kiosk's: what a kiosk sees of a server gone."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.name = url.split("/")[3].split("?")[0]
        self.admin = url.replace(f"/{self.name}?", "/postgres?")

    def begin(self) -> None:
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false')
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (self.name,))

    def end(self) -> None:
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true')


def open_kiosk(url: str, outbox: Path, kiosk_id: str = "kiosk-a") -> OfflineTicketStore:
    return OfflineTicketStore(
        url,
        outbox,
        groups=GROUPS,
        kiosk_id=kiosk_id,
        timezone="Asia/Tokyo",
        block_size=5,
        today=lambda: DAY,
        clock=lambda: T0,
        retry_s=0.1,
    )


@pytest.fixture
def kiosk(pg_url: str, tmp_path: Path) -> Iterator[OfflineTicketStore]:
    store = open_kiosk(pg_url, tmp_path / "outbox.sqlite3")
    yield store
    store.close()


def wait_until(condition: object, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.02)
    assert condition(), "timed out"  # type: ignore[operator]


def test_a_cut_off_kiosk_issues_from_its_block_and_uploads_in_order_when_back(
    pg_url: str, kiosk: OfflineTicketStore
) -> None:
    # At start the kiosk set 9995..9999 of each group aside: online numbers are the day's 1, 2, …
    assert [kiosk.issue(request()).number for _ in range(2)] == [1, 2]
    assert kiosk.health().state is HealthState.OK
    outage = Outage(pg_url)
    outage.begin()
    offline = [kiosk.issue(request(minutes=m)) for m in (1, 2, 3)]
    assert [t.number for t in offline] == [9995, 9996, 9997]
    assert all(t.id < 0 for t in offline)
    kiosk.set_print_state(offline[0].id, PrintState.PRINTED, T0)
    kiosk.set_print_state(offline[1].id, PrintState.PRINT_FAILED, T0)
    health = kiosk.health()
    assert health.state is HealthState.DEGRADED and "7 offline numbers left, 3 tickets wait" in health.detail
    outage.end()
    kiosk.retry_now()
    wait_until(lambda: not kiosk.offline)
    assert kiosk.waiting_upload() == 0 and kiosk.health().state is HealthState.OK
    check = PgTicketStore(pg_url)
    try:
        stored = [check.get("myna", DAY, n) for n in (9995, 9996, 9997)]
        assert [t.print_state if t else None for t in stored] == [
            PrintState.PRINTED,
            PrintState.PRINT_FAILED,
            PrintState.RESERVED,
        ]
        assert [t.id for t in stored if t] == sorted(t.id for t in stored if t)  # uploaded in issue order
        assert check.skipped("myna", DAY) == []  # the block keeps 9998, 9999 for the next outage
        assert kiosk.issue(request()).number == 3  # online numbers go on where they were
        assert check.count_issued(DAY, request().procedure) == 6
    finally:
        check.close()


def test_out_of_numbers_offline_is_a_clear_error(pg_url: str, kiosk: OfflineTicketStore) -> None:
    Outage(pg_url).begin()
    try:
        assert [kiosk.issue(request()).number for _ in range(5)] == [9995, 9996, 9997, 9998, 9999]
        with pytest.raises(StoreUnreachable, match="no offline numbers left for myna"):
            kiosk.issue(request())
        assert kiosk.health().state is HealthState.DEGRADED  # renewal still has numbers
    finally:
        Outage(pg_url).end()


def test_a_kiosk_started_during_an_outage_issues_from_the_block_it_holds(pg_url: str, tmp_path: Path) -> None:
    first = open_kiosk(pg_url, tmp_path / "outbox.sqlite3")
    first.close()
    outage = Outage(pg_url)
    outage.begin()
    try:
        again = open_kiosk(pg_url, tmp_path / "outbox.sqlite3")
        try:
            assert again.offline and again.issue(request()).number == 9995
        finally:
            again.close()
    finally:
        outage.end()


def test_a_used_up_block_is_closed_and_replaced_when_the_database_is_back(
    pg_url: str, kiosk: OfflineTicketStore
) -> None:
    outage = Outage(pg_url)
    outage.begin()
    assert [kiosk.issue(request()).number for _ in range(5)] == [9995, 9996, 9997, 9998, 9999]
    outage.end()
    kiosk.retry_now()
    wait_until(lambda: not kiosk.offline)
    outage.begin()
    assert kiosk.issue(request()).number == 9990  # the next block down
    outage.end()


def test_two_cut_off_kiosks_never_issue_the_same_number(pg_url: str, tmp_path: Path) -> None:
    a = open_kiosk(pg_url, tmp_path / "a.sqlite3", "kiosk-a")
    b = open_kiosk(pg_url, tmp_path / "b.sqlite3", "kiosk-b")
    try:
        outage = Outage(pg_url)
        outage.begin()
        numbers = [k.issue(request()).number for _ in range(4) for k in (a, b)]
        outage.end()
        for k in (a, b):
            k.retry_now()
        wait_until(lambda: not a.offline and not b.offline)
        numbers += [k.issue(request()).number for _ in range(3) for k in (a, b)]
        assert len(numbers) == len(set(numbers)) == 14
    finally:
        a.close()
        b.close()


def test_a_kiosk_refuses_to_start_on_a_schema_newer_than_its_code(pg_url: str, tmp_path: Path) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("INSERT INTO schema_version (version, applied_at) VALUES (99, now())")
    with pytest.raises(StoreError, match="newer than this kiosk's code"):
        open_kiosk(pg_url, tmp_path / "outbox.sqlite3")


def test_a_store_that_failed_to_connect_fails_at_once_for_a_moment(pg_url: str) -> None:
    from kiosk.queue.pg_calling import PgCallingStore
    from kiosk.queue.pg_store import RECONNECT_AFTER_S
    from tests.kiosk.queue.test_sqlite_calling import make_setup

    calls = PgCallingStore(pg_url, make_setup())
    outage = Outage(pg_url)
    try:
        outage.begin()
        with pytest.raises(StoreUnreachable):
            calls.lobby_state(T0)
        with pytest.raises(StoreUnreachable):
            calls.lobby_state(T0)  # the connection is gone: the first connect attempt fails
        outage.end()
        with pytest.raises(StoreUnreachable, match="not tried again yet"):
            calls.lobby_state(T0)  # a kiosk's screens do not wait for a connect per read
        time.sleep(RECONNECT_AFTER_S)
        assert calls.lobby_state(T0).event_id == 0
    finally:
        outage.end()
        calls.close()
