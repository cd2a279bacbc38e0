"""What each counter's number shows after a lobby state change: the boards' rows and the counters'
displays follow this. Pure: two `LobbyState`s in, one `CounterShows` per counter that changed out.

A counter shows the label of the ticket called or served there ("" when none). A new call or recall
there since the previous state (a `recent_calls` entry newer than it) is a call: the board flashes
the row and chimes. Without a previous state (the service just started) every counter is told
what it shows, and nothing is a call.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.queue.lifecycle import LobbyState


@dataclass(frozen=True)
class CounterShows:
    counter: str
    label: str  # "" = nothing called there
    call: bool  # a call or recall just now: flash and chime


def counter_changes(previous: LobbyState | None, state: LobbyState) -> list[CounterShows]:
    labels = {c.id: c.calling or "" for c in state.counters}
    if previous is None:
        return [CounterShows(counter, label, call=False) for counter, label in labels.items()]
    before = {c.id: c.calling or "" for c in previous.counters}
    called = {r.counter for r in state.recent_calls if r.event_id > previous.event_id}
    return [
        CounterShows(counter, label, counter in called)
        for counter, label in labels.items()
        if counter in called or before.get(counter) != label
    ]
