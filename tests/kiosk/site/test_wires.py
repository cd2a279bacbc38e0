"""`[[boards]]` and `[gpio]`: the lobby's wired devices, read strictly, every problem by its dotted path."""

from __future__ import annotations

from pathlib import Path

from drivers.board.settings import BoardConfig
from drivers.gpio.settings import ButtonPins, DisplayPins, GpioConfig, LampPins, PinFactoryName
from kiosk.site.load import load_site_config
from tests.kiosk.site.test_load import SHIPPED, problems_of, shipped_text, write

WIRED = """
[[boards]]
port = "/dev/ttyUSB0"
address = "01"
baud = 9600
rows = ["c13", "c12"]

[[boards]]
port = "/dev/ttyUSB0"
address = "0A"
baud = 9600
rows = ["c1"]

[gpio]
pin_factory = "mock"
[[gpio.displays]]
counter = "c13"
clk = 23
dio = 24
brightness = 3
[[gpio.buttons]]
counter = "c13"
call_next = 5
no_show = 6
[gpio.lamp]
red = 16
amber = 20
green = 21
buzzer = 12
"""


def test_the_shipped_site_wires_nothing() -> None:
    config = load_site_config(SHIPPED)
    assert config.boards == () and config.gpio == GpioConfig() and not config.gpio.used


def test_boards_and_gpio_are_read_into_their_drivers_types(tmp_path: Path) -> None:
    config = load_site_config(write(tmp_path, shipped_text() + WIRED))
    assert config.boards == (
        BoardConfig("/dev/ttyUSB0", "01", 9600, ("c13", "c12")),
        BoardConfig("/dev/ttyUSB0", "0A", 9600, ("c1",)),
    )
    assert config.gpio == GpioConfig(
        PinFactoryName.MOCK,
        (DisplayPins("c13", 23, 24, 3),),
        (ButtonPins("c13", 5, 6),),
        LampPins(16, 20, 21, 12),
    )


def test_every_wiring_problem_is_listed_with_its_path(tmp_path: Path) -> None:
    broken = (
        WIRED.replace('address = "0A"', 'address = "FF"')
        .replace('baud = 9600\nrows = ["c1"]', 'baud = 19200\nrows = ["c99"]')
        .replace("dio = 24", "dio = 5")
        .replace("green = 21", "green = 40")
        .replace('pin_factory = "mock"', 'pin_factory = "pigpio"\nextra = 1')
    )
    problems = problems_of(write(tmp_path, shipped_text() + broken))
    assert any(p.startswith("boards[1].address:") and "every board" in p for p in problems)
    assert any(p.startswith("boards[1].baud:") and "share its speed" in p for p in problems)
    assert any(p.startswith("boards[1].rows[0]:") and "c99" in p for p in problems)
    assert any(p.startswith("gpio.pin_factory:") for p in problems)
    assert any(p.startswith("gpio.extra:") for p in problems)
    assert any(p.startswith("gpio.buttons[0].call_next:") and "already" in p for p in problems)
    assert any(p.startswith("gpio.lamp.green:") and "40" in p for p in problems)
