"""`kiosk demo --headless --scenario lobby-morning --out DIR`: a morning in the lobby, photographed.

Visitors take tickets through the kiosk's own flow (the headless scenarios, all on one ticket
database), `kiosk lobby` serves that database as its own process, two clerks call the tickets from
their consoles in headless Chromium (Debian's /usr/bin/chromium through Playwright), and the lobby
screen and the consoles are saved as DIR/lobby/*.png: the screen at 1920x1080 and 1080x1920 in
Japanese and English, and each console. Every call's announcement, as the lobby screen fetches it
from the service, is saved as DIR/lobby/voice/NN-<label>-<call|recall>.wav (the site's `[voice]`).
"""

from __future__ import annotations

import http.client
import json
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from kiosk.demo.runner import run_scenario
from kiosk.demo.scenarios import MORNING, SCENARIOS
from kiosk.errors import UsageError
from kiosk.lobby.auth import StaffFile
from kiosk.site.model import SiteConfig

NAME = "lobby-morning"
DESCRIPTION = "a morning of tickets through the kiosk flow, called from two consoles: lobby screen and console PNGs"
CHROMIUM = "/usr/bin/chromium"
# As root on a machine without a display or a GPU, with nothing reaching out to the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The morning's visitors, in the order they arrive (each a headless scenario that ends with a ticket).
VISITS = (
    "renewal-myna-valid",
    "service-registration-ok",
    "holding-change-ok",
    "renewal-license-only",
    "service-user-pin-one-try",
    "re-record-new-card",
    "renewal-online-lecture",
    "holding-change-free-area-unknown",
    "service-registration-ok",
    "renewal-myna-valid",
    "reissue-lost-licence-card",
    "enquiry",
    "renewal-license-only",
    "service-registration-ok",
)
CONSOLES = ("c13", "c1")  # the two clerks: マイナ免許申請 and licence renewal
CALLS = 5  # presses of "call next" per console


def run_lobby_morning(config: SiteConfig, out: Path) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise UsageError(f"{NAME} needs Debian's chromium at {CHROMIUM} (make setup installs it)")
    shots_dir = out / "lobby"
    shots_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kiosk-lobby-morning-") as scratch:
        data_dir = Path(scratch) / "data"
        tickets = []
        for n, name in enumerate(VISITS):
            # All on one ticket database, as at one kiosk.
            visit = SCENARIOS[name]
            result = run_scenario(config, visit, Path(scratch) / "visits" / f"{n:02d}-{name}", data_dir=data_dir)
            if result["ticket"]:
                tickets.append(result["ticket"]["number"])
        password = secrets.token_urlsafe(12)
        StaffFile(data_dir).add("demo", password, None)
        with _Lobby(config, data_dir) as lobby, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                calls = _morning(browser, lobby.base, password, shots_dir)
            finally:
                browser.close()
            voices = _announcements(config, data_dir, lobby.base, shots_dir / "voice")
    summary = {
        "scenario": NAME,
        "tickets": tickets,
        "calls": calls,
        "screens": sorted(_names(shots_dir)),
        "announcements": voices,
    }
    (out / "result.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    return summary


def _announcements(config: SiteConfig, data_dir: Path, base: str, folder: Path) -> list[str]:
    """Each call and recall of the morning as the lobby screen hears it (GET /voice/<event>.wav)."""
    from kiosk.domain.lifecycle import EventKind
    from kiosk.queue.lifecycle import CallingSetup
    from kiosk.queue.sqlite_calling import SqliteCallingStore
    from kiosk.queue.sqlite_store import DATABASE_FILE

    store = SqliteCallingStore(data_dir / DATABASE_FILE, CallingSetup.from_site(config))
    try:
        events = [e for e in store.events_after(0, limit=10_000) if e.kind in (EventKind.CALLED, EventKind.RECALLED)]
    finally:
        store.close()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for n, event in enumerate(events, start=1):
        host, port = base.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=60)  # the first may wait for its synthesis
        try:
            conn.request("GET", f"/voice/{event.id}.wav")
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        if response.status != 200:
            continue  # [voice] off, or quiet hours: nothing was said
        kind = "recall" if event.kind is EventKind.RECALLED else "call"
        name = f"{n:02d}-{event.label}-{kind}-{event.lang or 'ja'}.wav"
        (folder / name).write_bytes(body)
        written.append(name)
    return written


def _names(folder: Path) -> list[str]:
    return [p.name for p in folder.glob("*.png")]


def _morning(browser: Any, base: str, password: str, shots_dir: Path) -> list[str]:
    consoles = []
    for counter in CONSOLES:
        page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        page.goto(f"{base}/counter/{counter}")
        page.fill("input[name=name]", "demo")
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_selector("body:not(.offline):not(.connecting)")
        consoles.append(page)
    calls: list[str] = []
    for n in range(CALLS):
        for page in consoles:
            if page.text_content("#waiting-count") == "(0)":
                continue  # nobody left for this counter
            before = page.text_content("#current")
            page.keyboard.press("n")
            page.wait_for_function("b => document.getElementById('current').textContent !== b", arg=before)
            calls.append(page.text_content("#current") or "")
        if n == 1:
            consoles[0].keyboard.press("r")  # a recall: the screen blinks it again
        time.sleep(2.1)  # past the same-press window of each counter
    for counter, page in zip(CONSOLES, consoles, strict=True):
        page.keyboard.press("s")  # the visitor arrived
        page.wait_for_function("document.getElementById('current-state').textContent.includes('Serving')")
        page.screenshot(path=str(shots_dir / f"console-{counter}.png"))
    for width, height in ((1920, 1080), (1080, 1920)):
        for lang in ("ja", "en"):
            screen = browser.new_page(viewport={"width": width, "height": height})
            screen.goto(f"{base}/screen?lang={lang}&chime=0")
            screen.wait_for_selector("body:not(.offline):not(.connecting)")
            screen.screenshot(path=str(shots_dir / f"screen-{width}x{height}-{lang}.png"))
            screen.close()
    return calls


class _Lobby:
    """`kiosk lobby` on a free local port for the length of the demo."""

    def __init__(self, config: SiteConfig, data_dir: Path, store: str | None = None) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.base = f"http://127.0.0.1:{self.port}"
        where = ["--config", str(config.source), "--data-dir", str(data_dir), "--at", MORNING.isoformat()]
        if store is not None:
            where += ["--store", store]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "lobby", *where, "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
        )

    def __enter__(self) -> _Lobby:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise UsageError(f"kiosk lobby exited with {self.process.returncode}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                try:
                    conn.request("GET", "/health")
                    answered = conn.getresponse().status == 200
                finally:
                    conn.close()
                if answered:
                    return self
            except OSError:
                time.sleep(0.05)
        self.__exit__()
        raise UsageError("kiosk lobby did not start within 30 s")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
