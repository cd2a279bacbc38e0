"""The lobby's wires, timed (issue 15): a call reaching the number board, a board recovering from a
power cut, a counter button's press becoming a stored call.

Everything real but the devices: the lobby service (on its own loop thread) over a file-backed
SQLite ticket store, the serial driver writing to the board emulator through a pty at 9600 baud
(the emulator answers after the frame's and the answer's time on such a line), the button and the
TM1637 on gpiozero's mock pins. Protocol times are §4's own (150 ms replies, 5 s pings).

- `call.to_board_ms` (p95; and p50): a console's call-next handed to the service -> the driver holds the
  board's ACK of the S frame showing the new number. Target <= 100.
- `board.recover_ms` (the worst of RECOVERIES): the emulator power-cycled (no rows, ENQ) -> every
  row right again. Bound by the 5 s ping. Target <= 6000.
- `gpio.button_to_call_ms` (p95; and p50): the mock call button released (a short press calls on release) ->
  the store's call-next returned (the call committed). Target <= 50.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any, cast

from drivers.board.emulator import BoardEmulator
from drivers.board.frames import Frame, show
from drivers.board.settings import BoardConfig
from drivers.gpio.mock_pins import mock_factory
from drivers.gpio.settings import ButtonPins, DisplayPins, GpioConfig, PinFactoryName
from kiosk.bench.call import _JST, _SETUP, _fill
from kiosk.bench.queue import _percentile_ms
from kiosk.lobby.service import CounterAction, LobbyService
from kiosk.lobby.service_thread import ServiceThread
from kiosk.lobby.wired import LobbyWires, connect
from kiosk.queue.lifecycle import CallingStore, CallOutcome
from kiosk.queue.sqlite_calling import SqliteCallingStore
from kiosk.queue.sqlite_notify import SqliteNotifier

CALLS = 40
PRESSES = 40
RECOVERIES = 3
CALL_PIN = 5


class _TimedStore:
    """The calling store, noting when each call-next returned (committed): the bench's stopwatch."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._store: CallingStore | None = None
        self.stored_at: list[float] = []

    def open(self) -> CallingStore:
        """On the service's store thread (a SQLite connection belongs to the thread that made it)."""
        self._store = SqliteCallingStore(self._path, _SETUP)
        return cast(CallingStore, self)

    def call_next(self, counter_id: str, now: datetime) -> CallOutcome | None:
        assert self._store is not None
        outcome = self._store.call_next(counter_id, now)
        self.stored_at.append(time.monotonic())
        return outcome

    def __getattr__(self, name: str) -> Any:  # every other store call, untouched
        return getattr(self._store, name)


class _Clock:
    """The service's clock, a minute on for every call: no two presses are one double press."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 9, 0, tzinfo=_JST)

    def __call__(self) -> datetime:
        return self.now

    def tick(self) -> None:
        self.now += timedelta(minutes=1)


def measure() -> dict[str, float]:
    with TemporaryDirectory(prefix="kiosk-bench-wires-") as directory:
        path = Path(directory) / "tickets.sqlite3"
        _fill(path)
        with BoardEmulator("01", baud=9600) as board:
            pty = board.serve_pty()
            factory = mock_factory()
            gpio = GpioConfig(PinFactoryName.MOCK, (DisplayPins("c13", 23, 24),), (ButtonPins("c13", CALL_PIN),))
            wires = LobbyWires([BoardConfig(pty, "01", 9600, ("c13", "c5"))], gpio, pin_factory=factory)
            clock = _Clock()
            store = _TimedStore(path)
            service = LobbyService(store.open, lambda: SqliteNotifier(path), clock)
            connect(wires, service)
            runner = ServiceThread(service)
            try:
                _wait(lambda: wires.settled() and not board.restarted, 10)
                to_board = _call_to_board(service, wires, clock)
                button = _button_to_call(store, wires, factory, clock)
                recover = _recoveries(board, wires)
            finally:
                runner.close()
                wires.close()
    return {
        "call.to_board_p50_ms": _percentile_ms(_ns(to_board), 50),
        "call.to_board_ms": _percentile_ms(_ns(to_board), 95),
        "board.recover_ms": round(max(recover) * 1000, 1),
        "gpio.button_to_call_p50_ms": _percentile_ms(_ns(button), 50),
        "gpio.button_to_call_ms": _percentile_ms(_ns(button), 95),
    }


def _ns(seconds: list[float]) -> list[int]:
    return [round(s * 1e9) for s in seconds]


def _wait(condition: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("the lobby's wires did not settle in time")
        time.sleep(0.002)


def _call_to_board(service: LobbyService, wires: LobbyWires, clock: _Clock) -> list[float]:
    port = wires.ports[0]
    times = []
    for _ in range(CALLS):
        _wait(wires.settled, 5)  # the line idle: the flash and chime of the last call are out
        clock.tick()
        started = time.monotonic()
        outcome = service.act_soon("c13", CounterAction.CALL_NEXT).result(timeout=5)
        label = getattr(outcome, "label", None)
        if label is None:
            raise RuntimeError("nobody waits: the bench's line ran dry")
        frame = show("01", 1, label)

        def acked(frame: Frame = frame) -> bool:
            return any(f == frame for f, _at in port.acked)

        _wait(acked, 5)
        acked_at = next(at for f, at in port.acked if f == frame)
        times.append(acked_at - started)
    return times


def _button_to_call(store: _TimedStore, wires: LobbyWires, factory: Any, clock: _Clock) -> list[float]:
    pin = factory.pin(CALL_PIN)
    times = []
    for _ in range(PRESSES):
        _wait(wires.settled, 5)
        clock.tick()
        calls = len(store.stored_at)
        pin.drive_low()
        time.sleep(0.01)  # a finger, briefly
        released = time.monotonic()
        pin.drive_high()

        def stored(calls: int = calls) -> bool:
            return len(store.stored_at) > calls

        _wait(stored, 5)
        times.append(store.stored_at[calls] - released)
    return times


def _recoveries(board: BoardEmulator, wires: LobbyWires) -> list[float]:
    times = []
    for _ in range(RECOVERIES):
        _wait(wires.settled, 5)
        expected = board.rows()
        time.sleep(0.7)  # a different phase of the 5 s ping each time
        started = time.monotonic()
        board.power_cycle()

        def recovered(expected: dict[int, str] = expected) -> bool:
            return not board.restarted and board.rows() == expected

        _wait(recovered, 15)
        times.append(time.monotonic() - started)
    return times
