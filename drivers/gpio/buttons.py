"""A counter's call buttons on GPIO (gpiozero `Button`, to ground with the internal pull-up).

- the call button: a short press calls the next number (on release, so that a long press is not
  also a call), held for `hold_s` (1 s) it recalls the ticket at the counter;
- the no-show button (optional): marks the called visitor as not come.

gpiozero runs the callbacks on its own thread; they only hand the action to `on_action`, which
must return at once (the lobby service queues the store call). Debounced by gpiozero
(`bounce_s`, 50 ms). Health: a button held down for `STUCK_S` is probably stuck (or a parcel lies
on it): DEGRADED, since that counter cannot call.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

from drivers.gpio.settings import ButtonPins
from drivers.interfaces import Health, HealthState

STUCK_S = 30.0


class ButtonAction(StrEnum):
    CALL_NEXT = "call-next"  # the lobby service's CounterAction values
    RECALL = "recall"
    NO_SHOW = "no-show"


OnAction = Callable[[str, ButtonAction], None]  # counter id, action


class CounterButtons:
    def __init__(self, pins: ButtonPins, factory: Any, on_action: OnAction, *, simulated: bool = False) -> None:
        from gpiozero import Button

        self.counter = pins.counter
        self._on_action = on_action
        self._simulated = simulated
        self._lock = threading.Lock()
        self._held_call = False
        self._down_since: dict[str, float] = {}
        self.last: tuple[ButtonAction, datetime] | None = None
        self.call = Button(
            pins.call_next, pull_up=True, bounce_time=pins.bounce_s, hold_time=pins.hold_s, pin_factory=factory
        )
        self.call.when_pressed = lambda: self._down("call")
        self.call.when_held = self._held
        self.call.when_released = self._call_released
        self.no_show: Any = None
        if pins.no_show is not None:
            self.no_show = Button(pins.no_show, pull_up=True, bounce_time=pins.bounce_s, pin_factory=factory)
            self.no_show.when_pressed = self._no_show_pressed
            self.no_show.when_released = lambda: self._up("no_show")

    def _down(self, which: str) -> None:
        with self._lock:
            self._down_since[which] = time.monotonic()
            if which == "call":
                self._held_call = False

    def _up(self, which: str) -> None:
        with self._lock:
            self._down_since.pop(which, None)

    def _held(self) -> None:
        with self._lock:
            self._held_call = True
        self._act(ButtonAction.RECALL)

    def _call_released(self) -> None:
        with self._lock:
            held = self._held_call
            self._down_since.pop("call", None)
        if not held:
            self._act(ButtonAction.CALL_NEXT)

    def _no_show_pressed(self) -> None:
        self._down("no_show")
        self._act(ButtonAction.NO_SHOW)

    def _act(self, action: ButtonAction) -> None:
        with self._lock:
            self.last = (action, datetime.now().astimezone())
        self._on_action(self.counter, action)

    def health(self) -> Health:
        name = f"buttons {self.counter}"
        with self._lock:
            now = time.monotonic()
            stuck = [which for which, since in self._down_since.items() if now - since >= STUCK_S]
            last = self.last
        if stuck:
            detail = f"{' and '.join(stuck)} button held down (stuck?)"
            return Health(name, HealthState.DEGRADED, detail, self._simulated)
        detail = "no press yet" if last is None else f"last press {last[1]:%H:%M:%S} ({last[0].value})"
        return Health(name, HealthState.OK, detail, self._simulated)

    def close(self) -> None:
        self.call.close()
        if self.no_show is not None:
            self.no_show.close()
