"""Touches in, positions out: one action per touch, whatever SDL sends for it.

A finger on a touch screen arrives twice: as `FINGERDOWN` (normalised 0..1 coordinates) and as a
synthetic `MOUSEBUTTONDOWN` whose `touch` attribute is true (device-facts.md). Only the finger
event counts; a mouse click (a laptop, the demo) counts when it is a real one. After an accepted
press, presses within `DEBOUNCE_S` are dropped: a shaky double tap, or a finger bouncing on the
glass, must not press "get a ticket" and then the "next" button that takes its place.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pygame

DEBOUNCE_S = 0.4  # longer than a double tap (about 0.25 s), shorter than a deliberate second press


class Touches:
    def __init__(self, window_size: tuple[int, int], clock: Callable[[], float] = time.monotonic) -> None:
        self.window_size = window_size
        self.clock = clock  # the loop's monotonic clock (a fake one in tests)
        self._last: float | None = None

    def press(self, event: pygame.event.Event) -> tuple[int, int] | None:
        """The window position a press stands for; None for anything else, a synthetic mouse
        event, or a bounce."""
        if event.type == pygame.FINGERDOWN:
            w, h = self.window_size
            pos = (min(w - 1, int(event.x * w)), min(h - 1, int(event.y * h)))
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and not getattr(event, "touch", False):
            pos = (int(event.pos[0]), int(event.pos[1]))
        else:
            return None
        now = self.clock()
        if self._last is not None and now - self._last < DEBOUNCE_S:
            return None
        self._last = now
        return pos
