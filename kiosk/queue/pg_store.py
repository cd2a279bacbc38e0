"""Ticket numbers in a shared PostgreSQL database: the `TicketStore` when a centre runs several kiosks.

Duplicate numbers are the worst failure we can cause, so, as in the SQLite store:
- a number is allocated and its ticket inserted in one transaction: the group's `number_counter`
  row is bumped with an upsert that holds its row lock to commit, so two kiosks issuing in the same
  group are served one after the other (other groups do not wait), and
  UNIQUE(counter_group, business_date, number) backs it;
- offline blocks (`lease_block`) are carved from the top of the same range under the same row
  lock, and online numbers stop below them, so a block's numbers are nobody else's; a ticket
  issued from one is uploaded later with its number (`upload`);
- every issue attempt carries the kiosk's `issue_key`: a ticket whose commit was never confirmed
  (the server died under it) and that the kiosk then issued from its block is stored once; the
  unconfirmed number becomes a skipped one.

`PgDatabase` is the one place that connects, checks the schema version, runs transactions and
translates errors: a lost connection is `StoreUnreachable` (the kiosk may go offline), anything
else a `StoreError`. A broken connection is replaced at the next call, so a store outlives a
server restart. The URL's password, if any, never reaches a log or an error message.

Longer than ~400 lines on purpose, as kiosk/queue/sqlite_store.py: every statement on the ticket
and numbering tables (issue, blocks, uploads, print states) sits next to the others that must agree
with it on the same row locks; the calling statements are in pg_calling.py.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import psycopg
from psycopg.rows import TupleRow

from kiosk.domain.lifecycle import EventKind
from kiosk.domain.model import HoldingStatus, Procedure
from kiosk.errors import QueueFull, StoreError, StoreUnreachable
from kiosk.queue.model import PrintState, Ticket, TicketRequest
from kiosk.queue.pg_schema import check_version
from kiosk.queue.sqlite_store import require_aware
from kiosk.site.model import CounterGroup

log = logging.getLogger(__name__)

Connection = psycopg.Connection[TupleRow]

CONNECT_TIMEOUT_S = 2  # libpq's smallest useful value: it rounds anything below 2 s up to 2
RECONNECT_AFTER_S = 2.0  # after a failed connect, how long calls fail at once
STATEMENT_TIMEOUT_MS = 5000  # a statement stuck behind a lock is an error, never a frozen kiosk

_TICKET_COLUMNS = (
    "id, number, counter_group, prefix, counter, procedure, current_status, after_status, reasons,"
    " business_date, issued_at, kiosk_id, print_state, lang"
)
_PRINT_EVENTS = {PrintState.PRINT_FAILED: EventKind.PRINT_FAILED, PrintState.REPRINTED: EventKind.REPRINTED}
_TRANSITIONS: dict[tuple[PrintState, PrintState], str] = {
    (PrintState.RESERVED, PrintState.PRINTED): "printed_at",
    (PrintState.RESERVED, PrintState.PRINT_FAILED): "failed_at",
    (PrintState.PRINT_FAILED, PrintState.REPRINTED): "reprinted_at",
    (PrintState.PRINTED, PrintState.REPRINTED): "reprinted_at",
    (PrintState.REPRINTED, PrintState.REPRINTED): "reprinted_at",
}
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")
_UNREACHABLE_STATES = ("08", "57P")  # connection exceptions; admin shutdown, crash shutdown, cannot connect now


def redacted(url: str) -> str:
    """The URL as errors and logs show it: the password replaced."""
    return _PASSWORD.sub(r"\1***@", url)


def is_postgres_url(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


class PgDatabase:
    """One connection to the shared database, in the site's time zone; not shared between threads."""

    def __init__(
        self, url: str, *, timezone: str = "UTC", check_schema: bool = True, tcp_timeout_ms: int | None = None
    ) -> None:
        if not is_postgres_url(url):
            raise StoreError(f"{redacted(url)}: not a postgresql:// URL")
        self.url = url
        self.where = redacted(url)
        self._timezone = timezone
        self._tcp_timeout_ms = tcp_timeout_ms
        self._conn: Connection | None = None
        self._down_until = 0.0  # monotonic time before which no new connect is tried
        self._closed = False
        try:
            with self.translated("cannot open the shared ticket database"):
                conn = self.connection()
                if check_schema:
                    check_version(conn, self.where)
        except BaseException:
            self.close()
            raise

    def connection(self) -> Connection:
        """The open connection, a new one when the last one broke (server restarted, network back).

        After a failed connect, calls within RECONNECT_AFTER_S fail at once instead of trying again:
        a kiosk reading the lobby for its screens must not freeze for a connect timeout per read."""
        if self._closed:
            raise StoreError(f"{self.where}: the store was closed")
        if self._conn is None or self._conn.closed or self._conn.broken:
            if self._conn is not None:
                self._conn.close()
            self._conn = None
            if time.monotonic() < self._down_until:
                raise psycopg.OperationalError("the database did not answer a moment ago; not tried again yet")
            extra: dict[str, Any] = {} if self._tcp_timeout_ms is None else {"tcp_user_timeout": self._tcp_timeout_ms}
            try:
                self._conn = psycopg.connect(
                    self.url,
                    **extra,
                    autocommit=True,  # transactions are explicit: `transaction()`
                    connect_timeout=CONNECT_TIMEOUT_S,
                    options=f"-c TimeZone={self._timezone} -c statement_timeout={STATEMENT_TIMEOUT_MS}",
                    application_name="kiosk",
                )
            except psycopg.Error:
                self._down_until = time.monotonic() + RECONNECT_AFTER_S
                raise
        return self._conn

    @property
    def broken(self) -> bool:
        """The last connection is gone (the next call would have to connect again)."""
        return self._conn is None or self._conn.closed or self._conn.broken

    @contextmanager
    def transaction(self, what: str) -> Iterator[Connection]:
        with self.translated(what):
            conn = self.connection()
            with conn.transaction():
                yield conn

    @contextmanager
    def snapshot(self, what: str) -> Iterator[Connection]:
        """A read-only transaction in which every query sees the same committed state."""
        with self.transaction(what) as conn:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield conn

    @contextmanager
    def translated(self, what: str) -> Iterator[None]:
        try:
            yield
        except psycopg.Error as exc:
            if self._lost(exc):
                raise StoreUnreachable(f"{self.where}: {what}: {_first_line(exc)}") from exc
            raise StoreError(f"{self.where}: {what}: {_first_line(exc)}") from exc

    def close(self) -> None:
        self._closed = True
        if self._conn is not None:
            self._conn.close()

    def _lost(self, exc: psycopg.Error) -> bool:
        if self._conn is None or self._conn.closed or self._conn.broken:
            return True
        state = exc.sqlstate or ""
        return isinstance(exc, psycopg.OperationalError) and (not state or state.startswith(_UNREACHABLE_STATES))


