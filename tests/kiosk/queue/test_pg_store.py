"""Issuing in the PostgreSQL store: numbering per group and day, the schema version, blocks of
numbers set aside for offline issuing, and offline tickets uploaded exactly once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace

import psycopg
import pytest

from kiosk.errors import QueueFull, StoreError
from kiosk.queue.model import PrintState
from kiosk.queue.pg_admin import database_url, migrate_url, setup_site
from kiosk.queue.pg_schema import SCHEMA_VERSION
from kiosk.queue.pg_scratch import ScratchPostgres
from kiosk.queue.pg_store import OfflineTicket, PgTicketStore, redacted
from kiosk.site.model import CounterGroup
from tests.kiosk.queue.test_sqlite_calling import DAY, T0, at, request

MYNA = CounterGroup("myna", "M", 1, 9999)


@pytest.fixture
def tickets(pg_url: str) -> Iterator[PgTicketStore]:
    store = PgTicketStore(pg_url, timezone="Asia/Tokyo")
    yield store
    store.close()


def test_numbers_count_per_group_and_business_date(tickets: PgTicketStore) -> None:
    assert [tickets.issue(request()).number for _ in range(3)] == [1, 2, 3]
    assert tickets.issue(request("renewal")).number == 1
    assert tickets.issue(replace(request(), business_date=DAY.replace(day=27))).number == 1
    found = tickets.get("myna", DAY, 2)
    assert found is not None and found.label == "M-002" and found.issued_at == T0


def test_a_used_up_range_is_queue_full_and_uses_no_number(tickets: PgTicketStore) -> None:
    small = replace(request(), first_number=5, last_number=6)
    assert [tickets.issue(small).number for _ in range(2)] == [5, 6]
    for _ in range(2):
        with pytest.raises(QueueFull):
            tickets.issue(small)
    assert tickets.issue(replace(small, last_number=7)).number == 7


def test_print_states_move_as_in_the_sqlite_store(tickets: PgTicketStore) -> None:
    ticket = tickets.issue(request())
    assert tickets.set_print_state(ticket.id, PrintState.PRINT_FAILED, at(1)).print_state is PrintState.PRINT_FAILED
    with pytest.raises(StoreError, match="cannot go from print_failed to printed"):
        tickets.set_print_state(ticket.id, PrintState.PRINTED, at(2))


def test_ten_issuers_at_once_never_share_a_number(pg_url: str) -> None:
    numbers: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(10)

    def kiosk() -> None:
        store = PgTicketStore(pg_url)
        try:
            start.wait()
            mine = [store.issue(request()).number for _ in range(30)]
            with lock:
                numbers.extend(mine)
        finally:
            store.close()

    threads = [threading.Thread(target=kiosk) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(numbers) == list(range(1, 301))


def test_a_schema_newer_than_the_code_is_refused_at_start(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("INSERT INTO schema_version (version, applied_at) VALUES (%s, now())", (SCHEMA_VERSION + 1,))
    with pytest.raises(StoreError, match=f"version {SCHEMA_VERSION + 1}, newer than this kiosk"):
        PgTicketStore(pg_url)
    with pytest.raises(StoreError, match="newer than this code"):
        migrate_url(pg_url)


def test_an_empty_database_is_refused_until_migrated_and_migrate_runs_once(pg_server: ScratchPostgres) -> None:
    url = setup_site(pg_server.url(), "kiosk_site", "site_db")
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE empty_db OWNER kiosk_site")
    empty = database_url(pg_server.url(), "empty_db", "kiosk_site")
    with pytest.raises(StoreError, match="run `kiosk db migrate` first"):
        PgTicketStore(empty)
    assert migrate_url(empty) == (0, SCHEMA_VERSION)
    assert migrate_url(empty) == (SCHEMA_VERSION, SCHEMA_VERSION)
    store = PgTicketStore(empty)
    try:
        assert store.issue(request()).number == 1
    finally:
        store.close()
    # setup made a role that owns its tables: the kiosks need no superuser
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'ticket'").fetchone()
    assert row == ("kiosk_site",)


def test_a_password_never_shows_in_an_error() -> None:
    assert redacted("postgresql://kiosk:s3cret@db/kiosk") == "postgresql://kiosk:***@db/kiosk"
    with pytest.raises(StoreError) as caught:
        PgTicketStore("postgresql://kiosk:s3cret@127.0.0.1:1/kiosk")
    assert "s3cret" not in str(caught.value)


def test_blocks_come_from_the_top_of_the_range_never_overlap_and_online_numbers_stop_below_them(
    tickets: PgTicketStore,
) -> None:
    small = replace(MYNA, last_number=20)
    a = tickets.lease_block(small, DAY, "kiosk-a", 5, at(0))
    b = tickets.lease_block(small, DAY, "kiosk-b", 5, at(0))
    assert a is not None and b is not None
    assert (a.first, a.last, b.first, b.last) == (16, 20, 11, 15)
    numbers = [tickets.issue(replace(request(), last_number=20)).number for _ in range(8)]
    assert numbers == list(range(1, 9))  # the day's numbers have no gap for the blocks
    c = tickets.lease_block(small, DAY, "kiosk-c", 5, at(0))
    assert c is not None and (c.first, c.last) == (9, 10)  # squeezed between online and the blocks
    assert tickets.lease_block(small, DAY, "kiosk-d", 5, at(0)) is None
    with pytest.raises(QueueFull):
        tickets.issue(replace(request(), last_number=20))


def test_an_uploaded_offline_ticket_is_stored_once_and_a_closed_blocks_unused_numbers_are_skipped(
    tickets: PgTicketStore,
) -> None:
    block = tickets.lease_block(MYNA, DAY, "kiosk-a", 5, at(0))
    assert block is not None and (block.first, block.last) == (9995, 9999)
    offline = OfflineTicket(request(minutes=3), 9996, block.id, "key-1", PrintState.PRINTED, at(3))
    first = tickets.upload(offline)
    assert tickets.upload(offline) == first  # the reply was lost, the kiosk sends it again
    stored = tickets.get("myna", DAY, 9996)
    assert stored is not None and stored.id == first and stored.print_state is PrintState.PRINTED
    assert tickets.release_block(block.id, at(10)) == 4
    assert tickets.skipped("myna", DAY) == [(n, "block_released") for n in (9995, 9997, 9998, 9999)]


def test_an_unconfirmed_online_issue_gives_its_number_up_to_the_block_number(tickets: PgTicketStore) -> None:
    block = tickets.lease_block(MYNA, DAY, "kiosk-a", 5, at(0))
    assert block is not None
    online = tickets.issue(request(), issue_key="key-7")  # committed, but the kiosk never heard back
    ticket_id = tickets.upload(OfflineTicket(request(), 9995, block.id, "key-7", PrintState.PRINTED, at(1)))
    assert ticket_id == online.id
    assert tickets.get("myna", DAY, online.number) is None
    assert tickets.get("myna", DAY, 9995) is not None
    assert tickets.skipped("myna", DAY) == [(online.number, "unconfirmed_issue")]


def test_blocks_of_an_earlier_day_expire_with_their_unused_numbers_skipped(tickets: PgTicketStore) -> None:
    old = tickets.lease_block(MYNA, DAY, "kiosk-a", 3, at(0))
    assert old is not None
    tickets.upload(OfflineTicket(request(), 9997, old.id, "key-1", PrintState.PRINTED, at(1)))
    tickets.lease_block(MYNA, DAY.replace(day=27), "kiosk-b", 3, at(24 * 60))
    assert tickets.skipped("myna", DAY) == [(9998, "block_expired"), (9999, "block_expired")]


def test_an_unconfirmed_issue_nobody_holds_is_withdrawn_once(tickets: PgTicketStore) -> None:
    ghost = tickets.issue(request(), issue_key="key-9")  # committed; the kiosk heard nothing, had no number left
    assert tickets.withdraw("key-9", at(5))
    assert not tickets.withdraw("key-9", at(6))
    assert not tickets.withdraw("never-sent", at(6))
    assert tickets.skipped("myna", DAY) == [(ghost.number, "unconfirmed_issue")]
    with psycopg.connect(tickets._db.url) as conn:
        row = conn.execute("SELECT state FROM ticket WHERE id = %s", (ghost.id,)).fetchone()
        kinds = [k for (k,) in conn.execute("SELECT kind FROM queue_event ORDER BY id").fetchall()]
    assert row == ("cancelled",) and kinds == ["issued", "cancelled"]
