"""Routing: procedure + holding statuses + pre-check results + time → counter, fee, bring-list, or a refusal.

Everything site-specific (counters, hours, caps, fees, papers) comes from the site config (R16);
this module only applies it. Refusal reasons are reason codes like the pre-checks':
"R15.closed_now", "R15.closed_today", "R15.daily_cap_reached", or the blocking check's own code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum

from kiosk.domain.model import (
    Answers,
    CheckResult,
    HoldingStatus,
    LectureClass,
    LostItem,
    Outcome,
    Procedure,
)
from kiosk.site.model import BringItem, Counter, CounterGroup, Fee, SiteConfig, Window

REFUSED_CLOSED_NOW = "R15.closed_now"
REFUSED_CLOSED_TODAY = "R15.closed_today"
REFUSED_CAP = "R15.daily_cap_reached"


class Availability(StrEnum):
    """Today's state of a procedure, shown before the choice (R15)."""

    OPEN = "open"
    CLOSED_NOW = "closed_now"  # outside its reception windows, may open later today
    CLOSED_TODAY = "closed_today"  # no window left today, or a closed day
    FULL = "full"  # daily cap reached


@dataclass(frozen=True)
class FeeLine:
    what: str  # message key: "fee.procedure", "fee.via_extra", "fee.lecture" or "fee.lecture_online"
    yen: int | None  # None: not known, or not confirmed for this site -> "ask at the counter"
    confirmed: bool


@dataclass(frozen=True)
class FeeEstimate:
    """Fees shown as 目安 (estimate). An unconfirmed figure is never shown as a number (fees.md)."""

    lines: tuple[FeeLine, ...]

    @property
    def total_yen(self) -> int | None:
        """The sum when every line is a confirmed figure; None when any part must be asked."""
        if not self.lines or any(line.yen is None for line in self.lines):
            return None
        return sum(line.yen for line in self.lines if line.yen is not None)


@dataclass(frozen=True)
class Route:
    procedure: Procedure
    counter: Counter
    group: CounterGroup
    fee: FeeEstimate
    bring: tuple[BringItem, ...]
    reasons: tuple[str, ...]  # the pre-check reason codes worth telling the clerk (not OK ones)


@dataclass(frozen=True)
class Refusal:
    reason: str
    remedy: str | None = None


def _local(config: SiteConfig, now: datetime) -> datetime:
    from zoneinfo import ZoneInfo  # stdlib data lookup, no clock: `now` is given

    return now.astimezone(ZoneInfo(config.site.timezone))


def _windows_for(windows: tuple[Window, ...], lecture_class: LectureClass | None) -> list[Window]:
    if lecture_class is None:
        return list(windows)
    return [w for w in windows if not w.lecture_classes or lecture_class in w.lecture_classes]


def availability(
    config: SiteConfig,
    procedure: Procedure,
    now: datetime,
    issued_today: Mapping[Procedure, int],
    lecture_class: LectureClass | None = None,
) -> Availability:
    """Whether a procedure can be received now. With no lecture class, any class's window counts."""
    local = _local(config, now)
    if local.date() in config.site.closed_dates:
        return Availability.CLOSED_TODAY
    proc = config.procedures[procedure]
    cap = proc.daily_cap
    if cap is not None and issued_today.get(procedure, 0) >= cap:
        return Availability.FULL
    if not proc.windows:
        return Availability.OPEN
    todays = [w for w in _windows_for(proc.windows, lecture_class) if local.weekday() in w.weekdays]
    clock = local.time().replace(tzinfo=None)
    if any(w.start <= clock < w.end for w in todays):
        return Availability.OPEN
    if any(clock < w.start for w in todays):
        return Availability.CLOSED_NOW
    return Availability.CLOSED_TODAY


_REFUSALS = {
    Availability.FULL: Refusal(reason=REFUSED_CAP, remedy="another_day"),
    Availability.CLOSED_NOW: Refusal(reason=REFUSED_CLOSED_NOW, remedy="reception_hours"),
    Availability.CLOSED_TODAY: Refusal(reason=REFUSED_CLOSED_TODAY, remedy="another_day"),
}


def refusal_for(state: Availability) -> Refusal | None:
    """Why a procedure in this state cannot be received (R15); None when it is open."""
    return _REFUSALS.get(state)


def todays_windows(config: SiteConfig, procedure: Procedure, now: datetime) -> list[tuple[time, time]]:
    """Reception hours of a procedure for today's weekday, to show with a closed state."""
    weekday = _local(config, now).weekday()
    spans = {(w.start, w.end) for w in config.procedures[procedure].windows if weekday in w.weekdays}
    return sorted(spans)


