"""Shared fixtures: the shipped site config, loaded once through the real loader."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# Headless everywhere: no test may open a window or a sound device.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from kiosk.queue.pg_admin import create_database, migrate_url
from kiosk.queue.pg_scratch import ScratchPostgres
from kiosk.site.load import load_site_config
from kiosk.site.model import SiteConfig

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def site_config() -> SiteConfig:
    return load_site_config(REPO / "config")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[ScratchPostgres]:
    """One private PostgreSQL for the whole run (kiosk/queue/pg_scratch.py), started on first use."""
    with ScratchPostgres() as server:
        yield server


@pytest.fixture(scope="session")
def pg_template(pg_server: ScratchPostgres) -> str:
    """A database at the current schema that each test's database is copied from (fast: no DDL per test)."""
    create_database(pg_server.url(), "kiosk_template")
    migrate_url(pg_server.url("kiosk_template"))
    return "kiosk_template"


@pytest.fixture
def pg_url(pg_server: ScratchPostgres, pg_template: str) -> str:
    """A fresh database of this test's own, at the current schema: its URL."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    create_database(pg_server.url(), name, template=pg_template)
    return pg_server.url(name)
