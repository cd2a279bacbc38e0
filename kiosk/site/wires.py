"""`[[boards]]` and `[gpio]` of the site config: the lobby's wired devices (issue 15).

Kept apart from kiosk/site/load.py, whose `_Table` reads them, so the loader grows by two calls.
Validation only: nothing here opens a port or a pin.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from drivers.board.frames import ROWS, is_address
from drivers.board.settings import BOARD_BAUDS, BoardConfig
from drivers.gpio.settings import BCM_PINS, ButtonPins, DisplayPins, GpioConfig, LampPins, PinFactoryName

if TYPE_CHECKING:
    from kiosk.site.load import _Table
    from kiosk.site.model import Counter

_PORT = re.compile(r"\S+")
_ADDRESS = re.compile(r"[0-9A-F]{2}")
_PIN_HINT = f"a BCM GPIO number {BCM_PINS.start}..{BCM_PINS.stop - 1}"


def read_boards(root: _Table, counters: Mapping[str, Counter]) -> tuple[BoardConfig, ...]:
    """`[[boards]]`: each board's port, address, baud and the counter each row shows (absent: no boards)."""
    boards: list[BoardConfig] = []
    for t in root.table_list("boards", required=False):
        port = t.string("port", _PORT, "a device path such as /dev/ttyUSB0, no spaces")
        address = t.string("address", _ADDRESS, 'two upper-case hex digits, "01" to "FE"')
        if address and _ADDRESS.fullmatch(address) and not is_address(address):
            t.problem("address", f'"{address}" is not a board\'s own address ("01" to "FE"; "FF" is every board)')
        baud = t.integer("baud")
        if baud and baud not in BOARD_BAUDS:
            t.problem("baud", f"must be one of {', '.join(map(str, BOARD_BAUDS))}, got {baud}")
        rows = t.choice_list("rows", {c: c for c in counters}, "counter", non_empty=True)
        if len(rows) > len(ROWS):
            t.problem("rows", f"a board has at most {len(ROWS)} rows, got {len(rows)}")
        for other in boards:
            if other.port == port and other.address == address:
                t.problem("address", f'a board at "{address}" on {port} is listed twice')
            elif other.port == port and other.baud != baud:
                t.problem("baud", f"boards on one port share its speed: {port} runs at {other.baud}")
        boards.append(BoardConfig(port, address, baud, tuple(rows)))
    return tuple(boards)


def read_gpio(root: _Table, counters: Mapping[str, Counter]) -> GpioConfig:
    """`[gpio]`: the pin factory, counter displays and buttons, the kiosk's lamp (absent: no GPIO)."""
    known = {c: c for c in counters}
    used: dict[int, str] = {}
    with root.table("gpio", required=False) as t:
        if not t.alive:
            return GpioConfig()
        factory = t.choice("pin_factory", {f.value: f for f in PinFactoryName}, "pin factory")

        def pin(table: _Table, key: str, required: bool = True) -> int:
            number = table.integer(key) if required else table.optional_integer(key)
            if number is None:
                return 0
            if number not in BCM_PINS:
                table.problem(key, f"{number} is not {_PIN_HINT}")
            elif number in used:
                table.problem(key, f"GPIO{number} is already {used[number]}")
            else:
                used[number] = f"{table.path}.{key}"
            return number

        displays = []
        for d in t.table_list("displays", required=False):
            counter = d.choice("counter", known, "counter") or ""
            displays.append(DisplayPins(counter, pin(d, "clk"), pin(d, "dio"), d.integer("brightness", 0, 7)))
        buttons = []
        for b in t.table_list("buttons", required=False):
            counter = b.choice("counter", known, "counter") or ""
            no_show = pin(b, "no_show", required=False) or None
            buttons.append(ButtonPins(counter, pin(b, "call_next"), no_show))
        lamp = None
        with t.table("lamp", required=False) as lt:
            if lt.alive:
                buzzer = pin(lt, "buzzer", required=False) or None
                lamp = LampPins(pin(lt, "red"), pin(lt, "amber"), pin(lt, "green"), buzzer)
        return GpioConfig(factory or PinFactoryName.LGPIO, tuple(displays), tuple(buttons), lamp)
