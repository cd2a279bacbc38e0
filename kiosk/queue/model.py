"""Queue tickets as stored: numbers, counters, print state, and never any personal data.

A ticket row holds what the counter needs to serve the visit (procedure, holding statuses, the
pre-check reason codes) and what staff need to audit numbering. No names, birth dates, card
serials, certificate bytes or card dates: the kiosk keeps nothing that identifies a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from kiosk.domain.model import HoldingStatus, Procedure

# A number has at most four digits: its label ("ABC-9999", 8 characters) fits a number board's row,
# and `parse_label` reads every label back (reprint, the consoles). The config loader bounds
# `first_number`/`last_number` with this, so no group can issue a number nobody can read back.
MAX_NUMBER = 9999
_LABEL = re.compile(r"^(?:([A-Z]{1,3})-)?(\d{1,4})$")


def label_of(prefix: str, number: int) -> str:
    """What the lobby reads: prefix and a zero-padded number, e.g. "M-012"."""
    return f"{prefix}-{number:03d}" if prefix else f"{number:03d}"


def parse_label(text: str) -> tuple[str, int] | None:
    """(prefix, number) of a label as printed ("m-12" reads as M-012), or None."""
    match = _LABEL.match(text.strip().upper())
    return None if match is None else (match[1] or "", int(match[2]))


class PrintState(StrEnum):
    RESERVED = "reserved"  # number allocated and stored, not yet printed
    PRINTED = "printed"
    PRINT_FAILED = "print_failed"  # never replayed automatically; staff reprint on purpose
    REPRINTED = "reprinted"


@dataclass(frozen=True)
class TicketRequest:
    """Everything needed to allocate one number. Times are timezone-aware."""

    group: str
    prefix: str
    first_number: int
    last_number: int
    counter: str
    procedure: Procedure
    current: HoldingStatus | None
    after: HoldingStatus | None
    reasons: tuple[str, ...]  # pre-check reason codes, e.g. ("R17.submission_permanent",)
    business_date: date
    issued_at: datetime
    kiosk_id: str
    lang: str | None = None  # the visitor's language (voice announcements); None = not known


@dataclass(frozen=True)
class Ticket:
    id: int
    number: int
    group: str
    prefix: str
    counter: str
    procedure: Procedure
    current: HoldingStatus | None
    after: HoldingStatus | None
    reasons: tuple[str, ...]
    business_date: date
    issued_at: datetime
    kiosk_id: str
    print_state: PrintState
    lang: str | None = None  # None for tickets issued before the store kept it

    @property
    def label(self) -> str:
        return label_of(self.prefix, self.number)


class TicketStore(Protocol):
    """Where numbers come from: SQLite on one kiosk, or a centre's shared PostgreSQL (kiosk.queue.stores)."""

    def issue(self, request: TicketRequest) -> Ticket:
        """Allocate the next number of the group for the business date and store the ticket in one
        transaction. Raises QueueFull past `last_number`, StoreError when the store is unusable."""
        ...

    def set_print_state(self, ticket_id: int, state: PrintState, at: datetime) -> Ticket: ...

    def get(self, group: str, business_date: date, number: int) -> Ticket | None: ...

    def count_issued(self, business_date: date, procedure: Procedure) -> int:
        """Tickets issued today for a procedure: what daily caps (R15) compare against."""
        ...

    def close(self) -> None: ...
