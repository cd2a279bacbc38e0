"""Touch handling and the event loop, driven by real pygame events posted to SDL's queue.

The runtime is the real one (simulated devices, SQLite store in a temporary folder, a fake
clock); only time is faked: the loop's debounce clock and the kiosk's wall clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pygame
import pytest

from drivers.card.sim import SimCardReader
from drivers.display.sim import SimQueueDisplay
from kiosk.demo.gallery import MORNING
from kiosk.demo.printer import DemoPrinter
from kiosk.domain.flow import Screen
from kiosk.queue.sqlite_store import SqliteTicketStore
from kiosk.shell.runtime import Devices, Runtime
from kiosk.site.model import SiteConfig
from kiosk.ui.app import video_driver
from kiosk.ui.loop import KioskLoop, Presenter
from kiosk.ui.touch import DEBOUNCE_S, Touches
from kiosk.ui.view import KioskView

FRAME = (1080, 1920)


class Clocks:
    """The kiosk's wall clock and the loop's monotonic one, moved together."""

    def __init__(self) -> None:
        self.now = MORNING
        self.mono = 100.0

    def wall(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
        self.mono += seconds


@pytest.fixture
def clocks() -> Clocks:
    return Clocks()


@pytest.fixture
def loop(site_config: SiteConfig, tmp_path: Path, clocks: Clocks) -> Iterator[KioskLoop]:
    pygame.display.init()
    display = pygame.display.set_mode(FRAME)
    store = SqliteTicketStore(tmp_path / "tickets.sqlite3")
    printer = DemoPrinter(site_config, tmp_path / "printed", tmp_path)  # the ESC/POS driver and the emulator
    devices = Devices(
        reader=SimCardReader(today=lambda: clocks.now.date()),
        printer=printer.driver,
        display=SimQueueDisplay(),
        simulated=True,
    )
    runtime = Runtime(config=site_config, devices=devices, store=store, clock=clocks.wall)
    view = KioskView(site_config, simulation=True)
    kiosk = KioskLoop(runtime, view, Presenter(display, FRAME), Touches(display.get_size(), clocks.monotonic))
    pygame.event.clear()
    kiosk.refresh()
    yield kiosk
    store.close()
    printer.close()
    pygame.display.quit()


def finger(pos: tuple[int, int]) -> None:
    """What SDL posts for one finger on the glass: the finger event and its synthetic mouse twin."""
    w, h = FRAME
    pygame.event.post(pygame.event.Event(pygame.FINGERDOWN, x=pos[0] / w, y=pos[1] / h, touch_id=1, finger_id=0))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1, touch=True))


def pump(kiosk: KioskLoop) -> int:
    """One turn of the loop: every queued event, then devices and maybe a frame. Returns touches acted on."""
    acted = sum(kiosk.handle(event) for event in pygame.event.get())
    kiosk.refresh()
    return acted


def tap(kiosk: KioskLoop, clocks: Clocks, button_id: str) -> int:
    finger(kiosk.view.buttons()[button_id].center)
    acted = pump(kiosk)
    clocks.advance(1.0)
    return acted


def test_a_finger_is_one_touch_though_sdl_sends_two_events(loop: KioskLoop, clocks: Clocks) -> None:
    assert tap(loop, clocks, "start") == 1
    assert loop.runner.state.screen is Screen.LANGUAGE
    assert tap(loop, clocks, "lang:en") == 1
    assert loop.runner.state.screen is Screen.PROCEDURE
    assert len(loop.runner.state.visit.history) == 1  # language → procedure, nothing skipped


def test_a_real_mouse_click_counts(loop: KioskLoop, clocks: Clocks) -> None:
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=loop.view.buttons()["start"].center, button=1))
    assert pump(loop) == 1
    assert loop.runner.state.screen is Screen.LANGUAGE


def test_a_double_tap_on_get_a_ticket_prints_one_ticket_and_stays_on_it(loop: KioskLoop, clocks: Clocks) -> None:
    for button_id in ("start", "lang:en", "procedure:renewal", "answer:current:license_only"):
        tap(loop, clocks, button_id)
    tap(loop, clocks, "answer:wanted:license_only")
    tap(loop, clocks, "answer:lecture_class:excellent")
    assert loop.runner.state.screen is Screen.CONFIRM
    where = loop.view.buttons()["continue"].center
    finger(where)
    assert pump(loop) == 1
    clocks.advance(DEBOUNCE_S / 2)  # the second tap of a double tap, on "next" now in the same place
    finger(where)
    assert pump(loop) == 0
    assert len(loop.runner.issued) == 1
    assert loop.runner.state.screen is Screen.TICKET
    clocks.advance(DEBOUNCE_S)
    finger(where)  # a deliberate press later does count
    assert pump(loop) == 1
    assert loop.runner.state.screen is Screen.GOODBYE
    assert len(loop.runner.issued) == 1


def test_a_tap_made_while_the_ticket_prints_does_not_act_on_the_ticket_screen(
    loop: KioskLoop, clocks: Clocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    for button_id in ("start", "lang:en", "procedure:renewal", "answer:current:license_only"):
        tap(loop, clocks, button_id)
    tap(loop, clocks, "answer:wanted:license_only")
    tap(loop, clocks, "answer:lecture_class:excellent")
    where = loop.view.buttons()["continue"].center
    printing = loop.runner.poll

    def slow_poll() -> None:
        """The print takes 2 s on a serial printer; the visitor's second tap lands meanwhile."""
        issued = len(loop.runner.issued)
        printing()
        if len(loop.runner.issued) > issued:
            clocks.advance(2.0)
            finger(where)

    monkeypatch.setattr(loop.runner, "poll", slow_poll)
    finger(where)
    assert pump(loop) == 1  # "get a ticket": "Printing your ticket…" is drawn
    assert pump(loop) == 0  # the ticket prints, holding the loop
    assert pump(loop) == 0  # the tap made meanwhile is gone, not a press of "next"
    assert len(loop.runner.issued) == 1
    assert loop.runner.state.screen is Screen.TICKET


