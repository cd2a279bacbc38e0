"""A TM1637 chip on two mock pins: it watches their level changes as they happen, decodes start,
bits, ACK clocks and stop from the waveform as the chip would, pulls DIO low for each ACK, and keeps
the display memory, so `text()` is what the module would light. The simulator of a counter display
(the demo draws it; tests read it); it knows nothing of the driver, only the waveform.

Decoding (lobby-facts.md §5): DIO falling while CLK is high = start, rising = stop; a bit is DIO's
level at CLK's rising edge, LSB first; after the 8th bit's falling edge the chip pulls DIO low until
the 9th clock's falling edge. Commands: 0x40 (write, auto-increment) / 0x44 (fixed address),
0xC0|address then data bytes, 0x80|0x08|brightness (on) or 0x80 (off).
"""

from __future__ import annotations

import threading
from typing import Any

from drivers.gpio.mock_pins import WatchedPin
from drivers.gpio.tm1637_codec import DIGITS, character

_GRIDS = 6  # the chip has 6 digit addresses; modules wire 4


class Tm1637Chip:
    def __init__(self, clk: Any, dio: Any) -> None:
        if not (isinstance(clk, WatchedPin) and isinstance(dio, WatchedPin)):
            raise TypeError("a TM1637 chip emulator needs mock pins from drivers.gpio.mock_pins.mock_factory()")
        self._clk_pin = clk
        self._dio_pin = dio
        self._lock = threading.Lock()
        self.memory = bytearray(_GRIDS)
        self.on = False
        self.brightness = 0
        self.transactions: list[bytes] = []  # every start ... stop, as decoded (tests, the demo)
        self.errors: list[str] = []  # waveform the chip would not understand
        self._clk = bool(clk.state)
        self._dio = bool(dio.state)
        self._in_frame = False
        self._bits = 0
        self._byte = 0
        self._bytes = bytearray()
        self._holding_ack = False
        self._auto_increment = True
        clk.watchers.append(self._changed)
        dio.watchers.append(self._changed)

    def text(self) -> str:
        """The 4 digits as lit ("    " when off)."""
        with self._lock:
            if not self.on:
                return " " * DIGITS
            return "".join(character(code) for code in self.memory[:DIGITS])

    def segments(self) -> bytes:
        with self._lock:
            return bytes(self.memory[:DIGITS]) if self.on else bytes(DIGITS)

    def detach(self) -> None:
        for pin in (self._clk_pin, self._dio_pin):
            if self._changed in pin.watchers:
                pin.watchers.remove(self._changed)

    # --- the waveform -----------------------------------------------------------------------

    def _changed(self, pin: Any, level: bool) -> None:
        if pin is self._clk_pin:
            self._clk = level
            if level:
                self._rising()
            else:
                self._falling()
        else:
            was, self._dio = self._dio, level
            if self._clk and was != level:
                self._start() if not level else self._stop()
            elif self._holding_ack and level and self._dio_pin.function == "input":
                self._dio_pin.drive_low()  # released by the host: our ACK holds the line low

    def _start(self) -> None:
        if self._in_frame and self._bits:
            self.errors.append(f"start in the middle of a byte ({self._bits} bits)")
        self._in_frame = True
        self._bits = self._byte = 0
        self._bytes = bytearray()

    def _stop(self) -> None:
        if not self._in_frame:
            return
        if self._bits > 1:  # the stop's own clock is the one rising edge after the last ACK
            self.errors.append(f"stop after {self._bits} bits of a byte")
        self._in_frame = False
        with self._lock:
            self.transactions.append(bytes(self._bytes))
            self._execute(bytes(self._bytes))

    def _rising(self) -> None:
        if not self._in_frame:
            return
        if self._bits < 8:
            self._byte |= int(self._dio) << self._bits
        self._bits += 1

    def _falling(self) -> None:
        if not self._in_frame:
            return
        if self._bits == 8:
            self._bytes.append(self._byte)
            self._holding_ack = True
            if self._dio_pin.function == "input":
                self._dio_pin.drive_low()
        elif self._bits == 9:
            self._holding_ack = False
            self._bits = self._byte = 0
            if self._dio_pin.function == "input":
                self._dio_pin.drive_high()  # let go: the module's pull-up

    def _execute(self, data: bytes) -> None:
        if not data:
            return
        command = data[0]
        if command & 0xC0 == 0x40:  # data command
            self._auto_increment = not command & 0x04
        elif command & 0xC0 == 0xC0:  # address, then data
            address = command & 0x0F
            for byte in data[1:]:
                if address < _GRIDS:
                    self.memory[address] = byte
                if self._auto_increment:
                    address += 1
        elif command & 0xC0 == 0x80:  # display control
            self.on = bool(command & 0x08)
            self.brightness = command & 0x07
        else:
            self.errors.append(f"unknown command {command:#04x}")
