"""Golden images of every screen of the gallery, in Japanese and English, on the 27-inch portrait monitor.

Stored small: each frame (1080x1920) is shrunk to a quarter by box averaging (270x480) and kept as
an 8-bit palette PNG of 64 colours (no dithering), about 10 kB each. A run renders the same way
and compares: a pixel differs when a channel is off by more than `CHANNEL_TOLERANCE`, and at most
`PIXEL_TOLERANCE` of the pixels may differ (FreeType builds round differently; a changed word,
a moved button or another colour is far more). On a failure the new image and a diff are written
to `out/golden/` to look at.

After a deliberate change to the screens, look at the new images (or `kiosk demo --contact-sheet`),
then re-bless:  KIOSK_BLESS=1 .venv/bin/pytest tests/kiosk/ui/test_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pygame
import pytest
from PIL import Image, ImageChops

from kiosk.demo.gallery import Scenario, scenarios
from kiosk.site.load import load_site_config
from kiosk.site.model import SiteConfig
from kiosk.ui.view import KioskView
from tests.kiosk.ui.sizes import PORTRAIT_27

REPO = Path(__file__).resolve().parents[3]
GOLDEN = Path(__file__).parent / "golden"
FAILED = REPO / "out" / "golden"
BLESS = os.environ.get("KIOSK_BLESS") == "1"
SHRINK = 4
COLOURS = 64
CHANNEL_TOLERANCE = 48
PIXEL_TOLERANCE = 0.0025
LANGS = ("ja", "en")
NAMES = [s.name for s in scenarios(load_site_config(REPO / "config"), "ja")]


@pytest.fixture(scope="module")
def view(site_config: SiteConfig) -> KioskView:
    return KioskView(site_config, PORTRAIT_27)


def small(surface: pygame.Surface) -> Image.Image:
    """The frame as stored: a quarter the size, 64 colours."""
    image = Image.frombytes("RGB", surface.get_size(), pygame.image.tobytes(surface, "RGB")).reduce(SHRINK)
    return image.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)


def differing(a: Image.Image, b: Image.Image) -> float:
    """Share of pixels whose colours differ by more than the channel tolerance."""
    red, green, blue = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).split()
    largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)  # per pixel, the channel most off
    return sum(largest.histogram()[CHANNEL_TOLERANCE + 1 :]) / (a.width * a.height)


def render(view: KioskView, site_config: SiteConfig, lang: str, name: str) -> Image.Image:
    scenario: Scenario = next(s for s in scenarios(site_config, lang) if s.name == name)
    view.config = scenario.config
    return small(view.render(scenario.state, scenario.now))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", NAMES)
def test_screen_matches_its_golden_image(view: KioskView, site_config: SiteConfig, lang: str, name: str) -> None:
    image = render(view, site_config, lang, name)
    golden = GOLDEN / f"{name}-{lang}.png"
    if BLESS:
        GOLDEN.mkdir(exist_ok=True)
        image.save(golden, optimize=True)
        return
    if not golden.exists():
        pytest.fail(f"no golden image {golden.name}: look at the screen, then run with KIOSK_BLESS=1")
    with Image.open(golden) as expected:
        expected.load()
    assert expected.size == image.size
    share = differing(expected, image)
    if share > PIXEL_TOLERANCE:
        FAILED.mkdir(parents=True, exist_ok=True)
        image.convert("RGB").save(FAILED / f"{name}-{lang}-new.png")
        ImageChops.difference(expected.convert("RGB"), image.convert("RGB")).save(FAILED / f"{name}-{lang}-diff.png")
    assert share <= PIXEL_TOLERANCE, f"{share:.2%} of pixels differ: see {FAILED}, re-bless if intended"


def test_golden_comparison_can_fail(view: KioskView, site_config: SiteConfig) -> None:
    """Two screens that differ only in a few words are told apart."""
    a = render(view, site_config, "en", "card-waiting")
    b = render(view, site_config, "en", "card-place-again")
    assert differing(a, b) > PIXEL_TOLERANCE
    same = render(view, site_config, "en", "card-waiting")
    assert differing(a, same) == 0.0
