"""The lobby's wires in the demo: a number board emulator on a real pty, TM1637 displays and call
buttons on gpiozero's mock pins, driven by the real drivers and the lobby service's own loop.

`DemoWires` runs a `LobbyService` (on a thread of its own with its event loop) over the demo's
ticket file, with `LobbyWires` connected as in `kiosk lobby`: a call made anywhere (the panel, a
console, `kiosk call`) reaches the board through the serial driver and the pty, and the counters'
displays through the bit-banged waveform. The panel draws what the emulator shows and what the chip
emulators decoded, never the kiosk's own idea of it; its keys inject the board's faults and press
the mock buttons.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from drivers.board.emulator import BoardEmulator
from drivers.board.settings import BoardConfig
from drivers.gpio.mock_pins import mock_factory
from drivers.gpio.settings import ButtonPins, DisplayPins, GpioConfig, PinFactoryName
from drivers.interfaces import Health
from kiosk.lobby.service import LobbyService
from kiosk.lobby.service_thread import ServiceThread
from kiosk.lobby.wired import LobbyWires, connect
from kiosk.queue import stores
from kiosk.site.model import SiteConfig

log = logging.getLogger(__name__)

BOARD_ADDRESS = "01"
# Pins as the README's wiring table has them for the first counters (BCM numbers).
DISPLAY_PINS = ((23, 24), (17, 27))
CALL_PIN, NO_SHOW_PIN = 5, 6


class DemoWires:
    def __init__(self, config: SiteConfig, data_dir: Path, clock: Callable[[], datetime]) -> None:
        """Over the demo's queue: the SQLite file in `data_dir`, or the config's shared database."""
        counters = list(config.counters)[:2]  # the board's two rows and the two displays
        self.counters = counters
        self.board = BoardEmulator(BOARD_ADDRESS)
        path = self.board.serve_pty()
        displays = tuple(DisplayPins(c, clk, dio) for c, (clk, dio) in zip(counters, DISPLAY_PINS, strict=False))
        gpio = GpioConfig(PinFactoryName.MOCK, displays, (ButtonPins(counters[0], CALL_PIN, NO_SHOW_PIN),))
        self.factory = mock_factory()
        self.wires = LobbyWires(
            [BoardConfig(path, BOARD_ADDRESS, 9600, tuple(counters))], gpio, pin_factory=self.factory
        )
        self.service = LobbyService(
            lambda: stores.open_calling(config, data_dir), lambda: stores.open_notifier(config, data_dir), clock
        )
        connect(self.wires, self.service)
        self._runner = ServiceThread(self.service)
        log.info("demo board emulator on %s; displays and buttons on mock pins", path)

    # --- what the panel draws and does ----------------------------------------------------

    def rows(self) -> list[tuple[int, str, str, bool]]:
        """(row, counter, text as the emulator shows it, flashing) for each row of the board."""
        shown, flashing = self.board.rows(), self.board.flashing()
        return [(i, c, shown.get(i, ""), i in flashing) for i, c in enumerate(self.counters, start=1)]

    def digits(self) -> list[tuple[str, bytes]]:
        """(counter, the 4 segment bytes the chip emulator decoded) for each display."""
        return [(counter, chip.segments()) for counter, chip in self.wires.chips.items()]

    def health(self) -> list[Health]:
        return self.wires.health()

    def signature(self) -> tuple[object, ...]:
        """Changes whenever anything the panel draws changed (the window redraws only then)."""
        blink = int(time.monotonic() * 2) if self.board.flashing() else 0
        return (
            tuple(self.rows()),
            tuple(self.digits()),
            blink,
            tuple(h.state for h in self.health()),
            self.board.faults(),
        )

    def press(self, pin: int, hold_s: float = 0.0) -> None:
        """A finger on a counter button (a long press waits in a thread of its own)."""
        button = self.factory.pin(pin)

        def finger() -> None:
            button.drive_low()
            time.sleep(hold_s)
            button.drive_high()

        if hold_s:
            threading.Thread(target=finger, daemon=True).start()
        else:
            finger()

    def close(self) -> None:
        self._runner.close()
        self.wires.close()
        self.board.close()
