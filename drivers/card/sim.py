"""A simulated contactless reader holding one named card profile at a time.

Stands in for the PC/SC reader in the demo and the flow tests. It keeps the real driver's
contract (`drivers.interfaces.CardReader`): presence by polling, facts in one read, and the same
failures — the card pulled mid-read (CardRemoved, never half the facts) and the reader unplugged
(ReaderUnavailable). The APDU-level card emulator behind a real pcscd comes with the PC/SC driver.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from drivers.card.profiles import CardProfile, profile
from drivers.interfaces import CardPresence, Health, HealthState
from kiosk.domain.model import CardFacts
from kiosk.errors import CardRemoved, NoCard, ReaderUnavailable

log = logging.getLogger(__name__)


class SimCardReader:
    def __init__(self, today: Callable[[], date]) -> None:
        self._today = today
        self._card: CardProfile | None = None
        self._plugged = True
        self._pull_on_next_read = False
        self.reads = 0  # how many reads were attempted: the demo panel and tests show it

    # --- what the demo panel and tests do with the simulated card ---

    @property
    def card(self) -> CardProfile | None:
        return self._card

    def place(self, name: str) -> None:
        self._card = profile(name)
        log.info("sim card placed: %s", name)

    def remove(self) -> None:
        self._card = None

    def pull_during_next_read(self) -> None:
        """The visitor lifts the card while it is being read."""
        self._pull_on_next_read = True

    def unplug(self) -> None:
        self._plugged = False

    def plug(self) -> None:
        self._plugged = True

    # --- CardReader ---

    def poll(self) -> CardPresence:
        if not self._plugged:
            return CardPresence.READER_GONE
        return CardPresence.PRESENT if self._card is not None else CardPresence.ABSENT

    def read_facts(self) -> CardFacts:
        self.reads += 1
        if not self._plugged:
            raise ReaderUnavailable("simulated reader unplugged")
        if self._card is None:
            raise NoCard("no card in the field")
        if self._pull_on_next_read:
            self._pull_on_next_read = False
            self._card = None
            raise CardRemoved("card left the field during the read")
        return self._card.facts(self._today())

    def health(self) -> Health:
        if not self._plugged:
            return Health("card_reader", HealthState.DOWN, "reader unplugged", simulated=True)
        return Health("card_reader", HealthState.OK, "simulated reader", simulated=True)

    def close(self) -> None:
        self._card = None
