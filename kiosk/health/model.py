"""What a process says about itself every few seconds (a heartbeat), and how staff read it.

Pure: no clock, no files. A `Beat` is one row of the store's `heartbeat` table, one per process
(a kiosk by its kiosk id, the lobby service as "lobby"). Its times are wall-clock unix seconds, not
the site's business clock: the demo and the tests move the business clock (`--at`), but "silent
for 30 s" is about real seconds. No personal data: devices, paper, disk, temperature, times.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from drivers.interfaces import Health, HealthState

# vcgencmd get_throttled bits (lobby-facts.md §7): 0 under-voltage now, 1 frequency capped now,
# 2 throttled now, 3 soft temperature limit now; +16 the same "has occurred since boot".
UNDER_VOLTAGE_NOW = 1 << 0
CAPPED_NOW = 1 << 1
THROTTLED_NOW = 1 << 2
SOFT_TEMP_LIMIT_NOW = 1 << 3
UNDER_VOLTAGE_SINCE_BOOT = 1 << 16
THROTTLED_SINCE_BOOT = 1 << 18


class Role(StrEnum):
    KIOSK = "kiosk"
    LOBBY = "lobby"


@dataclass(frozen=True)
class SystemReadings:
    """The machine's own state; None = unknown (not a Pi, no sensor), never "ok"."""

    disk_free_bytes: int | None = None
    soc_temp_c: float | None = None
    throttled: int | None = None  # vcgencmd get_throttled; None where there is no vcgencmd

    def flags(self) -> list[str]:
        """The throttle bits that are set, by name ("unknown" when nobody could say)."""
        if self.throttled is None:
            return ["unknown"]
        names = {
            UNDER_VOLTAGE_NOW: "under_voltage_now",
            CAPPED_NOW: "frequency_capped_now",
            THROTTLED_NOW: "throttled_now",
            SOFT_TEMP_LIMIT_NOW: "soft_temperature_limit_now",
            UNDER_VOLTAGE_SINCE_BOOT: "under_voltage_since_boot",
            THROTTLED_SINCE_BOOT: "throttled_since_boot",
        }
        return [name for bit, name in names.items() if self.throttled & bit]


@dataclass(frozen=True)
class Beat:
    source: str  # the kiosk id, or "lobby"
    role: Role
    beat_at: float  # unix seconds, when this row was written
    started_at: float  # unix seconds, when the process started
    version: str  # the app's version
    devices: tuple[Health, ...] = ()
    loop_at: float | None = None  # the main loop's last turn (unix seconds); None: no loop yet
    last_ticket_at: str | None = None  # ISO time of the last ticket this kiosk issued
    paper_left_mm: float | None = None  # the software roll counter; None: no counter
    paper_tickets_left: int | None = None  # "about N tickets" on the staff page
    system: SystemReadings = field(default_factory=SystemReadings)
    out_of_service: bool = False  # staff took it out of service (it shows the polite screen)
    visit_in_progress: bool = False
    stopped: bool = False  # the process stopped on purpose (its last row)

    @property
    def uptime_s(self) -> float:
        return max(0.0, self.beat_at - self.started_at)

    def state_key(self) -> tuple[object, ...]:
        """What makes a change worth writing at once (not every field: times move every beat)."""
        return (
            tuple((d.device, d.state, d.detail) for d in self.devices),
            self.out_of_service,
            self.stopped,
            self.paper_tickets_left is not None and self.paper_tickets_left <= 0,
        )

    def summary(self) -> str:
        """One line for `systemctl status` (STATUS=) and logs."""
        worst = [d for d in self.devices if d.state is not HealthState.OK]
        parts = [f"{d.device} {d.state.value}: {d.detail}" for d in worst] or ["all devices ok"]
        if self.out_of_service:
            parts.insert(0, "OUT OF SERVICE")
        if self.paper_tickets_left is not None:
            parts.append(f"paper ~{self.paper_tickets_left} tickets")
        return "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "role": self.role.value,
            "beat_at": self.beat_at,
            "started_at": self.started_at,
            "version": self.version,
            "devices": [
                {"device": d.device, "state": d.state.value, "detail": d.detail, "simulated": d.simulated}
                for d in self.devices
            ],
            "loop_at": self.loop_at,
            "last_ticket_at": self.last_ticket_at,
            "paper_left_mm": self.paper_left_mm,
            "paper_tickets_left": self.paper_tickets_left,
            "system": {
                "disk_free_bytes": self.system.disk_free_bytes,
                "soc_temp_c": self.system.soc_temp_c,
                "throttled": self.system.throttled,
                "flags": self.system.flags(),
            },
            "out_of_service": self.out_of_service,
            "visit_in_progress": self.visit_in_progress,
            "stopped": self.stopped,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Beat:
        system = data.get("system") or {}
        return cls(
            source=str(data["source"]),
            role=Role(data["role"]),
            beat_at=float(data["beat_at"]),
            started_at=float(data["started_at"]),
            version=str(data.get("version", "")),
            devices=tuple(
                Health(str(d["device"]), HealthState(d["state"]), str(d["detail"]), bool(d.get("simulated")))
                for d in data.get("devices", ())
            ),
            loop_at=_float(data.get("loop_at")),
            last_ticket_at=data.get("last_ticket_at"),
            paper_left_mm=_float(data.get("paper_left_mm")),
            paper_tickets_left=None if data.get("paper_tickets_left") is None else int(data["paper_tickets_left"]),
            system=SystemReadings(
                disk_free_bytes=None if system.get("disk_free_bytes") is None else int(system["disk_free_bytes"]),
                soc_temp_c=_float(system.get("soc_temp_c")),
                throttled=None if system.get("throttled") is None else int(system["throttled"]),
            ),
            out_of_service=bool(data.get("out_of_service")),
            visit_in_progress=bool(data.get("visit_in_progress")),
            stopped=bool(data.get("stopped")),
        )


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def tickets_left(left_mm: float | None, ticket_mm: float) -> int | None:
    """Whole tickets the roll still holds at `ticket_mm` a ticket (cut feed included)."""
    if left_mm is None or ticket_mm <= 0:
        return None
    return int(left_mm // ticket_mm)
