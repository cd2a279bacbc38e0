"""The card reader's settings: the driver's own types, read from `[reader]` by the site config's
loader (kiosk/site/load.py); pure values, nothing here opens a device.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class ReaderBackend(StrEnum):
    PCSC = "pcsc"  # a PC/SC reader through pcscd (the appliance)
    SIM = "sim"  # the simulated reader (a laptop without a reader); the screens say SIMULATION


@dataclass(frozen=True)
class ReaderConfig:
    """The card reader (`[reader]`): which backend and reader, how often to look, what to trust."""

    backend: ReaderBackend = ReaderBackend.PCSC
    name_match: str = ""  # a substring of the PC/SC reader name; "" = the first reader pcscd lists
    poll_interval_ms: int = 1000  # retry while pcscd is unreachable; changes themselves come from pcscd at once
    trust_anchors: Path | None = None  # folder of J-LIS CA certificates; None = none installed ("unknown")
    free_area_needed_bytes: int = 4096  # UNCONFIRMED: room licence data needs (no public figure)
