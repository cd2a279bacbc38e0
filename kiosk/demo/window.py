"""The playable demo window: the kiosk frame on the left, a device panel outside it on the right.

The panel (and the keyboard) does to the simulated devices what happens in a real lobby: a card
is placed or lifted mid-read, the paper runs out, the reader is unplugged, a counter calls the
next number. The kiosk frame only sees those through its drivers, as on the appliance.

The loop polls events 25 times a second and redraws only when the state changed or a visible
countdown ticks: an idle kiosk must cost next to nothing (device-facts.md).

One of the three places outside kiosk/ui that import pygame (tests/architecture/test_layering.py):
the window, its panel and the keys are the demo's own; the kiosk frame in it is drawn by kiosk/ui.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pygame

from drivers.card.profiles import PROFILES
from drivers.card.settings import ReaderBackend
from drivers.display.sim import SimQueueDisplay
from drivers.interfaces import CardPresence, PaperState
from kiosk.demo.card import DemoCard
from kiosk.demo.printer import DemoPrinter
from kiosk.demo.wires import CALL_PIN, NO_SHOW_PIN, DemoWires
from kiosk.errors import KioskError
from kiosk.fonts import Face, font_path
from kiosk.queue.lifecycle import CallingStore
from kiosk.queue.stores import open_calling, open_kiosk_tickets
from kiosk.shell.runtime import Devices, Runtime
from kiosk.site.model import ScreenConfig, SiteConfig
from kiosk.ui.png import save_png
from kiosk.ui.touch import Touches
from kiosk.ui.view import KioskView

log = logging.getLogger(__name__)

POLL_HZ = 25
PANEL_WIDTH = 380
WIRES_WIDTH = 380  # a second column: the lobby's wires (number board, counter displays and buttons)
LED_ON = (255, 176, 0)  # the board's amber LEDs
SEGMENT_ON = (235, 30, 30)
LED_OFF = (40, 36, 30)
INK = (20, 20, 20)
PANEL_BG = (226, 230, 236)
BUTTON_BG = (250, 250, 250)
ACTIVE_BG = (255, 214, 102)


@dataclass
class PanelButton:
    label: str
    action: Callable[[], None]
    group: str
    key: int | None = None
    active: Callable[[], bool] | None = None
    rect: pygame.Rect | None = None


class DemoClock:
    """Real time, optionally shifted so the demo can start at, say, 09:15 on a weekday."""

    def __init__(self, timezone: str, at: datetime | None) -> None:
        self.zone = ZoneInfo(timezone)
        self.offset = (at - datetime.now(self.zone)) if at is not None else timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(self.zone) + self.offset

    def skip(self, minutes: int) -> None:
        self.offset += timedelta(minutes=minutes)


def run_window(
    config: SiteConfig,
    screen: ScreenConfig,
    out_dir: Path,
    at: datetime | None,
    lang: str | None,
    printer_url: str | None = None,
    reader: ReaderBackend = ReaderBackend.SIM,
) -> int:
    pygame.display.init()  # no audio: the kiosk makes no sound through SDL
    pygame.font.init()
    size = screen.size
    info = pygame.display.Info()
    # Fit the kiosk frame to the laptop screen, keeping its aspect ratio.
    max_h = max(480, int(info.current_h * 0.9)) if info.current_h > 0 else 960
    scale = min(1.0, max_h / size[1])
    frame = (int(size[0] * scale), int(size[1] * scale))
    window = pygame.display.set_mode((frame[0] + PANEL_WIDTH + WIRES_WIDTH, max(frame[1], 760)))
    pygame.display.set_caption(f"Lobby kiosk demo — {config.site.name.get('en')} (SIMULATION)")

    clock = DemoClock(config.site.timezone, at)
    card = DemoCard(reader, config, today=lambda: clock().date())  # the simulated reader, or pcscd + emulator
    scratch = tempfile.TemporaryDirectory(prefix="kiosk-demo-")
    # The real ESC/POS driver, printing to the emulator (or to --printer): tickets come back as PNGs.
    printer = DemoPrinter(config, out_dir / "printed", Path(scratch.name), printer_url)
    # The demo's own SQLite file in the scratch folder, or the shared database of --store.
    local = replace(config, storage=replace(config.storage, data_dir=Path(scratch.name)))
    store = open_kiosk_tickets(local, clock)
    # The wait the screens tell, once counters call from this queue (the lobby service beside the demo).
    calling = open_calling(local)
    display = SimQueueDisplay()
    # The number board (emulator on a pty) and the counters' displays and buttons (mock pins),
    # driven by the lobby service's own wiring over this ticket file.
    wires = DemoWires(local, Path(scratch.name), clock)
    runtime = Runtime(
        config=config,
        devices=Devices(reader=card.reader, printer=printer.driver, display=display, simulated=True),
        store=store,
        clock=clock,
        calling=calling,
    )
    view = KioskView(config, screen, simulation=True)
    panel = _panel(config, runtime, card, printer, clock, calling)
    wire_buttons = _wire_buttons(wires)
    lobby = _start_lobby(config, Path(scratch.name), at)
    font = pygame.font.Font(str(font_path(Face.REGULAR)), 17)
    small = pygame.font.Font(str(font_path(Face.REGULAR)), 13)
    print(
        f"Demo running. Printed tickets go to {out_dir / 'printed'}. "
        "Keys: see the panel; F12 saves a screenshot; Esc quits."
    )

    touches = Touches(window.get_size())
    ticker = pygame.time.Clock()
    drawn_version, drawn_second, drawn_wires = -1, None, wires.signature()
    try:
        while True:
            for event in pygame.event.get():
                if event.type == pygame.QUIT or (event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE):
                    return 0
                pos = touches.press(event)  # one action per touch, debounced (touch.py)
                if pos is not None:
                    x, y = pos
                    if x < frame[0]:
                        touch = view.press((int(x / scale), int(y / scale)))
                        if touch is not None:
                            runtime.dispatch(touch)
                    else:
                        _click_panel(panel + wire_buttons, event.pos)
                    drawn_version = -1
                if event.type == pygame.KEYDOWN and event.key == pygame.K_F12:
                    shot = out_dir / f"window-{pygame.time.get_ticks()}.png"
                    save_png(window, shot)
                    print(f"screenshot: {shot}")
                if event.type == pygame.KEYDOWN:
                    for button in panel + wire_buttons:
                        if button.key == event.key:
                            button.action()
                            drawn_version = -1
            runtime.poll()
            left = runtime.flow.idle_seconds_left(runtime.state, clock())
            second = int(left) if left is not None and left <= 30 else None
            seen_wires = wires.signature()
            if runtime.version != drawn_version or second != drawn_second or seen_wires != drawn_wires:
                drawn_version, drawn_second, drawn_wires = runtime.version, second, seen_wires
                surface = view.render(runtime.state, clock())
                window.fill(PANEL_BG)
                window.blit(pygame.transform.smoothscale(surface, frame), (0, 0))
                _draw_panel(window, frame[0], panel, font, small, runtime, card, printer, display, clock)
                draw_wires(window, frame[0] + PANEL_WIDTH + 12, 10, wires, wire_buttons, font, small)
                pygame.display.flip()
            ticker.tick(POLL_HZ)
    finally:
        if lobby is not None:
            lobby.terminate()  # it stops in seconds (streams watch its shutdown)
            lobby.wait(timeout=10)
        wires.close()
        store.close()
        calling.close()
        printer.close()
        card.close()
        scratch.cleanup()
        pygame.quit()


LOBBY_PORT = 8080


def _start_lobby(config: SiteConfig, data_dir: Path, at: datetime | None) -> subprocess.Popen[bytes] | None:
    """`kiosk lobby` beside the window, on the demo's ticket file, on this machine only; None (and
    the reason printed) when it cannot start, so the kiosk demo still runs."""
    command = [sys.executable, "-m", "kiosk", "lobby", "--config", str(config.source), "--data-dir", str(data_dir)]
    if config.storage.url is not None:
        command += ["--store", config.storage.url]
    command += ["--host", "127.0.0.1", "--port", str(LOBBY_PORT)]
    if at is not None:
        command += ["--at", at.isoformat()]
    # A demo account for the consoles, in the demo's scratch folder only (never the site's accounts).
    staff = [sys.executable, "-m", "kiosk", "staff", "add", "demo", "--all", "--password-stdin"]
    staff += ["--config", str(config.source), "--data-dir", str(data_dir)]
    try:
        subprocess.run(staff, input=b"demo-demo\n", check=True, capture_output=True, timeout=30)
        lobby = subprocess.Popen(command)
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"lobby service not started: {exc}")
        return None
    url = f"http://127.0.0.1:{LOBBY_PORT}"
    print(f"Lobby screen: {url}/screen   counter consoles: {url}/counter/<id>, e.g. {url}/counter/c13")
    print("Console login for the demo: demo / demo-demo")
    return lobby


def _panel(
    config: SiteConfig,
    runtime: Runtime,
    reader: DemoCard,
    printer: DemoPrinter,
    clock: DemoClock,
    calling: CallingStore,
) -> list[PanelButton]:
    buttons: list[PanelButton] = []
    keys = [getattr(pygame, f"K_{c}") for c in "1234567890qwtyuiz"]
    for index, name in enumerate(PROFILES):
        key = keys[index] if index < len(keys) else None

        def place(name: str = name) -> None:
            reader.place(name)

        def placed(name: str = name) -> bool:
            return reader.card is not None and reader.card.name == name

        hint = f"[{pygame.key.name(key)}] " if key is not None else ""
        buttons.append(PanelButton(f"{hint}{name}", place, "cards", key, placed))
    buttons += [
        PanelButton("[x] remove card", reader.remove, "devices", pygame.K_x),
        PanelButton("[m] lift during read", reader.pull_during_next_read, "devices", pygame.K_m),
        PanelButton("[p] reader un/plug", lambda: _toggle_reader(reader), "devices", pygame.K_p),
        PanelButton("[e] paper empty", lambda: printer.set_paper(PaperState.END), "devices", pygame.K_e),
        PanelButton("[n] paper near end", lambda: printer.set_paper(PaperState.NEAR_END), "devices", pygame.K_n),
        PanelButton("[r] new paper roll", lambda: printer.set_paper(PaperState.OK), "devices", pygame.K_r),
        PanelButton("[o] printer offline", lambda: _toggle_offline(printer), "devices", pygame.K_o),
        PanelButton(
            "[c] printer cover", lambda: printer.set_cover_open(not printer.status().cover_open), "devices", pygame.K_c
        ),
        PanelButton("[h] clock +1 hour", lambda: clock.skip(60), "devices", pygame.K_h),
    ]
    for counter in config.counters.values():

        def call(counter_id: str = counter.id, number: str = counter.number) -> None:
            # The same store call as `kiosk call next` and the consoles: the lobby screen sees it too.
            try:
                called = calling.call_next(counter_id, clock())
            except KioskError as exc:  # the counter is closed for the day, say
                print(f"counter {number}: {exc}")
                return
            if called is not None:
                runtime.call_number(number, called.label)

        buttons.append(PanelButton(f"call next at {counter.number}", call, "counters"))
    return buttons


def _toggle_reader(reader: DemoCard) -> None:
    if reader.poll() is CardPresence.READER_GONE:
        reader.plug()
    else:
        reader.unplug()


def _toggle_offline(printer: DemoPrinter) -> None:
    printer.set_offline(printer.status().online is not False)


def _click_panel(panel: list[PanelButton], pos: tuple[int, int]) -> None:
    for button in panel:
        if button.rect is not None and button.rect.collidepoint(pos):
            button.action()
            return


def _draw_panel(
    window: pygame.Surface,
    left: int,
    panel: list[PanelButton],
    font: pygame.font.Font,
    small: pygame.font.Font,
    runtime: Runtime,
    reader: DemoCard,
    printer: DemoPrinter,
    display: SimQueueDisplay,
    clock: DemoClock,
) -> None:
    x, y = left + 12, 10
    window.blit(font.render("SIMULATED DEVICES", True, INK), (x, y))
    y += 26
    window.blit(small.render(clock().strftime("%a %Y-%m-%d %H:%M:%S %Z"), True, INK), (x, y))
    y += 24
    groups: dict[str, list[PanelButton]] = {}
    for button in panel:
        groups.setdefault(button.group, []).append(button)
    for buttons in groups.values():
        y = _draw_buttons(window, x, y, buttons, small)
    y += 6
    lines = [
        f"reader: {reader.poll().value}",
        f"printer: paper {printer.status().paper.value}, online={printer.status().online}, "
        f"cover open={printer.status().cover_open}",
        f"printer as the kiosk last saw it: {printer.driver.health().detail}",
        f"tickets printed: {len(printer.printed)}",
        f"staff calls: {runtime.staff_calls}",
    ]
    if display.shown:
        counter, label = display.shown[-1].lines[0]
        lines.append(f"lobby display: {label} → counter {counter}")
    for line in lines:
        window.blit(small.render(line, True, INK), (x, y))
        y += 19


def _draw_buttons(window: pygame.Surface, x: int, y: int, buttons: list[PanelButton], small: pygame.font.Font) -> int:
    """One group as a two-column grid of small buttons (every action fits beside the kiosk frame);
    returns the y below it."""
    column = (PANEL_WIDTH - 30) // 2
    for index, button in enumerate(buttons):
        rect = pygame.Rect(x + (column + 6) * (index % 2), y + 25 * (index // 2), column, 22)
        button.rect = rect
        active = button.active() if button.active else False
        pygame.draw.rect(window, ACTIVE_BG if active else BUTTON_BG, rect, border_radius=4)
        pygame.draw.rect(window, (150, 150, 150), rect, 1, border_radius=4)
        window.blit(small.render(button.label, True, INK), (rect.x + 6, rect.y + 3))
    return y + 25 * ((len(buttons) + 1) // 2) + 10


def _wire_buttons(wires: DemoWires) -> list[PanelButton]:
    """Keys for the number board's faults and the first counter's buttons (mock pins)."""
    board, first = wires.board, wires.counters[0]
    return [
        PanelButton("[a] board: NAK next 3", lambda: board.nak_next(3), "board", pygame.K_a),
        PanelButton("[s] board: drop next 3", lambda: board.drop_next(3), "board", pygame.K_s),
        PanelButton("[d] board: garble next 3", lambda: board.garble_next(3), "board", pygame.K_d),
        PanelButton("[f] board: power-cycle", board.power_cycle, "board", pygame.K_f),
        PanelButton(
            "[g] board: silent", lambda: board.set_silent(not board.silent), "board", pygame.K_g, lambda: board.silent
        ),
        PanelButton(f"[b] {first}: call button", lambda: wires.press(CALL_PIN), "board", pygame.K_b),
        PanelButton(f"[l] {first}: hold = recall", lambda: wires.press(CALL_PIN, 1.3), "board", pygame.K_l),
        PanelButton(f"[j] {first}: no-show button", lambda: wires.press(NO_SHOW_PIN), "board", pygame.K_j),
    ]


# Where each segment of a 7-segment digit sits, in a 20 x 36 box: bit 0 = a ... bit 6 = g.
_SEGMENTS = (
    (3, 0, 14, 4),  # a
    (16, 3, 4, 14),  # b
    (16, 19, 4, 14),  # c
    (3, 32, 14, 4),  # d
    (0, 19, 4, 14),  # e
    (0, 3, 4, 14),  # f
    (3, 16, 14, 4),  # g
)


def draw_wires(
    window: pygame.Surface,
    x: int,
    y: int,
    wires: DemoWires,
    buttons: list[PanelButton],
    font: pygame.font.Font,
    small: pygame.font.Font,
) -> None:
    """The lobby's wires: their keys, the number board as its emulator shows it and each counter's
    display as its chip emulator decoded the waveform, with every wired device's health."""
    window.blit(font.render("LOBBY WIRES", True, INK), (x, y))
    y += 26
    window.blit(small.render("what kiosk lobby drives: serial board, GPIO", True, INK), (x, y))
    y = _draw_buttons(window, x, y + 24, buttons, small) + 6
    window.blit(small.render(f"number board {wires.board.address} (emulator on a pty)", True, INK), (x, y))
    y += 20
    blink_off = int(pygame.time.get_ticks() / 500) % 2 == 1
    led_font = pygame.font.Font(None, 30)  # pygame's own font: a dot-matrix look, ASCII only as the board
    for row, counter, text, flashing in wires.rows():
        box = pygame.Rect(x, y, PANEL_WIDTH - 30, 26)
        pygame.draw.rect(window, (0, 0, 0), box)
        lit = LED_OFF if flashing and blink_off else LED_ON
        window.blit(small.render(f"{row}", True, (120, 120, 120)), (x + 6, y + 5))
        led = led_font.render(text or "", True, lit)
        window.blit(led, (x + 30, y + 3))
        window.blit(small.render(f"counter {counter}", True, (120, 120, 120)), (box.right - 90, y + 5))
        y += 30
    y += 6
    for index, (counter, codes) in enumerate(wires.digits()):
        left = x + index * 170
        window.blit(small.render(f"display {counter} (TM1637)", True, INK), (left, y))
        pygame.draw.rect(window, (0, 0, 0), pygame.Rect(left, y + 18, 150, 48))
        for position, code in enumerate(codes):
            for bit, (sx, sy, w, h) in enumerate(_SEGMENTS):
                colour = SEGMENT_ON if code >> bit & 1 else LED_OFF
                pygame.draw.rect(window, colour, pygame.Rect(left + 10 + position * 35 + sx, y + 24 + sy, w, h))
    y += 74
    for health in wires.health():
        line = f"{health.device}: {health.state.value}, {health.detail}"
        if small.size(line)[0] > PANEL_WIDTH - 24:  # the detail on a line of its own
            window.blit(small.render(f"{health.device}: {health.state.value}", True, INK), (x, y))
            y, line = y + 17, f"    {health.detail}"
        window.blit(small.render(line, True, INK), (x, y))
        y += 17
