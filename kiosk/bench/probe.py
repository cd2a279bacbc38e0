"""Measurements of the real screens and event loop for `kiosk.bench.ui`, each in a process of its own.

    python -m kiosk.bench.probe first-frame|idle|idle-sim-reader|frames|visit|print|dead-printer CONFIG_DIR

Prints one JSON object. The process is fresh, so font loading and first renders count as they
would after a restart. The ticket database goes to a temporary folder; everything else is the
site config as shipped (SDL's dummy video driver: no window).

One of the three places outside kiosk/ui that import pygame (tests/architecture/test_layering.py):
it posts SDL events and times frames on the display, as the appliance shows them.
"""

from __future__ import annotations

import itertools
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

from kiosk.site.load import load_site_config
from kiosk.site.model import SiteConfig, Storage

IDLE_S = 20.0
# Start-up work (the first printer check connects and asks its status; the card watcher's
# first look) is not idling: the window opens once the kiosk has settled.
SETTLE_S = 3.0
PASSES = 3


def _config(folder: str, scratch: str) -> SiteConfig:
    return replace(load_site_config(folder), storage=Storage(data_dir=Path(scratch)))


def first_frame(config: SiteConfig) -> dict[str, float]:
    """Prints "frame" the moment the first frame is on the display; the parent times it."""
    from kiosk.commands.run import run_appliance

    run_appliance(config, shown=lambda: print("frame", flush=True), until=lambda loop: True)
    return {}


def idle(config: SiteConfig) -> dict[str, float]:
    """CPU of this process while the real loop idles on the welcome screen, once settled."""
    from kiosk.commands.run import run_appliance
    from kiosk.ui.loop import KioskLoop

    began = time.monotonic()
    start: list[float] = []

    def until(loop: KioskLoop) -> bool:
        if not start:
            if time.monotonic() - began >= SETTLE_S:
                start[:] = [time.monotonic(), time.process_time()]
            return False
        return time.monotonic() - start[0] >= IDLE_S

    run_appliance(config, until=until)
    wall, cpu = time.monotonic() - start[0], time.process_time() - start[1]
    return {"idle_cpu_percent": 100 * cpu / wall}


def idle_sim_reader(config: SiteConfig) -> dict[str, float]:
    """The same with the simulated card reader: the loop's own cost, without the PC/SC watcher."""
    from drivers.card.settings import ReaderBackend

    figures = idle(replace(config, reader=replace(config.reader, backend=ReaderBackend.SIM)))
    return {"idle_cpu_percent_sim_reader": figures["idle_cpu_percent"]}


def frames(config: SiteConfig) -> dict[str, float]:
    """Every gallery screen in ja and en, drawn and shown as the loop does, `PASSES` times.

    The first pass draws every line of text for the first time (rasterising glyphs, wrapping);
    later passes find them in the caches, as a kiosk does after its first visitors. Timed as
    the CPU time of this thread: other processes on a shared development machine do not count
    (on the appliance nothing else runs, and the two are the same)."""
    import pygame

    from kiosk.demo.gallery import scenarios
    from kiosk.ui.loop import Presenter
    from kiosk.ui.view import KioskView

    pygame.display.init()
    display = pygame.display.set_mode(config.screen.size)
    presenter = Presenter(display, config.screen.size)
    view = KioskView(config, target=display if presenter.direct else None)  # as kiosk run does
    passes: list[list[float]] = []
    for _ in range(PASSES):
        timings: list[float] = []
        for lang in ("ja", "en"):
            for scenario in scenarios(config, lang):
                view.config = scenario.config
                begin = time.thread_time()
                presenter.show(view.render(scenario.state, scenario.now))
                pygame.display.flip()
                timings.append((time.thread_time() - begin) * 1000)
        passes.append(timings)
    warm = [t for timings in passes[1:] for t in timings]
    return {
        "frame_p95_ms": statistics.quantiles(warm, n=20)[-1],
        "frame_median_ms": statistics.median(warm),
        "frame_first_pass_p95_ms": statistics.quantiles(passes[0], n=20)[-1],
    }


# A renewal visit in Japanese, tap by tap: no card needed, a ticket printed (the demo's emulated printer).
VISIT = (
    "start",
    "lang:ja",
    "procedure:renewal",
    "answer:current:license_only",
    "answer:wanted:license_only",
    "answer:lecture_class:excellent",
    "continue",
    "continue",
)


