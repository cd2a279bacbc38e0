"""What the staff page costs and how fast it tells (issue 17).

Everything runs for real: a kiosk wired as `kiosk run` wires it (kiosk/shell/app.py) with the printer
emulator and the simulated reader, its loop turned 5 times a second as on the welcome screen;
`kiosk lobby` in its own process on the same ticket file; Debian's Chromium (Playwright) on /staff.

- `health.alert_ms` (p50, p95): the emulator is switched to paper end -> the staff page's DOM shows
  the printer's alert (a MutationObserver stamps it on the wall clock, as this process stamps the
  switch). Through the kiosk's idle status check (every 1 s), its staff link (a sweep every 0.25 s),
  the store, the lobby's read (every 0.5 s) and the page's stream. Target p95 <= 2000.
- `health.heartbeat_cpu_percent`: the kiosk's staff-link thread (health sweeps, heartbeats, the
  notifier's looks for commands), its own CPU time (CLOCK_THREAD_CPUTIME_ID) over 20 s idle, as a
  percentage of one core. Target <= 0.1.
- `staff.page_load_ms` (p50, p95): /staff loaded again in a warm browser with 4 kiosks reporting,
  from the page's navigation start to its script's first draw of the 4 kiosk cards, on the page's
  own clock (request, response, CSS and script, the draw; not Playwright's round trips). The other
  three kiosks' rows are written by this bench as their staff links would write them (one SQLite
  file holds one kiosk's control socket; several kiosks share a store on PostgreSQL). Target p95 <= 300.
"""

from __future__ import annotations

import math
import secrets
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from drivers.card.settings import ReaderBackend
from drivers.interfaces import PaperState
from drivers.printer.emulator import PrinterEmulator
from drivers.printer.settings import PrinterConnection
from kiosk.demo.lobby import CHROMIUM, CHROMIUM_ARGS, _Lobby
from kiosk.demo.scenarios import MORNING
from kiosk.demo.staff import _TurningKiosk
from kiosk.health.model import Beat
from kiosk.lobby.auth import StaffFile
from kiosk.lobby.server import clock_from
from kiosk.queue.sqlite_health import SqliteHealthStore
from kiosk.queue.sqlite_store import DATABASE_FILE, SqliteTicketStore
from kiosk.shell.app import open_kiosk
from kiosk.site.load import load_site_config
from kiosk.site.model import Storage
from kiosk.ticket.render import compose

CONFIG = Path(__file__).resolve().parents[2] / "config"
ALERTS = 12
LOADS = 15
IDLE_S = 20.0

_OBSERVE = """() => {
  window.__alertAt = null;
  new MutationObserver(() => {
    if (window.__alertAt === null && document.querySelector('.alert[data-part="printer"]'))
      window.__alertAt = performance.timeOrigin + performance.now();
  }).observe(document.getElementById('alerts'), {childList: true, subtree: true});
}"""


# In the page, on its own clock (0 = its navigation start): when its script drew the 4 kiosk cards.
_DRAWN = """() => new Promise((resolve, reject) => {
  const look = () => {
    if (window.staffDrawnAt === undefined) return requestAnimationFrame(look);
    if (document.querySelectorAll('#kiosks .card').length !== 4) return reject(new Error('not 4 kiosks'));
    resolve(window.staffDrawnAt);
  };
  look();
})"""


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def measure() -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: make setup installs Debian's chromium")
    config = load_site_config(CONFIG)
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-health-") as scratch:
        data_dir = Path(scratch) / "data"
        SqliteTicketStore(data_dir / DATABASE_FILE).close()
        password = secrets.token_urlsafe(12)
        StaffFile(data_dir).add("bench", password, None)
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
                cpu = _heartbeat_cpu(kiosk)
                with _Lobby(config, data_dir) as lobby, sync_playwright() as playwright:
                    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                    try:
                        page = _logged_in(browser, lobby.base, password)
                        alerts = _alerts(page, emulator, kiosk.app.config.site.kiosk_id)
                        loads = _page_loads(page, lobby.base, data_dir, kiosk.app.config.site.kiosk_id)
                    finally:
                        browser.close()
            finally:
                kiosk.close()
    return {
        "health.alert_ms_p50": round(_p(alerts, 50), 1),
        "health.alert_ms_p95": round(_p(alerts, 95), 1),
        "health.heartbeat_cpu_percent": round(cpu, 4),
        "staff.page_load_ms_p50": round(_p(loads, 50), 1),
        "staff.page_load_ms_p95": round(_p(loads, 95), 1),
    }


def _heartbeat_cpu(kiosk: _TurningKiosk) -> float:
    link = kiosk.app.link
    assert link is not None
    time.sleep(2.0)  # past the first beat and the machine readings
    cpu0, wall0 = link.cpu_s, time.monotonic()
    time.sleep(IDLE_S)
    return (link.cpu_s - cpu0) / (time.monotonic() - wall0) * 100


def _logged_in(browser: Any, base: str, password: str) -> Any:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/staff")
    page.fill("input[name=name]", "bench")
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector('.card[data-light="green"]', timeout=30_000)
    return page


def _alerts(page: Any, emulator: PrinterEmulator, kiosk_id: str) -> list[float]:
    card = f'.card[data-kiosk="{kiosk_id}"] li[data-part="printer"]'
    samples = []
    for _ in range(ALERTS):
        page.wait_for_selector(f'{card}[data-light="green"]', timeout=10_000)
        page.evaluate(_OBSERVE)
        time.sleep(0.3 + secrets.randbelow(700) / 1000)  # anywhere in the kiosk's check cycle
        switched = time.time() * 1000
        emulator.set_paper(PaperState.END)
        page.wait_for_function("window.__alertAt !== null", timeout=10_000)
        samples.append(float(page.evaluate("window.__alertAt")) - switched)
        emulator.set_paper(PaperState.OK)
        page.wait_for_selector('.alert[data-part="printer"]', state="detached", timeout=10_000)
    return samples


def _page_loads(page: Any, base: str, data_dir: Path, kiosk_id: str) -> list[float]:
    store = SqliteHealthStore(data_dir / DATABASE_FILE)
    try:
        mine = next(b for b in store.beats() if b.source == kiosk_id)
        for n in (2, 3, 4):  # three more kiosks, as their staff links write their rows
            store.beat(replace(mine, source=f"kiosk-{n}", beat_at=time.time()))
        loads = []
        for n in range(LOADS + 2):  # the first two warm the browser's cache and the service
            for other in (2, 3, 4):
                store.beat(_fresh(mine, f"kiosk-{other}"))
            page.goto(f"{base}/staff", wait_until="commit")
            drawn = page.evaluate(_DRAWN)
            if n >= 2:
                loads.append(float(drawn))
        return loads
    finally:
        store.close()


def _fresh(beat: Beat, source: str) -> Beat:
    return replace(beat, source=source, beat_at=time.time())
