"""`kiosk lobby` with a `[[boards]]` entry, as processes: the board emulator (`kiosk board-sim --pty`),
the lobby service, and a clerk's `kiosk call next` from a third process; the number reaches the board
through the store's notifier, the serial driver and the pty."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from tests.conftest import REPO
from tests.kiosk.commands.test_board import Sim
from tests.kiosk.lobby.conftest import AT, free_port, issue, kiosk_call


def test_a_call_from_another_process_reaches_the_board_the_lobby_drives(tmp_path):
    sim = Sim()
    lobby = None
    try:
        config = tmp_path / "config"
        config.mkdir()
        site = (REPO / "config" / "site.toml").read_text(encoding="utf-8")
        site += f'\n[[boards]]\nport = "{sim.path}"\naddress = "01"\nbaud = 9600\nrows = ["c13", "c12"]\n'
        (config / "site.toml").write_text(site, encoding="utf-8")
        data = tmp_path / "data"
        data.mkdir()
        issue(data, "myna_service", 2)
        log = (tmp_path / "lobby.log").open("wb")
        where = ["--config", str(config), "--data-dir", str(data), "--at", AT]
        lobby = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "lobby", *where, "--host", "127.0.0.1", "--port", str(free_port())],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        sim.wait_for("+--- board 01 ---", timeout_s=30)  # the lobby cleared it: no longer "(restarted: ENQ)"
        called = kiosk_call(data, "next", "--counter", "c13")
        assert called.returncode == 0, called.stderr
        label = called.stdout.strip()
        sim.wait_for(f"| 1 | {label}", timeout_s=10)
        devices = data / "lobby-devices.json"
        deadline = time.monotonic() + 10
        while not devices.exists():
            assert time.monotonic() < deadline, (tmp_path / "lobby.log").read_text()
            time.sleep(0.05)
        [board] = json.loads(devices.read_text(encoding="utf-8"))["devices"]
        assert board["device"] == f"board 01 on {sim.path}" and board["state"] in ("ok", "degraded")
    finally:
        if lobby is not None:
            lobby.terminate()
            lobby.wait(timeout=20)
        sim.proc.kill()
        sim.proc.communicate()
