"""One error tree for the whole kiosk (STYLE.md). Third-party errors are translated at the boundary
with `raise ... from exc`, so callers only ever catch these."""

from __future__ import annotations


class KioskError(Exception):
    """Base of every error the kiosk raises on purpose."""


class ConfigError(KioskError):
    """The site config is broken. `problems` lists every one, each starting with its dotted path."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__(f"{source}: {len(problems)} problem(s):\n" + "\n".join(f"  {p}" for p in problems))


class UsageError(KioskError):
    """A command-line value is wrong (unknown scenario, unknown card profile, ...)."""


class StoreError(KioskError):
    """The ticket store cannot be used (corrupted, unwritable, locked). Never start a fresh numbering."""


class StoreUnreachable(StoreError):
    """The shared database cannot be reached (server down, network gone): a kiosk may issue offline."""


class QueueFull(StoreError):
    """The counter group used up its number range for this business date."""


class DriverError(KioskError):
    """A device failed."""


class CardReaderError(DriverError):
    pass


class NoCard(CardReaderError):
    pass


class CardRemoved(CardReaderError):
    """The card left the field in the middle of a read: never give a verdict from half the data."""


class ReaderUnavailable(CardReaderError):
    pass


class ForbiddenCommand(CardReaderError):
    """A command outside the card allowlist: refused inside the driver, before any reader sees it."""


class PrinterError(DriverError):
    pass


class PaperOut(PrinterError):
    pass


class PrinterOffline(PrinterError):
    pass


class DisplayError(DriverError):
    pass


class VoiceError(DriverError):
    """A speech voice or the audio output failed (engine missing, dictionary missing, no sound device)."""
