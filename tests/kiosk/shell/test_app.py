"""The shell's wiring: one kiosk's devices, ticket store and runtime, opened from the config and closed."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from drivers.card.settings import ReaderBackend
from kiosk.domain.flow import ChooseLanguage, Screen, Touch
from kiosk.domain.model import Procedure
from kiosk.errors import StoreError
from kiosk.shell.app import open_kiosk, site_clock
from kiosk.site.model import SiteConfig, Storage

MORNING = datetime.fromisoformat("2026-11-30T09:15:00+09:00")


@pytest.fixture
def config(site_config: SiteConfig, tmp_path: Path) -> SiteConfig:
    reader = replace(site_config.reader, backend=ReaderBackend.SIM)
    return replace(site_config, storage=Storage(data_dir=tmp_path), reader=reader)


def test_the_app_runs_the_flow_on_the_configured_devices_and_store(config: SiteConfig, tmp_path: Path) -> None:
    app = open_kiosk(config, lambda: MORNING)
    try:
        assert app.simulated  # the simulated reader: the screens must say so
        assert app.runtime.store is app.store and app.runtime.devices is app.devices
        assert app.runtime.calling is app.calling  # the wait the screens tell, from the same file
        assert (tmp_path / "tickets.sqlite3").exists()
        app.runtime.dispatch(Touch())
        assert app.runtime.state.screen is Screen.LANGUAGE
        assert app.runtime.version > 0  # the UI redraws
    finally:
        app.close()


def test_closing_the_app_closes_the_ticket_store(config: SiteConfig) -> None:
    app = open_kiosk(config, lambda: MORNING)
    app.close()
    with pytest.raises(StoreError):
        app.store.count_issued(MORNING.date(), Procedure.RENEWAL)
    with pytest.raises(StoreError):
        app.calling.lobby_state(MORNING)


def test_the_app_tells_the_wait_from_its_own_ticket_file(config: SiteConfig) -> None:
    app = open_kiosk(config, lambda: MORNING)
    try:
        app.runtime.dispatch(Touch())
        app.runtime.dispatch(ChooseLanguage("ja"))
        lobby = app.runtime.state.lobby
        assert lobby is not None and lobby.business_date == MORNING.date()
        assert not lobby.calling_today  # a fresh file: nothing called, so nothing is told
    finally:
        app.close()


def test_the_site_clock_tells_the_time_in_the_sites_zone(config: SiteConfig) -> None:
    now = site_clock(config)()
    assert now.tzinfo is not None
    assert now.utcoffset() == datetime.now(now.tzinfo).utcoffset()
    assert str(now.tzinfo) == config.site.timezone


def test_on_a_shared_database_the_kiosk_issues_there_and_reports_the_stores_health(
    config: SiteConfig, pg_url: str
) -> None:
    shared = replace(config, storage=replace(config.storage, url=pg_url))
    app = open_kiosk(shared, lambda: MORNING)
    try:
        assert app.seen()["store"] == {"health": "ok", "detail": "shared ticket database connected"}
        app.runtime.dispatch(Touch())
        app.runtime.dispatch(ChooseLanguage("ja"))
        assert app.runtime.state.lobby is not None  # the wait is read from the shared queue
        assert app.store.count_issued(MORNING.date(), Procedure.RENEWAL) == 0
    finally:
        app.close()
    with pytest.raises(StoreError):
        app.store.count_issued(MORNING.date(), Procedure.RENEWAL)
    with pytest.raises(StoreError):
        app.calling.lobby_state(MORNING)