def append_event(
    conn: Connection,
    kind: EventKind,
    at: datetime,
    business_date: date,
    *,
    ticket_id: int | None = None,
    counter: str | None = None,
    group: str | None = None,
    from_group: str | None = None,
) -> int:
    """Append one event inside the caller's transaction; returns its id. The `event_clock` row stays
    locked until commit, so events commit in id order (pg_schema.py says why). Call it last."""
    row = conn.execute(
        "WITH clock AS (UPDATE event_clock SET last_id = last_id + 1 RETURNING last_id)"
        " INSERT INTO queue_event (id, kind, at, business_date, ticket_id, counter, queue_group, from_group)"
        " SELECT last_id, %s, %s, %s, %s, %s, %s, %s FROM clock RETURNING id",
        (kind.value, at, business_date, ticket_id, counter, group, from_group),
    ).fetchone()
    assert row is not None
    return int(row[0])


@dataclass(frozen=True)
class Block:
    """Numbers leased to one kiosk for one group and business date, to issue while offline."""

    id: int
    group: str
    business_date: date
    first: int
    last: int


@dataclass(frozen=True)
class OfflineTicket:
    """A ticket issued from a block while the database was away, as the outbox uploads it."""

    request: TicketRequest
    number: int
    block_id: int
    issue_key: str
    print_state: PrintState
    print_at: datetime | None  # when the print state was set (None while reserved)


