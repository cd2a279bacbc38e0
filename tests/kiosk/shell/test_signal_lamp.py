"""The kiosk's lamp and buzzer on gpiozero's mock pins, driven as the runtime drives them, and the
lobby's board health reaching it through the lobby's devices file."""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

from drivers.board.settings import BoardConfig, BoardTiming
from drivers.gpio.lamp import GpioLamp
from drivers.gpio.mock_pins import mock_factory
from drivers.gpio.settings import GpioConfig, LampPins
from drivers.interfaces import CardPresence, PaperState, PrinterStatus
from kiosk.lobby.wired import LobbyWires
from kiosk.shell.signal_lamp import LOBBY_DEVICES_FILE, LampControl, LobbyBoards

NOW = datetime(2026, 11, 26, 9, 15, tzinfo=ZoneInfo("Asia/Tokyo"))
OK = PrinterStatus(True, PaperState.OK, False)


def lit(factory) -> str:
    return "".join(name for name, pin in (("red", 16), ("amber", 20), ("green", 21)) if factory.pin(pin).state)


def test_the_lamp_follows_the_printer_the_reader_and_a_staff_call_with_a_beep():
    factory = mock_factory()
    control = LampControl(GpioLamp(LampPins(16, 20, 21, 12), factory))
    try:
        control.update(OK, CardPresence.ABSENT, NOW)
        assert lit(factory) == "green"
        control.update(PrinterStatus(True, PaperState.NEAR_END, False), CardPresence.ABSENT, NOW)
        assert lit(factory) == "amber"
        control.update(PrinterStatus(True, PaperState.END, False), CardPresence.ABSENT, NOW)
        assert lit(factory) == "red"
        control.update(OK, CardPresence.READER_GONE, NOW)
        assert lit(factory) == "red"
        control.update(OK, CardPresence.ABSENT, NOW)
        control.staff_called(NOW)
        control.update(OK, CardPresence.ABSENT, NOW)
        assert lit(factory) == "amber"
        deadline = time.monotonic() + 2
        while [s.state for s in factory.pin(12).states] != [False, True, False]:
            assert time.monotonic() < deadline, "the buzzer did not sound once"
            time.sleep(0.01)
        control.update(OK, CardPresence.ABSENT, NOW.replace(hour=10))
        assert lit(factory) == "green"  # the staff call is long past
    finally:
        control.close()
        factory.close()


def test_a_board_the_lobby_finds_offline_turns_the_kiosk_lamp_amber(tmp_path):
    wires = LobbyWires([BoardConfig("/dev/no-such-board", "01", 9600, ("c13",))], GpioConfig(), timing=BoardTiming())
    try:
        wires.write_health_every(tmp_path / LOBBY_DEVICES_FILE, every_s=0.05)
        boards_down = LobbyBoards(tmp_path)
        deadline = time.monotonic() + 3
        while not LobbyBoards(tmp_path)():
            assert time.monotonic() < deadline, "the lobby never said the board was down"
            time.sleep(0.02)
        assert boards_down()
    finally:
        wires.close()
    assert not LobbyBoards(tmp_path / "elsewhere")()  # no file: nothing known, nothing down
