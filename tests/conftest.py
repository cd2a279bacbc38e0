"""Shared fixtures: the shipped site config, loaded once through the real loader."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Headless everywhere: no test may open a window or a sound device.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from kiosk.site.load import load_site_config
from kiosk.site.model import SiteConfig

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def site_config() -> SiteConfig:
    return load_site_config(REPO / "config")