class PgTicketStore:
    """Issuing numbers in the shared database. One connection; not shared between threads."""

    def __init__(self, url: str, *, timezone: str = "UTC", tcp_timeout_ms: int | None = None) -> None:
        self._db = PgDatabase(url, timezone=timezone, tcp_timeout_ms=tcp_timeout_ms)

    @property
    def broken(self) -> bool:
        return self._db.broken

    @property
    def where(self) -> str:
        return self._db.where

    def issue(self, request: TicketRequest, *, issue_key: str | None = None) -> Ticket:
        require_aware(request.issued_at)
        key = issue_key or uuid.uuid4().hex
        with self._db.translated("cannot issue a ticket"):
            # One statement, so one round trip and its own transaction (autocommit): the group's
            # counter row and the event clock are locked only while the server runs it, never
            # across the network. The counter is bumped only within the range (else nothing is
            # written: QueueFull); the issued event's id is the ticket's place in line.
            row = self._db.connection().execute(_ISSUE, _issue_params(request, key)).fetchone()
        if row is None:
            raise QueueFull(
                f"counter group {request.group!r} used up {request.first_number}..{request.last_number}"
                f" on {request.business_date.isoformat()}"
            )
        return _issued(int(row[0]), int(row[1]), request, PrintState.RESERVED)

    def lease_block(
        self, group: CounterGroup, business_date: date, kiosk_id: str, size: int, now: datetime
    ) -> Block | None:
        """Set `size` numbers of the group's range aside for this kiosk, from the top of the range down
        (fewer when online numbers come close; None when none are left). Blocks of earlier business
        dates are expired on the way."""
        require_aware(now)
        with self._db.transaction("cannot lease a block of numbers") as conn:
            self._expire(conn, business_date, now)
            conn.execute(
                "INSERT INTO number_counter (counter_group, business_date, last_number) VALUES (%s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                (group.id, business_date, group.first_number - 1),
            )
            row = conn.execute(
                "SELECT last_number, reserve_floor FROM number_counter"
                " WHERE counter_group = %s AND business_date = %s FOR UPDATE",
                (group.id, business_date),
            ).fetchone()
            assert row is not None
            online_last, floor = int(row[0]), row[1]
            last = (group.last_number + 1 if floor is None else int(floor)) - 1
            first = max(last - size + 1, online_last + 1, group.first_number)
            if first > last:
                return None
            conn.execute(
                "UPDATE number_counter SET reserve_floor = %s WHERE counter_group = %s AND business_date = %s",
                (first, group.id, business_date),
            )
            block = conn.execute(
                "INSERT INTO number_block"
                " (counter_group, business_date, kiosk_id, first_number, last_number, leased_at)"
                " VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
                (group.id, business_date, kiosk_id, first, last, now),
            ).fetchone()
            assert block is not None
        log.info("leased numbers %d..%d of %s for offline issuing", first, last, group.id)
        return Block(int(block[0]), group.id, business_date, first, last)

    def release_block(self, block_id: int, now: datetime, *, expired: bool = False) -> int:
        """Close a block; its numbers that no ticket took are recorded as skipped. Returns how many."""
        with self._db.transaction("cannot release a block of numbers") as conn:
            return _close_block(conn, block_id, now, "block_expired" if expired else "block_released")

    def upload(self, ticket: OfflineTicket) -> int:
        """Store a ticket issued offline, once: a repeated upload (its reply was lost) finds it by its
        key; an earlier attempt whose commit was never confirmed gives its number up. Returns the id."""
        request = ticket.request
        with self._db.transaction("cannot upload an offline ticket") as conn:
            row = conn.execute(
                "SELECT id, number FROM ticket WHERE issue_key = %s FOR UPDATE", (ticket.issue_key,)
            ).fetchone()
            if row is not None and int(row[1]) == ticket.number:
                return int(row[0])
            conn.execute(
                "DELETE FROM skipped_number WHERE counter_group = %s AND business_date = %s AND number = %s",
                (request.group, request.business_date, ticket.number),
            )
            if row is not None:
                # The online attempt did commit after all, but the visitor holds the block's number.
                ticket_id, old = int(row[0]), int(row[1])
                conn.execute(
                    "UPDATE ticket SET number = %s, block_id = %s WHERE id = %s",
                    (ticket.number, ticket.block_id, ticket_id),
                )
                conn.execute(
                    "INSERT INTO skipped_number (counter_group, business_date, number, block_id, reason, recorded_at)"
                    " VALUES (%s, %s, %s, NULL, 'unconfirmed_issue', now()) ON CONFLICT DO NOTHING",
                    (request.group, request.business_date, old),
                )
                return ticket_id
            return self._insert(
                conn, request, ticket.number, ticket.issue_key, ticket.print_state, ticket.print_at, ticket.block_id
            )

    def withdraw(self, issue_key: str, now: datetime) -> bool:
        """An issue attempt whose commit was never confirmed and whose visitor got no number (the
        kiosk had none left offline either): if it did commit, its ticket is cancelled before anyone
        calls a number nobody holds, and the number recorded as skipped. Returns whether it had."""
        require_aware(now)
        with self._db.transaction("cannot withdraw an unconfirmed ticket") as conn:
            row = conn.execute(
                "SELECT id, counter_group, business_date, number FROM ticket WHERE issue_key = %s AND state = 'waiting'"
                " FOR UPDATE",
                (issue_key,),
            ).fetchone()
            if row is None:
                return False
            ticket_id, group, day, number = row
            conn.execute("UPDATE ticket SET state = 'cancelled', ended_at = %s WHERE id = %s", (now, ticket_id))
            conn.execute(
                "INSERT INTO skipped_number (counter_group, business_date, number, block_id, reason, recorded_at)"
                " VALUES (%s, %s, %s, NULL, 'unconfirmed_issue', %s) ON CONFLICT DO NOTHING",
                (group, day, number, now),
            )
            append_event(conn, EventKind.CANCELLED, now, day, ticket_id=ticket_id, group=group)
            return True

    def set_print_state(self, ticket_id: int, state: PrintState, at: datetime) -> Ticket:
        require_aware(at)
        with self._db.transaction(f"cannot set ticket {ticket_id} to {state.value}") as conn:
            row = conn.execute(
                "SELECT print_state, business_date, queue_group FROM ticket WHERE id = %s FOR UPDATE", (ticket_id,)
            ).fetchone()
            if row is None:
                raise StoreError(f"{self.where}: no ticket with id {ticket_id}")
            current = PrintState(row[0])
            column = _TRANSITIONS.get((current, state))
            if column is None:
                raise StoreError(f"{self.where}: ticket {ticket_id} cannot go from {current.value} to {state.value}")
            conn.execute(
                f"UPDATE ticket SET print_state = %s, {column} = %s WHERE id = %s",
                (state.value, at, ticket_id),
            )
            kind = _PRINT_EVENTS.get(state)
            if kind is not None:
                append_event(conn, kind, at, row[1], ticket_id=ticket_id, group=row[2])
            found = conn.execute(f"SELECT {_TICKET_COLUMNS} FROM ticket WHERE id = %s", (ticket_id,)).fetchone()
        assert found is not None
        return _ticket(found)

    def get(self, group: str, business_date: date, number: int) -> Ticket | None:
        with self._db.translated("cannot read a ticket"):
            row = (
                self._db.connection()
                .execute(
                    f"SELECT {_TICKET_COLUMNS} FROM ticket"
                    " WHERE counter_group = %s AND business_date = %s AND number = %s",
                    (group, business_date, number),
                )
                .fetchone()
            )
        return None if row is None else _ticket(row)

    def count_issued(self, business_date: date, procedure: Procedure) -> int:
        with self._db.translated("cannot count tickets"):
            row = (
                self._db.connection()
                .execute(
                    "SELECT COUNT(*) FROM ticket WHERE business_date = %s AND procedure = %s",
                    (business_date, procedure.value),
                )
                .fetchone()
            )
        assert row is not None
        return int(row[0])

    def skipped(self, group: str, business_date: date) -> list[tuple[int, str]]:
        """Numbers of the group that will never appear, and why (staff: "where is number 12?")."""
        with self._db.translated("cannot read skipped numbers"):
            rows = (
                self._db.connection()
                .execute(
                    "SELECT number, reason FROM skipped_number WHERE counter_group = %s AND business_date = %s"
                    " ORDER BY number",
                    (group, business_date),
                )
                .fetchall()
            )
        return [(int(n), str(r)) for n, r in rows]

    def close(self) -> None:
        self._db.close()

    def _insert(
        self,
        conn: Connection,
        request: TicketRequest,
        number: int,
        key: str,
        state: PrintState,
        print_at: datetime | None,
        block_id: int | None,
    ) -> int:
        stamp = {PrintState.PRINTED: "printed_at", PrintState.PRINT_FAILED: "failed_at"}.get(state)
        row = conn.execute(
            "INSERT INTO ticket (business_date, counter_group, number, prefix, counter, procedure, current_status,"
            " after_status, reasons, issued_at, kiosk_id, print_state, lang, queue_group, issue_key, block_id,"
            " printed_at, failed_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (
                request.business_date,
                request.group,
                number,
                request.prefix,
                request.counter,
                request.procedure.value,
                None if request.current is None else request.current.value,
                None if request.after is None else request.after.value,
                list(request.reasons),
                request.issued_at,
                request.kiosk_id,
                state.value,
                request.lang,
                request.group,
                key,
                block_id,
                print_at if stamp == "printed_at" else None,
                print_at if stamp == "failed_at" else None,
            ),
        ).fetchone()
        assert row is not None
        ticket_id = int(row[0])
        # The issued event's id is the ticket's place in line (as in the SQLite store). An offline
        # ticket joins the line when it reaches the store: no screen could call it before.
        at = request.issued_at
        event_id = append_event(
            conn, EventKind.ISSUED, at, request.business_date, ticket_id=ticket_id, group=request.group
        )
        conn.execute("UPDATE ticket SET queue_pos = %s WHERE id = %s", (event_id, ticket_id))
        if state is PrintState.PRINT_FAILED:
            append_event(
                conn,
                EventKind.PRINT_FAILED,
                print_at or at,
                request.business_date,
                ticket_id=ticket_id,
                group=request.group,
            )
        return ticket_id

    def _expire(self, conn: Connection, today: date, now: datetime) -> None:
        for (block_id,) in conn.execute(
            "SELECT id FROM number_block WHERE business_date < %s AND closed_at IS NULL FOR UPDATE SKIP LOCKED",
            (today,),
        ).fetchall():
            _close_block(conn, int(block_id), now, "block_expired")


