"""Touch handling and the event loop, driven by real pygame events posted to SDL's queue.

The runtime is the real one (simulated devices, SQLite store in a temporary folder, a fake
clock); only time is faked: the loop's debounce clock and the kiosk's wall clock.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import pygame
import pytest

from drivers.card.sim import SimCardReader
from drivers.display.sim import SimQueueDisplay
from drivers.printer.emulator import PrinterEmulator
from drivers.printer.escpos_printer import EscposTicketPrinter
from drivers.printer.settings import PrinterConnection
from kiosk.bench.line import PrinterLine
from kiosk.demo.gallery import MORNING
from kiosk.domain.flow import Screen, TicketStage
from kiosk.queue.sqlite_store import SqliteTicketStore
from kiosk.shell.runtime import Devices, Runtime
from kiosk.site.model import SiteConfig
from kiosk.ticket.render import compose
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


@dataclass
class Kiosk:
    """The loop under test and what stands behind it: its runtime and the wire to the printer."""

    loop: KioskLoop
    runtime: Runtime
    line: PrinterLine
    emulator: PrinterEmulator


@pytest.fixture
def kiosk(site_config: SiteConfig, tmp_path: Path, clocks: Clocks) -> Iterator[Kiosk]:
    """The real loop and runtime; the ESC/POS driver reaches the emulator through a `PrinterLine`,
    so a test can keep the printer's replies back (a printer still busy with the ticket)."""
    pygame.display.init()
    display = pygame.display.set_mode(FRAME)
    store = SqliteTicketStore(tmp_path / "tickets.sqlite3")
    emulator = PrinterEmulator(tmp_path / "printed", site_config.printer.width_dots, draw=compose)
    line = PrinterLine(emulator.serve_tcp())
    # A generous read timeout: a printer kept busy by the test is slow, not dead.
    printer_config = replace(site_config.printer, connection=PrinterConnection.parse(line.tcp_url), read_timeout_s=10)
    printer = EscposTicketPrinter(printer_config)
    devices = Devices(
        reader=SimCardReader(today=lambda: clocks.now.date()),
        printer=printer,
        display=SimQueueDisplay(),
        simulated=True,
    )
    runtime = Runtime(config=site_config, devices=devices, store=store, clock=clocks.wall)
    view = KioskView(site_config, simulation=True)
    loop = KioskLoop(runtime, view, Presenter(display, FRAME), Touches(display.get_size(), clocks.monotonic))
    pygame.event.clear()
    loop.refresh()
    yield Kiosk(loop, runtime, line, emulator)
    line.release()
    runtime.close()
    printer.close()
    store.close()
    line.close()
    emulator.close()
    pygame.display.quit()


@pytest.fixture
def loop(kiosk: Kiosk) -> KioskLoop:
    return kiosk.loop


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


def to_confirm(loop: KioskLoop, clocks: Clocks) -> tuple[int, int]:
    """A renewal visit up to "get a ticket"; where that button is."""
    for button_id in ("start", "lang:en", "procedure:renewal", "answer:current:license_only"):
        tap(loop, clocks, button_id)
    tap(loop, clocks, "answer:wanted:license_only")
    tap(loop, clocks, "answer:lecture_class:excellent")
    assert loop.runner.state.screen is Screen.CONFIRM
    return loop.view.buttons()["continue"].center


def pump_until_printed(kiosk: Kiosk, limit_s: float = 20.0) -> None:
    """Turn the loop, as the kiosk does, until the printer has answered and the number is shown."""
    deadline = time.monotonic() + limit_s
    while kiosk.runtime.state.visit.ticket_stage is TicketStage.ISSUING and time.monotonic() < deadline:
        pump(kiosk.loop)
        time.sleep(0.01)
    assert kiosk.runtime.state.visit.ticket_stage is not TicketStage.ISSUING, "the ticket never came"


def test_a_double_tap_on_get_a_ticket_prints_one_ticket_and_stays_on_it(kiosk: Kiosk, clocks: Clocks) -> None:
    loop = kiosk.loop
    where = to_confirm(loop, clocks)
    finger(where)
    assert pump(loop) == 1
    clocks.advance(DEBOUNCE_S / 2)  # the second tap of a double tap, on "next" once it is in the same place
    finger(where)
    assert pump(loop) == 0
    pump_until_printed(kiosk)
    assert len(kiosk.runtime.issued) == 1 and kiosk.runtime.issued[0].printed
    assert loop.runner.state.screen is Screen.TICKET
    clocks.advance(DEBOUNCE_S)
    finger(where)  # a deliberate press later does count
    assert pump(loop) == 1
    assert loop.runner.state.screen is Screen.GOODBYE
    assert len(kiosk.runtime.issued) == 1


def test_the_loop_turns_while_the_ticket_prints_and_a_tap_meanwhile_does_not_act_on_the_ticket_screen(
    kiosk: Kiosk, clocks: Clocks
) -> None:
    loop = kiosk.loop
    where = to_confirm(loop, clocks)
    kiosk.line.hold()  # the printer is busy: its answers come when the test lets them
    finger(where)
    assert pump(loop) == 1  # "get a ticket": "Printing your ticket…" is drawn
    for _ in range(3):  # the loop goes on turning while the printer works, and answers touches
        clocks.advance(DEBOUNCE_S + 0.1)
        finger(where)  # where "next" will be: the visitor taps again, impatient
        frames = loop.frames
        assert pump(loop) == 0
        assert loop.frames == frames + 1  # the screen is alive: its dots move, a frame each time
        assert kiosk.runtime.state.visit.ticket_stage is TicketStage.ISSUING
    kiosk.line.release()
    pump_until_printed(kiosk)
    assert kiosk.runtime.state.screen is Screen.TICKET  # the taps made meanwhile pressed nothing
    assert kiosk.runtime.state.visit.ticket_stage is TicketStage.PRINTED
    assert len(kiosk.runtime.issued) == 1 and len(kiosk.emulator.printed) == 1


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
