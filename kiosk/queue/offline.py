"""A kiosk's ticket store on the shared database that keeps issuing while the database is away.

Where other queue systems stop (a NovoSGA kiosk that loses its server issues nothing), ours goes on
without ever duplicating a number:
- while online it issues from the shared sequence (kiosk/queue/pg_store.py) and holds, per group
  and business date, one *block* of numbers leased from that same sequence (`storage.block_size`,
  about the tickets of 30 minutes), so no other kiosk can ever issue them;
- when the database cannot be reached (the connection broke, a statement failed for want of the
  server) the next ticket comes from the block at once: its number and the visitor's request go to
  a local SQLite outbox (`outbox.sqlite3` in the data folder, WAL, synchronous=FULL: a number handed
  out survives a power cut), and health turns DEGRADED (staff see "offline");
- a keeper thread tries the database again every `retry_s`; once it answers, the outbox is uploaded
  in issue order (each ticket once: its `issue_key`, also when the kiosk's own online attempt did
  commit unseen), print states set meanwhile follow, and every block that was drawn from is
  released (its unused numbers recorded as skipped) and replaced by a fresh one, so the next
  outage again issues numbers close to the current ones. Blocks of earlier days are released too.
- The outbox and its blocks survive a restart: a kiosk started while the database is away issues
  from the block it holds for today, if any.

Offline tickets carry negative ids (minus the outbox row) until uploaded; `set_print_state` finds
them either way. Issuing is on the caller's thread; only the keeper retries, so an outage never
makes a visitor wait for a connection timeout more than once.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from drivers.interfaces import Health, HealthState
from kiosk.domain.model import HoldingStatus, Procedure
from kiosk.errors import StoreError, StoreUnreachable
from kiosk.queue.model import PrintState, Ticket, TicketRequest, TicketStore
from kiosk.queue.pg_store import Block, OfflineTicket, PgTicketStore
from kiosk.site.model import CounterGroup

log = logging.getLogger(__name__)

RETRY_S = 2.0  # how often the keeper asks a missing database again
TCP_TIMEOUT_MS = 400  # unacknowledged data for this long (a silent network) breaks the connection

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
    """CREATE TABLE IF NOT EXISTS print_change (
    id INTEGER PRIMARY KEY AUTOINCREMENT, -- a print state set on an online ticket while offline
    server_id INTEGER NOT NULL,
    print_state TEXT NOT NULL,
    at TEXT NOT NULL
)""",
)


@dataclass(frozen=True)
class _Pending:
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

    def drawn_blocks(self, today: date) -> list[int]:
        """Blocks to give back: drawn from (offline tickets took numbers) or of an earlier day."""
        rows = self._conn.execute(
            "SELECT id FROM block WHERE next_number > first_number OR business_date < ?", (today.isoformat(),)
        ).fetchall()
        return [int(r[0]) for r in rows]

    def drop_block(self, block_id: int) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM block WHERE id = ?", (block_id,))

    def take(self, request: TicketRequest, issue_key: str) -> _Pending | None:
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
            return _Pending(cursor.lastrowid, issue_key, request, number, block_id, PrintState.RESERVED, None, None)

    def pending(self, local_id: int) -> _Pending | None:
        row = self._conn.execute(f"SELECT {_PENDING_COLUMNS} FROM pending WHERE id = ?", (local_id,)).fetchone()
        return None if row is None else _pending(row)

    def next_upload(self) -> _Pending | None:
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

    def forget_before(self, today: date) -> None:
        """Uploaded tickets of earlier days: nothing can ask for them by their local id any more."""
        with self.transaction() as conn:
            conn.execute(
                "DELETE FROM pending WHERE server_id IS NOT NULL AND json_extract(request, '$.business_date') < ?",
                (today.isoformat(),),
            )

    def close(self) -> None:
        self._conn.close()


class OfflineTicketStore:
    """The kiosk's `TicketStore` on a shared database, with offline blocks. Thread-safe: the caller's
    thread issues, the keeper thread reconnects and uploads, one lock between them."""

    def __init__(
        self,
        url: str,
        outbox: Path,
        *,
        groups: Sequence[CounterGroup],
        kiosk_id: str,
        timezone: str,
        block_size: int,
        today: Callable[[], date],
        clock: Callable[[], datetime],
        retry_s: float = RETRY_S,
    ) -> None:
        self._url = url
        self._timezone = timezone
        self._groups = tuple(groups)
        self._kiosk_id = kiosk_id
        self._block_size = block_size
        self._today = today
        self._clock = clock
        self._retry_s = retry_s
        self._lock = threading.RLock()
        self._outbox = Outbox(outbox)
        self._online: PgTicketStore | None = None
        self._closing = threading.Event()
        self._wake = threading.Event()
        try:
            self._online = self._connect()
        except StoreUnreachable as exc:  # a kiosk may start during an outage: it issues from what it holds
            log.warning("shared ticket database unreachable at start (%s): issuing from offline blocks", exc)
        if self._online is not None:
            with self._lock:
                self._catch_up(self._online)
        self._keeper = threading.Thread(target=self._keep, name="offline-keeper", daemon=True)
        self._keeper.start()

    @property
    def offline(self) -> bool:
        return self._online is None

    def health(self) -> Health:
        with self._lock:
            if self._online is not None:
                return Health("store", HealthState.OK, "shared ticket database connected", False)
            left, waiting = self._outbox.numbers_left(self._today()), self._outbox.waiting()
        state = HealthState.DEGRADED if left else HealthState.DOWN
        return Health(
            "store",
            state,
            f"shared ticket database unreachable: {left} offline numbers left, {waiting} tickets wait to upload",
            False,
        )

    def issue(self, request: TicketRequest) -> Ticket:
        key = uuid.uuid4().hex
        with self._lock:
            online = self._online
            if online is not None and not online.broken:
                try:
                    return online.issue(request, issue_key=key)
                except StoreUnreachable as exc:
                    self._went_offline(exc)
            elif online is not None:
                self._went_offline(None)
            taken = self._outbox.take(request, key)
        if taken is None:
            raise StoreUnreachable(
                f"shared ticket database unreachable and no offline numbers left for {request.group}"
                f" on {request.business_date.isoformat()}"
            )
        return _ticket(taken)

    def set_print_state(self, ticket_id: int, state: PrintState, at: datetime) -> Ticket:
        with self._lock:
            if ticket_id < 0:
                local = self._outbox.pending(-ticket_id)
                if local is None:
                    raise StoreError(f"{self._outbox.path}: no offline ticket {ticket_id}")
                if local.server_id is None:
                    self._outbox.set_print_state(local.local_id, state, at)
                    updated = self._outbox.pending(local.local_id)
                    assert updated is not None
                    return _ticket(updated)
                ticket_id = local.server_id
            online = self._online
            if online is not None:
                try:
                    return online.set_print_state(ticket_id, state, at)
                except StoreUnreachable as exc:
                    self._went_offline(exc)
            self._outbox.add_print_change(ticket_id, state, at)
            raise StoreUnreachable(f"print state of ticket {ticket_id} kept to send when the database is back")

    def get(self, group: str, business_date: date, number: int) -> Ticket | None:
        with self._lock:
            if self._online is None:
                raise StoreUnreachable("shared ticket database unreachable")
            return self._online.get(group, business_date, number)

    def count_issued(self, business_date: date, procedure: Procedure) -> int:
        with self._lock:
            if self._online is None:
                raise StoreUnreachable("shared ticket database unreachable: daily counts not known")
            try:
                return self._online.count_issued(business_date, procedure)
            except StoreUnreachable as exc:
                self._went_offline(exc)
                raise

    def waiting_upload(self) -> int:
        with self._lock:
            return self._outbox.waiting()

    def retry_now(self) -> None:
        """Ask the keeper to try the database at once (tests, and a kiosk told the network is back)."""
        self._wake.set()

    def close(self) -> None:
        self._closing.set()
        self._wake.set()
        self._keeper.join(timeout=10)
        with self._lock:
            if self._online is not None:
                self._online.close()
            self._outbox.close()

    # --- the keeper ------------------------------------------------------------------------------

    def _connect(self) -> PgTicketStore:
        return PgTicketStore(self._url, timezone=self._timezone, tcp_timeout_ms=TCP_TIMEOUT_MS)

    def _went_offline(self, exc: BaseException | None) -> None:
        if self._online is not None:
            log.error("shared ticket database unreachable (%s): issuing from offline blocks", exc or "connection lost")
            self._online.close()
            self._online = None
            self._wake.set()

    def _keep(self) -> None:
        while not self._closing.is_set():
            self._wake.wait(self._retry_s)
            self._wake.clear()
            if self._closing.is_set():
                return
            try:
                if self._online is None:
                    store = self._connect()  # outside the lock: a slow connect never holds up a visitor
                    with self._lock:
                        self._catch_up(store)
                        self._online = store
                    log.info("shared ticket database back: outbox uploaded, issuing online")
                else:
                    with self._lock:
                        if self._online is not None:
                            self._catch_up(self._online)
            except StoreUnreachable:
                with self._lock:
                    self._went_offline(None)
            except StoreError:
                log.exception("offline outbox: the upload failed; kept to try again")

    def _catch_up(self, store: PgTicketStore) -> None:
        """Under the lock: upload in order, replay print states, give back drawn blocks, lease missing ones."""
        while (pending := self._outbox.next_upload()) is not None:
            server_id = store.upload(
                OfflineTicket(
                    pending.request,
                    pending.number,
                    pending.block_id,
                    pending.issue_key,
                    pending.print_state,
                    pending.print_at,
                )
            )
            self._outbox.uploaded(pending.local_id, server_id)
        for change_id, server_id, state, at in self._outbox.print_changes():
            try:
                store.set_print_state(server_id, state, at)
            except StoreUnreachable:
                raise
            except StoreError:
                log.exception("a print state kept while offline cannot be set; dropped")
            self._outbox.drop_print_change(change_id)
        today, now = self._today(), self._clock()
        for block_id in self._outbox.drawn_blocks(today):
            skipped = store.release_block(block_id, now)
            self._outbox.drop_block(block_id)
            if skipped:
                log.info("offline block %d given back: %d unused numbers recorded as skipped", block_id, skipped)
        self._outbox.forget_before(today)
        for group in self._groups:
            if not self._outbox.has_block(group.id, today):
                block = store.lease_block(group, today, self._kiosk_id, self._block_size, now)
                if block is not None:
                    self._outbox.add_block(block)


_PENDING_COLUMNS = "id, issue_key, request, number, block_id, print_state, print_at, server_id"


def _pending(row: Sequence[object]) -> _Pending:
    local_id, key, request, number, block_id, state, print_at, server_id = row
    return _Pending(
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


def _ticket(pending: _Pending) -> Ticket:
    request = pending.request
    return Ticket(
        id=-pending.local_id if pending.server_id is None else pending.server_id,
        number=pending.number,
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
        print_state=pending.print_state,
        lang=request.lang,
    )


def _conforms(store: OfflineTicketStore) -> TicketStore:
    return store  # mypy fails here when the class drifts from the Protocol
