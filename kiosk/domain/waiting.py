"""The wait told to a visitor before they take a ticket: how many wait, and about how long.

Pure: the shell reads the lobby's facts from the calling store (kiosk/shell/waits.py) when the
procedure menu or the confirm screen is entered, the flow keeps them (`State.lobby`), and the
screens and the ticket ask `procedure_wait` / `group_wait` what to say.

Nothing is told without evidence. The kiosk says nothing while no number was called today (the
site may not call numbers through the store at all, and then every ticket of the day would still
count as "waiting"), nothing until the group has `calling.stats_min_samples` visitors served today
(the config's minimum, 5 at Gunma: a median of three visits is a guess, not a figure), nothing
while no open counter calls the group, and never anything for a procedure that is not open now.

The estimate: the people waiting in the group, times today's median service time, shared among the
open counters that call the group. A counter that also calls other groups gives this one its
weight's share of its time, counting only the groups that have someone waiting (the interleave
gives an empty group's turns to the others). Rounded up to whole `MINUTE_STEP`s, never below one:
"about 5 minutes" is the least the kiosk promises, and a precise-looking "about 13 minutes" would
claim more than a median can know.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from kiosk.domain.model import LectureClass, Procedure
from kiosk.domain.numbering import business_date
from kiosk.domain.routing import Availability, availability
from kiosk.site.model import SiteConfig

MINUTE_STEP = 5  # the estimate is told in steps of this many minutes, rounded up


@dataclass(frozen=True)
class GroupLoad:
    """One number group today, as the calling store saw it."""

    waiting: int  # tickets waiting to be called
    served: int  # tickets done today
    median_service_min: float | None  # today's median minutes at the counter; None with too few


@dataclass(frozen=True)
class LobbyFacts:
    """What the kiosk knows of the lobby, read in one go when a screen was entered. No personal data."""

    business_date: date
    calling_today: bool  # a number was called today: the store's waiting counts mean something
    open_counters: frozenset[str]  # counter ids open now (staff may close one for the day)
    groups: Mapping[str, GroupLoad]  # every configured group


@dataclass(frozen=True)
class WaitEstimate:
    people: int  # waiting in the group now (0: nobody)
    minutes: int  # about how long, a multiple of MINUTE_STEP; 0 when nobody waits


def group_wait(config: SiteConfig, facts: LobbyFacts | None, group: str, now: datetime) -> WaitEstimate | None:
    """What to tell about the wait in `group`, or None when the kiosk cannot tell it honestly."""
    if facts is None or not facts.calling_today:
        return None
    site = config.site
    if facts.business_date != business_date(now, site.timezone, site.business_day_reset):
        return None  # yesterday's lobby
    load = facts.groups.get(group)
    if load is None or load.median_service_min is None or load.served < config.calling.stats_min_samples:
        return None
    counters = _capacity(config, facts, group)
    if counters <= 0:
        return None  # no open counter calls this group: no pace to estimate from
    if load.waiting == 0:
        return WaitEstimate(people=0, minutes=0)
    raw = load.waiting * load.median_service_min / counters
    minutes = math.ceil(raw / MINUTE_STEP) * MINUTE_STEP  # someone waits: at least one step
    return WaitEstimate(people=load.waiting, minutes=minutes)


def procedure_wait(
    config: SiteConfig,
    facts: LobbyFacts | None,
    procedure: Procedure,
    now: datetime,
    issued_today: Mapping[Procedure, int],
    lecture_class: LectureClass | None = None,
) -> WaitEstimate | None:
    """The wait of the group a procedure's tickets go to; None for a procedure not open now."""
    if availability(config, procedure, now, issued_today, lecture_class) is not Availability.OPEN:
        return None
    return group_wait(config, facts, config.group_for(procedure).id, now)


def ahead_on_ticket(
    config: SiteConfig, facts: LobbyFacts | None, group: str, place: int | None, now: datetime
) -> int | None:
    """ "Ahead of you: N" for a ticket just issued, N its place in its group's line (0: next). Told
    under the same evidence as the wait on the screens; None when the wait is not told or the
    ticket is not waiting (already called by a quick counter)."""
    if place is None or group_wait(config, facts, group, now) is None:
        return None
    return place


def _capacity(config: SiteConfig, facts: LobbyFacts, group: str) -> float:
    """How many counters' worth of time the group gets now: each open counter that calls it gives
    the group's weight over the weights of its groups that have someone waiting (this one included)."""
    total = 0.0
    for counter in config.counters.values():
        if counter.id not in facts.open_counters:
            continue
        shares = counter.shares
        mine = next((s.weight for s in shares if s.group == group), 0)
        if mine == 0:
            continue
        busy = sum(s.weight for s in shares if s.group != group and _waiting(facts, s.group) > 0)
        total += mine / (mine + busy)
    return total


def _waiting(facts: LobbyFacts, group: str) -> int:
    load = facts.groups.get(group)
    return 0 if load is None else load.waiting
