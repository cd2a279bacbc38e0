"""A kiosk's offline outbox: its own SQLite file holding its number blocks and the tickets issued
from them while the shared database was away (kiosk/queue/offline.py uses it, under its lock).

WAL with synchronous=FULL: a number handed out offline survives a power cut, as in the kiosk's
SQLite store. A ticket's request is kept as JSON (no personal data is in a request). Rows stay
after upload, with the id the database gave them, until their day is over: a print state set
later still finds its ticket.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from kiosk.domain.model import HoldingStatus, Procedure
from kiosk.errors import StoreError
from kiosk.queue.model import PrintState, TicketRequest
from kiosk.queue.pg_store import Block

_OUTBOX_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS block (
    id INTEGER PRIMARY KEY,               -- the shared database's number_block id
    counter_group TEXT NOT NULL,
    business_date TEXT NOT NULL,
    first_number INTEGER NOT NULL,
    last_number INTEGER NOT NULL,
    next_number INTEGER NOT NULL          -- the next one to hand out; past last_number: used up
)""",
    """CREATE TABLE IF NOT EXISTS pending (
    id INTEGER PRIMARY KEY AUTOINCREMENT, -- issue order; the ticket's id is minus this until uploaded
    issue_key TEXT NOT NULL UNIQUE,
    request TEXT NOT NULL,                -- JSON of the TicketRequest (no personal data in it)
    number INTEGER NOT NULL,
    block_id INTEGER NOT NULL,
    print_state TEXT NOT NULL,
    print_at TEXT,
    server_id INTEGER                     -- set once uploaded
)""",
    """CREATE TABLE IF NOT EXISTS unconfirmed (
    issue_key TEXT PRIMARY KEY            -- an online attempt that may have committed; nobody got its number
)""",
    """CREATE TABLE IF NOT EXISTS print_change (
    id INTEGER PRIMARY KEY AUTOINCREMENT, -- a print state set on an online ticket while offline
    server_id INTEGER NOT NULL,
    print_state TEXT NOT NULL,
    at TEXT NOT NULL
)""",
)


@dataclass(frozen=True)
class Pending:
    """A ticket issued offline, as kept until (and after) its upload."""

    local_id: int
    issue_key: str
    request: TicketRequest
    number: int
    block_id: int
    print_state: PrintState
    print_at: datetime | None
    server_id: int | None


