"""The systemd watchdog (issue 17 item 6): a test binds the notify socket systemd would, and reads it.

`kiosk run` in its own process: READY=1 once its loop turns, WATCHDOG=1 at a quarter of WATCHDOG_USEC,
a STATUS= line; stopped (SIGSTOP) it pings no more. In-process, the loop alone is frozen (the staff
link's thread goes on writing heartbeats) and the pings stop all the same: they come from the loop.
`kiosk lobby` likewise: READY once listening, WATCHDOG=1 from its event loop.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from drivers.printer.emulator import PrinterEmulator
from kiosk.commands.run import run_appliance
from kiosk.queue.sqlite_health import SqliteHealthStore
from kiosk.queue.sqlite_store import DATABASE_FILE
from kiosk.site.load import load_site_config
from kiosk.site.model import HealthConfig
from kiosk.ticket.render import compose
from kiosk.ui.loop import KioskLoop
from tests.conftest import REPO
from tests.kiosk.lobby.conftest import free_port
from tests.kiosk.lobby.staff_rig import kiosk_config, kiosk_run

WATCHDOG_USEC = 800_000  # pings every 0.2 s


class NotifySocket:
    """What systemd listens on: a datagram socket; every message with the time it came."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.05)
        self.got: list[tuple[float, str]] = []
        self.stop_reading = threading.Event()

    def env(self) -> dict[str, str]:
        return {**os.environ, "NOTIFY_SOCKET": str(self.path), "WATCHDOG_USEC": str(WATCHDOG_USEC)}

    def read_for(self, seconds: float) -> list[tuple[float, str]]:
        end = time.monotonic() + seconds
        new: list[tuple[float, str]] = []
        while time.monotonic() < end and not self.stop_reading.is_set():
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                continue
            new.append((time.monotonic(), data.decode()))
        self.got += new
        return new

    def wait_for(self, text: str, timeout_s: float = 30.0) -> None:
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            if any(text in m for _, m in self.read_for(0.1)):
                return
        raise AssertionError(f"no {text!r} within {timeout_s} s; got {[m for _, m in self.got][-5:]}")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def notify(tmp_path: Path) -> Iterator[NotifySocket]:
    sock = NotifySocket(tmp_path / "notify.sock")
    yield sock
    sock.close()


def pings(messages: list[tuple[float, str]]) -> list[float]:
    return [at for at, m in messages if "WATCHDOG=1" in m.split("\n")]


def test_kiosk_run_is_ready_pings_while_it_turns_and_not_when_stopped(notify: NotifySocket, tmp_path: Path) -> None:
    with PrinterEmulator(tmp_path / "printed", draw=compose) as emulator:
        config = kiosk_config(tmp_path / "config", tmp_path / "data", emulator.serve_tcp())
        with (tmp_path / "kiosk.log").open("ab"):
            pass
        process = kiosk_run(config, tmp_path / "kiosk.log", env=notify.env())
        try:
            notify.wait_for("READY=1")
            running = pings(notify.read_for(1.5))
            assert len(running) >= 4  # every 0.2 s (a quarter of 0.8 s)
            assert any(m.startswith("STATUS=") for _, m in notify.got)
            process.send_signal(signal.SIGSTOP)  # frozen: systemd must see silence
            notify.read_for(0.3)  # a ping already sent may still be in the socket
            assert pings(notify.read_for(1.5)) == []
            process.send_signal(signal.SIGCONT)
            assert pings(notify.read_for(1.5))
        finally:
            process.kill()
            process.wait(10)


def test_the_pings_come_from_the_loop_a_frozen_loop_stops_them_while_heartbeats_go_on(
    notify: NotifySocket, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", str(notify.path))
    monkeypatch.setenv("WATCHDOG_USEC", str(WATCHDOG_USEC))
    with PrinterEmulator(tmp_path / "printed", draw=compose) as emulator:
        config = load_site_config(kiosk_config(tmp_path / "config", tmp_path / "data", emulator.serve_tcp()))
        config = replace(config, health=HealthConfig(heartbeat_s=0.5, silent_after_s=3))
        turns: list[float] = []
        frozen: dict[str, float] = {}

        def until(loop: KioskLoop) -> bool:
            turns.append(time.monotonic())
            if len(turns) == 40:  # about 1.6 s in: the loop hangs (as in a stuck driver call) for 2 s
                store = SqliteHealthStore(tmp_path / "data" / DATABASE_FILE)
                before = store.beats()[0].beat_at
                frozen["from"] = time.monotonic()
                time.sleep(2.0)
                frozen["to"] = time.monotonic()
                frozen["beats_went_on"] = float(store.beats()[0].beat_at > before)
                store.close()
            return len(turns) >= 80

        reader = threading.Thread(target=notify.read_for, args=(20.0,), daemon=True)  # as systemd reads
        reader.start()
        run_appliance(config, until=until)
        notify.stop_reading.set()
        reader.join(5)
    times = pings(notify.got)
    assert any("READY=1" in m for _, m in notify.got)
    assert sum(1 for t in times if t < frozen["from"]) >= 4
    # None while frozen (a ping sent just before may arrive a moment later: allow 0.1 s).
    assert [t for t in times if frozen["from"] + 0.1 < t < frozen["to"]] == []
    assert any(t > frozen["to"] for t in times)  # and they come back when it turns again
    assert frozen["beats_went_on"] == 1.0  # the process was alive all along: only the loop stopped


def test_kiosk_lobby_is_ready_once_listening_and_pings_from_its_event_loop(
    notify: NotifySocket, tmp_path: Path
) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "lobby", "--config", str(REPO / "config"), "--data-dir", str(tmp_path),
         "--host", "127.0.0.1", "--port", str(port)],
        env=notify.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        notify.wait_for("READY=1")
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass  # READY came after it listens
        assert len(pings(notify.read_for(1.5))) >= 2
        process.send_signal(signal.SIGSTOP)
        notify.read_for(0.6)
        assert pings(notify.read_for(1.5)) == []
        process.send_signal(signal.SIGCONT)
    finally:
        process.kill()
        process.wait(10)
