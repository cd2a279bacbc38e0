"""The lobby as the kiosk tells it: facts read from the calling store for the wait on the screens and
the ticket (what they mean is decided in kiosk/domain/waiting.py).

Read when the procedure menu or the confirm screen is entered (the flow's `ReadLobby`) and once
after a ticket is issued, never every frame: one snapshot of the lobby and one small query per
group, a few milliseconds on the kiosk's own SQLite file. A store that cannot answer makes the
kiosk say nothing about the wait; it never stops a visit.
"""

from __future__ import annotations

import logging
from datetime import datetime
from types import MappingProxyType

from kiosk.domain.waiting import GroupLoad, LobbyFacts
from kiosk.errors import KioskError
from kiosk.queue.lifecycle import CallingStore, LobbyState

log = logging.getLogger(__name__)


def read_lobby(store: CallingStore, now: datetime) -> tuple[LobbyFacts, LobbyState] | None:
    """The lobby's facts for the wait (and the state they came from), or None when the store failed."""
    try:
        state = store.lobby_state(now)
        stats = {group: store.service_stats(group, state.business_date) for group in state.waiting}
    except KioskError:
        log.exception("calling store unavailable: no wait told")
        return None
    called = bool(state.recent_calls) or any(c.calling is not None for c in state.counters)
    facts = LobbyFacts(
        business_date=state.business_date,
        calling_today=called or any(s.served > 0 for s in stats.values()),
        open_counters=frozenset(c.id for c in state.counters if c.open),
        groups=MappingProxyType(
            {
                group: GroupLoad(waiting, stats[group].served, stats[group].median_service_min)
                for group, waiting in state.waiting.items()
            }
        ),
    )
    return facts, state


def place_in_line(state: LobbyState, group: str, ticket_id: int) -> int | None:
    """How many wait ahead of a ticket in its group's line; None when it is not waiting there."""
    line = state.waiting_list.get(group, ())
    return next((i for i, waiting in enumerate(line) if waiting.ticket_id == ticket_id), None)
