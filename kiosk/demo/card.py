"""The demo's card reader: the simulated reader (`--reader sim`), or the real PC/SC stack
(`--reader pcsc`): pcscd with a vpcd reader, the PC/SC driver, and the My Number card emulator.

With pcsc, the demo panel's card keys and the scenario steps act on the emulator (its control
side: place a profile, remove it, pull it mid-command), and the kiosk learns of it the way it
would in a lobby: pcscd notices the card, the driver reads it with APDUs. "Unplug the reader"
restarts our own pcscd without the reader. When a pcscd is already running (say, Debian's
service with vsmartcard-vpcd installed), the emulator joins its vpcd on port 35963 instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from drivers.card.profiles import CardProfile
from drivers.card.settings import ReaderBackend
from drivers.card.sim import SimCardReader
from drivers.interfaces import CardPresence, CardReader
from kiosk.errors import UsageError
from kiosk.site.model import SiteConfig

if TYPE_CHECKING:
    from drivers.card.emulator.pcscd import PrivatePcscd, VpcdEndpoint
    from drivers.card.emulator.vpcd import ReceivedApdu, VirtualCard
    from drivers.card.pcsc import PcscCardReader

log = logging.getLogger(__name__)

SETTLE_S = 5.0  # pcscd notices a card within its 400 ms poll; allow for a slow machine


class DemoCard:
    """What the panel and the scripted steps do with the card, whichever reader backend runs."""

    def __init__(self, backend: ReaderBackend, config: SiteConfig, today: Callable[[], date]) -> None:
        self.backend = backend
        self._sim: SimCardReader | None = None
        self._endpoint: VpcdEndpoint | None = None
        self._pcscd: PrivatePcscd | None = None
        self._virtual: VirtualCard | None = None
        self.pcsc: PcscCardReader | None = None
        self.reader: CardReader
        if backend is ReaderBackend.SIM:
            self._sim = SimCardReader(today=today)
            self.reader = self._sim
            return
        from drivers.card.emulator.pcscd import VpcdEndpoint, pcscd_available
        from drivers.card.emulator.vpcd import VirtualCard
        from drivers.card.pcsc import PcscCardReader

        missing = pcscd_available()
        if missing is not None:
            raise UsageError(f"--reader pcsc: {missing}")
        self._endpoint = VpcdEndpoint()
        self._pcscd = self._endpoint.pcscd
        port, name = self._endpoint.port, self._endpoint.reader_name
        self._virtual = VirtualCard(port, today=today)
        pcsc = PcscCardReader(replace(config.reader, name_match=name))
        self.pcsc = self.reader = pcsc

    # --- the panel's and the scenarios' verbs ---

    @property
    def card(self) -> CardProfile | None:
        return self._holder().card

    def place(self, name: str) -> None:
        self._holder().place(name)

    def remove(self) -> None:
        self._holder().remove()

    def pull_during_next_read(self) -> None:
        self._holder().pull_during_next_read()

    def poll(self) -> CardPresence:
        """What the reader sees now, for the panel (the kiosk's own polls go through `reader`)."""
        if self.pcsc is not None:
            return self.pcsc.presence
        return self.reader.poll()

    def unplug(self) -> None:
        if self._sim is not None:
            self._sim.unplug()
        elif self._pcscd is not None:
            self._pcscd.restart(with_reader=False)
        else:
            log.warning("cannot unplug the reader of a pcscd this demo did not start")

    def plug(self) -> None:
        if self._sim is not None:
            self._sim.plug()
        elif self._pcscd is not None:
            self._pcscd.restart(with_reader=True)

    def settle(self) -> None:
        """Wait until the reader reports what the card holder did (pcscd notices within its poll)."""
        if self._virtual is None or self.pcsc is None:
            return
        wanted = CardPresence.PRESENT if self._virtual.card is not None else CardPresence.ABSENT
        deadline = time.monotonic() + SETTLE_S
        while self.pcsc.presence is not wanted and time.monotonic() < deadline:
            time.sleep(0.01)

    @property
    def received(self) -> list[ReceivedApdu]:
        """Commands the emulated card received (pcsc only): the allowlist's evidence."""
        return list(self._virtual.received) if self._virtual is not None else []

    def close(self) -> None:
        self.reader.close()
        if self._virtual is not None:
            self._virtual.close()
        if self._endpoint is not None:
            self._endpoint.close()

    def _holder(self) -> SimCardReader | VirtualCard:
        holder = self._sim if self._sim is not None else self._virtual
        assert holder is not None
        return holder