def visit(config: SiteConfig) -> dict[str, float]:
    """A whole visit through the real loop: finger events posted to SDL's queue from another
    thread (as SDL's touch input arrives), each after the previous frame was shown; the time from
    each to the next frame on the display, and the memory of the process at the end."""
    import pygame

    from kiosk.demo.gallery import MORNING
    from kiosk.demo.printer import DemoPrinter
    from kiosk.queue.sqlite_store import SqliteTicketStore
    from kiosk.shell.devices import build_devices
    from kiosk.shell.runtime import Runtime
    from kiosk.ui.app import warm
    from kiosk.ui.loop import KioskLoop, Presenter
    from kiosk.ui.touch import DEBOUNCE_S, Touches
    from kiosk.ui.view import KioskView

    pygame.display.init()
    display = pygame.display.set_mode(config.screen.size)
    shown: list[float] = []

    class Timed(Presenter):
        def show(self, frame: pygame.Surface) -> None:
            super().show(frame)
            shown.append(time.perf_counter())

    data = config.storage.data_dir
    printer = DemoPrinter(config, data / "printed", data)  # the ESC/POS driver and the emulator
    devices = replace(build_devices(config, today=MORNING.date), printer=printer.driver)
    store = SqliteTicketStore(data / "tickets.sqlite3")
    opened = time.monotonic()

    def clock() -> datetime:  # a Monday morning (renewal open), running at the real pace
        return MORNING + timedelta(seconds=time.monotonic() - opened)

    runtime = Runtime(config=config, devices=devices, store=store, clock=clock)
    presenter = Timed(display, config.screen.size)
    view = KioskView(config, simulation=devices.simulated, target=display if presenter.direct else None)
    warm(view, runtime.flow, clock())  # as kiosk run does before its loop
    loop = KioskLoop(runtime, view, presenter, Touches(display.get_size()))
    posted: list[float] = []
    missed: list[str] = []
    w, h = config.screen.size

    def tapper() -> None:
        for button_id in VISIT:
            frames = len(shown)
            time.sleep(DEBOUNCE_S + 0.15)  # a visitor reads, then taps
            rect = None
            for _ in range(40):  # the loop may be drawing: ask again until the button is there
                rect = view.buttons().get(button_id)
                if rect is not None and len(shown) >= frames:
                    break
                time.sleep(0.05)
            if rect is None:
                missed.append(button_id)
                return
            x, y = rect.center
            posted.append(time.perf_counter())
            pygame.event.post(pygame.event.Event(pygame.FINGERDOWN, x=x / w, y=y / h, touch_id=1, finger_id=0))
        time.sleep(0.3)

    thread = threading.Thread(target=tapper, daemon=True)
    thread.start()
    loop.run(lambda event: False, lambda loop: not thread.is_alive())
    if missed or len(runtime.issued) != 1:
        raise RuntimeError(f"the visit did not get its ticket (missed {missed}, at {runtime.state.screen})")
    latencies = [(min(t for t in shown if t >= p) - p) * 1000 for p in posted]
    rss = _rss_mb()
    store.close()
    printer.close()
    return {
        "touch_to_frame_ms": statistics.median(latencies),
        "touch_to_frame_max_ms": max(latencies),
        "rss_mb": rss,
    }


