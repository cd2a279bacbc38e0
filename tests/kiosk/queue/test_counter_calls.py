"""Which counters' numbers change between two lobby states, and which changes are calls."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from kiosk.domain.lifecycle import TicketState
from kiosk.queue.counter_calls import CounterShows, counter_changes
from kiosk.queue.lifecycle import CounterState, LobbyState, RecentCall

AT = datetime(2026, 11, 26, 9, 30, tzinfo=ZoneInfo("Asia/Tokyo"))


def lobby(event_id: int, calling: dict[str, str | None], calls: list[tuple[int, str, str]]) -> LobbyState:
    counters = tuple(
        CounterState(cid, True, label, TicketState.CALLED if label else None, ("g",)) for cid, label in calling.items()
    )
    recent = tuple(RecentCall(eid, label, counter, AT, False) for eid, label, counter in calls)
    return LobbyState(event_id, date(2026, 11, 26), counters, {"g": 0}, recent, {"g": ()})


def test_a_fresh_start_tells_every_counter_and_calls_none():
    state = lobby(5, {"c13": "M-012", "c12": None}, [(5, "M-012", "c13")])
    assert counter_changes(None, state) == [CounterShows("c13", "M-012", False), CounterShows("c12", "", False)]


def test_a_new_call_is_a_call_and_a_finished_ticket_blanks_its_counter():
    before = lobby(5, {"c13": "M-012", "c12": "R-001"}, [(5, "M-012", "c13")])
    after = lobby(7, {"c13": "M-013", "c12": None}, [(7, "M-013", "c13"), (5, "M-012", "c13")])
    assert counter_changes(before, after) == [CounterShows("c13", "M-013", True), CounterShows("c12", "", False)]


def test_a_recall_calls_again_with_the_same_label():
    before = lobby(5, {"c13": "M-012"}, [(5, "M-012", "c13")])
    after = lobby(6, {"c13": "M-012"}, [(6, "M-012", "c13"), (5, "M-012", "c13")])
    assert counter_changes(before, after) == [CounterShows("c13", "M-012", True)]
    assert counter_changes(after, after) == []
