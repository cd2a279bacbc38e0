"""The ticket lifecycle's rules as tables: every (state, action), the no-show rule, the same-press
window, transfer positions, and the weighted interleave over long runs."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from kiosk.domain.lifecycle import (
    MOVES,
    Action,
    Interleave,
    Share,
    TicketState,
    choose_group,
    judge,
    median_minutes,
    same_press,
    transfer_position,
)

W, C, S, D, N, X = (
    TicketState.WAITING,
    TicketState.CALLED,
    TicketState.SERVING,
    TicketState.DONE,
    TicketState.NO_SHOW,
    TicketState.CANCELLED,
)

# One row per (state, action): the state it leads to, or None when refused. Every pair is listed,
# so a move added to or dropped from MOVES fails here until this table says so too.
TABLE: dict[tuple[TicketState, Action], TicketState | None] = {
    (W, Action.CALL): C,
    (W, Action.RECALL): None,
    (W, Action.START): None,
    (W, Action.DONE): None,
    (W, Action.NO_SHOW): None,
    (W, Action.TRANSFER): W,
    (W, Action.CANCEL): X,
    (C, Action.CALL): None,
    (C, Action.RECALL): C,
    (C, Action.START): S,
    (C, Action.DONE): D,
    (C, Action.NO_SHOW): N,
    (C, Action.TRANSFER): W,
    (C, Action.CANCEL): X,
    (S, Action.CALL): None,
    (S, Action.RECALL): None,
    (S, Action.START): None,
    (S, Action.DONE): D,
    (S, Action.NO_SHOW): None,
    (S, Action.TRANSFER): W,
    (S, Action.CANCEL): X,
    **{(end, action): None for end in (D, N, X) for action in Action},
}


def test_the_table_covers_every_state_and_action() -> None:
    assert set(TABLE) == set(itertools.product(TicketState, Action))
    assert {pair: target for pair, target in TABLE.items() if target is not None} == dict(MOVES)


@pytest.mark.parametrize(
    ("pair", "target"), TABLE.items(), ids=lambda v: "-".join(v) if isinstance(v, tuple) else str(v)
)
def test_each_state_and_action_leads_where_the_table_says(
    pair: tuple[TicketState, Action], target: TicketState | None
) -> None:
    state, action = pair
    verdict = judge(state, action, recalls=5, recalls_before_no_show=2)
    assert verdict.state is target
    assert verdict.allowed == (target is not None)
    if target is None:
        assert state.value in verdict.refusal and action.value in verdict.refusal


@pytest.mark.parametrize(
    ("recalls", "needed", "allowed"),
    [(0, 0, True), (0, 1, False), (1, 2, False), (2, 2, True), (3, 2, True), (9, 10, False)],
)
def test_no_show_only_after_the_configured_recalls(recalls: int, needed: int, allowed: bool) -> None:
    verdict = judge(TicketState.CALLED, Action.NO_SHOW, recalls=recalls, recalls_before_no_show=needed)
    assert verdict.allowed is allowed
    if not allowed:
        assert f"recalled {recalls} of {needed}" in verdict.refusal


def test_ended_and_at_counter_states() -> None:
    assert {s for s in TicketState if s.ended} == {D, N, X}
    assert {s for s in TicketState if s.at_counter} == {C, S}


JST = timezone(timedelta(hours=9))
T0 = datetime(2026, 11, 26, 9, 15, tzinfo=JST)


@pytest.mark.parametrize(
    ("last", "offset_s", "window_s", "same"),
    [
        (None, 0.0, 2.0, False),  # first press of the day
        (T0, 0.0, 2.0, True),
        (T0, 1.999, 2.0, True),
        (T0, 2.0, 2.0, False),  # the window is open at its end
        (T0, 5.0, 2.0, False),
        (T0, -3.0, 2.0, True),  # a clock stepped back: still not a second call
        (T0, 0.5, 0.0, False),  # window 0: every press counts
    ],
)
def test_same_press_window(last: datetime | None, offset_s: float, window_s: float, same: bool) -> None:
    assert same_press(last, T0 + timedelta(seconds=offset_s), window_s) is same


@pytest.mark.parametrize(("keeps", "expected"), [(True, 7), (False, 42)])
def test_transfer_keeps_its_place_or_goes_to_the_back(keeps: bool, expected: int) -> None:
    assert transfer_position(keeps_place=keeps, current_position=7, back_position=42) == expected


# --- the interleave ------------------------------------------------------------------------------


def run(shares: list[Share], waiting: dict[str, int], calls: int, state: Interleave | None = None) -> list[str]:
    state = state or Interleave()
    picked: list[str] = []
    for _ in range(calls):
        pick = choose_group(shares, waiting, state)
        assert pick is not None
        picked.append(pick.group)
        state = pick.after
    return picked


@pytest.mark.parametrize(
    ("weights", "calls"),
    [
        ({"r": 1}, 10),
        ({"r": 1, "g": 1}, 10),
        ({"r": 2, "g": 1}, 30),
        ({"r": 3, "g": 1, "m": 2}, 60),
        ({"a": 16, "b": 1}, 34),
    ],
)
def test_calls_follow_the_weights_when_every_group_has_people_waiting(weights: dict[str, int], calls: int) -> None:
    shares = [Share(g, w) for g, w in weights.items()]
    picked = run(shares, {g: 1000 for g in weights}, calls)
    total = sum(weights.values())
    assert Counter(picked) == {g: calls * w // total for g, w in weights.items()}


def test_no_group_waits_longer_than_its_share_allows() -> None:
    shares = [Share("r", 3), Share("g", 1)]
    picked = run(shares, {"r": 1000, "g": 1000}, 40)
    # g gets one call in every 4: never more than 3 r-calls in a row between them
    gaps = [len(run_) for run_ in "".join(p[0] for p in picked).split("g")[1:-1]]
    assert gaps and max(gaps) <= 3


def test_ties_go_in_config_order() -> None:
    assert run([Share("g", 1), Share("r", 1)], {"r": 5, "g": 5}, 2) == ["g", "r"]
    assert run([Share("r", 1), Share("g", 1)], {"r": 5, "g": 5}, 2) == ["r", "g"]


def test_only_groups_with_people_waiting_are_called_and_none_when_nobody_waits() -> None:
    shares = [Share("r", 5), Share("g", 1)]
    assert run(shares, {"r": 0, "g": 3}, 3) == ["g", "g", "g"]
    assert choose_group(shares, {}, Interleave()) is None
    assert choose_group(shares, {"r": 0, "g": 0}, Interleave()) is None
    assert choose_group(shares, {"other": 9}, Interleave()) is None


def test_a_group_that_was_empty_rejoins_without_taking_every_call() -> None:
    shares = [Share("r", 1), Share("g", 1)]
    state = Interleave()
    for _ in range(50):  # g empty all morning: r gets every call, its pass runs ahead
        pick = choose_group(shares, {"r": 100, "g": 0}, state)
        assert pick is not None and pick.group == "r"
        state = pick.after
    picked = run(shares, {"r": 100, "g": 100}, 10, state)
    assert Counter(picked) == {"r": 5, "g": 5}, "g rejoined at the floor: equal turns, no burst of 50"


def test_pick_leaves_its_input_state_alone() -> None:
    state = Interleave(passes={"r": 3}, floor=1)
    pick = choose_group([Share("r", 1)], {"r": 1}, state)
    assert pick is not None and pick.after != state
    assert state.passes == {"r": 3}


@pytest.mark.parametrize("weight", [0, -1, 17])
def test_a_weight_outside_1_to_16_is_refused(weight: int) -> None:
    with pytest.raises(ValueError, match="weight"):
        Share("r", weight)


# --- statistics ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("durations_s", "min_samples", "expected"),
    [
        ([], 1, None),
        ([600.0], 1, 10.0),
        ([600.0, 60.0], 3, None),
        ([60.0, 120.0, 900.0], 3, 2.0),
        ([60.0, 120.0, 180.0, 240.0], 3, 2.5),  # even count: the mean of the middle two
        ([90.0] * 4, 0, 1.5),  # a minimum below one still needs one sample
    ],
)
def test_median_minutes_needs_enough_samples(
    durations_s: list[float], min_samples: int, expected: float | None
) -> None:
    assert median_minutes(durations_s, min_samples=min_samples) == expected