_ISSUE = """
WITH n AS (
    INSERT INTO number_counter AS c (counter_group, business_date, last_number)
    VALUES (%(group)s, %(day)s, %(first)s)
    ON CONFLICT (counter_group, business_date)
    DO UPDATE SET last_number = GREATEST(c.last_number + 1, EXCLUDED.last_number)
    WHERE GREATEST(c.last_number + 1, EXCLUDED.last_number) <= LEAST(%(last)s, c.reserve_floor - 1)
    RETURNING last_number
), clock AS (
    UPDATE event_clock SET last_id = last_id + 1 WHERE EXISTS (SELECT 1 FROM n) RETURNING last_id
), t AS (
    INSERT INTO ticket (business_date, counter_group, number, prefix, counter, procedure, current_status,
        after_status, reasons, issued_at, kiosk_id, print_state, lang, queue_group, issue_key, queue_pos)
    SELECT %(day)s, %(group)s, n.last_number, %(prefix)s, %(counter)s, %(procedure)s, %(current)s, %(after)s,
        %(reasons)s, %(at)s, %(kiosk)s, 'reserved', %(lang)s, %(group)s, %(key)s, clock.last_id
    FROM n, clock
    RETURNING id, number, queue_pos
), e AS (
    INSERT INTO queue_event (id, kind, at, business_date, ticket_id, queue_group)
    SELECT t.queue_pos, 'issued', %(at)s, %(day)s, t.id, %(group)s FROM t
)
SELECT id, number FROM t
"""


