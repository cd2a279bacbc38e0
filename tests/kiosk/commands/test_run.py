"""`kiosk run`: the shell's wiring (devices, ticket store, runtime) under the touch screens."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.commands.run import run_appliance
from kiosk.domain.model import Procedure
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


def test_the_welcome_screen_is_up_before_the_devices_open_and_all_is_closed_after(
    site_config: SiteConfig, tmp_path: Path
) -> None:
    from kiosk.errors import StoreError
    from kiosk.shell.app import KioskApp, open_kiosk, site_clock
    from kiosk.ui.app import run_kiosk

    config = replace(
        site_config,
        storage=Storage(data_dir=tmp_path),
        reader=replace(site_config.reader, backend=ReaderBackend.SIM),
    )
    clock = site_clock(config)
    said: list[str] = []
    opened: list[KioskApp] = []

    def opening() -> KioskApp:
        said.append("open")
        opened.append(open_kiosk(config, clock))
        return opened[0]

    run_kiosk(config, clock, opening, shown=lambda: said.append("shown"), until=lambda loop: True)
    assert said == ["shown", "open"]  # the screen is never black while the printer library loads
    with pytest.raises(StoreError):  # closed when the loop ended
        opened[0].store.count_issued(clock().date(), Procedure.RENEWAL)
