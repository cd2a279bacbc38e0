"""The lobby's wired devices inside the lobby service, end to end in one process: a clerk's button on
mock pins calls through the service's store, and the number appears on the board emulator (a real
pty) and on the counter's TM1637 as decoded from the waveform."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta

from drivers.board.emulator import BoardEmulator
from drivers.board.settings import BoardConfig, BoardTiming
from drivers.gpio.settings import ButtonPins, DisplayPins, GpioConfig, PinFactoryName
from drivers.interfaces import HealthState
from kiosk.lobby.service import LobbyService
from kiosk.lobby.wired import LobbyWires, connect
from kiosk.queue.lifecycle import CallingSetup
from kiosk.queue.sqlite_calling import SqliteCallingStore
from kiosk.queue.sqlite_notify import SqliteNotifier
from kiosk.queue.sqlite_store import DATABASE_FILE
from tests.kiosk.lobby.conftest import ZONE, issue

GPIO = GpioConfig(PinFactoryName.MOCK, (DisplayPins("c13", 23, 24, 7),), (ButtonPins("c13", 5, 6, hold_s=0.3),))


class Clock:
    """The service's clock, moved on by the test: presses a minute apart are never one double press."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 9, 15, tzinfo=ZONE)

    def __call__(self) -> datetime:
        return self.now


def _service(site_config, data_dir, clock: Clock) -> LobbyService:
    database = data_dir / DATABASE_FILE
    return LobbyService(
        lambda: SqliteCallingStore(database, CallingSetup.from_site(site_config)),
        lambda: SqliteNotifier(database),
        clock,
    )


async def _until(condition, timeout_s: float = 4.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "not in time"
        await asyncio.sleep(0.01)


def test_buttons_call_and_the_board_and_display_show_it_even_after_the_board_was_away(site_config, tmp_path):
    issue(tmp_path, "myna_service", 3)
    with BoardEmulator("01") as board:
        path = board.serve_pty()
        wires = LobbyWires([BoardConfig(path, "01", 9600, ("c13", "c12"))], GPIO, timing=BoardTiming(ping_every_s=0.3))
        clock = Clock()
        service = _service(site_config, tmp_path, clock)
        connect(wires, service)
        chip = wires.chips["c13"]
        call_button = wires.factory.pin(5)

        def press(hold_s: float = 0.0) -> None:
            clock.now += timedelta(minutes=1)
            call_button.drive_low()
            time.sleep(hold_s)
            call_button.drive_high()

        async def scenario() -> None:
            await service.start()
            try:
                await _until(lambda: wires.settled() and not board.restarted)
                press()
                await _until(lambda: board.rows() == {1: "M-001"} and chip.text() == " 001")
                await _until(lambda: board.chimes == 1)
                assert board.flashing() == {1}

                board.set_silent(True)  # the board's cable is pulled
                await _until(lambda: wires.health()[0].state is HealthState.DOWN)
                press()  # a call while it is away
                await _until(lambda: chip.text() == " 002")
                assert board.rows() == {1: "M-001"}
                board.set_silent(False)
                await _until(lambda: board.rows() == {1: "M-002"})

                press(hold_s=0.5)  # a long press recalls M-002
                await _until(lambda: service.published.state.recent_calls[0].recall)
                assert service.published.state.counters[0].calling == "M-002"
                names = {h.device for h in service.device_health()}
                assert names == {f"board 01 on {path}", "display c13", "buttons c13"}
            finally:
                await service.stop()

        try:
            asyncio.run(asyncio.wait_for(scenario(), 30))
        finally:
            wires.close()


def test_a_pin_factory_that_cannot_start_here_is_a_down_gpio_not_a_crash():
    wires = LobbyWires([], GpioConfig(PinFactoryName.RPIGPIO, (DisplayPins("c13", 23, 24),)))
    try:
        [health] = wires.health()
        assert health.device == "gpio" and health.state is HealthState.DOWN
        assert "rpigpio cannot start here" in health.detail
    finally:
        wires.close()
