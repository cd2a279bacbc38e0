"""Calling numbers in the shared PostgreSQL database: the `CallingStore` over `PgDatabase`.

The same rules and the same answers as the SQLite store (kiosk/queue/sqlite_calling.py), for several
machines at once, with row locks instead of SQLite's one write lock:
- call-next locks the counter's `counter_day` row (one press of a counter at a time: the same-press
  window and the interleave stay right), then takes the head of the chosen group's line with
  `FOR UPDATE SKIP LOCKED`: two counters pressing at the same instant on two machines never get the
  same ticket, and neither waits for the other's ticket;
- transfer, cancel and the counter actions lock the ticket they change;
- every change appends one `queue_event` row in the same transaction, last (its id lock is held to
  commit, so ids commit in order), and the event's trigger NOTIFYs every listener at commit.

Longer than ~400 lines on purpose, as its SQLite twin: every statement on the calling columns is
here next to the transaction it runs in. The two are kept apart rather than sharing SQL through a
dialect layer: the locking statements differ, and each reads plainly against its own engine.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from psycopg.types.json import Jsonb

from kiosk.domain.lifecycle import (
    EVENT_OF,
    Action,
    EventKind,
    Interleave,
    Share,
    TicketState,
    choose_group,
    judge,
    median_minutes,
    same_press,
    transfer_position,
)
from kiosk.domain.numbering import business_date
from kiosk.queue.lifecycle import (
    CallingSetup,
    CallingStore,
    CallOutcome,
    CounterClosed,
    CounterState,
    LobbyState,
    NotAllowed,
    NothingAtCounter,
    QueueEvent,
    RecentCall,
    ServiceStats,
    UnknownCounter,
    UnknownGroup,
    UnknownTicket,
    WaitingTicket,
)
from kiosk.queue.model import PrintState, label_of, parse_label
from kiosk.queue.pg_store import Connection, PgDatabase, append_event
from kiosk.queue.sqlite_store import require_aware

log = logging.getLogger(__name__)

# A ticket as calling needs it, in _Row order.
_ROW_COLUMNS = (
    "id, prefix, number, queue_group, state, at_counter, recalls, print_state, lang, queue_pos, business_date"
)

# Which timestamp column each action stamps (COALESCE keeps the first call for the wait statistics).
_STAMPS: Mapping[Action, str] = {
    Action.CALL: "called_at = COALESCE(called_at, %(at)s)",
    Action.START: "serving_at = %(at)s",
    Action.DONE: "done_at = %(at)s",
    Action.NO_SHOW: "ended_at = %(at)s",
    Action.CANCEL: "ended_at = %(at)s",
}


@dataclass(frozen=True)
class _Row:
    id: int
    prefix: str
    number: int
    group: str
    state: TicketState
    counter: str | None
    recalls: int
    print_state: PrintState
    lang: str | None
    position: int
    business_date: date

    @property
    def label(self) -> str:
        return label_of(self.prefix, self.number)

    @classmethod
    def of(cls, row: Sequence[Any]) -> _Row:
        id_, prefix, number, group, state, counter, recalls, print_state, lang, position, day = row
        return cls(
            id_,
            prefix,
            number,
            group,
            TicketState(state),
            counter,
            recalls,
            PrintState(print_state),
            lang,
            position,
            day,
        )


@dataclass(frozen=True)
class _CounterDay:
    open: bool
    interleave: Interleave
    press_at: datetime | None
    press_ticket: int | None
    press_event: int | None


class PgCallingStore:
    """One connection to the ticket database; not shared between threads (open one per thread)."""

    def __init__(self, url: str, setup: CallingSetup) -> None:
        self._db = PgDatabase(url, timezone=setup.timezone)
        self._setup = setup
        self._prefixes = {prefix: gid for gid, prefix in setup.groups.items()}

    # --- counter actions -------------------------------------------------------------------------

    def call_next(self, counter_id: str, now: datetime) -> CallOutcome | None:
        shares = self._shares(counter_id)
        require_aware(now)
        day = self._day(now)
        with self._db.transaction(f"cannot call the next ticket to {counter_id}") as conn:
            counter = self._counter_day(conn, day, counter_id)
            if not counter.open:
                raise CounterClosed(f"counter {counter_id} is closed; open it first")
            if counter.press_ticket is not None and same_press(
                counter.press_at, now, self._setup.rules.same_press_window_s
            ):
                earlier = self._row_by_id(conn, counter.press_ticket)
                if earlier.state is TicketState.CALLED and earlier.counter == counter_id:
                    assert counter.press_at is not None and counter.press_event is not None
                    return _outcome(earlier, counter_id, counter.press_event, counter.press_at, repeated=True)
            current = self._at_counter(conn, day, counter_id)
            if current is not None:  # "next" finishes the visitor at the counter
                self._apply(conn, current, Action.DONE, now, counter_id)
            waiting: dict[str, int] = {
                group: int(n)
                for group, n in conn.execute(
                    "SELECT queue_group, COUNT(*) FROM ticket WHERE business_date = %s AND state = 'waiting'"
                    " AND queue_group = ANY(%s) GROUP BY queue_group",
                    (day, [s.group for s in shares]),
                ).fetchall()
            }
            while True:
                pick = choose_group(shares, waiting, counter.interleave)
                if pick is None:
                    self._save_press(conn, day, counter_id, counter.interleave, now, None, None)
                    return None
                # SKIP LOCKED: a ticket another counter is calling right now is theirs, not a wait.
                found = conn.execute(
                    f"SELECT {_ROW_COLUMNS} FROM ticket WHERE business_date = %s AND queue_group = %s"
                    " AND state = 'waiting' ORDER BY queue_pos, id LIMIT 1 FOR UPDATE SKIP LOCKED",
                    (day, pick.group),
                ).fetchone()
                if found is not None:
                    head = _Row.of(found)
                    break
                waiting[pick.group] = 0  # everyone there is being called elsewhere: try its other groups
            called, event_id = self._apply(conn, head, Action.CALL, now, counter_id)
            self._save_press(conn, day, counter_id, pick.after, now, called.id, event_id)
            return _outcome(called, counter_id, event_id, now)

    def recall(self, counter_id: str, now: datetime) -> CallOutcome:
        return self._counter_action(counter_id, Action.RECALL, now)

    def start(self, counter_id: str, now: datetime) -> CallOutcome:
        return self._counter_action(counter_id, Action.START, now)

    def done(self, counter_id: str, now: datetime) -> CallOutcome:
        return self._counter_action(counter_id, Action.DONE, now)

    def no_show(self, counter_id: str, now: datetime) -> CallOutcome:
        return self._counter_action(counter_id, Action.NO_SHOW, now)

    def _counter_action(self, counter_id: str, action: Action, now: datetime) -> CallOutcome:
        self._shares(counter_id)
        require_aware(now)
        day = self._day(now)
        with self._db.transaction(f"cannot {action.value} at {counter_id}") as conn:
            current = self._at_counter(conn, day, counter_id)
            if current is None:
                raise NothingAtCounter(f"counter {counter_id} has no ticket called")
            after, event_id = self._apply(conn, current, action, now, counter_id)
            return _outcome(after, counter_id, event_id, now)

    # --- ticket actions --------------------------------------------------------------------------

    def transfer(self, ticket: str | int, to_group: str, now: datetime) -> CallOutcome:
        if to_group not in self._setup.groups:
            raise UnknownGroup(f'unknown group "{to_group}" (known: {", ".join(self._setup.groups)})')
        require_aware(now)
        day = self._day(now)
        with self._db.transaction(f"cannot transfer {ticket}") as conn:
            row = self._find(conn, ticket, day)
            if row.group == to_group:
                raise NotAllowed(f"{row.label} already waits in {to_group}")
            state = self._judge(row, Action.TRANSFER)
            event_id = append_event(
                conn,
                EventKind.TRANSFERRED,
                now,
                row.business_date,
                ticket_id=row.id,
                counter=row.counter if row.state.at_counter else None,
                group=to_group,
                from_group=row.group,
            )
            position = transfer_position(
                keeps_place=self._setup.rules.transfer_keeps_place,
                current_position=row.position,
                back_position=event_id,
            )
            conn.execute(
                "UPDATE ticket SET state = %s, queue_group = %s, queue_pos = %s, at_counter = NULL, recalls = 0,"
                " transfers = transfers + 1 WHERE id = %s",
                (state.value, to_group, position, row.id),
            )
            return _outcome(self._row_by_id(conn, row.id), None, event_id, now)

    def cancel(self, ticket: str | int, now: datetime) -> CallOutcome:
        require_aware(now)
        day = self._day(now)
        with self._db.transaction(f"cannot cancel {ticket}") as conn:
            row = self._find(conn, ticket, day)
            counter = row.counter if row.state.at_counter else None
            after, event_id = self._apply(conn, row, Action.CANCEL, now, counter)
            return _outcome(after, counter, event_id, now)

    # --- counters --------------------------------------------------------------------------------

    def set_counter_open(self, counter_id: str, open: bool, now: datetime) -> bool:
        self._shares(counter_id)
        require_aware(now)
        day = self._day(now)
        with self._db.transaction(f"cannot open or close {counter_id}") as conn:
            if self._counter_day(conn, day, counter_id).open == open:
                return False
            conn.execute(
                "INSERT INTO counter_day (business_date, counter, open) VALUES (%s, %s, %s)"
                " ON CONFLICT (business_date, counter) DO UPDATE SET open = excluded.open",
                (day, counter_id, open),
            )
            kind = EventKind.COUNTER_OPENED if open else EventKind.COUNTER_CLOSED
            append_event(conn, kind, now, day, counter=counter_id)
            return True

    # --- reading ---------------------------------------------------------------------------------

    def lobby_state(self, now: datetime) -> LobbyState:
        require_aware(now)
        day = self._day(now)
        with self._db.snapshot("cannot read the lobby state") as conn:
            event_id = _last_event_id(conn)
            open_by_counter = {
                counter: bool(open_)
                for counter, open_ in conn.execute(
                    "SELECT counter, open FROM counter_day WHERE business_date = %s", (day,)
                ).fetchall()
            }
            at_counters = {
                row.counter: row
                for row in map(
                    _Row.of,
                    conn.execute(
                        f"SELECT {_ROW_COLUMNS} FROM ticket WHERE business_date = %s"
                        " AND state IN ('called', 'serving') ORDER BY id",
                        (day,),
                    ).fetchall(),
                )
            }
            lines: dict[str, list[WaitingTicket]] = {gid: [] for gid in self._setup.groups}
            for tid, prefix, number, group, issued, print_state, transfers, lang in conn.execute(
                "SELECT id, prefix, number, queue_group, issued_at, print_state, transfers, lang FROM ticket"
                " WHERE business_date = %s AND state = 'waiting' ORDER BY queue_pos, id",
                (day,),
            ).fetchall():
                if group in lines:
                    lines[group].append(
                        WaitingTicket(
                            ticket_id=tid,
                            label=label_of(prefix, number),
                            group=group,
                            issued_at=issued,
                            print_state=PrintState(print_state),
                            transferred=transfers > 0,
                            lang=lang,
                        )
                    )
            recent = tuple(
                RecentCall(
                    event_id=eid,
                    label=label_of(prefix, number),
                    counter=counter,
                    at=at,
                    recall=kind == EventKind.RECALLED.value,
                )
                for eid, prefix, number, counter, at, kind in conn.execute(
                    "SELECT e.id, t.prefix, t.number, e.counter, e.at, e.kind FROM queue_event e"
                    " JOIN ticket t ON t.id = e.ticket_id"
                    " WHERE e.business_date = %s AND e.kind IN ('called', 'recalled') ORDER BY e.id DESC LIMIT %s",
                    (day, self._setup.rules.recent_calls),
                ).fetchall()
            )
        counters = []
        for cid, shares in self._setup.counters.items():
            at = at_counters.get(cid)
            counters.append(
                CounterState(
                    id=cid,
                    open=open_by_counter.get(cid, True),
                    calling=None if at is None else at.label,
                    ticket_state=None if at is None else at.state,
                    groups=tuple(s.group for s in shares),
                    no_paper=at is not None and at.print_state is PrintState.PRINT_FAILED,
                )
            )
        return LobbyState(
            event_id=event_id,
            business_date=day,
            counters=tuple(counters),
            waiting=MappingProxyType({gid: len(line) for gid, line in lines.items()}),
            recent_calls=recent,
            waiting_list=MappingProxyType({gid: tuple(line) for gid, line in lines.items()}),
        )

    def events_after(self, event_id: int, limit: int = 100) -> list[QueueEvent]:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        with self._db.translated("cannot read the event log"):
            rows = (
                self._db.connection()
                .execute(
                    "SELECT e.id, e.kind, e.at, e.business_date, e.ticket_id, t.prefix, t.number, e.queue_group,"
                    " e.counter, e.from_group, t.lang FROM queue_event e LEFT JOIN ticket t ON t.id = e.ticket_id"
                    " WHERE e.id > %s ORDER BY e.id LIMIT %s",
                    (event_id, limit),
                )
                .fetchall()
            )
        return [
            QueueEvent(
                id=eid,
                kind=EventKind(kind),
                at=at,
                business_date=day,
                ticket_id=tid,
                label=None if number is None else label_of(prefix, number),
                group=group,
                counter=counter,
                from_group=from_group,
                lang=lang,
            )
            for eid, kind, at, day, tid, prefix, number, group, counter, from_group, lang in rows
        ]

    def last_event_id(self) -> int:
        with self._db.translated("cannot read the event log"):
            return _last_event_id(self._db.connection())

    def service_stats(self, group: str, business_date: date) -> ServiceStats:
        if group not in self._setup.groups:
            raise UnknownGroup(f'unknown group "{group}" (known: {", ".join(self._setup.groups)})')
        with self._db.translated("cannot read service statistics"):
            rows = (
                self._db.connection()
                .execute(
                    "SELECT issued_at, called_at, serving_at, done_at FROM ticket"
                    " WHERE business_date = %s AND queue_group = %s AND state = 'done'",
                    (business_date, group),
                )
                .fetchall()
            )
        # Service runs from "start"; a clerk who goes straight from the call to done (or presses next
        # again) never presses start, so then it runs from the call: without it no median would ever form.
        service = [_seconds(serving or called, done) for _, called, serving, done in rows if serving or called]
        wait = [_seconds(issued, called) for issued, called, _, _ in rows if called is not None]
        samples = self._setup.rules.stats_min_samples
        return ServiceStats(
            group=group,
            business_date=business_date,
            served=len(rows),
            median_service_min=median_minutes(service, min_samples=samples),
            median_wait_min=median_minutes(wait, min_samples=samples),
        )

    def close(self) -> None:
        self._db.close()

    # --- inside a transaction --------------------------------------------------------------------

    def _apply(
        self, conn: Connection, row: _Row, action: Action, now: datetime, counter: str | None
    ) -> tuple[_Row, int]:
        """Move one ticket by one action (judged by the rules) and log it; returns it and the event id."""
        state = self._judge(row, action)
        sets = ["state = %(state)s"]
        if action is Action.CALL:
            sets += ["at_counter = %(counter)s", "recalls = 0"]
        elif action is Action.RECALL:
            sets.append("recalls = recalls + 1")
        if action in _STAMPS:
            sets.append(_STAMPS[action])
        conn.execute(
            f"UPDATE ticket SET {', '.join(sets)} WHERE id = %(id)s",
            {"state": state.value, "counter": counter, "at": now, "id": row.id},
        )
        event_id = append_event(
            conn, EVENT_OF[action], now, row.business_date, ticket_id=row.id, counter=counter, group=row.group
        )
        return self._row_by_id(conn, row.id), event_id

    def _judge(self, row: _Row, action: Action) -> TicketState:
        verdict = judge(
            row.state,
            action,
            recalls=row.recalls,
            recalls_before_no_show=self._setup.rules.recalls_before_no_show,
        )
        if verdict.state is None:
            raise NotAllowed(f"{row.label}: {verdict.refusal}")
        return verdict.state

    def _at_counter(self, conn: Connection, day: date, counter_id: str) -> _Row | None:
        row = conn.execute(
            f"SELECT {_ROW_COLUMNS} FROM ticket WHERE business_date = %s AND at_counter = %s"
            " AND state IN ('called', 'serving') ORDER BY id DESC LIMIT 1 FOR UPDATE",
            (day, counter_id),
        ).fetchone()
        return None if row is None else _Row.of(row)

    def _row_by_id(self, conn: Connection, ticket_id: int) -> _Row:
        row = conn.execute(f"SELECT {_ROW_COLUMNS} FROM ticket WHERE id = %s", (ticket_id,)).fetchone()
        assert row is not None  # ids come from rows this transaction read
        return _Row.of(row)

    def _find(self, conn: Connection, ticket: str | int, day: date) -> _Row:
        """A ticket by id, or by its label on the business date ("M-012", "012" for a group without prefix)."""
        if isinstance(ticket, int):
            row = conn.execute(f"SELECT {_ROW_COLUMNS} FROM ticket WHERE id = %s FOR UPDATE", (ticket,)).fetchone()
        else:
            parsed = parse_label(ticket)
            group = None if parsed is None else self._prefixes.get(parsed[0])
            if parsed is None or group is None:
                raise UnknownTicket(f'"{ticket}" is not a ticket label of this site (e.g. M-012)')
            row = conn.execute(
                f"SELECT {_ROW_COLUMNS} FROM ticket WHERE counter_group = %s AND business_date = %s AND number = %s"
                " FOR UPDATE",
                (group, day, parsed[1]),
            ).fetchone()
        if row is None:
            raise UnknownTicket(f"no ticket {ticket} on {day}")
        return _Row.of(row)

    def _counter_day(self, conn: Connection, day: date, counter_id: str) -> _CounterDay:
        """The counter's day, its row locked to commit: one action of a counter at a time, on any machine."""
        conn.execute(  # every counter opens with the day
            "INSERT INTO counter_day (business_date, counter) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (day, counter_id),
        )
        row = conn.execute(
            "SELECT open, passes, floor, press_at, press_ticket, press_event FROM counter_day"
            " WHERE business_date = %s AND counter = %s FOR UPDATE",
            (day, counter_id),
        ).fetchone()
        assert row is not None
        open_, passes, floor, press_at, press_ticket, press_event = row
        return _CounterDay(
            open=bool(open_),
            interleave=Interleave(passes=dict(passes), floor=floor),
            press_at=press_at,
            press_ticket=press_ticket,
            press_event=press_event,
        )

    def _save_press(
        self,
        conn: Connection,
        day: date,
        counter_id: str,
        interleave: Interleave,
        now: datetime,
        ticket_id: int | None,
        event_id: int | None,
    ) -> None:
        conn.execute(
            "INSERT INTO counter_day (business_date, counter, passes, floor, press_at, press_ticket, press_event)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (business_date, counter) DO UPDATE SET"
            " passes = excluded.passes, floor = excluded.floor, press_at = excluded.press_at,"
            " press_ticket = excluded.press_ticket, press_event = excluded.press_event",
            (
                day,
                counter_id,
                Jsonb(dict(interleave.passes)),
                interleave.floor,
                now,
                ticket_id,
                event_id,
            ),
        )

    # --- config ----------------------------------------------------------------------------------

    def _shares(self, counter_id: str) -> tuple[Share, ...]:
        shares = self._setup.counters.get(counter_id)
        if shares is None:
            raise UnknownCounter(f'unknown counter "{counter_id}" (known: {", ".join(self._setup.counters)})')
        return shares

    def _day(self, now: datetime) -> date:
        return business_date(now, self._setup.timezone, self._setup.business_day_reset)


def _outcome(row: _Row, counter: str | None, event_id: int, at: datetime, *, repeated: bool = False) -> CallOutcome:
    return CallOutcome(
        ticket_id=row.id,
        label=row.label,
        group=row.group,
        counter=counter,
        state=row.state,
        recalls=row.recalls,
        print_state=row.print_state,
        lang=row.lang,
        event_id=event_id,
        at=at,
        repeated=repeated,
    )


def _last_event_id(conn: Connection) -> int:
    row = conn.execute("SELECT last_id FROM event_clock").fetchone()
    return 0 if row is None else int(row[0])


def _seconds(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds()


def _conforms(store: PgCallingStore) -> CallingStore:
    return store  # mypy fails here when the class drifts from the Protocol
