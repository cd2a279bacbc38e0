"""The wait told before a ticket is taken, as a table: the lobby's facts in, what is said out."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk.domain.model import Procedure
from kiosk.domain.waiting import (
    MINUTE_STEP,
    GroupLoad,
    LobbyFacts,
    WaitEstimate,
    ahead_on_ticket,
    group_wait,
    procedure_wait,
)
from kiosk.site.model import GroupShare, SiteConfig

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 26, 9, 15, tzinfo=JST)  # Thursday: every window of the shipped config open
TODAY = date(2026, 11, 26)
ALL_OPEN = frozenset({"c1", "c2", "c5", "c6", "c8", "c9", "c12", "c13", "c20"})


def facts(
    waiting: int = 6,
    served: int = 5,
    median: float | None = 6.0,
    *,
    open_counters: frozenset[str] = ALL_OPEN,
    calling_today: bool = True,
    day: date = TODAY,
    others: dict[str, GroupLoad] | None = None,
) -> LobbyFacts:
    """The renewal group (counters c1 and c2 in the shipped config) with these numbers."""
    groups = {"renewal": GroupLoad(waiting, served, median), **(others or {})}
    return LobbyFacts(business_date=day, calling_today=calling_today, open_counters=open_counters, groups=groups)


# (case, facts, what is told for the renewal group). The shipped config asks for 5 served
# (calling.stats_min_samples); renewal is called at two counters, c1 and c2.
TABLE = [
    ("six waiting at two counters, 6 min each: 18 -> about 20", facts(), WaitEstimate(6, 20)),
    ("exactly on a step stays there", facts(waiting=5, median=4.0), WaitEstimate(5, 10)),
    ("one waiting, a quick counter: never less than one step", facts(waiting=1, median=1.0), WaitEstimate(1, 5)),
    ("nobody waiting: said so, no minutes", facts(waiting=0), WaitEstimate(0, 0)),
    ("one counter closed: twice as long", facts(open_counters=ALL_OPEN - {"c2"}), WaitEstimate(6, 40)),
    ("both counters closed: no pace to estimate from", facts(open_counters=ALL_OPEN - {"c1", "c2"}), None),
    ("four served today: below the minimum sample", facts(served=4), None),
    ("no median from the store: nothing", facts(median=None), None),
    ("no number called today: the counts mean nothing", facts(calling_today=False), None),
    ("yesterday's facts: nothing", facts(day=date(2026, 11, 25)), None),
    ("a long line: a long wait, honestly", facts(waiting=60, median=7.5), WaitEstimate(60, 225)),
]


@pytest.mark.parametrize(("lobby", "told"), [row[1:] for row in TABLE], ids=[row[0] for row in TABLE])
def test_the_wait_told_for_a_group(site_config: SiteConfig, lobby: LobbyFacts, told: WaitEstimate | None) -> None:
    assert group_wait(site_config, lobby, "renewal", NOW) == told


def test_no_facts_no_wait(site_config: SiteConfig) -> None:
    assert group_wait(site_config, None, "renewal", NOW) is None


def test_an_unknown_group_has_no_wait(site_config: SiteConfig) -> None:
    assert group_wait(site_config, facts(), "nowhere", NOW) is None


def test_minutes_are_whole_steps(site_config: SiteConfig) -> None:
    for waiting in range(1, 40):
        told = group_wait(site_config, facts(waiting=waiting, median=3.3), "renewal", NOW)
        assert told is not None and told.minutes % MINUTE_STEP == 0 and told.minutes >= waiting * 3.3 / 2


def test_the_minimum_sample_comes_from_the_config(site_config: SiteConfig) -> None:
    strict = replace(site_config, calling=replace(site_config.calling, stats_min_samples=20))
    assert group_wait(site_config, facts(served=5), "renewal", NOW) is not None
    assert group_wait(strict, facts(served=5), "renewal", NOW) is None
    assert group_wait(strict, facts(served=20), "renewal", NOW) is not None


def shared_counter(site_config: SiteConfig) -> SiteConfig:
    """c1 also calls the general line, weight 1 against renewal's 3; c2 is closed."""
    c1 = replace(site_config.counters["c1"], serves=(GroupShare("renewal", 3), GroupShare("general", 1)))
    return replace(site_config, counters={**site_config.counters, "c1": c1})


def test_a_shared_counter_gives_the_group_its_weights_share(site_config: SiteConfig) -> None:
    config = shared_counter(site_config)
    busy_general = {"general": GroupLoad(4, 10, 5.0)}
    lobby = facts(waiting=6, median=6.0, open_counters=ALL_OPEN - {"c2"}, others=busy_general)
    # 6 x 6 min over 3/4 of c1: 48 -> about 50
    assert group_wait(config, lobby, "renewal", NOW) == WaitEstimate(6, 50)


def test_a_shared_counter_whose_other_line_is_empty_gives_all_its_time(site_config: SiteConfig) -> None:
    config = shared_counter(site_config)
    empty_general = {"general": GroupLoad(0, 10, 5.0)}
    lobby = facts(waiting=6, median=6.0, open_counters=ALL_OPEN - {"c2"}, others=empty_general)
    assert group_wait(config, lobby, "renewal", NOW) == WaitEstimate(6, 40)  # 36 -> 40, the whole of c1


def test_a_procedure_tells_the_wait_of_its_group(site_config: SiteConfig) -> None:
    lobby = facts()
    assert procedure_wait(site_config, lobby, Procedure.RENEWAL, NOW, {}) == WaitEstimate(6, 20)
    assert procedure_wait(site_config, lobby, Procedure.RENEWAL_VIA, NOW, {}) == WaitEstimate(6, 20)  # same line
    assert procedure_wait(site_config, lobby, Procedure.ENQUIRY, NOW, {}) is None  # its group has no facts


@pytest.mark.parametrize(
    ("when", "issued"),
    [
        (datetime(2026, 11, 26, 17, 30, tzinfo=JST), {}),  # every window over
        (NOW, {Procedure.RENEWAL: 10_000}),  # today's places taken (a cap of 10,000, below)
    ],
    ids=["closed-today", "full"],
)
def test_never_a_wait_for_a_procedure_not_open(site_config: SiteConfig, when: datetime, issued: dict) -> None:
    capped = replace(
        site_config,
        procedures={
            **site_config.procedures,
            Procedure.RENEWAL: replace(site_config.procedures[Procedure.RENEWAL], daily_cap=10_000),
        },
    )
    lobby = facts()
    assert group_wait(capped, lobby, "renewal", when) is not None  # the line itself is known
    assert procedure_wait(capped, lobby, Procedure.RENEWAL, when, issued) is None


def test_ahead_of_you_is_told_with_the_wait(site_config: SiteConfig) -> None:
    assert ahead_on_ticket(site_config, facts(waiting=7), "renewal", 6, NOW) == 6
    assert ahead_on_ticket(site_config, facts(waiting=1), "renewal", 0, NOW) == 0  # you are next
    assert ahead_on_ticket(site_config, facts(served=2), "renewal", 6, NOW) is None  # too few served
    assert ahead_on_ticket(site_config, facts(calling_today=False), "renewal", 6, NOW) is None
    assert ahead_on_ticket(site_config, facts(), "renewal", None, NOW) is None  # not waiting any more