def _issue_params(request: TicketRequest, key: str) -> dict[str, object]:
    return {
        "group": request.group,
        "day": request.business_date,
        "first": request.first_number,
        "last": request.last_number,
        "prefix": request.prefix,
        "counter": request.counter,
        "procedure": request.procedure.value,
        "current": None if request.current is None else request.current.value,
        "after": None if request.after is None else request.after.value,
        "reasons": list(request.reasons),
        "at": request.issued_at,
        "kiosk": request.kiosk_id,
        "lang": request.lang,
        "key": key,
    }


def _close_block(conn: Connection, block_id: int, now: datetime, reason: str) -> int:
    closed = conn.execute(
        "UPDATE number_block SET closed_at = %s WHERE id = %s AND closed_at IS NULL RETURNING id", (now, block_id)
    ).fetchone()
    if closed is None:
        return 0
    cursor = conn.execute(
        "INSERT INTO skipped_number (counter_group, business_date, number, block_id, reason, recorded_at)"
        " SELECT b.counter_group, b.business_date, n, b.id, %s, %s"
        " FROM number_block b, generate_series(b.first_number, b.last_number) AS n"
        " WHERE b.id = %s AND NOT EXISTS (SELECT 1 FROM ticket t WHERE t.counter_group = b.counter_group"
        " AND t.business_date = b.business_date AND t.number = n) ON CONFLICT DO NOTHING",
        (reason, now, block_id),
    )
    return cursor.rowcount


def _issued(ticket_id: int, number: int, request: TicketRequest, state: PrintState) -> Ticket:
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
        print_state=state,
        lang=request.lang,
    )


def _ticket(row: Sequence[Any]) -> Ticket:
    (id_, number, group, prefix, counter, procedure, current, after, reasons, day, issued, kiosk, state, lang) = row
    return Ticket(
        id=int(id_),
        number=int(number),
        group=group,
        prefix=prefix,
        counter=counter,
        procedure=Procedure(procedure),
        current=None if current is None else HoldingStatus(current),
        after=None if after is None else HoldingStatus(after),
        reasons=tuple(reasons),
        business_date=day,
        issued_at=issued,
        kiosk_id=kiosk,
        print_state=PrintState(state),
        lang=lang,
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
