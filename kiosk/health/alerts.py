"""Alerts: a red finding raises one, it stays (with its sound on the staff page) until someone
acknowledges it, and it goes away by itself once the problem is gone. Pure: times are given.

An alert is keyed by `Finding.key` (kiosk, part, reason): paper end and then cover open on the same
printer are two alerts. An acknowledged alert stays on the page, silent, while the problem lasts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from kiosk.health.judge import Finding, Light


@dataclass(frozen=True)
class Alert:
    id: int
    finding: Finding
    raised_at: float  # unix seconds
    acked_at: float | None = None
    acked_by: str | None = None

    @property
    def acked(self) -> bool:
        return self.acked_at is not None

    def to_json(self) -> dict[str, object]:
        f = self.finding
        return {
            "id": self.id,
            "source": f.source,
            "part": f.part,
            "light": f.light.value,
            "ja": f.ja,
            "en": f.en,
            "raised_at": self.raised_at,
            "acked_at": self.acked_at,
            "acked_by": self.acked_by,
        }


class AlertBoard:
    def __init__(self) -> None:
        self._alerts: dict[str, Alert] = {}
        self._next_id = 1

    @property
    def alerts(self) -> list[Alert]:
        return sorted(self._alerts.values(), key=lambda a: a.id)

    @property
    def sounding(self) -> bool:
        return any(not a.acked for a in self._alerts.values())

    def update(self, findings: list[Finding], now_s: float) -> bool:
        """Raise an alert for each new red finding, drop those whose problem is gone; True if any changed."""
        red = {f.key: f for f in findings if f.light is Light.RED}
        changed = False
        for key in list(self._alerts):
            if key not in red:
                del self._alerts[key]
                changed = True
        for key, finding in red.items():
            if key not in self._alerts:
                self._alerts[key] = Alert(self._next_id, finding, now_s)
                self._next_id += 1
                changed = True
        return changed

    def acknowledge(self, alert_id: int, who: str, now_s: float) -> Alert | None:
        """Silence one alert; None when there is no such alert (any more)."""
        for key, alert in self._alerts.items():
            if alert.id == alert_id:
                if not alert.acked:
                    self._alerts[key] = replace(alert, acked_at=now_s, acked_by=who)
                return self._alerts[key]
        return None
