"""Ticket numbers in a SQLite file on the kiosk: the `TicketStore` for one kiosk (or a few on one disk).

Duplicate numbers in a lobby are the worst failure we can cause, so:
- a number is allocated and its ticket inserted in one `BEGIN IMMEDIATE` transaction (the write lock
  is taken before reading the last number), and UNIQUE(counter_group, business_date, number) backs it;
- WAL with synchronous=FULL: a number handed out survives a power cut;
- a busy timeout, so two processes issuing at once wait for each other instead of failing; opening
  waits too: SQLite answers "locked" at once, without its busy handler, when a connection switches a
  fresh file to WAL while another holds the write lock (several processes opening a new file at the
  same instant), so the setup is retried until the busy timeout is spent;
- any problem with the file (garbage, corrupted pages, unwritable, locked, a newer schema) is a
  StoreError naming the file. We never start a fresh numbering over a file we could not read.

No personal data: the table has no column that could hold a name, birth date or card serial.

`SqliteDatabase` is the one place that opens the file, checks and migrates its schema and runs
transactions; `SqliteTicketStore` (issuing, here) and `SqliteCallingStore` (calling, in
sqlite_calling.py) each hold one. Schema 2 added the ticket's life after issuing (state, times,
the group it waits in, its place in line, the language), the append-only `queue_event` log and the
counters' day (`counter_day`); a file of schema 1 is migrated in place when it is opened.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kiosk.domain.lifecycle import EventKind
from kiosk.domain.model import HoldingStatus, Procedure
from kiosk.errors import QueueFull, StoreError
from kiosk.queue.model import PrintState, Ticket, TicketRequest

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3  # PRAGMA user_version; bump with a step in _MIGRATIONS
DATABASE_FILE = "tickets.sqlite3"  # its name in the site's data_dir

# Separate statements, not executescript(): in Python 3.11 that COMMITs the open transaction first.
_SCHEMA_1 = (
    """CREATE TABLE ticket (
    id INTEGER PRIMARY KEY,
    business_date TEXT NOT NULL,          -- ISO date, local to the site
    counter_group TEXT NOT NULL,
    number INTEGER NOT NULL,
    prefix TEXT NOT NULL,
    counter TEXT NOT NULL,
    procedure TEXT NOT NULL,
    current_status TEXT,                  -- HoldingStatus before the visit, NULL = not asked
    after_status TEXT,                    -- HoldingStatus after the visit
    reasons TEXT NOT NULL,                -- JSON array of pre-check reason codes
    issued_at TEXT NOT NULL,              -- ISO 8601 with offset
    printed_at TEXT,
    failed_at TEXT,
    reprinted_at TEXT,                    -- the latest reprint
    kiosk_id TEXT NOT NULL,
    print_state TEXT NOT NULL CHECK (print_state IN ('reserved', 'printed', 'print_failed', 'reprinted')),
    UNIQUE (counter_group, business_date, number)
)""",
    "CREATE INDEX ticket_by_date_procedure ON ticket (business_date, procedure)",
)

_TICKET_STATES = "'waiting', 'called', 'serving', 'done', 'no_show', 'cancelled'"  # kiosk.domain.lifecycle

# Schema 1 -> 2: calling. Tickets of a schema-1 file wait in their own group, before any new ticket
# (their place is negative: new places are event ids, from 1).
_SCHEMA_2 = (
    "ALTER TABLE ticket ADD COLUMN lang TEXT",  # the visitor's language; NULL = not known
    f"ALTER TABLE ticket ADD COLUMN state TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ({_TICKET_STATES}))",
    "ALTER TABLE ticket ADD COLUMN queue_group TEXT",  # the group it waits in now (transfers change it)
    "ALTER TABLE ticket ADD COLUMN queue_pos INTEGER",  # its place in line: the id of the event that queued it
    "ALTER TABLE ticket ADD COLUMN at_counter TEXT",  # the counter that called it last
    "ALTER TABLE ticket ADD COLUMN recalls INTEGER NOT NULL DEFAULT 0",  # since it was last called
    "ALTER TABLE ticket ADD COLUMN transfers INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE ticket ADD COLUMN called_at TEXT",  # first call: issued -> called is the wait
    "ALTER TABLE ticket ADD COLUMN serving_at TEXT",  # serving -> done is the service time
    "ALTER TABLE ticket ADD COLUMN done_at TEXT",
    "ALTER TABLE ticket ADD COLUMN ended_at TEXT",  # no-show or cancelled
    "UPDATE ticket SET queue_group = counter_group, queue_pos = id - (SELECT MAX(id) FROM ticket) - 1",
    "CREATE INDEX ticket_line ON ticket (business_date, queue_group, state, queue_pos)",
    "CREATE INDEX ticket_at_counter ON ticket (business_date, at_counter, state)",
    # AUTOINCREMENT: an id is never handed out twice, even after the newest row is gone.
    """CREATE TABLE queue_event (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,                   -- kiosk.domain.lifecycle.EventKind
    at TEXT NOT NULL,                     -- ISO 8601 with offset
    business_date TEXT NOT NULL,
    ticket_id INTEGER REFERENCES ticket (id),
    counter TEXT,                         -- the counter that acted
    queue_group TEXT,                     -- the ticket's group after the event
    from_group TEXT                       -- transferred: the group it left
)""",
    "CREATE INDEX queue_event_by_date ON queue_event (business_date, kind, id)",
    """CREATE TABLE counter_day (
    business_date TEXT NOT NULL,
    counter TEXT NOT NULL,
    open INTEGER NOT NULL DEFAULT 1,      -- every counter opens with the day
    passes TEXT NOT NULL DEFAULT '{}',    -- JSON group -> pass of the weighted interleave
    floor INTEGER NOT NULL DEFAULT 0,
    press_at TEXT,                        -- the latest call-next press, for the same-press window
    press_ticket INTEGER,                 -- what it called (NULL: nobody waited)
    press_event INTEGER,
    PRIMARY KEY (business_date, counter)
)""",
)

# Schema 2 -> 3: what staff see and do (kiosk/queue/health.py says why each table is there).
_SCHEMA_3 = (
    """CREATE TABLE heartbeat (
    source TEXT PRIMARY KEY,              -- a kiosk id, or "lobby"
    role TEXT NOT NULL,
    beat_at REAL NOT NULL,                -- unix seconds (wall clock)
    body TEXT NOT NULL                    -- JSON: kiosk.health.model.Beat
)""",
    """CREATE TABLE staff_command (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kiosk_id TEXT NOT NULL,
    command TEXT NOT NULL,
    args TEXT NOT NULL DEFAULT '{}',      -- JSON
    asked_by TEXT NOT NULL,
    asked_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    done_at TEXT,
    result TEXT                           -- JSON: kiosk.shell.staff.StaffResult
)""",
    "CREATE INDEX staff_command_pending ON staff_command (kiosk_id, state)",
    """CREATE TABLE kiosk_mode (
    kiosk_id TEXT PRIMARY KEY,
    out_of_service INTEGER NOT NULL,
    changed_at TEXT,
    changed_by TEXT
)""",
    """CREATE TABLE procedure_day (
    business_date TEXT NOT NULL,
    procedure TEXT NOT NULL,
    closed INTEGER NOT NULL DEFAULT 0,
    cap INTEGER,                          -- NULL: the config's daily cap
    PRIMARY KEY (business_date, procedure)
)""",
    """CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    who TEXT NOT NULL,                    -- a staff account name
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
)""",
)

# _MIGRATIONS[v] brings a file of schema v to v + 1; an empty file (0) runs them all.
_MIGRATIONS: tuple[tuple[str, ...], ...] = (_SCHEMA_1, _SCHEMA_2, _SCHEMA_3)
assert len(_MIGRATIONS) == SCHEMA_VERSION

# What a Ticket is read from, in _ticket() order.
_TICKET_COLUMNS = (
    "id, number, counter_group, prefix, counter, procedure, current_status, after_status, reasons,"
    " business_date, issued_at, kiosk_id, print_state, lang"
)


# Print states that staff and screens must hear about: no paper ticket, or paper after all.
_PRINT_EVENTS = {PrintState.PRINT_FAILED: EventKind.PRINT_FAILED, PrintState.REPRINTED: EventKind.REPRINTED}

# Each legal move and the timestamp column it stamps. Anything else is a bug in the caller: a
# failed print is never replayed automatically, staff reprint on purpose.
_TRANSITIONS: dict[tuple[PrintState, PrintState], str] = {
    (PrintState.RESERVED, PrintState.PRINTED): "printed_at",
    (PrintState.RESERVED, PrintState.PRINT_FAILED): "failed_at",
    (PrintState.PRINT_FAILED, PrintState.REPRINTED): "reprinted_at",
    (PrintState.PRINTED, PrintState.REPRINTED): "reprinted_at",
    (PrintState.REPRINTED, PrintState.REPRINTED): "reprinted_at",
}


class SqliteDatabase:
    """One connection to one ticket database file, its schema checked and brought up to date.

    Not shared between threads. Every store over the file holds one of these: one way to open,
    migrate, lock and translate errors.
    """

    def __init__(self, path: Path, *, busy_timeout_s: float = 5.0) -> None:
        self.path = path
        with self.translated("cannot open the ticket database"):
            path.parent.mkdir(parents=True, exist_ok=True)
            self._refuse_orphaned_wal()
            # isolation_level=None: we write BEGIN/COMMIT ourselves, the sqlite3 module must not.
            self.conn = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None)
        try:
            with self.translated("cannot open the ticket database"):
                self._prepare_within(busy_timeout_s)
        except BaseException:
            self.conn.close()
            raise

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction. IMMEDIATE takes the write lock before the first read, so no two
        writers read the same MAX(number) or call the same waiting ticket."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException:
            # Some errors already rolled back inside SQLite; keep the original error, not ours.
            if self.conn.in_transaction:
                with suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK")
            raise

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every query inside sees the same committed state (WAL), no lock taken."""
        self.conn.execute("BEGIN")
        try:
            yield self.conn
        finally:
            if self.conn.in_transaction:
                with suppress(sqlite3.Error):
                    self.conn.execute("COMMIT")

    @contextmanager
    def translated(self, what: str) -> Iterator[None]:
        try:
            yield
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"{self.path}: {what}: {exc}") from exc

    def _prepare_within(self, busy_timeout_s: float) -> None:
        """`_prepare`, again while another connection's lock makes it fail, for `busy_timeout_s` in all.

        Each attempt may itself wait in SQLite's busy handler: it gets only the time that is left, so
        a file that stays locked is a StoreError after about the busy timeout, never much later."""
        deadline = time.monotonic() + busy_timeout_s
        full_ms = max(1, round(busy_timeout_s * 1000))
        pause_s = 0.005
        while True:
            left_ms = max(1, round((deadline - time.monotonic()) * 1000))
            self.conn.execute(f"PRAGMA busy_timeout = {min(left_ms, full_ms)}")
            try:
                self._prepare()
                break
            except sqlite3.OperationalError as exc:
                # The whole setup is safe to repeat: the pragmas are idempotent and a failed
                # migration rolled back. Only "busy" is worth another try.
                if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY or time.monotonic() >= deadline:
                    raise
            time.sleep(min(pause_s, max(0.0, deadline - time.monotonic())))
            pause_s = min(pause_s * 2, 0.05)
        self.conn.execute(f"PRAGMA busy_timeout = {full_ms}")

    def _prepare(self) -> None:
        """Set the connection up and check, create or migrate the schema."""
        # Fails on a garbage file ("file is not a database") before we write anything.
        mode = self.conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode != "wal":
            raise StoreError(f"{self.path}: cannot switch to WAL (journal mode stays {mode!r})")
        self.conn.execute("PRAGMA synchronous=FULL")
        # Corrupted pages behind an intact header show up here, at start, not in the middle of a visit.
        problems = [row[0] for row in self.conn.execute("PRAGMA quick_check").fetchall()]
        if problems != ["ok"]:
            raise StoreError(f"{self.path}: the ticket database is corrupted: {'; '.join(problems[:5])}")
        with self.transaction():
            version = int(self.conn.execute("PRAGMA user_version").fetchone()[0])
            if version == SCHEMA_VERSION:
                # SQLite quietly opens a write-protected file read-only; writing the version again
                # makes that fail now rather than at the first visitor.
                self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                return
            if version > SCHEMA_VERSION or version < 0:
                raise StoreError(
                    f"{self.path}: schema version {version} is not one this kiosk knows"
                    f" (it knows up to {SCHEMA_VERSION}); refusing to use it"
                )
            tables = self.conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
            if version == 0 and tables:
                raise StoreError(f"{self.path}: not a ticket database (no schema version, but has tables)")
            # An empty file, or an older schema: the write lock we hold means no other process
            # migrates at the same time, and a failure rolls every step back.
            for step in _MIGRATIONS[version:]:
                for statement in step:
                    self.conn.execute(statement)
            self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            if version == 0:
                log.info("created a new ticket database at %s", self.path)
            else:
                log.info("migrated the ticket database at %s from schema %d to %d", self.path, version, SCHEMA_VERSION)

    def _refuse_orphaned_wal(self) -> None:
        # SQLite deletes the WAL when the main file is missing or empty: committed numbers would
        # vanish and we would hand them out again.
        wal = self.path.with_name(self.path.name + "-wal")
        main_empty = not self.path.exists() or self.path.stat().st_size == 0
        if main_empty and wal.exists() and wal.stat().st_size > 0:
            raise StoreError(f"{self.path}: the database file is missing or empty but {wal.name} is not")