def _turns(config: SiteConfig, url: str, data: Path) -> tuple[list[tuple[float, float, bool]], list[float]]:
    """The VISIT tapped through the real loop with the printer at `url` (the real ESC/POS driver):
    every turn of the loop as (start, end, whether the ticket was being printed), and the times
    the loop came round (`until` is asked after each turn)."""
    import pygame

    from drivers.printer.escpos_printer import EscposTicketPrinter
    from drivers.printer.settings import PrinterConnection
    from kiosk.demo.gallery import MORNING
    from kiosk.domain.flow import TicketStage
    from kiosk.queue.sqlite_store import SqliteTicketStore
    from kiosk.shell.devices import build_devices
    from kiosk.shell.runtime import Runtime
    from kiosk.ui.app import warm
    from kiosk.ui.loop import KioskLoop, Presenter
    from kiosk.ui.touch import DEBOUNCE_S, Touches
    from kiosk.ui.view import KioskView

    pygame.display.init()
    display = pygame.display.set_mode(config.screen.size)
    printer = EscposTicketPrinter.from_config(replace(config.printer, connection=PrinterConnection.parse(url)), data)
    devices = replace(build_devices(config, today=MORNING.date), printer=printer)
    store = SqliteTicketStore(data / "tickets.sqlite3")
    opened = time.monotonic()

    def clock() -> datetime:  # a Monday morning (renewal open), running at the real pace
        return MORNING + timedelta(seconds=time.monotonic() - opened)

    runtime = Runtime(config=config, devices=devices, store=store, clock=clock)
    turns: list[tuple[float, float, bool]] = []
    rounds: list[float] = []

    class Timed(KioskLoop):
        def refresh(self) -> bool:
            began = time.perf_counter()
            printing = runtime.state.visit.ticket_stage is TicketStage.ISSUING
            drew = super().refresh()
            turns.append((began, time.perf_counter(), printing))
            return drew

    presenter = Presenter(display, config.screen.size)
    view = KioskView(config, simulation=devices.simulated, target=display if presenter.direct else None)
    warm(view, runtime.flow, clock())
    loop = Timed(runtime, view, presenter, Touches(display.get_size()))
    w, h = config.screen.size
    missed: list[str] = []

    def tapper() -> None:
        for button_id in VISIT[:-1]:  # up to "get a ticket"
            time.sleep(DEBOUNCE_S + 0.15)
            rect = None
            for _ in range(40):
                rect = view.buttons().get(button_id)
                if rect is not None:
                    break
                time.sleep(0.05)
            if rect is None:
                missed.append(button_id)
                return
            pygame.event.post(pygame.event.Event(pygame.FINGERDOWN, x=rect.centerx / w, y=rect.centery / h))
        for _ in range(300):  # until the printer has answered (30 s at most)
            time.sleep(0.1)
            if runtime.state.visit.ticket_stage not in (None, TicketStage.ISSUING):
                break
        time.sleep(0.3)

    thread = threading.Thread(target=tapper, daemon=True)
    thread.start()

    def until(loop: KioskLoop) -> bool:
        rounds.append(time.perf_counter())
        return not thread.is_alive()

    loop.run(lambda event: False, until)
    runtime.close()
    store.close()
    printer.close()
    if missed:
        raise RuntimeError(f"the visit could not tap {missed} (at {runtime.state.screen})")
    return turns, rounds


def during_print(config: SiteConfig) -> dict[str, float]:
    """`frame_p95_ms_during_print`: a ticket printed on a serial printer at 115,200 baud (the
    emulator behind a paced pty, kiosk/bench/line.py); each turn of the loop while "Printing your
    ticket…" is up (poll the devices, draw if anything changed), timed from its start to its
    frame on the display. `print_s`: how long the ticket took, tap to number."""
    from drivers.printer.emulator import PrinterEmulator
    from kiosk.bench.line import PrinterLine
    from kiosk.ticket.render import compose

    data = config.storage.data_dir
    with PrinterEmulator(data / "printed", config.printer.width_dots, draw=compose) as emulator:
        with PrinterLine(emulator.serve_tcp()) as line:
            device = line.serve_pty(115200)
            turns, _ = _turns(config, f"serial://{device}?baud=115200&flow=none", data)
        if len(emulator.printed) != 1:
            raise RuntimeError("the serial printer did not print the ticket")
    printing = [(end - start) * 1000 for start, end, busy in turns if busy]
    window = [start for start, _, busy in turns if busy]
    return {
        "frame_p95_ms_during_print": statistics.quantiles(printing, n=20)[-1] if len(printing) > 1 else printing[0],
        "frames_during_print": float(len(printing)),
        "print_s": window[-1] - window[0] if window else 0.0,
    }


def dead_printer(config: SiteConfig) -> dict[str, float]:
    """`max_frame_gap_ms`: the longest time between two turns of the loop over a whole visit (the
    welcome screen's printer check, the taps, "get a ticket" and its refusal) with a network
    printer that accepts connections and never answers (kiosk/bench/line.py)."""
    from kiosk.bench.line import dead_printer as dead

    server, url = dead()
    try:
        _, rounds = _turns(config, url, config.storage.data_dir)
    finally:
        server.close()
    return {"max_frame_gap_ms": max(b - a for a, b in itertools.pairwise(rounds)) * 1000}


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


PROBES = {
    "first-frame": first_frame,
    "idle": idle,
    "idle-sim-reader": idle_sim_reader,
    "frames": frames,
    "visit": visit,
    "print": during_print,
    "dead-printer": dead_printer,
}


def main(argv: list[str]) -> int:
    name, folder = argv
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as scratch:
        result = PROBES[name](_config(folder, scratch))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
