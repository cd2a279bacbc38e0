"""What the shell needs from each device: small Protocols with frozen values.

Every device has a real backend and a simulator behind the same Protocol, chosen by config and
never silently (the UI shows a SIMULATION badge). Backends translate their library's errors into
`kiosk.errors` types at this boundary. Every device reports `health()` and can be `close()`d.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from drivers.printer.bands import TicketJob
from kiosk.domain.model import CardFacts

if TYPE_CHECKING:  # numpy stays out of every process that only names the interfaces
    from drivers.voice.pcm import Pcm


class HealthState(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"  # serving, with a problem staff should see (paper near end)
    DOWN = "down"  # cannot serve (paper end, reader gone)


@dataclass(frozen=True)
class Health:
    device: str
    state: HealthState
    detail: str  # plain words for the staff page; never card data
    simulated: bool


class CardPresence(StrEnum):
    ABSENT = "absent"
    PRESENT = "present"
    READER_GONE = "reader_gone"


class CardReader(Protocol):
    def poll(self) -> CardPresence:
        """Non-blocking: is a card in the field? Called from the shell's loop."""
        ...

    def read_facts(self) -> CardFacts:
        """Read every pre-check fact of the card in the field, without any PIN or personal data.

        Raises NoCard, CardRemoved (pulled mid-read: never a verdict from half the data) or
        ReaderUnavailable."""
        ...

    def health(self) -> Health: ...

    def close(self) -> None: ...


class PaperState(StrEnum):
    OK = "ok"
    NEAR_END = "near_end"  # keep printing, warn staff
    END = "end"
    UNKNOWN = "unknown"  # no reply is never "ok"


@dataclass(frozen=True)
class PrinterStatus:
    online: bool | None  # None: the printer did not answer
    paper: PaperState
    cover_open: bool | None
    error: bool | None = False  # cutter, mechanical or head error; None: not known

    @property
    def can_print(self) -> bool:
        return (
            self.online is True
            and self.paper in (PaperState.OK, PaperState.NEAR_END)
            and self.cover_open is False
            and self.error is False
        )


class TicketPrinter(Protocol):
    def status(self) -> PrinterStatus: ...

    def print_ticket(self, ticket: TicketJob) -> None:
        """Print and cut one ticket, drawn as bands (kiosk/ticket/render.py `ticket_job`).
        Raises PaperOut or PrinterOffline (PrinterError)."""
        ...

    def health(self) -> Health: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class DisplayFrame:
    """What the lobby's queue display shows: the latest number called at each counter."""

    lines: tuple[tuple[str, str], ...]  # (counter number, ticket label)


class QueueDisplay(Protocol):
    def show(self, frame: DisplayFrame) -> None: ...

    def health(self) -> Health: ...

    def close(self) -> None: ...


class Voice(Protocol):
    """A speech synthesizer for one language: text in, sound out (no device; may take 100s of ms)."""

    def speak(self, text: str) -> Pcm:
        """Raises VoiceError when the engine fails."""
        ...

    def health(self) -> Health: ...

    def close(self) -> None: ...


class Speaker(Protocol):
    """An audio output: plays one WAV at a time, returning once it has played."""

    def play(self, wav: bytes) -> None:
        """Blocks until played. Raises VoiceError when the output fails."""
        ...

    def health(self) -> Health: ...

    def close(self) -> None: ...
