"""How fast a call reaches the lobby screen, how fast a screen recovers, and what the service costs.

Everything runs for real: `kiosk lobby` as its own process on a free port (temp data dir, `--at`),
Debian's Chromium (through Playwright) showing /screen, a console logged in through the login form.

- `call.to_screen_ms` (p50, p95): a console's call-next POST leaves the console page -> the screen
  page's DOM shows the label (a MutationObserver stamps it). Both stamps are taken in the same
  browser on the wall clock (performance.timeOrigin + now()). Target p95 <= 150.
- `call.to_screen_cross_process_ms` (p50, p95): call-next through the store in this process (another
  process than the service, as `kiosk call` is) -> the DOM shows it; the service learns of it through
  the Notifier. Without the CLI's own interpreter start-up, which is not the lobby's to speed up.
  Target p95 <= 250.
- `lobby.resync_ms`: the service is killed, the queue moves on, the service is started again: from
  that start (process spawn) until the screen shows the new call and no offline mark. Target <= 3000.
- `lobby.rss_mb`: the service's resident memory with one screen connected, after the calls. <= 80.
- `lobby.idle_cpu_percent`: the service's CPU time over 10 s with one screen connected and nothing
  happening, as a percentage of one core. <= 0.5.
"""

from __future__ import annotations

import http.client
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.demo.lobby import CHROMIUM, CHROMIUM_ARGS
from kiosk.domain.model import Procedure
from kiosk.lobby.auth import StaffFile
from kiosk.queue.lifecycle import CallingSetup
from kiosk.queue.model import TicketRequest
from kiosk.queue.sqlite_calling import SqliteCallingStore
from kiosk.queue.sqlite_store import DATABASE_FILE, SqliteTicketStore
from kiosk.site.load import load_site_config

CONFIG = Path(__file__).resolve().parents[2] / "config"
AT = datetime(2026, 11, 26, 9, 15, tzinfo=ZoneInfo("Asia/Tokyo"))
SAMPLES = 40
PAUSE_S = 0.3  # between calls: counters take turns, so no counter presses twice within its same-press window
IDLE_S = 10.0
PASSWORD = "bench-password"

_OBSERVE = """() => {
  window.__seen = {};
  const target = document.getElementById('latest-label');
  new MutationObserver(() => {
    const label = target.textContent;
    if (!(label in window.__seen)) window.__seen[label] = performance.timeOrigin + performance.now();
  }).observe(target, {childList: true, characterData: true, subtree: true});
}"""

_POST = """async (counter) => {
  const token = document.querySelector('meta[name=csrf-token]').content;
  const sent = performance.timeOrigin + performance.now();
  const response = await fetch('/counter/' + counter + '/call-next',
                               {method: 'POST', headers: {'X-CSRF-Token': token}});
  const body = await response.json();
  return [sent, body.outcome ? body.outcome.label : null];
}"""


def measure() -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: make setup installs Debian's chromium")
    config = load_site_config(CONFIG)
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-lobby-") as scratch:
        data_dir = Path(scratch)
        _issue(config, data_dir, per_group=SAMPLES * 2)
        StaffFile(data_dir).add("bench", PASSWORD, None)
        service = _Service(data_dir)
        service.start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    return _measure(browser, service, config, data_dir)
                finally:
                    browser.close()
        finally:
            service.close()


