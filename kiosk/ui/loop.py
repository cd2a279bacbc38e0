"""The kiosk's event loop: touches to flow events, device polling, and a redraw only when needed.

The appliance idles ten hours a day, so the loop is frugal: it looks at events and devices
`POLL_HZ` times a second and sleeps in between (`pygame.event.wait()` alone wakes about a
thousand times a second inside SDL, device-facts.md), and it draws a frame only when what the
visitor sees changed: the flow's state (`FlowRunner.version`), the view's own state (a page, the
language chooser), the idle countdown's second, the minute (a window opens or closes), or what
moves on screen (`KioskView.motion`: the dots of "Printing your ticket…", so frames keep coming
while the printer works on its own thread).

The loop drives a `FlowRunner`: the shell's runtime (kiosk/shell/runtime.py), which carries out
the flow's effects against the devices and the store. The UI declares what it needs of it here
and never imports the shell (tests/architecture/test_layering.py).

`Presenter` puts the kiosk frame on the display: as it is, turned a quarter when the panel's
own mode is the other way round, or scaled to fit a laptop window; and maps a touch back.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

import pygame

from kiosk.domain.flow import IDLE_WARNING_SECONDS, Event, Flow, Screen, State
from kiosk.ui.touch import Touches
from kiosk.ui.view import KioskView

POLL_HZ = 25
# On the welcome (or out-of-service) screen nobody waits for a device, so the devices and the clock are looked at every
# fifth turn (5 times a second); a touch is still handled on the turn it arrives.
WELCOME_REFRESH_EVERY = 5
# A device call this long held the loop (a ticket printing on a slow serial printer takes ~2 s).
HELD_S = 0.3


class FlowRunner(Protocol):
    """What the loop drives: the visit's state and the flow it follows, events in, devices polled."""

    @property
    def flow(self) -> Flow: ...

    @property
    def state(self) -> State: ...

    @property
    def version(self) -> int:
        """Bumped on every change of `state`: the loop redraws only then."""

    def clock(self) -> datetime: ...

    def dispatch(self, event: Event) -> None:
        """Apply one event (a touch) and carry out its effects."""

    def poll(self) -> None:
        """Look at the devices and the time: a card read's answer, a ticket to issue, idle timeouts."""


class Presenter:
    """The frame's place on the display surface: same size, turned, or scaled into a box."""

    def __init__(self, display: pygame.Surface, frame_size: tuple[int, int], box: pygame.Rect | None = None) -> None:
        self.display = display
        self.frame_size = frame_size
        box = box or display.get_rect()
        fw, fh = frame_size
        self.turned = (box.w, box.h) == (fh, fw) and fw != fh
        shown = (fh, fw) if self.turned else (fw, fh)
        self.scale = min(box.w / shown[0], box.h / shown[1])
        size = (round(shown[0] * self.scale), round(shown[1] * self.scale))
        self.rect = pygame.Rect((0, 0), size)
        self.rect.center = box.center

    @property
    def direct(self) -> bool:
        """Whether the view may draw straight onto the display (same size, not turned, not scaled)."""
        return not self.turned and self.scale == 1.0 and self.rect.topleft == (0, 0)

    def show(self, frame: pygame.Surface) -> None:
        if frame is self.display:  # drawn in place
            return
        image = pygame.transform.rotate(frame, -90) if self.turned else frame  # a quarter clockwise
        if self.scale != 1.0:
            image = pygame.transform.smoothscale(image, self.rect.size)
        self.display.blit(image, self.rect)

    def to_frame(self, pos: tuple[int, int]) -> tuple[int, int] | None:
        """Display position → frame position; None outside the frame."""
        if not self.rect.collidepoint(pos):
            return None
        x = (pos[0] - self.rect.x) / self.scale
        y = (pos[1] - self.rect.y) / self.scale
        if self.turned:  # the frame's top edge is at the display's right
            x, y = y, self.frame_size[1] - 1 - x
        return (int(x), int(y))


class KioskLoop:
    def __init__(self, runner: FlowRunner, view: KioskView, presenter: Presenter, touches: Touches) -> None:
        self.runner = runner
        self.view = view
        self.presenter = presenter
        self.touches = touches
        self.frames = 0
        self._drawn: tuple[object, ...] | None = None

    def handle(self, event: pygame.event.Event) -> bool:
        """One input event; True when it was a touch on a button (a flow event or the view's own)."""
        pos = self.touches.press(event)
        at = self.presenter.to_frame(pos) if pos is not None else None
        if at is None:
            return False
        version = self.view.version
        action = self.view.press(at)
        if action is not None:
            self.runner.dispatch(action)
        return action is not None or self.view.version != version

    def refresh(self) -> bool:
        """Poll the devices, then draw a frame if anything visible changed; True when it drew."""
        began = self.touches.clock()
        self.runner.poll()
        if self.touches.clock() - began > HELD_S:
            # Presses queued while the loop was held were aimed at the screen shown then, not at the
            # one that replaces it: the second tap of a double tap on "get a ticket" must not press
            # "next" on the ticket screen (and hide the number of a ticket that failed to print).
            pygame.event.clear((pygame.FINGERDOWN, pygame.MOUSEBUTTONDOWN))
        now = self.runner.clock()
        state = self.runner.state
        key = (
            self.runner.version,
            self.view.version,
            self._countdown(now),
            now.hour,
            now.minute,
            self.view.motion(state, now),
        )
        if key == self._drawn:
            return False
        self._drawn = key
        self.presenter.show(self.view.render(self.runner.state, now))
        pygame.display.flip()
        self.frames += 1
        return True

    def _countdown(self, now: datetime) -> int | None:
        left = self.runner.flow.idle_seconds_left(self.runner.state, now)
        return math.ceil(left) if left is not None and left <= IDLE_WARNING_SECONDS else None

    def run(
        self, stop: Callable[[pygame.event.Event], bool], until: Callable[[KioskLoop], bool] = lambda loop: False
    ) -> None:
        """Until `stop` says an event ends it, or `until` (asked after each turn) says so:
        events, devices, maybe a frame, then sleep to the next turn."""
        period = 1 / POLL_HZ
        turn = 0
        while True:
            started = time.monotonic()
            touched = False
            for event in pygame.event.get():
                if stop(event):
                    return
                touched = self.handle(event) or touched
            idle = self.runner.state.screen in (Screen.WELCOME, Screen.OUT_OF_SERVICE)
            if touched or turn % WELCOME_REFRESH_EVERY == 0 or not idle:
                self.refresh()
            turn += 1
            if until(self):
                return
            time.sleep(max(0.0, period - (time.monotonic() - started)))
