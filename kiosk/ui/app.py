"""`kiosk run`'s screen: the appliance. Fullscreen on the console of a Raspberry Pi, a window on a laptop.

kiosk/commands/run.py is the command: it hands `run_kiosk` the shell's way to open the devices,
the ticket store and the runtime (kiosk/shell/app.py), which this module knows only as the
`OpenKiosk` protocol: the UI never imports the shell.

The video driver is SDL's choice except where there is no desktop: with neither DISPLAY nor
WAYLAND_DISPLAY set (the appliance boots to a console), SDL_VIDEODRIVER=kmsdrm draws straight to
the screen through DRM/KMS; the pygame-ce wheels ship an SDL built with it (device-facts.md).
Tests set SDL_VIDEODRIVER=dummy. `[screen].fullscreen` applies on the console only: on a
desktop the kiosk is a window a developer can move.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Protocol

import pygame

from kiosk.domain.flow import ChooseLanguage, Flow, Touch
from kiosk.site.model import SiteConfig
from kiosk.ui.loop import FlowRunner, KioskLoop, Presenter
from kiosk.ui.touch import Touches
from kiosk.ui.view import KioskView

log = logging.getLogger(__name__)


def video_driver(env: Mapping[str, str]) -> str | None:
    """The SDL video driver to ask for: the one set, kmsdrm without a desktop, else SDL's default."""
    if env.get("SDL_VIDEODRIVER"):
        return env["SDL_VIDEODRIVER"]
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        return "kmsdrm"
    return None


class OpenKiosk(Protocol):
    """What the shell hands the UI once the devices and the ticket store are open (a
    `kiosk.shell.app.KioskApp`): the runtime to drive, whether any device is simulated, and a
    way to close it all."""

    @property
    def runtime(self) -> FlowRunner: ...

    @property
    def simulated(self) -> bool: ...

    def close(self) -> None: ...


def run_kiosk(
    config: SiteConfig,
    clock: Callable[[], datetime],
    open_kiosk: Callable[[], OpenKiosk],
    *,
    until: Callable[[KioskLoop], bool] | None = None,
    shown: Callable[[], None] | None = None,
) -> int:
    """Run the kiosk until it is stopped (systemd, Ctrl+C, the window closed). `until`, asked
    after each turn of the loop, ends it too (the benchmarks); `shown` is called once the first
    frame is on the screen.

    The welcome screen is drawn before `open_kiosk` opens the devices and the ticket store (the
    printer library alone takes about half a second to import): the screen is never left black
    while the kiosk starts. Touches wait for the loop."""
    driver = video_driver(os.environ)
    if driver is not None:
        os.environ["SDL_VIDEODRIVER"] = driver
    pygame.display.init()  # SDL reads SDL_VIDEODRIVER here; no audio: the kiosk makes no sound through SDL
    pygame.font.init()
    actual = pygame.display.get_driver()
    frame_size = config.screen.size
    if config.screen.fullscreen and actual in ("kmsdrm", "KMSDRM"):
        display = pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
        pygame.mouse.set_visible(False)
    else:
        display = pygame.display.set_mode(_window_size(frame_size, pygame.display.get_desktop_sizes()))
        pygame.display.set_caption(config.site.name.get(config.site.default_language))
    log.info("video driver %s, display %s, frame %s", actual, display.get_size(), frame_size)

    presenter = Presenter(display, frame_size)
    view = KioskView(config, target=display if presenter.direct else None)
    presenter.show(view.render(Flow(config).start(clock()), clock()))
    pygame.display.flip()
    if shown is not None:
        shown()

    # systemd stops the unit with SIGTERM: leave through `finally`, closing the ticket store.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    kiosk = open_kiosk()
    try:
        view.simulation = kiosk.simulated  # the SIMULATION sign from the next frame on
        warm(view, kiosk.runtime.flow, clock())
        loop = KioskLoop(kiosk.runtime, view, presenter, Touches(display.get_size()))
        loop.run(lambda event: event.type == pygame.QUIT, until or (lambda loop: False))
    finally:
        kiosk.close()
        pygame.display.quit()  # fonts stay open: the process ends here anyway
    return 0


def warm(view: KioskView, flow: Flow, now: datetime) -> None:
    """Draw, unseen, the screens every visit starts with: the language choice, and the procedure
    menu in the site's default language. The first visitor's taps then find their glyphs
    rasterised and their lines wrapped (tens of milliseconds a tap). Other languages are not
    warmed: their fonts (Noto CJK for zh-Hans and vi) cost memory only once someone needs them.
    The loop's first turn draws the welcome screen again."""
    language, _ = flow.transition(flow.start(now), Touch(), now)
    procedure, _ = flow.transition(language, ChooseLanguage(flow.config.site.default_language), now)
    for state in (language, procedure):
        view.render(state, now)


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _window_size(frame: tuple[int, int], desktops: list[tuple[int, int]]) -> tuple[int, int]:
    """The frame's size, or smaller keeping its shape, to fit nine tenths of the desktop."""
    if not desktops or desktops[0][1] <= 0:
        return frame
    room_w, room_h = desktops[0][0] * 0.9, desktops[0][1] * 0.9
    scale = min(1.0, room_w / frame[0], room_h / frame[1])
    return (round(frame[0] * scale), round(frame[1] * scale))
