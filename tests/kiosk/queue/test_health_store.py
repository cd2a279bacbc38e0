"""The staff tables (heartbeats, commands, service modes, today's procedures, audit, the day's ticket
times) through the `HealthStore` interface, each test on both engines: the SQLite file and the shared
PostgreSQL database (the session's private server, tests/conftest.py), the same answers from both."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest

from drivers.interfaces import Health, HealthState
from kiosk.domain.model import Procedure
from kiosk.errors import StoreError
from kiosk.health.model import Beat, Role
from kiosk.queue.health import CommandState, HealthStore, ProcedureDay
from kiosk.queue.model import PrintState, TicketStore
from kiosk.queue.notify import Notifier
from kiosk.queue.pg_admin import migrate_url
from kiosk.queue.pg_health import PgHealthStore
from kiosk.queue.pg_notify import PgNotifier
from kiosk.queue.pg_schema import SCHEMA_VERSION
from kiosk.queue.pg_store import PgTicketStore
from kiosk.queue.sqlite_health import SqliteHealthStore
from kiosk.queue.sqlite_notify import SqliteNotifier
from kiosk.queue.sqlite_store import DATABASE_FILE, SqliteTicketStore
from tests.kiosk.queue.test_sqlite_calling import DAY, request

AT = datetime(2026, 11, 26, 9, 15, tzinfo=ZoneInfo("Asia/Tokyo"))


@dataclass(frozen=True)
class Engine:
    """How to open each store of one engine; `where` names it to a process of its own."""

    name: str
    where: str
    open: Callable[[], HealthStore]
    notifier: Callable[[], Notifier]
    tickets: Callable[[], TicketStore]


@pytest.fixture(params=["sqlite", "pg"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    if request.param == "sqlite":
        path = tmp_path / DATABASE_FILE
        return Engine(
            "sqlite",
            str(path),
            lambda: SqliteHealthStore(path),
            lambda: SqliteNotifier(path),
            lambda: SqliteTicketStore(path),
        )
    url: str = request.getfixturevalue("pg_url")
    return Engine(
        "pg",
        url,
        lambda: PgHealthStore(url, timezone="Asia/Tokyo"),
        lambda: PgNotifier(url),
        lambda: PgTicketStore(url, timezone="Asia/Tokyo"),
    )


@pytest.fixture
def store(engine: Engine) -> Iterator[HealthStore]:
    opened = engine.open()
    yield opened
    opened.close()


def test_one_heartbeat_row_per_process_replaced_on_every_beat(store: HealthStore) -> None:
    printer = Health("printer", HealthState.OK, "ready", False)
    store.beat(Beat("k1", Role.KIOSK, 100.0, 50.0, "1", devices=(printer,)))
    store.beat(Beat("lobby", Role.LOBBY, 100.0, 50.0, "1"))
    store.beat(Beat("k1", Role.KIOSK, 110.5, 50.0, "1", devices=(printer,), stopped=True))
    beats = store.beats()
    assert [(b.source, b.beat_at, b.stopped) for b in beats] == [("k1", 110.5, True), ("lobby", 100.0, False)]
    assert beats[0].devices == (printer,)


def test_another_connections_heartbeat_moves_the_version_and_only_news_wakes_the_notifier(
    engine: Engine, store: HealthStore
) -> None:
    """The staff page skips reading while the version stands still: every beat elsewhere must move it
    (silence is judged from the beats), and a kiosk's news must wake the lobby at once."""
    kiosk = engine.open()
    notifier = engine.notifier()
    try:
        seen = notifier.wait(0, 0.05)
        before = store.version()
        kiosk.beat(Beat("k1", Role.KIOSK, 100.0, 50.0, "1"))
        assert store.version() != before
        assert notifier.wait(seen, 0.3) == seen  # a sign of life wakes no screen
        before = store.version()
        kiosk.beat(Beat("k1", Role.KIOSK, 101.0, 50.0, "1", out_of_service=True), news=True)
        assert notifier.wait(seen, 2.0) != seen
        assert store.version() != before
        assert [b.out_of_service for b in store.beats()] == [True]
    finally:
        notifier.close()
        kiosk.close()


def test_a_queued_command_wakes_the_kiosks_notifier_and_its_answer_is_kept(engine: Engine, store: HealthStore) -> None:
    notifier = engine.notifier()
    try:
        seen = notifier.wait(0, 0.05)
        command = store.queue_command("k1", "reprint", {"label": "M-001"}, "sato", AT)
        assert notifier.wait(seen, 2.0) != seen  # the kiosk hears of it at once
        assert [(c.id, c.args, c.asked_by, c.asked_at) for c in store.pending_commands("k1")] == [
            (command.id, {"label": "M-001"}, "sato", AT)
        ]
        assert store.pending_commands("k2") == []
        store.finish_command(command.id, True, {"code": 0, "out": ["done"], "err": []}, AT)
        assert store.pending_commands("k1") == []
        done = store.commands()[0]
        assert done.state is CommandState.DONE and done.result == {"code": 0, "out": ["done"], "err": []}
        assert done.done_at == AT
    finally:
        notifier.close()