class Outbox:
    """The kiosk's own SQLite file: its blocks and the tickets issued from them. One connection,
    used under the store's lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=5)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            for statement in _OUTBOX_SCHEMA:
                self._conn.execute(statement)
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open the offline outbox: {exc}") from exc

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: the offline outbox failed: {exc}") from exc

    def blocks(self) -> list[Block]:
        rows = self._conn.execute(
            "SELECT id, counter_group, business_date, first_number, last_number FROM block ORDER BY id"
        ).fetchall()
        return [Block(i, g, date.fromisoformat(d), f, last) for i, g, d, f, last in rows]

    def has_block(self, group: str, day: date) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM block WHERE counter_group = ? AND business_date = ? AND next_number <= last_number",
            (group, day.isoformat()),
        ).fetchone()
        return row is not None

    def numbers_left(self, day: date) -> int:
        row = self._conn.execute(
            "SELECT COALESCE(SUM(last_number - next_number + 1), 0) FROM block"
            " WHERE business_date = ? AND next_number <= last_number",
            (day.isoformat(),),
        ).fetchone()
        return int(row[0])

    def add_block(self, block: Block) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO block (id, counter_group, business_date, first_number, last_number, next_number)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (block.id, block.group, block.business_date.isoformat(), block.first, block.last, block.first),
            )

    def spent_blocks(self, today: date) -> list[tuple[int, bool]]:
        """Blocks to give back, each with whether it expired: of an earlier day, or used up."""
        rows = self._conn.execute(
            "SELECT id, business_date < ? FROM block WHERE next_number > last_number OR business_date < ?",
            (today.isoformat(), today.isoformat()),
        ).fetchall()
        return [(int(r[0]), bool(r[1])) for r in rows]

    def drop_block(self, block_id: int) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM block WHERE id = ?", (block_id,))

    def take(self, request: TicketRequest, issue_key: str) -> Pending | None:
        """The block's next number for this request, stored with it in one transaction; None when no
        block of the group and day has a number left."""
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT id, next_number FROM block WHERE counter_group = ? AND business_date = ?"
                " AND next_number <= last_number ORDER BY id LIMIT 1",
                (request.group, request.business_date.isoformat()),
            ).fetchone()
            if row is None:
                return None
            block_id, number = int(row[0]), int(row[1])
            conn.execute("UPDATE block SET next_number = next_number + 1 WHERE id = ?", (block_id,))
            cursor = conn.execute(
                "INSERT INTO pending (issue_key, request, number, block_id, print_state) VALUES (?, ?, ?, ?, ?)",
                (issue_key, _request_json(request), number, block_id, PrintState.RESERVED.value),
            )
            assert cursor.lastrowid is not None
            return Pending(cursor.lastrowid, issue_key, request, number, block_id, PrintState.RESERVED, None, None)

    def pending(self, local_id: int) -> Pending | None:
        row = self._conn.execute(f"SELECT {_PENDING_COLUMNS} FROM pending WHERE id = ?", (local_id,)).fetchone()
        return None if row is None else _pending(row)

    def next_upload(self) -> Pending | None:
        row = self._conn.execute(
            f"SELECT {_PENDING_COLUMNS} FROM pending WHERE server_id IS NULL ORDER BY id LIMIT 1"
        ).fetchone()
        return None if row is None else _pending(row)

    def waiting(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM pending WHERE server_id IS NULL").fetchone()[0])

    def uploaded(self, local_id: int, server_id: int) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE pending SET server_id = ? WHERE id = ?", (server_id, local_id))

    def set_print_state(self, local_id: int, state: PrintState, at: datetime) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE pending SET print_state = ?, print_at = ? WHERE id = ?", (state.value, at.isoformat(), local_id)
            )

    def add_print_change(self, server_id: int, state: PrintState, at: datetime) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO print_change (server_id, print_state, at) VALUES (?, ?, ?)",
                (server_id, state.value, at.isoformat()),
            )

    def print_changes(self) -> list[tuple[int, int, PrintState, datetime]]:
        rows = self._conn.execute("SELECT id, server_id, print_state, at FROM print_change ORDER BY id").fetchall()
        return [(int(i), int(s), PrintState(p), datetime.fromisoformat(a)) for i, s, p, a in rows]

    def drop_print_change(self, change_id: int) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM print_change WHERE id = ?", (change_id,))

    def add_unconfirmed(self, issue_key: str) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO unconfirmed (issue_key) VALUES (?)", (issue_key,))

    def unconfirmed(self) -> list[str]:
        return [str(r[0]) for r in self._conn.execute("SELECT issue_key FROM unconfirmed").fetchall()]

    def drop_unconfirmed(self, issue_key: str) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM unconfirmed WHERE issue_key = ?", (issue_key,))

    def forget_before(self, today: date) -> None:
        """Uploaded tickets of earlier days: nothing can ask for them by their local id any more."""
        with self.transaction() as conn:
            conn.execute(
                "DELETE FROM pending WHERE server_id IS NOT NULL AND json_extract(request, '$.business_date') < ?",
                (today.isoformat(),),
            )

    def close(self) -> None:
        self._conn.close()


_PENDING_COLUMNS = "id, issue_key, request, number, block_id, print_state, print_at, server_id"


def _pending(row: Sequence[object]) -> Pending:
    local_id, key, request, number, block_id, state, print_at, server_id = row
    return Pending(
        int(str(local_id)),
        str(key),
        _request_of(str(request)),
        int(str(number)),
        int(str(block_id)),
        PrintState(str(state)),
        None if print_at is None else datetime.fromisoformat(str(print_at)),
        None if server_id is None else int(str(server_id)),
    )


def _request_json(request: TicketRequest) -> str:
    return json.dumps(
        {
            "group": request.group,
            "prefix": request.prefix,
            "first_number": request.first_number,
            "last_number": request.last_number,
            "counter": request.counter,
            "procedure": request.procedure.value,
            "current": None if request.current is None else request.current.value,
            "after": None if request.after is None else request.after.value,
            "reasons": list(request.reasons),
            "business_date": request.business_date.isoformat(),
            "issued_at": request.issued_at.isoformat(),
            "kiosk_id": request.kiosk_id,
            "lang": request.lang,
        }
    )


def _request_of(text: str) -> TicketRequest:
    data = json.loads(text)
    return TicketRequest(
        group=data["group"],
        prefix=data["prefix"],
        first_number=data["first_number"],
        last_number=data["last_number"],
        counter=data["counter"],
        procedure=Procedure(data["procedure"]),
        current=None if data["current"] is None else HoldingStatus(data["current"]),
        after=None if data["after"] is None else HoldingStatus(data["after"]),
        reasons=tuple(data["reasons"]),
        business_date=date.fromisoformat(data["business_date"]),
        issued_at=datetime.fromisoformat(data["issued_at"]),
        kiosk_id=data["kiosk_id"],
        lang=data["lang"],
    )
