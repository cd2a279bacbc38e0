"""`HealthStore` in the kiosk's SQLite file (kiosk/queue/health.py says what each table is for).

Over `SqliteDatabase`, like the ticket and calling stores: the same file, schema and error
translation. One connection; not shared between threads. A heartbeat is one UPSERT in its own
short transaction (no event: heartbeats come every 10 s from every process, and the screens must
not be woken for them); a staff command, a service mode or a procedure change also appends a
`staff` event, so the kiosks' notifiers see it at once.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kiosk.domain.lifecycle import EventKind
from kiosk.domain.model import Procedure
from kiosk.health.model import Beat
from kiosk.queue.health import (
    AuditEntry,
    CommandState,
    HealthStore,
    KioskMode,
    ProcedureDay,
    StaffCommand,
    TicketTimes,
)
from kiosk.queue.sqlite_store import SqliteDatabase, append_event, require_aware

_COMMAND_COLUMNS = "id, kiosk_id, command, args, asked_by, asked_at, state, done_at, result"


class SqliteHealthStore:
    def __init__(self, path: Path, *, busy_timeout_s: float = 5.0) -> None:
        self._db = SqliteDatabase(path, busy_timeout_s=busy_timeout_s)

    # --- heartbeats ---

    def beat(self, beat: Beat) -> None:
        body = json.dumps(beat.to_json(), ensure_ascii=False, separators=(",", ":"))
        with self._db.translated("cannot write a heartbeat"), self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO heartbeat (source, role, beat_at, body) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (source) DO UPDATE SET role = excluded.role, beat_at = excluded.beat_at,"
                " body = excluded.body",
                (beat.source, beat.role.value, beat.beat_at, body),
            )

    def beats(self) -> list[Beat]:
        with self._db.translated("cannot read heartbeats"):
            rows = self._db.conn.execute("SELECT body FROM heartbeat ORDER BY role, source").fetchall()
        return [Beat.from_json(json.loads(body)) for (body,) in rows]

    # --- staff commands ---

    def queue_command(self, kiosk_id: str, command: str, args: dict[str, Any], who: str, at: datetime) -> StaffCommand:
        require_aware(at)
        with self._db.translated("cannot queue a staff command"), self._db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO staff_command (kiosk_id, command, args, asked_by, asked_at) VALUES (?, ?, ?, ?, ?)",
                (kiosk_id, command, json.dumps(args, ensure_ascii=False), who, at.isoformat()),
            )
            assert cursor.lastrowid is not None
            append_event(conn, EventKind.STAFF, at, at.date())
            return StaffCommand(cursor.lastrowid, kiosk_id, command, dict(args), who, at)

    def pending_commands(self, kiosk_id: str) -> list[StaffCommand]:
        with self._db.translated("cannot read staff commands"):
            rows = self._db.conn.execute(
                f"SELECT {_COMMAND_COLUMNS} FROM staff_command WHERE kiosk_id = ? AND state = 'pending' ORDER BY id",
                (kiosk_id,),
            ).fetchall()
        return [_command(row) for row in rows]

    def finish_command(self, command_id: int, ok: bool, result: dict[str, Any], at: datetime) -> None:
        require_aware(at)
        state = CommandState.DONE if ok else CommandState.FAILED
        with self._db.translated("cannot record a staff command's answer"), self._db.transaction() as conn:
            conn.execute(
                "UPDATE staff_command SET state = ?, done_at = ?, result = ? WHERE id = ? AND state = 'pending'",
                (state.value, at.isoformat(), json.dumps(result, ensure_ascii=False), command_id),
            )
            append_event(conn, EventKind.STAFF, at, at.date())

    def commands(self, limit: int = 20) -> list[StaffCommand]:
        with self._db.translated("cannot read staff commands"):
            rows = self._db.conn.execute(
                f"SELECT {_COMMAND_COLUMNS} FROM staff_command ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [_command(row) for row in rows]

    # --- service modes and today's procedures ---

    def set_out_of_service(self, kiosk_id: str, out: bool, who: str, at: datetime) -> None:
        require_aware(at)
        with self._db.translated("cannot change a kiosk's service mode"), self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO kiosk_mode (kiosk_id, out_of_service, changed_at, changed_by) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (kiosk_id) DO UPDATE SET out_of_service = excluded.out_of_service,"
                " changed_at = excluded.changed_at, changed_by = excluded.changed_by",
                (kiosk_id, int(out), at.isoformat(), who),
            )
            append_event(conn, EventKind.STAFF, at, at.date())

    def modes(self) -> dict[str, KioskMode]:
        with self._db.translated("cannot read service modes"):
            rows = self._db.conn.execute(
                "SELECT kiosk_id, out_of_service, changed_at, changed_by FROM kiosk_mode"
            ).fetchall()
        return {
            kid: KioskMode(kid, bool(out), None if at is None else datetime.fromisoformat(at), by)
            for kid, out, at, by in rows
        }

    def set_procedure_day(self, day: date, change: ProcedureDay, at: datetime) -> None:
        require_aware(at)
        with self._db.translated("cannot change today's procedure"), self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO procedure_day (business_date, procedure, closed, cap) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (business_date, procedure) DO UPDATE SET closed = excluded.closed, cap = excluded.cap",
                (day.isoformat(), change.procedure.value, int(change.closed), change.cap),
            )
            append_event(conn, EventKind.STAFF, at, day)

    def procedure_days(self, day: date) -> dict[Procedure, ProcedureDay]:
        with self._db.translated("cannot read today's procedures"):
            rows = self._db.conn.execute(
                "SELECT procedure, closed, cap FROM procedure_day WHERE business_date = ?", (day.isoformat(),)
            ).fetchall()
        return {Procedure(p): ProcedureDay(Procedure(p), bool(closed), cap) for p, closed, cap in rows}

    # --- the audit log ---

    def audit(self, at: datetime, who: str, action: str, target: str, detail: str = "") -> AuditEntry:
        require_aware(at)
        with self._db.translated("cannot write the audit log"), self._db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO audit_log (at, who, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                (at.isoformat(), who, action, target, detail),
            )
            assert cursor.lastrowid is not None
        return AuditEntry(cursor.lastrowid, at, who, action, target, detail)

    def audit_log(self, limit: int = 50) -> list[AuditEntry]:
        with self._db.translated("cannot read the audit log"):
            rows = self._db.conn.execute(
                "SELECT id, at, who, action, target, detail FROM audit_log ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [AuditEntry(i, datetime.fromisoformat(at), who, a, t, d) for i, at, who, a, t, d in rows]

    # --- statistics ---

    def ticket_times(self, day: date) -> list[TicketTimes]:
        with self._db.translated("cannot read the day's tickets"):
            rows = self._db.conn.execute(
                "SELECT procedure, COALESCE(at_counter, counter), state, issued_at, called_at, serving_at, done_at,"
                " print_state FROM ticket WHERE business_date = ? ORDER BY id",
                (day.isoformat(),),
            ).fetchall()
        return [
            TicketTimes(p, c, s, datetime.fromisoformat(i), _when(ca), _when(sa), _when(da), ps)
            for p, c, s, i, ca, sa, da, ps in rows
        ]

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SqliteHealthStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _when(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _command(row: tuple[Any, ...]) -> StaffCommand:
    id_, kiosk, command, args, by, at, state, done_at, result = row
    return StaffCommand(
        id=id_,
        kiosk_id=kiosk,
        command=command,
        args=json.loads(args),
        asked_by=by,
        asked_at=datetime.fromisoformat(at),
        state=CommandState(state),
        done_at=_when(done_at),
        result=None if result is None else json.loads(result),
    )


def _conforms(store: SqliteHealthStore) -> HealthStore:
    return store  # mypy fails here when the class drifts from the Protocol