_QUEUE_ELSEWHERE = """
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo
from kiosk.queue.pg_health import PgHealthStore
from kiosk.queue.sqlite_health import SqliteHealthStore
engine, where = sys.argv[1], sys.argv[2]
store = PgHealthStore(where) if engine == "pg" else SqliteHealthStore(Path(where))
at = datetime(2026, 11, 26, 9, 20, tzinfo=ZoneInfo("Asia/Tokyo"))
print(store.queue_command("k1", "print_test", {}, "suzuki", at).id)
store.close()
"""


def test_a_command_queued_by_another_process_wakes_this_one_and_is_seen_here(
    engine: Engine, store: HealthStore
) -> None:
    """The lobby (one machine) queues, the kiosk (another) hears it: two processes, two connections."""
    notifier = engine.notifier()
    try:
        seen = notifier.wait(0, 0.05)
        lobby = subprocess.run(
            [sys.executable, "-c", _QUEUE_ELSEWHERE, engine.name, engine.where],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert lobby.returncode == 0, lobby.stderr
        assert notifier.wait(seen, 2.0) != seen
        pending = store.pending_commands("k1")
        assert [(c.id, c.command, c.asked_by) for c in pending] == [(int(lobby.stdout), "print_test", "suzuki")]
    finally:
        notifier.close()


def test_service_modes_procedure_days_and_the_audit_log(store: HealthStore) -> None:
    store.set_out_of_service("k1", True, "sato", AT)
    assert store.modes()["k1"].out_of_service and store.modes()["k1"].changed_by == "sato"
    store.set_out_of_service("k1", False, "suzuki", AT)
    assert not store.modes()["k1"].out_of_service and store.modes()["k1"].changed_at == AT
    day = date(2026, 11, 26)
    store.set_procedure_day(day, ProcedureDay(Procedure.RENEWAL, closed=True), AT)
    store.set_procedure_day(day, ProcedureDay(Procedure.REISSUE, cap=10), AT)
    store.set_procedure_day(day, ProcedureDay(Procedure.REISSUE, cap=12), AT)
    assert store.procedure_days(day) == {
        Procedure.RENEWAL: ProcedureDay(Procedure.RENEWAL, closed=True),
        Procedure.REISSUE: ProcedureDay(Procedure.REISSUE, cap=12),
    }
    assert store.procedure_days(date(2026, 11, 27)) == {}
    store.audit(AT, "sato", "out_of_service", "k1")
    store.audit(AT, "suzuki", "in_service", "k1", "roll changed")
    log = store.audit_log()
    assert [(e.who, e.action, e.detail, e.at) for e in log] == [
        ("suzuki", "in_service", "roll changed", AT),
        ("sato", "out_of_service", "", AT),
    ]
    assert [e.action for e in store.audit_log(limit=1)] == ["in_service"]


def test_the_days_ticket_times_for_the_statistics(engine: Engine, store: HealthStore) -> None:
    tickets = engine.tickets()
    try:
        first = tickets.issue(request(minutes=1))
        tickets.issue(request(minutes=2))
        tickets.set_print_state(first.id, PrintState.PRINT_FAILED, AT)
    finally:
        tickets.close()
    times = store.ticket_times(DAY)
    assert [(t.procedure, t.counter, t.state, t.issued_at, t.called_at, t.print_state) for t in times] == [
        ("myna_service", "c13", "waiting", request(minutes=1).issued_at, None, "print_failed"),
        ("myna_service", "c13", "waiting", request(minutes=2).issued_at, None, "reserved"),
    ]
    assert store.ticket_times(date(2026, 11, 27)) == []


def test_a_database_of_schema_1_is_refused_until_migrated_and_keeps_its_tickets(pg_url: str) -> None:
    """The shared database before the staff tables: `kiosk db migrate` adds them, nothing else changes."""
    tickets = PgTicketStore(pg_url, timezone="Asia/Tokyo")
    ticket = tickets.issue(request())
    tickets.close()
    with psycopg.connect(pg_url, autocommit=True) as conn:  # back to version 1, as a site still has it
        conn.execute("DROP TABLE health_clock, heartbeat, staff_command, kiosk_mode, procedure_day, audit_log")
        conn.execute("DELETE FROM schema_version WHERE version > 1")
    with pytest.raises(StoreError, match=f"version 1, this code needs {SCHEMA_VERSION}: run `kiosk db migrate`"):
        PgHealthStore(pg_url)
    assert migrate_url(pg_url) == (1, SCHEMA_VERSION)
    with PgHealthStore(pg_url, timezone="Asia/Tokyo") as store:
        assert [t.issued_at for t in store.ticket_times(DAY)] == [ticket.issued_at]
        store.set_out_of_service("k1", True, "sato", AT)
        assert store.modes()["k1"].out_of_service
