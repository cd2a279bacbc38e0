"""A TM1637 4-digit 7-segment display on two GPIO lines, bit-banged through gpiozero's pin interface.

The device (lobby-facts.md §5): CLK and DIO, open-drain with pull-ups on the module. Start = DIO falls
while CLK is high, stop = DIO rises while CLK is high; bits LSB first, DIO changed while CLK is low and
read by the chip on CLK's rising edge; after 8 bits the chip pulls DIO low for a 9th clock (ACK).
What to send is drivers/gpio/tm1637_codec.py's.

DIO is driven open-drain: low = output 0, high = released (input with pull-up), so the chip can pull
it low for its ACK without fighting us. We read the ACK: a module that never pulls DIO low is unplugged
or dead, and its health says so (many drivers skip the ACK and never know). CLK is only ever driven by
us. The chip takes clocks far slower than Python toggles; `half_period_s` (busy-waited, a sleep is
50 µs at best) keeps each half clock at least that long on a fast Pi.

The same code runs on lgpio (Pi 4/5), RPi.GPIO and gpiozero's mock pins; on mock pins,
drivers/gpio/tm1637_chip.py plays the chip and decodes what it would light.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from drivers.gpio.pins import GpioPin
from drivers.gpio.tm1637_codec import counter_text, transactions
from drivers.interfaces import Health, HealthState

log = logging.getLogger(__name__)

HALF_PERIOD_S = 5e-6


class Tm1637Display:
    def __init__(
        self,
        name: str,
        clk: GpioPin,
        dio: GpioPin,
        *,
        brightness: int = 7,
        half_period_s: float = HALF_PERIOD_S,
        simulated: bool = False,
    ) -> None:
        self.name = name
        self._clk = clk
        self._dio = dio
        self.brightness = brightness
        self._half = half_period_s
        self._simulated = simulated
        self._lock = threading.Lock()
        self.shown: str | None = None  # what it was last told to show, once the chip took it
        self._missing_acks = 0
        self._last_ack: datetime | None = None
        clk.output_with_state(1)
        dio.input_with_pull("up")

    def show_label(self, label: str | None) -> None:
        """Show the number of the ticket called at the counter (None: blank)."""
        self.show(counter_text(label))

    def show(self, text: str) -> None:
        """Show 4 characters (digits, '-', ' '). Raises ValueError for others."""
        sequence = transactions(text, self.brightness)
        with self._lock:
            acked = all(self._transaction(data) for data in sequence)
            if acked:
                self.shown = text
                self._missing_acks = 0
                self._last_ack = datetime.now().astimezone()
            else:
                self._missing_acks += 1
                if self._missing_acks == 1:
                    log.warning("display %s: no ACK from the TM1637 (unplugged?)", self.name)

    def health(self) -> Health:
        with self._lock:
            if self._missing_acks:
                since = "never" if self._last_ack is None else self._last_ack.strftime("%H:%M:%S")
                return Health(
                    self.name, HealthState.DOWN, f"no ACK from the display; last ACK {since}", self._simulated
                )
            if self.shown is None:
                return Health(self.name, HealthState.DEGRADED, "nothing shown yet", self._simulated)
            return Health(self.name, HealthState.OK, f"showing {self.shown.strip() or '(blank)'}", self._simulated)

    def close(self) -> None:
        with self._lock:
            self._dio.input_with_pull("up")
            self._clk.close()
            self._dio.close()

    # --- the wire ---------------------------------------------------------------------------

    def _pause(self) -> None:
        if self._half > 0:
            end = time.perf_counter() + self._half
            while time.perf_counter() < end:
                pass

    def _dio_level(self, high: bool) -> None:
        if high:
            self._dio.input_with_pull("up")  # released: the pull-up (or the chip) decides
        else:
            self._dio.output_with_state(0)

    def _transaction(self, data: bytes) -> bool:
        """start, the bytes (each ACKed?), stop. True when the chip ACKed every byte."""
        # start: CLK high, DIO high -> DIO low
        self._dio_level(True)
        self._clk.output_with_state(1)
        self._pause()
        self._dio_level(False)
        self._pause()
        acked = True
        for byte in data:
            for bit in range(8):
                self._clk.output_with_state(0)
                self._dio_level(bool(byte >> bit & 1))
                self._pause()
                self._clk.output_with_state(1)
                self._pause()
            self._clk.output_with_state(0)
            self._dio_level(True)  # let go: the chip pulls DIO low to ACK
            self._pause()
            self._clk.output_with_state(1)
            self._pause()
            acked = acked and not self._dio.state
            self._clk.output_with_state(0)
            self._pause()
        # stop: DIO low while CLK low, CLK high, DIO released high
        self._dio_level(False)
        self._pause()
        self._clk.output_with_state(1)
        self._pause()
        self._dio_level(True)
        self._pause()
        return acked
