"""The lobby's wired devices inside `kiosk lobby`: the serial number boards, the counters' TM1637
displays and call buttons (issue 15).

- Each published lobby state goes through `kiosk.queue.counter_calls`: a counter whose number
  changed gets its board rows and display updated; a call or recall also flashes and chimes.
  Boards are written by their port's own thread (drivers/board/serial_board.py), displays by one
  worker thread here, so the service's event loop never waits for a wire.
- A button press is the console's action (`LobbyService.act`), the same store call as `kiosk call`,
  handed to the service's loop from gpiozero's thread.
- `health()` lists every board, display and button set (drivers' `Health`).

Pins come from the pin factory `[gpio] pin_factory` names; with "mock" (the demo, tests) each
display gets a TM1637 chip emulator on its mock pins, kept in `chips` for whoever draws them.
"""

from __future__ import annotations

import concurrent.futures
import json
import logging
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from drivers.board.serial_board import PROTOCOL_TIMING, BoardPort, OpenLink, SerialLink
from drivers.board.settings import BoardConfig, BoardTiming
from drivers.gpio.buttons import ButtonAction, CounterButtons
from drivers.gpio.settings import GpioConfig, PinFactoryName
from drivers.gpio.tm1637 import Tm1637Display
from drivers.gpio.tm1637_chip import Tm1637Chip
from drivers.interfaces import Health, HealthState
from kiosk.errors import DriverError
from kiosk.lobby.service import CounterAction, LobbyService
from kiosk.queue.counter_calls import counter_changes
from kiosk.queue.lifecycle import CallRefused, LobbyState

log = logging.getLogger(__name__)

OnButton = Callable[[str, ButtonAction], None]
HEALTH_FILE_EVERY_S = 5.0


class LobbyWires:
    def __init__(
        self,
        boards: Sequence[BoardConfig],
        gpio: GpioConfig,
        *,
        timing: BoardTiming = PROTOCOL_TIMING,
        open_link: OpenLink = SerialLink,
        pin_factory: Any = None,  # a factory of our own (the demo's mock pins); default: the config's
    ) -> None:
        by_port: dict[str, list[BoardConfig]] = {}
        for board in boards:
            by_port.setdefault(board.port, []).append(board)
        self.ports = [BoardPort(configs, timing, open_link=open_link) for configs in by_port.values()]
        self.displays: dict[str, Tm1637Display] = {}
        self.chips: dict[str, Tm1637Chip] = {}
        self.buttons: list[CounterButtons] = []
        self._gpio_problem = ""
        self._on_button: OnButton | None = None
        self._previous: LobbyState | None = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lobby-displays")
        self.factory: Any = None
        self._closing = threading.Event()
        self._writer: threading.Thread | None = None
        if gpio.displays or gpio.buttons:
            self._open_gpio(gpio, pin_factory)

    def _open_gpio(self, gpio: GpioConfig, pin_factory: Any) -> None:
        from drivers.gpio.pins import pin_factory as make_factory

        simulated = pin_factory is not None or gpio.pin_factory is PinFactoryName.MOCK
        try:
            self.factory = pin_factory if pin_factory is not None else make_factory(gpio.pin_factory)
        except DriverError as exc:
            log.error("lobby GPIO: %s", exc)
            self._gpio_problem = str(exc)
            return
        for pins in gpio.displays:
            clk, dio = self.factory.pin(pins.clk), self.factory.pin(pins.dio)
            if simulated:
                self.chips[pins.counter] = Tm1637Chip(clk, dio)
            self.displays[pins.counter] = Tm1637Display(
                f"display {pins.counter}",
                clk,
                dio,
                brightness=pins.brightness,
                half_period_s=0 if simulated else 5e-6,
                simulated=simulated,
            )
        for button_pins in gpio.buttons:
            self.buttons.append(CounterButtons(button_pins, self.factory, self._pressed, simulated=simulated))

    # --- in and out -------------------------------------------------------------------------

    def on_button(self, handler: OnButton) -> None:
        """Where presses go (the service's `act`, through its loop). Presses before this are dropped."""
        self._on_button = handler

    def _pressed(self, counter: str, action: ButtonAction) -> None:
        handler = self._on_button
        if handler is None or self._previous is None:
            log.warning("button %s at %s pressed before the lobby service started: ignored", action.value, counter)
            return
        handler(counter, action)

    def publish(self, state: LobbyState) -> None:
        """A new lobby state: tell every board and display whose counter's number changed. Returns at once."""
        changes = counter_changes(self._previous, state)
        self._previous = state
        for change in changes:
            for port in self.ports:
                port.show(change.counter, change.label, call=change.call)
            display = self.displays.get(change.counter)
            if display is not None:
                self._worker.submit(self._show, display, change.label or None)

    @staticmethod
    def _show(display: Tm1637Display, label: str | None) -> None:
        try:
            display.show_label(label)
        except Exception:  # a shell's broad except: the display's health says what went wrong
            log.exception("display %s failed", display.name)

    def health(self) -> list[Health]:
        found: list[Health] = []
        for port in self.ports:
            found += port.health()
        if self._gpio_problem:
            found.append(Health("gpio", HealthState.DOWN, self._gpio_problem, simulated=False))
        found += [display.health() for display in self.displays.values()]
        found += [buttons.health() for buttons in self.buttons]
        return found

    def write_health_every(self, path: Path, every_s: float = HEALTH_FILE_EVERY_S) -> None:
        """Write `health()` to `path` now and every `every_s` (atomically), for the kiosk's lamp in
        another process (kiosk/shell/signal_lamp.py reads it)."""

        def run() -> None:
            while True:
                try:
                    devices = [{"device": h.device, "state": h.state.value, "detail": h.detail} for h in self.health()]
                    temporary = path.with_suffix(".tmp")
                    temporary.write_text(json.dumps({"devices": devices}, ensure_ascii=False), encoding="utf-8")
                    os.replace(temporary, path)
                except OSError as exc:
                    log.error("cannot write %s: %s", path, exc)
                if self._closing.wait(every_s):
                    return

        self._writer = threading.Thread(target=run, name="lobby-health-file", daemon=True)
        self._writer.start()

    def settled(self) -> bool:
        return all(port.settled() for port in self.ports)

    def close(self) -> None:
        self._closing.set()
        if self._writer is not None:
            self._writer.join(timeout=5)
        self._worker.shutdown(wait=True)
        for port in self.ports:
            port.close()
        for buttons in self.buttons:
            buttons.close()
        for chip in self.chips.values():
            chip.detach()
        for display in self.displays.values():
            display.close()
        if self.factory is not None:
            self.factory.close()


def connect(wires: LobbyWires, service: LobbyService) -> None:
    """Wire the devices to the service: states out to boards and displays, presses in as console
    actions, health to the service's list. Call before the service starts."""
    service.subscribe(wires.publish)
    service.add_health(wires.health)

    def press(counter: str, action: ButtonAction) -> None:
        future = service.act_soon(counter, CounterAction(action.value))
        future.add_done_callback(lambda done: _pressed_outcome(counter, action, done))

    wires.on_button(press)


def _pressed_outcome(counter: str, action: ButtonAction, done: concurrent.futures.Future[object]) -> None:
    error = done.exception()
    if isinstance(error, CallRefused):
        log.info("button %s at %s: %s", action.value, counter, error)
    elif error is not None:
        log.error("button %s at %s failed: %s", action.value, counter, error)
    elif done.result() is None and action is ButtonAction.CALL_NEXT:
        log.info("button call-next at %s: nobody waits", counter)
