"""The kiosk's signal tower: which lamp is lit, and why (issue 15). Pure.

- red, out of service: the kiosk cannot give tickets (the printer cannot print: paper end, cover
  open, offline, error) or cannot read cards (the reader is gone);
- amber, attention: it serves, but staff should come (paper near end, not yet known whether the
  printer can print, a visitor pressed "call staff" in the last `STAFF_CALL_S`, a number board
  offline);
- green: serving.
Red wins over amber; the reasons are the staff page's and the log's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

STAFF_CALL_S = 180.0  # amber this long after a visitor pressed "call staff" (no acknowledge button yet)


class Signal(StrEnum):
    SERVING = "green"
    ATTENTION = "amber"
    OUT_OF_SERVICE = "red"


@dataclass(frozen=True)
class KioskCondition:
    can_print: bool | None  # None: the printer has not answered yet
    paper_low: bool
    reader_gone: bool
    staff_called: bool  # within STAFF_CALL_S
    boards_down: bool = False


@dataclass(frozen=True)
class SignalShown:
    signal: Signal
    reasons: tuple[str, ...]


def kiosk_signal(condition: KioskCondition) -> SignalShown:
    red = []
    if condition.can_print is False:
        red.append("printer cannot print")
    if condition.reader_gone:
        red.append("card reader gone")
    if red:
        return SignalShown(Signal.OUT_OF_SERVICE, tuple(red))
    amber = []
    if condition.can_print is None:
        amber.append("printer not answered yet")
    if condition.paper_low:
        amber.append("paper near end")
    if condition.staff_called:
        amber.append("a visitor called staff")
    if condition.boards_down:
        amber.append("a number board is offline")
    if amber:
        return SignalShown(Signal.ATTENTION, tuple(amber))
    return SignalShown(Signal.SERVING, ())
