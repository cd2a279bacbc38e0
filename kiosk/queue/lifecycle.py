"""The calling side of the queue, as the lobby service and `kiosk call` see it: values and the Protocol.

`CallingStore` is what a shell (the lobby web service, the `kiosk call` command, a GPIO button) uses to
call, recall, start, finish, transfer and cancel tickets and to open and close counters; every change
is one transaction and one append-only `QueueEvent` with an increasing id. Screens follow the events
(`events_after`, woken by a `kiosk.queue.notify.Notifier`) and resync from `lobby_state`, never from a
stream alone. The rules live in `kiosk.domain.lifecycle`; `kiosk.queue.sqlite_calling` is the SQLite
implementation, `kiosk.queue.pg_calling` the PostgreSQL one, with the same Protocol.

Times are timezone-aware. The business date of every call is derived from `now` with the site's zone
and reset time (`CallingSetup`). No personal data: labels, groups, counters, times, the language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from types import MappingProxyType
from typing import Protocol

from kiosk.domain.lifecycle import EventKind, Share, TicketState
from kiosk.errors import KioskError
from kiosk.queue.model import PrintState
from kiosk.site.model import CallingConfig, SiteConfig

# --- errors: what a clerk did that cannot be done (the store itself failing is a StoreError) -------


class CallRefused(KioskError):
    """A calling action that the rules or the state of the lobby refuse; the message says why."""


class UnknownCounter(CallRefused):
    pass


class UnknownTicket(CallRefused):
    """No ticket with that label (today) or id."""


class UnknownGroup(CallRefused):
    pass


class CounterClosed(CallRefused):
    pass


class NothingAtCounter(CallRefused):
    """recall / start / done / no-show at a counter that has no ticket called."""


class NotAllowed(CallRefused):
    """The ticket's state does not allow the action (kiosk.domain.lifecycle.judge said no)."""


# --- setup ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallingSetup:
    """What a calling store needs from the site config: the clock's zone, the counters and the rules."""

    timezone: str
    business_day_reset: time
    groups: Mapping[str, str]  # group id -> prefix
    counters: Mapping[str, tuple[Share, ...]]  # counter id -> the groups it calls from, in config order
    rules: CallingConfig

    @classmethod
    def from_site(cls, config: SiteConfig) -> CallingSetup:
        return cls(
            timezone=config.site.timezone,
            business_day_reset=config.site.business_day_reset,
            groups=MappingProxyType({gid: g.prefix for gid, g in config.groups.items()}),
            counters=MappingProxyType(
                {cid: tuple(Share(s.group, s.weight) for s in c.shares) for cid, c in config.counters.items()}
            ),
            rules=config.calling,
        )


# --- values --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallOutcome:
    """A ticket at a counter after call / recall / start / done / no-show / transfer / cancel."""

    ticket_id: int
    label: str  # "M-012"
    group: str  # the group it waits in / was called from (after a transfer: the new one)
    counter: str | None  # the counter it is at; None once transferred back to waiting
    state: TicketState
    recalls: int
    print_state: PrintState  # PRINT_FAILED: the visitor has no paper ticket (the clerk's console says so)
    lang: str | None  # the visitor's language, for the voice; None when not known
    event_id: int  # the event this step wrote (for a repeated press: the original call's)
    at: datetime  # when this step happened (for a repeated press: the original call's time)
    repeated: bool = False  # a second press within calling.same_press_window_s: nothing new happened

    @property
    def no_paper(self) -> bool:
        return self.print_state is PrintState.PRINT_FAILED


@dataclass(frozen=True)
class QueueEvent:
    """One append-only row of the event log. `id` only ever grows; screens remember the last one seen."""

    id: int
    kind: EventKind
    at: datetime
    business_date: date
    ticket_id: int | None  # None for counter events
    label: str | None
    group: str | None  # the ticket's group after the event (transferred: the new one)
    counter: str | None  # the counter that acted, when one did
    from_group: str | None = None  # transferred: where it came from
    lang: str | None = None  # the visitor's language, for called / recalled announcements


@dataclass(frozen=True)
class CounterState:
    id: str
    open: bool
    calling: str | None  # label of the ticket called or being served there, else None
    ticket_state: TicketState | None  # CALLED or SERVING when `calling` is set
    groups: tuple[str, ...]  # the groups it calls from, in config order
    no_paper: bool = False  # the ticket at the counter has no paper ticket


