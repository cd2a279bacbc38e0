"""The kiosk's signal tower (or three LEDs) and buzzer on GPIO: gpiozero `TrafficLights` and `Buzzer`.

One lamp lit at a time (kiosk.domain.signal decides which); the buzzer sounds `BEEP_S` when a
visitor calls staff, in gpiozero's background thread, so the screen never waits for it. A lamp
gives no feedback, so its health says what it was told to show, never that it is lit.
"""

from __future__ import annotations

from typing import Any

from drivers.gpio.settings import LampPins
from drivers.interfaces import Health, HealthState

BEEP_S = 0.4


class GpioLamp:
    def __init__(self, pins: LampPins, factory: Any, *, simulated: bool = False) -> None:
        from gpiozero import Buzzer, TrafficLights

        self.lights = TrafficLights(pins.red, pins.amber, pins.green, pin_factory=factory)
        self.buzzer: Any = None if pins.buzzer is None else Buzzer(pins.buzzer, pin_factory=factory)
        self._simulated = simulated
        self.lit = ""
        self.beeps = 0

    def show(self, colour: str) -> None:
        """Light "red", "amber" or "green" alone."""
        for name in ("red", "amber", "green"):
            getattr(self.lights, name).value = name == colour
        self.lit = colour

    def beep(self) -> None:
        if self.buzzer is not None:
            self.buzzer.blink(on_time=BEEP_S, off_time=0.1, n=1, background=True)
            self.beeps += 1

    def health(self) -> Health:
        detail = f"showing {self.lit}" if self.lit else "not lit yet"
        return Health("lamp", HealthState.OK, f"{detail} (a lamp cannot report back)", self._simulated)

    def close(self) -> None:
        self.lights.close()
        if self.buzzer is not None:
            self.buzzer.close()