def estimate_fee(config: SiteConfig, answers: Answers) -> FeeEstimate:
    """The procedure's fee (by the pair from → to for a change of holding status, else by the status
    after it), the renewal fee under a 経由更新's own extra fee, and the lecture fee."""
    procedure = answers.procedure
    if procedure is None:
        return FeeEstimate(())
    lines: list[FeeLine] = []
    if procedure is Procedure.RENEWAL_VIA:
        # 経由更新 is a renewal: its estimate is the renewal fee plus its own extra fee (R24).
        lines.append(_line("fee.procedure", _fee_for(config, Procedure.RENEWAL, answers)))
        if procedure in config.fees.procedure:
            lines.append(_line("fee.via_extra", _fee_for(config, procedure, answers)))
    elif procedure in config.fees.procedure:
        lines.append(_line("fee.procedure", _fee_for(config, procedure, answers)))
    if procedure in (Procedure.RENEWAL, Procedure.RENEWAL_VIA) and answers.lecture_class is not None:
        if answers.online_lecture_done:
            lines.append(_line("fee.lecture_online", config.fees.lecture_online.get(answers.lecture_class)))
        else:
            lines.append(_line("fee.lecture", config.fees.lecture_in_person.get(answers.lecture_class)))
    return FeeEstimate(tuple(lines))


def _fee_for(config: SiteConfig, procedure: Procedure, answers: Answers) -> Fee | None:
    """The pair (current, after) first, then the status after, then "any"; None when none is set."""
    by_key = config.fees.procedure.get(procedure, {})
    current, after = answers.current, answers.after
    if current is not None and after is not None and (current, after) in by_key:
        return by_key[(current, after)]
    if after in by_key:
        return by_key[after]
    return by_key.get(None)


def _line(what: str, fee: Fee | None) -> FeeLine:
    if fee is None or fee.yen is None or not fee.confirmed:
        return FeeLine(what=what, yen=None, confirmed=False)
    return FeeLine(what=what, yen=fee.yen, confirmed=True)


def bring_list(config: SiteConfig, answers: Answers) -> tuple[BringItem, ...]:
    """The procedure's papers, plus every card the visitor holds (R10: 2枚持ち bring both)."""
    if answers.procedure is None:
        return ()
    proc = config.procedures[answers.procedure]
    ids: list[str] = []
    current = answers.current
    if proc.bring_current_cards and current is not None:
        if current.has_plastic and not _lost(answers, LostItem.LICENSE_CARD):
            ids.append("license_card")
        if current.has_myna and not _lost(answers, LostItem.MYNA_CARD):
            ids.append("myna_card")
    if answers.after in (HoldingStatus.MYNA_ONLY, HoldingStatus.BOTH) and "myna_card" not in ids:
        ids.append("myna_card")  # licence data is recorded on it at the counter
    ids.extend(i for i in proc.bring if i not in ids)
    return tuple(config.bring_items[i] for i in ids)


def _lost(answers: Answers, card: LostItem) -> bool:
    if answers.procedure is not Procedure.REISSUE or answers.lost is None:
        return False
    return answers.lost in (card, LostItem.BOTH_CARDS)


def route(
    config: SiteConfig,
    answers: Answers,
    checks: tuple[CheckResult, ...],
    now: datetime,
    issued_today: Mapping[Procedure, int],
) -> Route | Refusal:
    """Where this visit goes, or why it cannot be served today. A blocking check always refuses."""
    procedure = answers.procedure
    if procedure is None:
        raise ValueError("route() needs a procedure")
    for check in checks:
        if check.outcome is Outcome.BLOCK:
            return Refusal(reason=check.reason, remedy=check.remedy)
    refusal = refusal_for(availability(config, procedure, now, issued_today, answers.lecture_class))
    if refusal is not None:
        return refusal
    return route_for(config, answers, tuple(c.reason for c in checks if c.outcome is not Outcome.OK))


def route_for(config: SiteConfig, answers: Answers, reasons: tuple[str, ...], counter: Counter | None = None) -> Route:
    """The route of a visit already accepted: its counter (the procedure's own unless given, as for
    a stored ticket), the counter's group, the fee estimate and what to bring."""
    procedure = answers.procedure
    if procedure is None:
        raise ValueError("route_for() needs a procedure")
    counter = counter if counter is not None else config.counter_for(procedure)
    return Route(
        procedure=procedure,
        counter=counter,
        group=config.groups[counter.group],
        fee=estimate_fee(config, answers),
        bring=bring_list(config, answers),
        reasons=reasons,
    )