def test_an_idle_loop_draws_nothing_until_something_changes(loop: KioskLoop, clocks: Clocks) -> None:
    frames = loop.frames
    for _ in range(50):
        clocks.advance(0.04)
        pump(loop)
    assert loop.frames == frames  # two seconds on the welcome screen: not one frame
    tap(loop, clocks, "start")
    assert loop.frames == frames + 1


def test_the_idle_countdown_redraws_once_a_second(loop: KioskLoop, clocks: Clocks, site_config: SiteConfig) -> None:
    tap(loop, clocks, "start")
    clocks.advance(site_config.site.idle_timeout_s - 10.5)
    pump(loop)
    frames = loop.frames
    for _ in range(50):  # two seconds of polling at 25 a second
        clocks.advance(0.04)
        pump(loop)
    assert loop.frames - frames == 2


def test_a_quarter_turned_panel_maps_touches_back_to_the_frame() -> None:
    display = pygame.Surface((1920, 1080))  # a landscape panel standing portrait: its mode stays 1920x1080
    presenter = Presenter(display, FRAME)
    assert presenter.turned and presenter.scale == 1.0
    assert presenter.to_frame((1919, 0)) == (0, 0)  # the frame's top-left is the display's top-right
    assert presenter.to_frame((0, 1079)) == (1079, 1919)


def test_a_laptop_window_scales_the_frame_and_maps_touches() -> None:
    presenter = Presenter(pygame.Surface((540, 960)), FRAME)
    assert presenter.scale == 0.5
    assert presenter.to_frame((270, 480)) == (540, 960)


@pytest.mark.parametrize(
    ("env", "driver"),
    [
        ({}, "kmsdrm"),  # the appliance's console: no desktop
        ({"DISPLAY": ":0"}, None),  # a laptop: SDL picks x11 or wayland
        ({"WAYLAND_DISPLAY": "wayland-0"}, None),
        ({"SDL_VIDEODRIVER": "dummy"}, "dummy"),  # tests
    ],
)
def test_the_video_driver_is_kmsdrm_only_without_a_desktop(env: dict[str, str], driver: str | None) -> None:
    assert video_driver(env) == driver
