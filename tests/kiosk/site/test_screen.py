"""The `[screen]` table: pixels and physical size, read strictly; the pixel density derived from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.site.load import load_site_config
from kiosk.site.model import Orientation, ScreenConfig
from tests.kiosk.site.test_load import SHIPPED, edited, problems_of, write

SHIPPED_SCREEN = 'size = [1080, 1920]\ndiagonal_mm = 686  # 27-inch class\norientation = "portrait"'


def test_shipped_screen_is_a_27_inch_portrait_monitor() -> None:
    screen = load_site_config(SHIPPED).screen

    assert screen.size == (1080, 1920)
    assert screen.orientation is Orientation.PORTRAIT
    assert screen.fullscreen
    width, height = screen.mm
    assert width == pytest.approx(336, abs=2) and height == pytest.approx(598, abs=2)
    assert screen.px_per_mm == pytest.approx(3.21, abs=0.01)


def test_a_width_gives_the_density_of_the_pi_touch_display_2(tmp_path: Path) -> None:
    text = edited(SHIPPED_SCREEN, 'size = [720, 1280]\nwidth_mm = 88\norientation = "portrait"')
    screen = load_site_config(write(tmp_path, text)).screen

    assert screen.px_per_mm == pytest.approx(8.18, abs=0.01)
    assert screen.mm[1] == pytest.approx(155, abs=2)  # the active area is 88 x 155 mm (pixels near square)


def test_resized_keeps_the_density_unless_given_a_diagonal() -> None:
    screen = load_site_config(SHIPPED).screen

    same = screen.resized((1920, 1080))
    assert same.orientation is Orientation.LANDSCAPE
    assert same.px_per_mm == pytest.approx(screen.px_per_mm)
    pi = screen.resized((720, 1280), diagonal_mm=177.8)
    assert pi.px_per_mm == pytest.approx(8.26, abs=0.01)
    assert isinstance(pi, ScreenConfig)


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        pytest.param(
            'size = [1080, 1920]\norientation = "portrait"',
            "screen: give the physical size as exactly one of diagonal_mm and width_mm",
            id="no-physical-size",
        ),
        pytest.param(
            'size = [1080, 1920]\ndiagonal_mm = 686\nwidth_mm = 336\norientation = "portrait"',
            "screen: give the physical size as exactly one of diagonal_mm and width_mm",
            id="both-sizes",
        ),
        pytest.param(
            'size = [1080, 1920]\ndiagonal_mm = 686\norientation = "landscape"',
            'screen.orientation: "landscape" contradicts size 1080x1920 (portrait as seen)',
            id="orientation-contradicts-size",
        ),
        pytest.param(
            'size = "1080x1920"\ndiagonal_mm = 686\norientation = "portrait"',
            "screen.size: must be an array, got a string",
            id="size-as-string",
        ),
        pytest.param(
            'size = [1080]\ndiagonal_mm = 686\norientation = "portrait"',
            "screen.size: must be [width, height], two integers of pixels",
            id="size-one-number",
        ),
        pytest.param(
            'size = [1080, 100]\ndiagonal_mm = 686\norientation = "landscape"',
            "screen.size: each side must be between 320 and 7680 pixels, got 1080x100",
            id="size-too-small",
        ),
        pytest.param(
            'size = [1080, 1920]\ndiagonal_mm = "27in"\norientation = "portrait"',
            "screen.diagonal_mm: must be a number of millimetres, got a string",
            id="diagonal-not-a-number",
        ),
        pytest.param(
            'size = [1080, 1920]\ndiagonal_mm = 27\norientation = "portrait"',
            "screen.diagonal_mm: must be between 40 and 3000 mm, got 27",
            id="diagonal-in-inches",
        ),
        pytest.param(
            'size = [1080, 1920]\ndiagonal_mm = 686\norientation = "upright"',
            'screen.orientation: unknown orientation "upright" (known: portrait, landscape)',
            id="unknown-orientation",
        ),
    ],
)
def test_a_broken_screen_is_refused_with_the_problem_named(tmp_path: Path, new: str, expected: str) -> None:
    assert problems_of(write(tmp_path, edited(SHIPPED_SCREEN, new))) == [expected]


def test_a_missing_screen_table_is_named(tmp_path: Path) -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    text = text[: text.index("[screen]")]

    assert problems_of(write(tmp_path, text)) == ["screen: missing"]


def test_an_unknown_screen_key_is_named(tmp_path: Path) -> None:
    text = edited("fullscreen = true", "fullscreen = true\nrotate = 90")

    assert problems_of(write(tmp_path, text)) == [
        "screen.rotate: unknown key (allowed: size, diagonal_mm, width_mm, orientation, fullscreen)"
    ]
