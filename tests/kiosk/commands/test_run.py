"""`kiosk run`: the shell's wiring (devices, ticket store, runtime) under the touch screens."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from kiosk.commands.run import run_appliance
from kiosk.site.model import ReaderBackend, SiteConfig, Storage
from kiosk.ui.loop import KioskLoop


def test_kiosk_run_starts_draws_and_stops(site_config: SiteConfig, tmp_path: Path) -> None:
    # the simulated reader: a PC/SC reader (or another test's vpcd) may appear and change the screen
    reader = replace(site_config.reader, backend=ReaderBackend.SIM)
    config = replace(site_config, storage=Storage(data_dir=tmp_path), reader=reader)
    frames: list[int] = []
    shown: list[bool] = []

    def until(loop: KioskLoop) -> bool:
        frames.append(loop.frames)
        assert loop.view.simulation  # the shell said a simulator is active: the sign is drawn
        return len(frames) == 3

    assert run_appliance(config, until=until, shown=lambda: shown.append(True)) == 0
    assert shown == [True]
    assert frames[0] == 1  # the first turn draws the welcome screen (again: the first one came before the devices)
    assert (tmp_path / "tickets.sqlite3").exists()
