"""Contrast and sizes: readable for an older visitor standing in a bright lobby, touchable with a shaky finger."""

from __future__ import annotations

import pytest

from kiosk.site.model import ScreenConfig
from kiosk.ui.painter import LOOKS, Look
from kiosk.ui.theme import CONTRAST_PAIRS, TOUCH_MM, Metrics, Size, contrast
from tests.kiosk.ui.sizes import LANDSCAPE_27, PI_7, PORTRAIT_27, SCREENS


def metrics(screen: ScreenConfig) -> Metrics:
    return Metrics(screen.width_px, screen.height_px, screen.px_per_mm)


@pytest.mark.parametrize(("fg", "bg"), CONTRAST_PAIRS)
def test_every_text_colour_reaches_seven_to_one(fg: tuple[int, int, int], bg: tuple[int, int, int]) -> None:
    assert contrast(fg, bg) >= 7.0


def test_contrast_of_black_on_white_is_21() -> None:
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)


def test_contrast_check_can_fail() -> None:
    """Mid grey on white, a common mistake, is far below 7:1."""
    assert contrast((128, 128, 128), (255, 255, 255)) < 4.5


@pytest.mark.parametrize("screen", [PORTRAIT_27, LANDSCAPE_27], ids=["portrait", "landscape"])
def test_body_text_and_buttons_are_big_on_the_27_inch_monitor(screen: ScreenConfig) -> None:
    m = metrics(screen)
    assert m.font_px(Size.BODY) >= 44
    assert m.button_h >= 150


@pytest.mark.parametrize("screen", list(SCREENS.values()), ids=list(SCREENS))
def test_every_touch_size_is_at_least_15_mm(screen: ScreenConfig) -> None:
    m = metrics(screen)
    for name in ("target", "button_h", "bar_h", "action_h"):
        assert getattr(m, name) / screen.px_per_mm >= TOUCH_MM, name
    assert m.target_gap / screen.px_per_mm >= 2.0


def test_the_7_inch_panel_gets_taller_buttons_than_its_pixels_alone_would_give() -> None:
    pi = metrics(PI_7)
    assert pi.px(10) < pi.target <= pi.bar_h  # 72 px would be under 9 mm: 123 px instead
    assert pi.target == 123


def test_text_scales_with_the_shorter_side() -> None:
    small, large = metrics(PI_7), metrics(PORTRAIT_27)
    assert small.font_px(Size.BODY) / large.font_px(Size.BODY) == pytest.approx(720 / 1080, rel=0.05)


@pytest.mark.parametrize("screen", list(SCREENS.values()), ids=list(SCREENS))
def test_body_text_is_readable_at_arms_length(screen: ScreenConfig) -> None:
    """An em of 3.5 mm or more (about 10 pt): the 7-inch panel is read from closer than the 27-inch."""
    assert metrics(screen).font_px(Size.BODY) / screen.px_per_mm >= 3.5


@pytest.mark.parametrize("look", list(Look), ids=lambda look: look.value)
def test_every_button_look_has_text_at_seven_to_one_on_its_fill(look: Look) -> None:
    fill, _, ink = LOOKS[look]
    assert contrast(ink, fill) >= 7.0
