"""The contact sheet: one PNG holding every screen of the gallery, each page of it."""

from __future__ import annotations

from pathlib import Path

import pygame

from kiosk.demo.contact import SHRINK, contact_sheet
from kiosk.demo.gallery import scenarios
from kiosk.site.model import SiteConfig
from tests.kiosk.ui.sizes import PI_5


def test_the_sheet_holds_every_screen_and_every_page(site_config: SiteConfig, tmp_path: Path) -> None:
    out = tmp_path / "sheet.png"
    count = contact_sheet(site_config, "en", PI_5, out)
    assert count > len(scenarios(site_config, "en"))  # on the 5-inch panel some choices take two pages
    sheet = pygame.image.load(str(out))
    w, h = PI_5.width_px // SHRINK, PI_5.height_px // SHRINK
    assert sheet.get_width() >= w and sheet.get_height() >= h
    assert (sheet.get_width() // w) * (sheet.get_height() // h) >= count
