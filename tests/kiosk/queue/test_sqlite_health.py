"""The staff tables in the SQLite file: heartbeats, commands, service modes, today's procedures, audit."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from drivers.interfaces import Health, HealthState
from kiosk.domain.model import Procedure
from kiosk.health.model import Beat, Role
from kiosk.queue.health import CommandState, ProcedureDay
from kiosk.queue.sqlite_health import SqliteHealthStore
from kiosk.queue.sqlite_notify import SqliteNotifier
from kiosk.queue.sqlite_store import DATABASE_FILE

AT = datetime(2026, 11, 26, 9, 15, tzinfo=ZoneInfo("Asia/Tokyo"))


def test_one_heartbeat_row_per_process_replaced_on_every_beat(tmp_path: Path) -> None:
    store = SqliteHealthStore(tmp_path / DATABASE_FILE)
    printer = Health("printer", HealthState.OK, "ready", False)
    store.beat(Beat("k1", Role.KIOSK, 100.0, 50.0, "1", devices=(printer,)))
    store.beat(Beat("lobby", Role.LOBBY, 100.0, 50.0, "1"))
    store.beat(Beat("k1", Role.KIOSK, 110.0, 50.0, "1", devices=(printer,), stopped=True))
    beats = store.beats()
    assert [(b.source, b.beat_at, b.stopped) for b in beats] == [("k1", 110.0, True), ("lobby", 100.0, False)]
    store.close()


def test_a_queued_command_wakes_the_kiosks_notifier_and_its_answer_is_kept(tmp_path: Path) -> None:
    path = tmp_path / DATABASE_FILE
    store = SqliteHealthStore(path)
    notifier = SqliteNotifier(path)
    seen = notifier.wait(0, 0.05)
    command = store.queue_command("k1", "reprint", {"label": "M-001"}, "sato", AT)
    assert notifier.wait(seen, 1.0) != seen  # the kiosk hears of it at once
    assert [c.id for c in store.pending_commands("k1")] == [command.id]
    assert store.pending_commands("k2") == []
    store.finish_command(command.id, True, {"code": 0, "out": ["done"], "err": []}, AT)
    assert store.pending_commands("k1") == []
    done = store.commands()[0]
    assert done.state is CommandState.DONE and done.result == {"code": 0, "out": ["done"], "err": []}
    notifier.close()
    store.close()


def test_service_modes_procedure_days_and_the_audit_log(tmp_path: Path) -> None:
    store = SqliteHealthStore(tmp_path / DATABASE_FILE)
    store.set_out_of_service("k1", True, "sato", AT)
    assert store.modes()["k1"].out_of_service and store.modes()["k1"].changed_by == "sato"
    store.set_out_of_service("k1", False, "suzuki", AT)
    assert not store.modes()["k1"].out_of_service
    day = date(2026, 11, 26)
    store.set_procedure_day(day, ProcedureDay(Procedure.RENEWAL, closed=True), AT)
    store.set_procedure_day(day, ProcedureDay(Procedure.REISSUE, cap=10), AT)
    assert store.procedure_days(day)[Procedure.RENEWAL].closed
    assert store.procedure_days(day)[Procedure.REISSUE].cap == 10
    assert store.procedure_days(date(2026, 11, 27)) == {}
    store.audit(AT, "sato", "out_of_service", "k1")
    store.audit(AT, "suzuki", "in_service", "k1", "roll changed")
    assert [(e.who, e.action) for e in store.audit_log()] == [("suzuki", "in_service"), ("sato", "out_of_service")]
    store.close()
