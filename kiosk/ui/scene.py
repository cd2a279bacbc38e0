"""What one frame is drawn from: the site, the flow state, the time, and the words in the visitor's language."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from kiosk.domain.flow import IDLE_WARNING_SECONDS, Screen, State, Visit
from kiosk.domain.model import LectureClass, Procedure
from kiosk.domain.routing import todays_windows
from kiosk.domain.waiting import WaitEstimate, procedure_wait
from kiosk.messages import text
from kiosk.site.model import SiteConfig, Window


@dataclass(frozen=True)
class Scene:
    config: SiteConfig
    state: State
    now: datetime
    simulation: bool
    details: bool = False  # the verdict's full list of checks (the view's own state)

    @property
    def visit(self) -> Visit:
        return self.state.visit

    @property
    def lang(self) -> str:
        return self.state.visit.lang

    def t(self, key: str, **params: object) -> str:
        return text(key, self.lang, **params)

    def wait(self, procedure: Procedure, lecture_class: LectureClass | None = None) -> WaitEstimate | None:
        """The wait to tell for a procedure (kiosk/domain/waiting.py decides), or None to say nothing."""
        state = self.state
        return procedure_wait(self.config, state.lobby, procedure, self.now, state.issued_today, lecture_class)

    def mentions_portal(self) -> bool:
        """Whether this screen speaks of マイナポータル: every step of a service application (portal
        link, online lecture and one-stop all go through the portal), from its first question on."""
        # The questions draw it themselves, where it leaves the answers room (kiosk/ui/screens/choices.py).
        quiet = (Screen.WELCOME, Screen.LANGUAGE, Screen.PROCEDURE, Screen.QUESTION, Screen.GOODBYE)
        return self.visit.answers.procedure is Procedure.MYNA_SERVICE and self.state.screen not in quiet

    def idle_countdown(self) -> int | None:
        """Whole seconds left before the visit is wiped, once the warning should show; else None."""
        if self.state.screen is Screen.WELCOME:
            return None
        timeout = timedelta(seconds=self.config.site.idle_timeout_s)
        left = (self.state.last_activity + timeout - self.now).total_seconds()
        if left > IDLE_WARNING_SECONDS:
            return None
        return max(0, math.ceil(left))

    def hours_today(self, procedure: Procedure, lecture_class: LectureClass | None = None) -> str:
        """Today's reception hours of a procedure, e.g. "8:30〜10:00、13:00〜14:30".

        With a lecture class, only the windows for that class: a violation-class visitor turned
        away at 9:30 must not read "8:30〜10:00" (that is the excellent class's window).
        """
        if lecture_class is None:
            spans = todays_windows(self.config, procedure, self.now)
        else:
            spans = [(w.start, w.end) for w in self._todays(procedure, lecture_class)]
        spans = _merged(spans)
        if not spans:
            return self.t("ui.hours.none")
        parts = [self.t("ui.hours.span", start=_clock(a), end=_clock(b)) for a, b in spans]
        return self.t("ui.list.join").join(parts)

    def hours_unconfirmed(self, procedure: Procedure, lecture_class: LectureClass | None = None) -> bool:
        """Whether any of today's hours is an example value the site has not confirmed (rules.md)."""
        return any(w.example for w in self._todays(procedure, lecture_class))

    def _todays(self, procedure: Procedure, lecture_class: LectureClass | None) -> list[Window]:
        # routing.todays_windows takes no lecture class; this applies the same rule as
        # routing.availability: a window without classes is for everyone.
        weekday = self.now.astimezone(ZoneInfo(self.config.site.timezone)).weekday()
        return [
            w
            for w in self.config.procedures[procedure].windows
            if weekday in w.weekdays
            and (lecture_class is None or not w.lecture_classes or lecture_class in w.lecture_classes)
        ]


def _merged(spans: list[tuple[time, time]]) -> list[tuple[time, time]]:
    """Back-to-back windows (one per lecture class) read as one span: 8:30〜9:10、9:10〜10:00 → 8:30〜10:00."""
    out: list[tuple[time, time]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _clock(t: time) -> str:
    return f"{t.hour}:{t.minute:02d}"