@dataclass(frozen=True)
class WaitingTicket:
    ticket_id: int
    label: str
    group: str
    issued_at: datetime
    print_state: PrintState
    transferred: bool  # came from another group
    lang: str | None

    @property
    def no_paper(self) -> bool:
        return self.print_state is PrintState.PRINT_FAILED


@dataclass(frozen=True)
class RecentCall:
    event_id: int
    label: str
    counter: str
    at: datetime
    recall: bool  # a recall rather than the first call


@dataclass(frozen=True)
class LobbyState:
    """Everything a lobby screen or a clerk's console shows, as of `event_id` (read in one transaction).

    `/api/state` is at least {"event_id", "counters": [{"id", "open", "calling"}], "waiting": {group: n}}:
    `as_json()` gives that and more.
    """

    event_id: int
    business_date: date
    counters: tuple[CounterState, ...]  # in config order
    waiting: Mapping[str, int]  # every configured group, 0 included
    recent_calls: tuple[RecentCall, ...]  # newest first, at most calling.recent_calls
    waiting_list: Mapping[str, tuple[WaitingTicket, ...]]  # every group, in calling order

    def as_json(self) -> dict[str, object]:
        return {
            "event_id": self.event_id,
            "business_date": self.business_date.isoformat(),
            "counters": [
                {
                    "id": c.id,
                    "open": c.open,
                    "calling": c.calling,
                    "state": None if c.ticket_state is None else c.ticket_state.value,
                    "groups": list(c.groups),
                    "no_paper": c.no_paper,
                }
                for c in self.counters
            ],
            "waiting": dict(self.waiting),
            "recent_calls": [
                {
                    "event_id": r.event_id,
                    "label": r.label,
                    "counter": r.counter,
                    "at": r.at.isoformat(),
                    "recall": r.recall,
                }
                for r in self.recent_calls
            ],
            "waiting_list": {
                group: [{"label": w.label, "no_paper": w.no_paper, "transferred": w.transferred} for w in tickets]
                for group, tickets in self.waiting_list.items()
            },
        }


@dataclass(frozen=True)
class ServiceStats:
    """Tickets of a group served on a business date, and the medians the kiosk may quote as "about"."""

    group: str
    business_date: date
    served: int  # tickets done (with or without a recorded start)
    median_service_min: float | None  # serving -> done; None with fewer than calling.stats_min_samples
    median_wait_min: float | None  # issued -> first called; None with too few


# --- the interface -------------------------------------------------------------------------------


class CallingStore(Protocol):
    """Calling tickets in the store. Each method is one transaction; each change appends one event.

    Counter actions (`call_next`, `recall`, `start`, `done`, `no_show`) act on the counter's current
    ticket and raise UnknownCounter, CounterClosed (call_next only), NothingAtCounter or NotAllowed.
    Ticket actions (`transfer`, `cancel`) take a label of today ("M-012") or a ticket id.
    A StoreError means the store itself is unusable.
    """

    def call_next(self, counter_id: str, now: datetime) -> CallOutcome | None:
        """Call the next ticket to this counter, or None when none of its groups has anyone waiting.

        The counter's current ticket, if any, is finished first (done). Two counters pressing at the
        same instant never get the same ticket; a second press of one counter within
        calling.same_press_window_s returns the first press's outcome with `repeated=True`."""
        ...

    def recall(self, counter_id: str, now: datetime) -> CallOutcome: ...

    def start(self, counter_id: str, now: datetime) -> CallOutcome: ...

    def done(self, counter_id: str, now: datetime) -> CallOutcome: ...

    def no_show(self, counter_id: str, now: datetime) -> CallOutcome:
        """Allowed once the ticket was recalled calling.recalls_before_no_show times."""
        ...

    def transfer(self, ticket: str | int, to_group: str, now: datetime) -> CallOutcome:
        """Send a ticket to another group, keeping its number; it waits there at its old place or at
        the back (calling.transfer_keeps_place). Frees the counter it was at."""
        ...

    def cancel(self, ticket: str | int, now: datetime) -> CallOutcome: ...

    def set_counter_open(self, counter_id: str, open: bool, now: datetime) -> bool:
        """Open or close a counter for the business date of `now` (all are open at the start of a day).
        Returns whether anything changed (no event when it did not)."""
        ...

    def lobby_state(self, now: datetime) -> LobbyState: ...

    def events_after(self, event_id: int, limit: int = 100) -> list[QueueEvent]:
        """Events with an id above `event_id`, oldest first, at most `limit`."""
        ...

    def last_event_id(self) -> int:
        """0 when there is none yet."""
        ...

    def service_stats(self, group: str, business_date: date) -> ServiceStats: ...

    def close(self) -> None: ...
