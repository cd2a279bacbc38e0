"""GPIO settings: `[gpio]` of the site config (read by kiosk/site/wires.py). Pure values.

Pins are BCM numbers (GPIO2..GPIO27 on the 40-pin header), as gpiozero names them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

BCM_PINS = range(2, 28)


class PinFactoryName(StrEnum):
    """Which gpiozero pin factory drives the pins (never chosen silently)."""

    LGPIO = "lgpio"  # Pi 4 and Pi 5 (python3-lgpio from Raspberry Pi OS)
    RPIGPIO = "rpigpio"  # Pi 4 and older, where a site insists on RPi.GPIO
    MOCK = "mock"  # gpiozero's mock pins: the demo and tests (a SIMULATION)


@dataclass(frozen=True)
class DisplayPins:
    """A TM1637 4-digit display at a counter, showing the number it calls."""

    counter: str
    clk: int
    dio: int
    brightness: int = 7  # 0..7


@dataclass(frozen=True)
class ButtonPins:
    """A counter's buttons, to ground (internal pull-up). `call_next` held for `hold_s` recalls."""

    counter: str
    call_next: int
    no_show: int | None = None
    hold_s: float = 1.0
    bounce_s: float = 0.05


@dataclass(frozen=True)
class LampPins:
    """The kiosk's signal tower (or three LEDs) and buzzer."""

    red: int
    amber: int
    green: int
    buzzer: int | None = None


@dataclass(frozen=True)
class GpioConfig:
    pin_factory: PinFactoryName = PinFactoryName.LGPIO
    displays: tuple[DisplayPins, ...] = ()
    buttons: tuple[ButtonPins, ...] = ()
    lamp: LampPins | None = None

    @property
    def used(self) -> bool:
        return bool(self.displays or self.buttons or self.lamp)
