"""Staff changes to today's procedures (closed for the day, another cap) as the flow sees them.

Pure. The flow already refuses by R15 from the config (kiosk/domain/routing.py `availability`), with
the visitor's words for each case, so a change is applied as the config the flow reads: a closed
procedure gets a reception window on no weekday (R15.closed_today: 本日の受付は終了しました), another
cap replaces `daily_cap` (R15.daily_cap_reached once reached). The site config itself never changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import time
from types import MappingProxyType

from kiosk.domain.model import Procedure
from kiosk.queue.health import ProcedureDay
from kiosk.site.model import SiteConfig, Window

CLOSED_ALL_DAY = (Window(weekdays=frozenset(), start=time(0, 0), end=time(0, 0)),)


def with_day_changes(config: SiteConfig, changes: Mapping[Procedure, ProcedureDay]) -> SiteConfig:
    if not changes:
        return config
    procedures = dict(config.procedures)
    for procedure, change in changes.items():
        current = procedures.get(procedure)
        if current is None:
            continue
        if change.closed:
            current = replace(current, windows=CLOSED_ALL_DAY)
        if change.cap is not None:
            current = replace(current, daily_cap=change.cap)
        procedures[procedure] = current
    return replace(config, procedures=MappingProxyType(procedures))