def _measure(browser: Any, service: _Service, config: Any, data_dir: Path) -> dict[str, float]:
    counters = list(config.counters)
    screen = browser.new_page(viewport={"width": 1920, "height": 1080})
    screen.goto(f"{service.base}/screen?chime=0")
    screen.wait_for_selector("body:not(.offline):not(.connecting)")
    screen.evaluate(_OBSERVE)

    console = browser.new_context().new_page()
    console.goto(f"{service.base}/login?next=/counter/{counters[0]}")
    console.fill("input[name=name]", "bench")
    console.fill("input[name=password]", PASSWORD)
    console.click("button[type=submit]")
    console.wait_for_selector("body:not(.offline):not(.connecting)")

    def seen(label: str) -> float:
        screen.wait_for_function("label => label in window.__seen", arg=label, timeout=5_000)
        return float(screen.evaluate("label => window.__seen[label]", label))

    console_ms = []
    for n in range(SAMPLES):
        sent, label = console.evaluate(_POST, counters[n % len(counters)])
        if label is None:
            raise RuntimeError("the bench ran out of waiting tickets")
        console_ms.append(seen(label) - sent)
        time.sleep(PAUSE_S)

    store = SqliteCallingStore(data_dir / DATABASE_FILE, CallingSetup.from_site(config))
    cross_ms = []
    try:
        for n in range(SAMPLES):
            sent = time.time() * 1000
            outcome = store.call_next(counters[n % len(counters)], service.now())
            if outcome is None:
                raise RuntimeError("the bench ran out of waiting tickets")
            cross_ms.append(seen(outcome.label) - sent)
            time.sleep(PAUSE_S)

        rss_mb = service.rss_mb()
        idle = service.cpu_percent(IDLE_S)

        service.kill()
        screen.wait_for_selector("body.offline", timeout=5_000)
        time.sleep(PAUSE_S * 8)  # out of every counter's same-press window
        outcome = store.call_next(counters[0], service.now())
        assert outcome is not None
        started = time.monotonic()
        service.start()
        screen.wait_for_function(
            "label => document.getElementById('latest-label').textContent === label"
            " && !document.body.classList.contains('offline')",
            arg=outcome.label,
            timeout=30_000,
        )
        resync_ms = (time.monotonic() - started) * 1000
    finally:
        store.close()

    return {
        "call.to_screen_p50_ms": _percentile(console_ms, 50),
        "call.to_screen_ms": _percentile(console_ms, 95),
        "call.to_screen_cross_process_p50_ms": _percentile(cross_ms, 50),
        "call.to_screen_cross_process_ms": _percentile(cross_ms, 95),
        "lobby.resync_ms": round(resync_ms, 1),
        "lobby.rss_mb": round(rss_mb, 1),
        "lobby.idle_cpu_percent": round(idle, 3),
    }


class _Service:
    """`kiosk lobby` as its own process, started again on the same port after a kill."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self._started = time.monotonic()

    def now(self) -> datetime:
        """The service's clock: it started at AT and runs on."""
        return AT + timedelta(seconds=time.monotonic() - self._started)

    def start(self) -> None:
        where = ("--config", str(CONFIG), "--data-dir", str(self.data_dir), "--at", self.now().isoformat())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "lobby", *where, "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/health")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("kiosk lobby did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def rss_mb(self) -> float:
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
        return kb / 1024

    def cpu_percent(self, seconds: float) -> float:
        assert self.process is not None
        before, start = self._cpu_s(), time.monotonic()
        time.sleep(seconds)
        return (self._cpu_s() - before) / (time.monotonic() - start) * 100

    def _cpu_s(self) -> float:
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _issue(config: Any, data_dir: Path, per_group: int) -> None:
    store = SqliteTicketStore(data_dir / DATABASE_FILE)
    try:
        for group_id, group in config.groups.items():
            counter = next(c for c in config.counters.values() if c.group == group_id)
            for _ in range(per_group):
                store.issue(
                    TicketRequest(
                        group=group_id,
                        prefix=group.prefix,
                        first_number=group.first_number,
                        last_number=group.last_number,
                        counter=counter.id,
                        procedure=Procedure.RENEWAL,
                        current=None,
                        after=None,
                        reasons=(),
                        business_date=date(2026, 11, 26),
                        issued_at=AT - timedelta(minutes=10),
                        kiosk_id="bench",
                    )
                )
    finally:
        store.close()


def _percentile(samples_ms: list[float], percent: int) -> float:
    ordered = sorted(samples_ms)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return round(ordered[rank - 1], 1)


if __name__ == "__main__":
    import json

    print(json.dumps(measure(), indent=2, sort_keys=True))
