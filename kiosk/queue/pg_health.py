"""`HealthStore` in the shared PostgreSQL database (kiosk/queue/health.py says what each table is for).

Over `PgDatabase`, like the ticket and calling stores: the same connection handling, schema check
and error translation. One connection; not shared between threads. The same answers as the SQLite
store (kiosk/queue/sqlite_health.py): a heartbeat is one UPSERT, with a `staff` event only when it
brings news (a device changed; the sign-of-life beats every 10 s must not wake the screens); a staff
command, its answer, a service mode or a procedure change also appends a `staff` event in the same
transaction, whose trigger NOTIFYs every listener at commit, so a kiosk on another machine waiting on
its `PgNotifier` takes a command at once (it also looks every few seconds anyway:
kiosk/shell/staff_link.py), and the lobby's staff page hears of a kiosk's news at once.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from psycopg.types.json import Jsonb

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
from kiosk.queue.pg_store import Connection, PgDatabase, append_event
from kiosk.queue.sqlite_store import require_aware

_COMMAND_COLUMNS = "id, kiosk_id, command, args, asked_by, asked_at, state, done_at, result"


class PgHealthStore:
    def __init__(self, url: str, *, timezone: str = "UTC") -> None:
        self._db = PgDatabase(url, timezone=timezone)
        self._zone = ZoneInfo(timezone)

    # --- heartbeats ---

    def beat(self, beat: Beat, *, news: bool = False) -> None:
        with self._db.transaction("cannot write a heartbeat") as conn:
            conn.execute(
                "INSERT INTO heartbeat (source, role, beat_at, body) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (source) DO UPDATE SET role = excluded.role, beat_at = excluded.beat_at,"
                " body = excluded.body",
                (beat.source, beat.role.value, beat.beat_at, Jsonb(beat.to_json())),
            )
            _count_write(conn)
            if news:
                at = datetime.fromtimestamp(beat.beat_at, self._zone)
                append_event(conn, EventKind.STAFF, at, at.date())

    def version(self) -> int:
        """Moves with every committed event and every heartbeat or audit entry (`health_clock`), this
        connection's own writes included (one extra read after them; SQLite's data_version skips them).
        Both counters only grow, so their sum changes whenever either does; both are rows, read in one
        statement, so a version read before a write commits never hides that write."""
        rows = self._read(
            "cannot look at the store",
            "SELECT (SELECT last_id FROM event_clock) + (SELECT writes FROM health_clock)",
        )
        return int(rows[0][0])

    def beats(self) -> list[Beat]:
        # Byte order (COLLATE "C"), as SQLite sorts: the page lists kiosks the same on both.
        rows = self._read(
            "cannot read heartbeats", 'SELECT body FROM heartbeat ORDER BY role COLLATE "C", source COLLATE "C"'
        )
        return [Beat.from_json(body) for (body,) in rows]

    # --- staff commands ---

    def queue_command(self, kiosk_id: str, command: str, args: dict[str, Any], who: str, at: datetime) -> StaffCommand:
        require_aware(at)
        with self._db.transaction("cannot queue a staff command") as conn:
            row = conn.execute(
                "INSERT INTO staff_command (kiosk_id, command, args, asked_by, asked_at)"
                " VALUES (%s, %s, %s, %s, %s) RETURNING id",
                (kiosk_id, command, Jsonb(args), who, at),
            ).fetchone()
            assert row is not None
            append_event(conn, EventKind.STAFF, at, at.date())  # the kiosk's notifier wakes at commit
        return StaffCommand(int(row[0]), kiosk_id, command, dict(args), who, at)

    def pending_commands(self, kiosk_id: str) -> list[StaffCommand]:
        rows = self._read(
            "cannot read staff commands",
            f"SELECT {_COMMAND_COLUMNS} FROM staff_command WHERE kiosk_id = %s AND state = 'pending' ORDER BY id",
            (kiosk_id,),
        )
        return [_command(row) for row in rows]

    def finish_command(self, command_id: int, ok: bool, result: dict[str, Any], at: datetime) -> None:
        require_aware(at)
        state = CommandState.DONE if ok else CommandState.FAILED
        with self._db.transaction("cannot record a staff command's answer") as conn:
            conn.execute(
                "UPDATE staff_command SET state = %s, done_at = %s, result = %s WHERE id = %s AND state = 'pending'",
                (state.value, at, Jsonb(result), command_id),
            )
            append_event(conn, EventKind.STAFF, at, at.date())

    def commands(self, limit: int = 20) -> list[StaffCommand]:
        rows = self._read(
            "cannot read staff commands",
            f"SELECT {_COMMAND_COLUMNS} FROM staff_command ORDER BY id DESC LIMIT %s",
            (limit,),
        )
        return [_command(row) for row in rows]

    # --- service modes and today's procedures ---

    def set_out_of_service(self, kiosk_id: str, out: bool, who: str, at: datetime) -> None:
        require_aware(at)
        with self._db.transaction("cannot change a kiosk's service mode") as conn:
            conn.execute(
                "INSERT INTO kiosk_mode (kiosk_id, out_of_service, changed_at, changed_by) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (kiosk_id) DO UPDATE SET out_of_service = excluded.out_of_service,"
                " changed_at = excluded.changed_at, changed_by = excluded.changed_by",
                (kiosk_id, out, at, who),
            )
            append_event(conn, EventKind.STAFF, at, at.date())

    def modes(self) -> dict[str, KioskMode]:
        rows = self._read(
            "cannot read service modes", "SELECT kiosk_id, out_of_service, changed_at, changed_by FROM kiosk_mode"
        )
        return {kid: KioskMode(kid, out, at, by) for kid, out, at, by in rows}

    def set_procedure_day(self, day: date, change: ProcedureDay, at: datetime) -> None:
        require_aware(at)
        with self._db.transaction("cannot change today's procedure") as conn:
            conn.execute(
                "INSERT INTO procedure_day (business_date, procedure, closed, cap) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (business_date, procedure) DO UPDATE SET closed = excluded.closed, cap = excluded.cap",
                (day, change.procedure.value, change.closed, change.cap),
            )
            append_event(conn, EventKind.STAFF, at, day)

    def procedure_days(self, day: date) -> dict[Procedure, ProcedureDay]:
        rows = self._read(
            "cannot read today's procedures",
            "SELECT procedure, closed, cap FROM procedure_day WHERE business_date = %s",
            (day,),
        )
        return {Procedure(p): ProcedureDay(Procedure(p), closed, cap) for p, closed, cap in rows}

    # --- the audit log ---

    def audit(self, at: datetime, who: str, action: str, target: str, detail: str = "") -> AuditEntry:
        require_aware(at)
        with self._db.transaction("cannot write the audit log") as conn:
            row = conn.execute(
                "INSERT INTO audit_log (at, who, action, target, detail) VALUES (%s, %s, %s, %s, %s) RETURNING id",
                (at, who, action, target, detail),
            ).fetchone()
            assert row is not None
            _count_write(conn)
        return AuditEntry(int(row[0]), at, who, action, target, detail)

    def audit_log(self, limit: int = 50) -> list[AuditEntry]:
        rows = self._read(
            "cannot read the audit log",
            "SELECT id, at, who, action, target, detail FROM audit_log ORDER BY id DESC LIMIT %s",
            (limit,),
        )
        return [AuditEntry(i, at, who, a, t, d) for i, at, who, a, t, d in rows]

    # --- statistics ---

    def ticket_times(self, day: date) -> list[TicketTimes]:
        rows = self._read(
            "cannot read the day's tickets",
            "SELECT procedure, COALESCE(at_counter, counter), state, issued_at, called_at, serving_at, done_at,"
            " print_state FROM ticket WHERE business_date = %s ORDER BY id",
            (day,),
        )
        return [TicketTimes(p, c, s, i, ca, sa, da, ps) for p, c, s, i, ca, sa, da, ps in rows]

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> PgHealthStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read(self, what: str, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """One statement's rows (autocommit: the statement reads one committed state)."""
        with self._db.translated(what):
            return self._db.connection().execute(query, params).fetchall()


def _count_write(conn: Connection) -> None:
    """A write that appends no event moves the version (the row lock is held to commit: a moment)."""
    conn.execute("UPDATE health_clock SET writes = writes + 1")


def _command(row: tuple[Any, ...]) -> StaffCommand:
    id_, kiosk, command, args, by, at, state, done_at, result = row
    return StaffCommand(
        id=int(id_),
        kiosk_id=kiosk,
        command=command,
        args=dict(args),
        asked_by=by,
        asked_at=at,
        state=CommandState(state),
        done_at=done_at,
        result=result,
    )


def _conforms(store: PgHealthStore) -> HealthStore:
    return store  # mypy fails here when the class drifts from the Protocol
