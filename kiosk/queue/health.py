"""What the staff page and the kiosks keep in the store besides tickets: the `HealthStore` Protocol.

- heartbeats: one row per process (`kiosk.health.model.Beat`), replaced on every beat;
- staff commands for a kiosk (test print, reprint, new roll): the lobby writes a row, the kiosk that
  owns the printer picks it up and writes the answer back. Why through the store and not the
  kiosk's control socket (kiosk/shell/control.py): the lobby may run on another machine, and a Unix
  socket does not cross machines; the store already does, for every engine. Queuing a command
  appends a `staff` row to the event log, so every `Notifier` (SQLite's data_version, PostgreSQL's
  NOTIFY) wakes the kiosk at once; it also looks every few seconds anyway (push, then resync);
- each kiosk's service mode (out of service, by whom, since when), kept so a restarted kiosk stays
  out of service;
- today's changes to a procedure (closed, or another cap);
- the audit log: who did what to which, when. Append-only.

Engine-neutral: SQLite in kiosk/queue/sqlite_health.py; a PostgreSQL store implements the same.
No personal data: staff account names are the only names, and they are the staff's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from kiosk.domain.model import Procedure
from kiosk.health.model import Beat


class CommandState(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class StaffCommand:
    id: int
    kiosk_id: str
    command: str  # one of kiosk.shell.control.COMMANDS but status
    args: dict[str, Any]
    asked_by: str
    asked_at: datetime
    state: CommandState = CommandState.PENDING
    done_at: datetime | None = None
    result: dict[str, Any] | None = None  # StaffResult.to_json()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kiosk_id": self.kiosk_id,
            "command": self.command,
            "args": self.args,
            "asked_by": self.asked_by,
            "asked_at": self.asked_at.isoformat(),
            "state": self.state.value,
            "done_at": None if self.done_at is None else self.done_at.isoformat(),
            "result": self.result,
        }


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    who: str
    action: str
    target: str
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "who": self.who,
            "action": self.action,
            "target": self.target,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class KioskMode:
    kiosk_id: str
    out_of_service: bool
    changed_at: datetime | None = None
    changed_by: str | None = None


@dataclass(frozen=True)
class ProcedureDay:
    """Today's change to a procedure: closed for the rest of the day, and/or another cap."""

    procedure: Procedure
    closed: bool = False
    cap: int | None = None  # None: the config's daily_cap


@dataclass(frozen=True)
class TicketTimes:
    """One ticket as the statistics need it: no label, no person, only the procedure and times."""

    procedure: str
    counter: str | None  # the counter that called it last, else the one it was routed to
    state: str
    issued_at: datetime
    called_at: datetime | None
    serving_at: datetime | None
    done_at: datetime | None
    print_state: str = "printed"


class HealthStore(Protocol):
    def beat(self, beat: Beat) -> None:
        """Write this process's row (replacing its last one)."""
        ...

    def beats(self) -> list[Beat]: ...

    def queue_command(
        self, kiosk_id: str, command: str, args: dict[str, Any], who: str, at: datetime
    ) -> StaffCommand: ...

    def pending_commands(self, kiosk_id: str) -> list[StaffCommand]: ...

    def finish_command(self, command_id: int, ok: bool, result: dict[str, Any], at: datetime) -> None: ...

    def commands(self, limit: int = 20) -> list[StaffCommand]:
        """The latest commands, newest first."""
        ...

    def set_out_of_service(self, kiosk_id: str, out: bool, who: str, at: datetime) -> None: ...

    def modes(self) -> dict[str, KioskMode]: ...

    def set_procedure_day(self, day: date, change: ProcedureDay, at: datetime) -> None: ...

    def procedure_days(self, day: date) -> dict[Procedure, ProcedureDay]: ...

    def audit(self, at: datetime, who: str, action: str, target: str, detail: str = "") -> AuditEntry: ...

    def audit_log(self, limit: int = 50) -> list[AuditEntry]:
        """The latest entries, newest first."""
        ...

    def ticket_times(self, day: date) -> list[TicketTimes]: ...

    def close(self) -> None: ...
