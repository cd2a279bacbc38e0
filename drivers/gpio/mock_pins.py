"""gpiozero's mock pins, each telling watchers of every level change as it happens.

`MockPin.states` keeps each pin's history on its own; a chip emulator needs the order of changes
across two pins (is DIO falling while CLK is high?), so `WatchedPin` tells its watchers of each
change as it happens, under one lock per factory. A watcher may change a pin itself (the chip pulls
DIO low for its ACK): that change is queued and told after the one being told, so every watcher
sees every change in the order they happened. A simulator part, shipped: the demo
and the tests run the displays, buttons and lamp on these.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from gpiozero.pins.mock import MockFactory, MockPin

Watcher = Callable[["WatchedPin", bool], None]


class WatchedPin(MockPin):  # type: ignore[misc]  # gpiozero ships no type information
    def __init__(self, factory: Any, info: Any) -> None:
        self.watchers: list[Watcher] = []
        self._told: _Telling = factory.telling
        super().__init__(factory, info)

    def _change_state(self, value: bool) -> bool:
        with self._told.lock:
            changed: bool = super()._change_state(value)
            if changed:
                self._told.tell(self, bool(value))
            return changed


class _Telling:
    """One per factory: changes told in order, even those a watcher makes while being told."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._queue: deque[tuple[WatchedPin, bool]] = deque()
        self._busy = False

    def tell(self, pin: WatchedPin, level: bool) -> None:
        self._queue.append((pin, level))
        if self._busy:
            return  # the loop below, further up this thread's stack, tells it next
        self._busy = True
        try:
            while self._queue:
                changed, changed_to = self._queue.popleft()
                for watcher in list(changed.watchers):
                    watcher(changed, changed_to)
        finally:
            self._busy = False


def mock_factory() -> Any:
    """A gpiozero MockFactory whose pins are WatchedPins."""
    factory = MockFactory(pin_class=WatchedPin)
    factory.telling = _Telling()
    return factory