def append_event(
    conn: sqlite3.Connection,
    kind: EventKind,
    at: datetime,
    business_date: date,
    *,
    ticket_id: int | None = None,
    counter: str | None = None,
    group: str | None = None,
    from_group: str | None = None,
) -> int:
    """Append one row to the event log inside the caller's transaction; returns its id."""
    cursor = conn.execute(
        "INSERT INTO queue_event (kind, at, business_date, ticket_id, counter, queue_group, from_group)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (kind.value, at.isoformat(), business_date.isoformat(), ticket_id, counter, group, from_group),
    )
    assert cursor.lastrowid is not None  # an INSERT into a rowid table always sets it
    return cursor.lastrowid


class SqliteTicketStore:
    """Issuing numbers: the kiosk's `TicketStore`. One connection; not shared between threads."""

    def __init__(self, path: Path, *, busy_timeout_s: float = 5.0) -> None:
        self._db = SqliteDatabase(path, busy_timeout_s=busy_timeout_s)
        self._path = path

    def issue(self, request: TicketRequest) -> Ticket:
        require_aware(request.issued_at)
        with self._db.translated("cannot issue a ticket"), self._db.transaction() as conn:
            last = conn.execute(
                "SELECT MAX(number) FROM ticket WHERE counter_group = ? AND business_date = ?",
                (request.group, request.business_date.isoformat()),
            ).fetchone()[0]
            number = request.first_number if last is None else max(int(last) + 1, request.first_number)
            if number > request.last_number:
                raise QueueFull(
                    f"counter group {request.group!r} used up {request.first_number}..{request.last_number}"
                    f" on {request.business_date.isoformat()}"
                )
            cursor = conn.execute(
                "INSERT INTO ticket (business_date, counter_group, number, prefix, counter, procedure,"
                " current_status, after_status, reasons, issued_at, kiosk_id, print_state, lang, queue_group)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    request.business_date.isoformat(),
                    request.group,
                    number,
                    request.prefix,
                    request.counter,
                    request.procedure.value,
                    None if request.current is None else request.current.value,
                    None if request.after is None else request.after.value,
                    json.dumps(list(request.reasons)),
                    request.issued_at.isoformat(),
                    request.kiosk_id,
                    PrintState.RESERVED.value,
                    request.lang,
                    request.group,
                ),
            )
            ticket_id = cursor.lastrowid
            assert ticket_id is not None  # an INSERT into a rowid table always sets it
            # The issued event's id is the ticket's place in line: comparable across groups, so a
            # transferred ticket can keep it.
            event_id = append_event(
                conn,
                EventKind.ISSUED,
                request.issued_at,
                request.business_date,
                ticket_id=ticket_id,
                group=request.group,
            )
            conn.execute("UPDATE ticket SET queue_pos = ? WHERE id = ?", (event_id, ticket_id))
        # Built from the request rather than read back: one statement less on the hot path.
        return Ticket(
            id=ticket_id,
            number=number,
            group=request.group,
            prefix=request.prefix,
            counter=request.counter,
            procedure=request.procedure,
            current=request.current,
            after=request.after,
            reasons=request.reasons,
            business_date=request.business_date,
            issued_at=request.issued_at,
            kiosk_id=request.kiosk_id,
            print_state=PrintState.RESERVED,
            lang=request.lang,
        )

    def set_print_state(self, ticket_id: int, state: PrintState, at: datetime) -> Ticket:
        require_aware(at)
        with self._db.translated(f"cannot set ticket {ticket_id} to {state.value}"), self._db.transaction() as conn:
            row = conn.execute(
                "SELECT print_state, business_date, queue_group FROM ticket WHERE id = ?", (ticket_id,)
            ).fetchone()
            if row is None:
                raise StoreError(f"{self._path}: no ticket with id {ticket_id}")
            current = PrintState(row[0])
            column = _TRANSITIONS.get((current, state))
            if column is None:
                raise StoreError(f"{self._path}: ticket {ticket_id} cannot go from {current.value} to {state.value}")
            conn.execute(
                f"UPDATE ticket SET print_state = ?, {column} = ? WHERE id = ?",
                (state.value, at.isoformat(), ticket_id),
            )
            kind = _PRINT_EVENTS.get(state)
            if kind is not None:
                append_event(conn, kind, at, date.fromisoformat(row[1]), ticket_id=ticket_id, group=row[2])
            return self._ticket_by_id(ticket_id)

    def get(self, group: str, business_date: date, number: int) -> Ticket | None:
        with self._db.translated("cannot read a ticket"):
            row = self._db.conn.execute(
                f"SELECT {_TICKET_COLUMNS} FROM ticket WHERE counter_group = ? AND business_date = ? AND number = ?",
                (group, business_date.isoformat(), number),
            ).fetchone()
        return None if row is None else _ticket(row)

    def count_issued(self, business_date: date, procedure: Procedure) -> int:
        # Every allocated number counts, printed or not: the cap limits numbers handed out.
        with self._db.translated("cannot count tickets"):
            row = self._db.conn.execute(
                "SELECT COUNT(*) FROM ticket WHERE business_date = ? AND procedure = ?",
                (business_date.isoformat(), procedure.value),
            ).fetchone()
        return int(row[0])

    def close(self) -> None:
        self._db.close()

    def _ticket_by_id(self, ticket_id: int) -> Ticket:
        with self._db.translated("cannot read a ticket"):
            row = self._db.conn.execute(f"SELECT {_TICKET_COLUMNS} FROM ticket WHERE id = ?", (ticket_id,)).fetchone()
        return _ticket(row)


def _ticket(row: Sequence[Any]) -> Ticket:
    (id_, number, group, prefix, counter, procedure, current, after, reasons, day, issued, kiosk, state, lang) = row
    return Ticket(
        id=id_,
        number=number,
        group=group,
        prefix=prefix,
        counter=counter,
        procedure=Procedure(procedure),
        current=None if current is None else HoldingStatus(current),
        after=None if after is None else HoldingStatus(after),
        reasons=tuple(json.loads(reasons)),
        business_date=date.fromisoformat(day),
        issued_at=datetime.fromisoformat(issued),
        kiosk_id=kiosk,
        print_state=PrintState(state),
        lang=lang,
    )


def require_aware(moment: datetime) -> None:
    # A naive time would be stored without an offset and read back ambiguous.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"ticket times must be timezone-aware, got {moment!r}")
