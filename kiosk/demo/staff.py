"""`kiosk demo --headless --scenario staff-morning --out DIR`: the staff page through a morning, photographed.

A kiosk runs as `kiosk run` wires it (kiosk/shell/app.py: devices, store, staff link) with the
printer emulator and the simulated reader, its loop turned as the UI turns it; visitors' tickets come
through the kiosk's own flow first (the headless scenarios, on the same ticket database).
`kiosk lobby` serves that database in its own process; a clerk logs in to /staff in headless
Chromium. Then the morning's troubles, each photographed as DIR/staff/NN-*.png: all well; the paper
runs out (the alert, red, with its sound); acknowledged; the kiosk put out of service (and the
kiosk's own screen saying so, DIR/staff/kiosk-out-of-service.png); the page in English; the card
reader unplugged; back in service with a new roll.
"""

from __future__ import annotations

import json
import secrets
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from drivers.card.settings import ReaderBackend
from drivers.card.sim import SimCardReader
from drivers.interfaces import PaperState
from drivers.printer.emulator import PrinterEmulator
from drivers.printer.settings import PrinterConnection
from kiosk.demo.lobby import CHROMIUM, CHROMIUM_ARGS, VISITS, _Lobby
from kiosk.demo.runner import run_scenario
from kiosk.demo.scenarios import MORNING, SCENARIOS
from kiosk.domain.flow import Screen
from kiosk.errors import UsageError
from kiosk.lobby.auth import StaffFile
from kiosk.lobby.server import clock_from
from kiosk.shell.app import KioskApp, open_kiosk
from kiosk.site.model import SiteConfig, Storage
from kiosk.ticket.render import compose

NAME = "staff-morning"
DESCRIPTION = "the staff page through a morning: paper end alert, out of service, reader unplugged (PNGs)"
SHOT = {"width": 1280, "height": 900}


class _TurningKiosk:
    """The kiosk's loop turned 5 times a second on a thread, as on the welcome screen."""

    def __init__(self, app: KioskApp) -> None:
        self.app = app
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._turn, name="demo-kiosk-loop", daemon=True)
        self._thread.start()

    def _turn(self) -> None:
        while not self._stop.wait(0.2):
            self.app.runtime.poll()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.app.close()


def run_staff_morning(config: SiteConfig, out: Path) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise UsageError(f"{NAME} needs Debian's chromium at {CHROMIUM} (make setup installs it)")
    shots = out / "staff"
    shots.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kiosk-staff-morning-") as scratch:
        data_dir = Path(scratch) / "data"
        for n, name in enumerate(VISITS[:8]):
            run_scenario(config, SCENARIOS[name], Path(scratch) / "visits" / f"{n:02d}-{name}", data_dir=data_dir)
        password = secrets.token_urlsafe(12)
        StaffFile(data_dir).add("demo", password, None)
        with PrinterEmulator(Path(scratch) / "printed", draw=compose) as emulator:
            url = f"tcp://127.0.0.1:{emulator.serve_tcp()}"
            kiosk_config = replace(
                config,
                storage=Storage(data_dir=data_dir),
                reader=replace(config.reader, backend=ReaderBackend.SIM),
                printer=replace(config.printer, connection=PrinterConnection.parse(url)),
            )
            kiosk = _TurningKiosk(open_kiosk(kiosk_config, clock_from(MORNING, config.site.timezone)))
            try:
                with _Lobby(config, data_dir) as lobby, sync_playwright() as playwright:
                    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                    try:
                        taken = _morning(browser, lobby.base, password, shots, kiosk, emulator)
                    finally:
                        browser.close()
            finally:
                kiosk.close()
    summary = {"scenario": NAME, "screens": sorted(p.name for p in shots.glob("*.png")), "steps": taken}
    (out / "result.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    return summary


def _morning(
    browser: Any, base: str, password: str, shots: Path, kiosk: _TurningKiosk, emulator: PrinterEmulator
) -> list[str]:
    kid = kiosk.app.config.site.kiosk_id
    card = f'.card[data-kiosk="{kid}"]'
    page = browser.new_context(viewport=SHOT).new_page()
    page.goto(f"{base}/staff")
    page.fill("input[name=name]", "demo")
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector(f'{card}[data-light="green"]', timeout=30_000)
    steps: list[str] = []

    def shot(name: str) -> None:
        time.sleep(0.3)  # the stream's next message drawn
        page.screenshot(path=str(shots / f"{len(steps) + 1:02d}-{name}.png"), full_page=True)
        steps.append(name)

    shot("all-well")
    emulator.set_paper(PaperState.END)
    page.wait_for_selector('.alert[data-part="printer"]', timeout=10_000)
    shot("paper-end-alert")
    page.click('.alert[data-part="printer"] button')
    page.wait_for_selector('.alert.acked[data-part="printer"]')
    shot("acknowledged")
    page.click(f'{card} button[data-action="out_of_service"]')
    _until(lambda: kiosk.app.runtime.state.screen is Screen.OUT_OF_SERVICE)
    page.wait_for_selector(f'{card} button[data-action="in_service"]')
    shot("out-of-service")
    _kiosk_screen(kiosk.app, shots / "kiosk-out-of-service.png")
    page.click("#lang")
    shot("english")
    page.click("#lang")
    reader = kiosk.app.devices.reader
    assert isinstance(reader, SimCardReader)  # the demo chose it
    reader.unplug()
    page.wait_for_selector('.alert[data-part="card_reader"]', timeout=10_000)
    shot("reader-unplugged")
    reader.plug()
    emulator.set_paper(PaperState.OK)
    page.click(f'{card} button[data-action="new_roll"]')
    page.click(f'{card} button[data-action="in_service"]')
    page.wait_for_selector(f'{card}[data-light="green"]', timeout=10_000)
    page.wait_for_selector("#commands li.done", timeout=20_000)
    shot("back-in-service")
    page.close()
    return steps


def _until(condition: Any, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise UsageError("the kiosk did not follow the staff page in time")
        time.sleep(0.05)


def _kiosk_screen(app: KioskApp, path: Path) -> None:
    """What the kiosk's screen shows now, drawn as `kiosk run` draws it."""
    from kiosk.ui.png import save_png
    from kiosk.ui.view import KioskView

    view = KioskView(app.config, simulation=app.simulated)
    save_png(view.render(app.runtime.state, app.clock()), path)
