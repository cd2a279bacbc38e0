"""The lobby service as it runs: `kiosk lobby` in its own process on a free port, a temp data dir and a
fixed clock (`--at`), plus Debian's Chromium driven by Playwright.

Chromium: Playwright's own browser download is unreachable here, so the tests drive Debian's
/usr/bin/chromium (installed by `make test` through image-build/dev-packages.txt). Without it the
browser tests skip with the reason, except in CI (CI=true), where a missing browser fails.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kiosk.demo.lobby import CHROMIUM_ARGS
from kiosk.domain.model import Procedure
from kiosk.lobby.auth import StaffFile
from kiosk.queue.model import Ticket, TicketRequest
from kiosk.queue.sqlite_store import DATABASE_FILE, SqliteTicketStore
from kiosk.site.load import load_site_config
from tests.conftest import REPO

CHROMIUM = Path("/usr/bin/chromium")
AT = "2026-11-26T09:15"
TODAY = date(2026, 11, 26)
ZONE = ZoneInfo("Asia/Tokyo")
PASSWORD = "counter-pass-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def issue(data_dir: Path, group: str, count: int = 1, *, minute: int = 0) -> list[Ticket]:
    """Tickets through the kiosk's own store call (what the touch flow does after a pre-check)."""
    config = load_site_config(REPO / "config")
    numbers = config.groups[group]
    counter = next(c for c in config.counters.values() if c.group == group)
    store = SqliteTicketStore(data_dir / DATABASE_FILE)
    try:
        return [
            store.issue(
                TicketRequest(
                    group=group,
                    prefix=numbers.prefix,
                    first_number=numbers.first_number,
                    last_number=numbers.last_number,
                    counter=counter.id,
                    procedure=Procedure.RENEWAL,
                    current=None,
                    after=None,
                    reasons=(),
                    business_date=TODAY,
                    issued_at=datetime(2026, 11, 26, 9, minute, tzinfo=ZONE),
                    kiosk_id="test",
                )
            )
            for _ in range(count)
        ]
    finally:
        store.close()


def kiosk_call(data_dir: Path, *args: str, at: str = AT) -> subprocess.CompletedProcess[str]:
    """`kiosk call …` in another process, as a clerk's script would run it. Its clock stands still at
    `at`: two calls of one counter at the same `at` are one press (the same-press window)."""
    where = ("--config", str(REPO / "config"), "--data-dir", str(data_dir), "--at", at)
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "call", *args, *where],
        capture_output=True,
        text=True,
        timeout=60,
    )


@dataclass
class Lobby:
    """One `kiosk lobby` process; `start()` again after `kill()` for a restart on the same port."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    extra: tuple[str, ...] = ()  # more `kiosk lobby` options (the staff page's --silent-after)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 30.0) -> Lobby:
        log = (self.data_dir / "lobby.log").open("ab")
        where = ("--config", str(REPO / "config"), "--data-dir", str(self.data_dir), "--at", AT)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kiosk",
                "lobby",
                *where,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                *self.extra,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"kiosk lobby exited with {self.process.returncode}: {self.log()}")
            try:
                if self.get("/health")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"kiosk lobby did not answer within {timeout_s} s: {self.log()}")

    def log(self) -> str:
        path = self.data_dir / "lobby.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> float:
        """SIGTERM (what systemctl stop sends); returns how long the process took to exit."""
        assert self.process is not None
        start = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
            raise
        return time.monotonic() - start

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        return self.request("GET", path, headers=headers)

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def state(self) -> dict[str, Any]:
        status, _, body = self.get("/api/state")
        assert status == 200
        result: dict[str, Any] = json.loads(body)
        return result


def add_staff(data_dir: Path, name: str, counters: list[str] | None) -> None:
    StaffFile(data_dir).add(name, PASSWORD, counters)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def lobby(data_dir: Path) -> Iterator[Lobby]:
    """A fresh service for one test (with its own data dir)."""
    issue(data_dir, "myna_service", 3)
    service = Lobby(data_dir).start()
    try:
        yield service
    finally:
        service.close()


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{CHROMIUM} is missing in CI: make test installs it (image-build/dev-packages.txt)")
    pytest.skip(f"{CHROMIUM} is not installed (make setup installs Debian's chromium); not in CI, so skipped")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium per test module."""
    _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
