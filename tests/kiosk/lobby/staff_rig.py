"""A kiosk for the staff page's tests: the shell's own `KioskApp` (printer emulator, simulated reader)
on the lobby's data folder, with a thread turning its loop as the UI does; or `kiosk run` itself in
a process of its own (SDL's dummy video driver), for tests that kill it or read its notify socket."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from drivers.printer.emulator import PrinterEmulator
from kiosk.lobby.server import clock_from
from kiosk.shell.app import KioskApp, open_kiosk
from kiosk.site.load import load_site_config
from kiosk.site.model import SiteConfig
from kiosk.ticket.render import compose
from tests.kiosk.site.test_load import shipped_text

MORNING = datetime(2026, 11, 26, 9, 15, tzinfo=ZoneInfo("Asia/Tokyo"))


def kiosk_config(folder: Path, data_dir: Path, printer_port: int, kiosk_id: str = "lobby-1") -> Path:
    """The shipped config with this data folder, the emulator's port, the simulated reader."""
    text = shipped_text()
    text = text.replace('url = "tcp://127.0.0.1:9100"', f'url = "tcp://127.0.0.1:{printer_port}"')
    text = text.replace('data_dir = "../.data"', f'data_dir = "{data_dir}"')
    text = text.replace('backend = "pcsc"', 'backend = "sim"')
    text = text.replace('kiosk_id = "lobby-1"', f'kiosk_id = "{kiosk_id}"')
    # Beats every second, silent after 3: a killed kiosk shows within seconds, not half a minute.
    text = text.replace("heartbeat_s = 10\nsilent_after_s = 30", "heartbeat_s = 1\nsilent_after_s = 3")
    path = folder / "site.toml"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


class TurningKiosk:
    """`KioskApp` with its loop turned 5 times a second on a thread (the welcome screen's pace)."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        self.app: KioskApp = open_kiosk(config, clock_from(MORNING, config.site.timezone))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._turn, name="test-kiosk-loop", daemon=True)
        self._thread.start()

    def _turn(self) -> None:
        while not self._stop.wait(0.2):
            self.app.runtime.poll()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.app.close()


@contextmanager
def turning_kiosk(tmp_path: Path, data_dir: Path) -> Iterator[tuple[TurningKiosk, PrinterEmulator]]:
    with PrinterEmulator(tmp_path / "printed", draw=compose) as emulator:
        config = load_site_config(kiosk_config(tmp_path / "kiosk-config", data_dir, emulator.serve_tcp()))
        kiosk = TurningKiosk(config)
        try:
            yield kiosk, emulator
        finally:
            kiosk.close()


def kiosk_run(config_file: Path, log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """`kiosk run` as the unit starts it (SDL_VIDEODRIVER=dummy comes from tests/conftest.py)."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "kiosk", "run", "--config", str(config_file)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
