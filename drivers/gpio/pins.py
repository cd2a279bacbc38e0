"""The gpiozero pin factory the site config names, and the pin interface our bit-banging uses.

Devices never touch hardware: they get pins from the factory passed to them (never the global
`Device.pin_factory`). Factories are imported only when chosen: lgpio (Pi 4 and 5, the default),
RPi.GPIO (Pi 4 and older, where a site insists) or gpiozero's mock pins (demo, tests; see
drivers/gpio/mock_pins.py).
"""

from __future__ import annotations

from typing import Any, Protocol

from drivers.gpio.settings import PinFactoryName
from kiosk.errors import DriverError


class GpioPin(Protocol):
    """What bit-banging needs of a gpiozero `Pin` (lgpio, RPi.GPIO and mock pins all have it)."""

    @property
    def state(self) -> float: ...

    def output_with_state(self, state: int) -> None: ...

    def input_with_pull(self, pull: str) -> None: ...

    def close(self) -> None: ...


def pin_factory(name: PinFactoryName) -> Any:
    """A gpiozero pin factory. Raises DriverError when its library is missing (not a Pi)."""
    try:
        match name:
            case PinFactoryName.LGPIO:
                from gpiozero.pins.lgpio import LGPIOFactory

                return LGPIOFactory()
            case PinFactoryName.RPIGPIO:
                from gpiozero.pins.rpigpio import RPiGPIOFactory

                return RPiGPIOFactory()
            case PinFactoryName.MOCK:
                from drivers.gpio.mock_pins import mock_factory

                return mock_factory()
    except Exception as exc:  # each library fails its own way off a Pi (ImportError, OSError, RuntimeError)
        raise DriverError(f"GPIO pin factory {name.value} cannot start here: {exc}") from exc
    raise AssertionError(name)
