"""A queue ticket's life after the kiosk issued it: the rules, with no store and no clock.

    waiting --call--> called --start--> serving --done--> done
                      called --recall--> called          (the same counter says the number again)
                      called --no_show--> no_show        (only after N recalls, N from [calling])
    waiting | called | serving --transfer--> waiting     (in another group, keeping its number)
    waiting | called | serving --cancel--> cancelled     (staff)
                      called --done--> done              (served without pressing start)

Transfer is an action, not a state: the ticket waits again in the other group, at its old place or
at the back (`transfer_position`). Which group a counter calls from next is a weighted interleave
(stride scheduling, `choose_group`): each group a counter serves has a weight; a group with waiting
tickets is never passed over more than its weight allows, and a group that was empty for an hour
does not get every call when it fills again (it rejoins at the counter's current pass, not at its
old one).

Everything here is pure: the store (kiosk/queue/sqlite_calling.py) reads the facts, asks these
functions, and writes what they answer in one transaction.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class TicketState(StrEnum):
    """Where a ticket is in its life. Stored as these strings: renaming one is a migration."""

    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"

    @property
    def at_counter(self) -> bool:
        """Called or being served: the ticket occupies a counter."""
        return self in (TicketState.CALLED, TicketState.SERVING)

    @property
    def ended(self) -> bool:
        return self in (TicketState.DONE, TicketState.NO_SHOW, TicketState.CANCELLED)


class Action(StrEnum):
    """What staff (or the lobby service on their behalf) do to a ticket."""

    CALL = "call"
    RECALL = "recall"
    START = "start"
    DONE = "done"
    NO_SHOW = "no_show"
    TRANSFER = "transfer"
    CANCEL = "cancel"


class EventKind(StrEnum):
    """One row of the append-only event log: what every screen follows."""

    ISSUED = "issued"
    CALLED = "called"
    RECALLED = "recalled"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"
    PRINT_FAILED = "print_failed"  # the visitor has a number but no paper: the clerk's console shows it
    REPRINTED = "reprinted"  # staff printed it after all
    COUNTER_OPENED = "counter_opened"
    COUNTER_CLOSED = "counter_closed"
    STAFF = "staff"  # staff asked a kiosk for something (kiosk/queue/health.py): wakes its notifier


# Each legal (state, action) and the state it leads to. Anything else is refused.
MOVES: Mapping[tuple[TicketState, Action], TicketState] = {
    (TicketState.WAITING, Action.CALL): TicketState.CALLED,
    (TicketState.CALLED, Action.RECALL): TicketState.CALLED,
    (TicketState.CALLED, Action.START): TicketState.SERVING,
    (TicketState.CALLED, Action.DONE): TicketState.DONE,
    (TicketState.SERVING, Action.DONE): TicketState.DONE,
    (TicketState.CALLED, Action.NO_SHOW): TicketState.NO_SHOW,
    (TicketState.WAITING, Action.TRANSFER): TicketState.WAITING,
    (TicketState.CALLED, Action.TRANSFER): TicketState.WAITING,
    (TicketState.SERVING, Action.TRANSFER): TicketState.WAITING,
    (TicketState.WAITING, Action.CANCEL): TicketState.CANCELLED,
    (TicketState.CALLED, Action.CANCEL): TicketState.CANCELLED,
    (TicketState.SERVING, Action.CANCEL): TicketState.CANCELLED,
}

EVENT_OF: Mapping[Action, EventKind] = {
    Action.CALL: EventKind.CALLED,
    Action.RECALL: EventKind.RECALLED,
    Action.START: EventKind.SERVING,
    Action.DONE: EventKind.DONE,
    Action.NO_SHOW: EventKind.NO_SHOW,
    Action.TRANSFER: EventKind.TRANSFERRED,
    Action.CANCEL: EventKind.CANCELLED,
}


@dataclass(frozen=True)
class Verdict:
    """The answer to "may this action happen now": the next state, or why not (plain words)."""

    state: TicketState | None
    refusal: str = ""

    @property
    def allowed(self) -> bool:
        return self.state is not None


def judge(state: TicketState, action: Action, *, recalls: int, recalls_before_no_show: int) -> Verdict:
    """May `action` happen to a ticket in `state` that was recalled `recalls` times?"""
    target = MOVES.get((state, action))
    if target is None:
        return Verdict(None, f"a {state.value} ticket cannot be given {action.value}")
    if action is Action.NO_SHOW and recalls < recalls_before_no_show:
        return Verdict(
            None,
            f"recalled {recalls} of {recalls_before_no_show} times: recall it before marking it no-show",
        )
    return Verdict(target)


def same_press(last_press_at: datetime | None, now: datetime, window_s: float) -> bool:
    """A second call-next of one counter within the window is the same press (a double tap, or two
    clerks' buttons wired to one counter), not a second call. A clock that went back counts too."""
    if last_press_at is None:
        return False
    return (now - last_press_at).total_seconds() < window_s


def transfer_position(*, keeps_place: bool, current_position: int, back_position: int) -> int:
    """The ticket's place in its new group's line. Positions are comparable across groups (the id of
    the event that queued the ticket), so "keeps its place" means it goes before everyone issued
    after it; "back" means behind everyone already waiting (the transfer event's id)."""
    return current_position if keeps_place else back_position


# --- the weighted interleave ---------------------------------------------------------------------

MAX_WEIGHT = 16
STRIDE = 720_720  # lcm(1..16): every stride STRIDE // weight is a whole number, so passes tie exactly


@dataclass(frozen=True)
class Share:
    """One group a counter serves, and how many of its calls go there relative to the others."""

    group: str
    weight: int

    def __post_init__(self) -> None:
        if not 1 <= self.weight <= MAX_WEIGHT:
            raise ValueError(f"weight of {self.group!r} must be 1..{MAX_WEIGHT}, got {self.weight}")


@dataclass(frozen=True)
class Interleave:
    """A counter's place in its interleave: each group's pass and the counter's floor (the pass of its
    latest pick). A fresh business day starts at `Interleave()`."""

    passes: Mapping[str, int] = field(default_factory=dict)
    floor: int = 0


@dataclass(frozen=True)
class Pick:
    group: str
    after: Interleave


def choose_group(shares: Sequence[Share], waiting: Mapping[str, int], state: Interleave) -> Pick | None:
    """The group this counter calls from next, or None when none of its groups has anyone waiting.

    Stride scheduling: the group with the least pass goes (ties: the order the config lists them),
    then its pass grows by STRIDE // weight. A group's pass is never below the floor when it
    competes, so a group that was empty does not make up for lost time in a burst.
    """
    passes = state.passes
    best: tuple[int, int, Share] | None = None
    for order, share in enumerate(shares):
        if waiting.get(share.group, 0) <= 0:
            continue
        effective = max(passes.get(share.group, 0), state.floor)
        if best is None or (effective, order) < (best[0], best[1]):
            best = (effective, order, share)
    if best is None:
        return None
    effective, _, share = best
    new_passes = dict(passes)
    new_passes[share.group] = effective + STRIDE // share.weight
    return Pick(share.group, Interleave(passes=new_passes, floor=effective))


# --- statistics ----------------------------------------------------------------------------------


def median_minutes(durations_s: Sequence[float], *, min_samples: int) -> float | None:
    """Median of durations in minutes (one decimal), or None with fewer than `min_samples`:
    "about how long" from three visitors is a guess, not a figure."""
    if len(durations_s) < max(1, min_samples):
        return None
    return round(statistics.median(durations_s) / 60, 1)
