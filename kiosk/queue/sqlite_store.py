"""Ticket numbers in a SQLite file on the kiosk: the `TicketStore` for one kiosk (or a few on one disk).

Duplicate numbers in a lobby are the worst failure we can cause, so:
- a number is allocated and its ticket inserted in one `BEGIN IMMEDIATE` transaction (the write lock
  is taken before reading the last number), and UNIQUE(counter_group, business_date, number) backs it;
- WAL with synchronous=FULL: a number handed out survives a power cut;
- a busy timeout, so two processes issuing at once wait for each other instead of failing;
- any problem with the file (garbage, corrupted pages, unwritable, locked, a newer schema) is a
  StoreError naming the file. We never start a fresh numbering over a file we could not read.

No personal data: the table has no column that could hold a name, birth date or card serial.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kiosk.domain.model import HoldingStatus, Procedure
from kiosk.errors import QueueFull, StoreError
from kiosk.queue.model import PrintState, Ticket, TicketRequest

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1  # PRAGMA user_version; bump with a migration in _prepare()

# Separate statements, not executescript(): in Python 3.11 that COMMITs the open transaction first.
_SCHEMA = (
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

# What a Ticket is read from, in _ticket() order.
_TICKET_COLUMNS = (
    "id, number, counter_group, prefix, counter, procedure, current_status, after_status, reasons,"
    " business_date, issued_at, kiosk_id, print_state"
)


# Each legal move and the timestamp column it stamps. Anything else is a bug in the caller: a
# failed print is never replayed automatically, staff reprint on purpose.
_TRANSITIONS: dict[tuple[PrintState, PrintState], str] = {
    (PrintState.RESERVED, PrintState.PRINTED): "printed_at",
    (PrintState.RESERVED, PrintState.PRINT_FAILED): "failed_at",
    (PrintState.PRINT_FAILED, PrintState.REPRINTED): "reprinted_at",
    (PrintState.PRINTED, PrintState.REPRINTED): "reprinted_at",
    (PrintState.REPRINTED, PrintState.REPRINTED): "reprinted_at",
}


class SqliteTicketStore:
    """One connection to one database file; not shared between threads."""

    def __init__(self, path: Path, *, busy_timeout_s: float = 5.0) -> None:
        self._path = path
        with self._translated("cannot open the ticket database"):
            path.parent.mkdir(parents=True, exist_ok=True)
            self._refuse_orphaned_wal()
            # isolation_level=None: we write BEGIN/COMMIT ourselves, the sqlite3 module must not.
            self._conn = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None)
        try:
            with self._translated("cannot open the ticket database"):
                self._prepare()
        except BaseException:
            self._conn.close()
            raise

    def issue(self, request: TicketRequest) -> Ticket:
        _require_aware(request.issued_at)
        with self._translated("cannot issue a ticket"), self._transaction():
            last = self._conn.execute(
                "SELECT MAX(number) FROM ticket WHERE counter_group = ? AND business_date = ?",
                (request.group, request.business_date.isoformat()),
            ).fetchone()[0]
            number = request.first_number if last is None else max(int(last) + 1, request.first_number)
            if number > request.last_number:
                raise QueueFull(
                    f"counter group {request.group!r} used up {request.first_number}..{request.last_number}"
                    f" on {request.business_date.isoformat()}"
                )
            cursor = self._conn.execute(
                "INSERT INTO ticket (business_date, counter_group, number, prefix, counter, procedure,"
                " current_status, after_status, reasons, issued_at, kiosk_id, print_state)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                ),
            )
            ticket_id = cursor.lastrowid
        assert ticket_id is not None  # an INSERT into a rowid table always sets it
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
        )

    def set_print_state(self, ticket_id: int, state: PrintState, at: datetime) -> Ticket:
        _require_aware(at)
        with self._translated(f"cannot set ticket {ticket_id} to {state.value}"), self._transaction():
            row = self._conn.execute("SELECT print_state FROM ticket WHERE id = ?", (ticket_id,)).fetchone()
            if row is None:
                raise StoreError(f"{self._path}: no ticket with id {ticket_id}")
            current = PrintState(row[0])
            column = _TRANSITIONS.get((current, state))
            if column is None:
                raise StoreError(f"{self._path}: ticket {ticket_id} cannot go from {current.value} to {state.value}")
            self._conn.execute(
                f"UPDATE ticket SET print_state = ?, {column} = ? WHERE id = ?",
                (state.value, at.isoformat(), ticket_id),
            )
            return self._ticket_by_id(ticket_id)

    def get(self, group: str, business_date: date, number: int) -> Ticket | None:
        with self._translated("cannot read a ticket"):
            row = self._conn.execute(
                f"SELECT {_TICKET_COLUMNS} FROM ticket WHERE counter_group = ? AND business_date = ? AND number = ?",
                (group, business_date.isoformat(), number),
            ).fetchone()
        return None if row is None else _ticket(row)

    def count_issued(self, business_date: date, procedure: Procedure) -> int:
        # Every allocated number counts, printed or not: the cap limits numbers handed out.
        with self._translated("cannot count tickets"):
            row = self._conn.execute(
                "SELECT COUNT(*) FROM ticket WHERE business_date = ? AND procedure = ?",
                (business_date.isoformat(), procedure.value),
            ).fetchone()
        return int(row[0])

    def close(self) -> None:
        self._conn.close()

    def _prepare(self) -> None:
        """Set the connection up and check (or create) the schema."""
        # Fails on a garbage file ("file is not a database") before we write anything.
        mode = self._conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode != "wal":
            raise StoreError(f"{self._path}: cannot switch to WAL (journal mode stays {mode!r})")
        self._conn.execute("PRAGMA synchronous=FULL")
        # Corrupted pages behind an intact header show up here, at start, not in the middle of a visit.
        problems = [row[0] for row in self._conn.execute("PRAGMA quick_check").fetchall()]
        if problems != ["ok"]:
            raise StoreError(f"{self._path}: the ticket database is corrupted: {'; '.join(problems[:5])}")
        with self._transaction():
            version = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
            if version == SCHEMA_VERSION:
                # SQLite quietly opens a write-protected file read-only; writing the version again
                # makes that fail now rather than at the first visitor.
                self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                return
            if version > SCHEMA_VERSION or version < 0:
                raise StoreError(
                    f"{self._path}: schema version {version} is not one this kiosk knows"
                    f" (it knows up to {SCHEMA_VERSION}); refusing to use it"
                )
            tables = self._conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
            if version == 0 and tables:
                raise StoreError(f"{self._path}: not a ticket database (no schema version, but has tables)")
            # Empty file: nothing to lose. Another process may have got here first; the write lock
            # we hold makes that impossible to miss.
            for statement in _SCHEMA:
                self._conn.execute(statement)
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            log.info("created a new ticket database at %s", self._path)

    def _refuse_orphaned_wal(self) -> None:
        # SQLite deletes the WAL when the main file is missing or empty: committed numbers would
        # vanish and we would hand them out again.
        wal = self._path.with_name(self._path.name + "-wal")
        main_empty = not self._path.exists() or self._path.stat().st_size == 0
        if main_empty and wal.exists() and wal.stat().st_size > 0:
            raise StoreError(f"{self._path}: the database file is missing or empty but {wal.name} is not")

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        # IMMEDIATE takes the write lock before the first read, so no two writers read the same MAX.
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._conn.execute("COMMIT")
        except BaseException:
            # Some errors already rolled back inside SQLite; keep the original error, not ours.
            if self._conn.in_transaction:
                with suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
            raise

    @contextmanager
    def _translated(self, what: str) -> Iterator[None]:
        try:
            yield
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"{self._path}: {what}: {exc}") from exc

    def _ticket_by_id(self, ticket_id: int) -> Ticket:
        with self._translated("cannot read a ticket"):
            row = self._conn.execute(f"SELECT {_TICKET_COLUMNS} FROM ticket WHERE id = ?", (ticket_id,)).fetchone()
        return _ticket(row)


def _ticket(row: Sequence[Any]) -> Ticket:
    (id_, number, group, prefix, counter, procedure, current, after, reasons, day, issued, kiosk, state) = row
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
    )


def _require_aware(moment: datetime) -> None:
    # A naive time would be stored without an offset and read back ambiguous.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"ticket times must be timezone-aware, got {moment!r}")
