"""Contrast and sizes: readable for an older visitor standing in a bright lobby."""

from __future__ import annotations

import pytest

from kiosk.ui.theme import CONTRAST_PAIRS, Metrics, Size, contrast


@pytest.mark.parametrize(("fg", "bg"), CONTRAST_PAIRS)
def test_every_text_colour_reaches_seven_to_one(fg: tuple[int, int, int], bg: tuple[int, int, int]) -> None:
    assert contrast(fg, bg) >= 7.0


def test_contrast_of_black_on_white_is_21() -> None:
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
def test_body_text_and_buttons_are_big_at_1080(size: tuple[int, int]) -> None:
    m = Metrics(*size)
    assert m.font_px(Size.BODY) >= 44
    assert m.button_h >= 150


def test_everything_scales_with_the_shorter_side() -> None:
    small, large = Metrics(720, 1280), Metrics(1080, 1920)
    assert small.font_px(Size.BODY) / large.font_px(Size.BODY) == pytest.approx(720 / 1080, rel=0.05)
    assert small.button_h / large.button_h == pytest.approx(720 / 1080, rel=0.05)
