"""Line wrapping, kinsoku, and the font and rendered-text caches."""

from __future__ import annotations

import pygame
import pytest

from kiosk.fonts import Face
from kiosk.messages import SPACED_LANGUAGES
from kiosk.ui.text import RenderedText, font, wrap, wrap_balanced
from kiosk.ui.theme import INK, Metrics, Size
from tests.kiosk.ui.sizes import SCREENS

PX = 40


def width_of(chars: int) -> int:
    return font(Face.REGULAR, PX).size("あ" * chars)[0]


def test_japanese_wraps_between_characters() -> None:
    lines = wrap("あいうえおかきくけこさしすせそ", Face.REGULAR, PX, width_of(6))
    assert lines == ("あいうえおか", "きくけこさし", "すせそ")


def test_english_wraps_between_words_only() -> None:
    lines = wrap(
        "Please place your card on the reader", Face.REGULAR, PX, font(Face.REGULAR, PX).size("Please place")[0]
    )
    assert lines[0] == "Please place"
    assert all(not line.startswith(" ") and not line.endswith(" ") for line in lines)
    assert " ".join(lines) == "Please place your card on the reader"


def test_closing_punctuation_never_starts_a_line() -> None:
    text = "あいうえお。かきくけこ、さしすせそ）"
    for chars in range(2, 12):
        for line in wrap(text, Face.REGULAR, PX, width_of(chars))[1:]:
            assert line[0] not in "。、）", (chars, line)


def test_opening_bracket_never_ends_a_line() -> None:
    text = "あいうえ（かきくけこ）さしすせそ「たちつ」"
    for chars in range(2, 12):
        for line in wrap(text, Face.REGULAR, PX, width_of(chars))[:-1]:
            assert line[-1] not in "（「", (chars, line)


def test_japanese_prefers_a_phrase_boundary() -> None:
    lines = wrap("手続はできます。ご注意があります。", Face.REGULAR, PX, width_of(10))
    assert lines == ("手続はできます。", "ご注意があります。")


def test_a_word_longer_than_the_line_is_broken() -> None:
    lines = wrap("Supercalifragilisticexpialidocious", Face.REGULAR, PX, width_of(4))
    assert len(lines) > 1
    assert "".join(lines) == "Supercalifragilisticexpialidocious"
    assert all(font(Face.REGULAR, PX).size(line)[0] <= width_of(4) for line in lines)


def test_newlines_are_kept() -> None:
    assert wrap("日本語\nEnglish", Face.REGULAR, PX, 2000) == ("日本語", "English")


def test_balanced_wrap_avoids_a_lonely_last_character_without_adding_lines() -> None:
    text = "アイウエオカキクケコサ"  # one phrase to BudouX, wider than the line: it breaks as full as fits
    plain = wrap(text, Face.REGULAR, PX, width_of(10))
    assert plain[-1] == "サ"
    balanced = wrap_balanced(text, Face.REGULAR, PX, width_of(10))
    assert len(balanced) == len(plain)
    assert len(balanced[-1]) > 1
    assert "".join(balanced) == text


def test_fonts_are_opened_once_per_face_and_size() -> None:
    assert font(Face.BOLD, 33) is font(Face.BOLD, 33)
    assert font(Face.BOLD, 33) is not font(Face.BOLD, 34)


def test_rendered_text_is_cached_and_bounded() -> None:
    cache = RenderedText(capacity=3)
    first = cache.render("一", Face.REGULAR, PX, (0, 0, 0))
    assert cache.render("一", Face.REGULAR, PX, (0, 0, 0)) is first
    for word in ("二", "三", "四"):
        cache.render(word, Face.REGULAR, PX, (0, 0, 0))
    assert len(cache) == 3
    assert cache.render("一", Face.REGULAR, PX, (0, 0, 0)) is not first  # evicted, least recently used


@pytest.mark.parametrize("face", list(Face))
def test_every_face_renders_japanese(face: Face) -> None:
    surface = font(face, PX).render("群馬", True, (0, 0, 0))
    assert isinstance(surface, pygame.Surface)
    assert surface.get_width() > PX


def test_rendered_text_is_bounded_by_memory_too() -> None:
    cache = RenderedText(budget=1_000_000)  # each line is about 400 kB: two fit
    for word in ("一二三四五六七八九十" * 3, "十九八七六五四三二一" * 3, "あいうえおかきくけこ" * 3):
        cache.render(word, Face.REGULAR, 60, (0, 0, 0))
    assert 0 < cache.bytes <= 1_000_000
    assert len(cache) < 3


# --- Latin descenders (issue 18) ------------------------------------------------------------------

DESCENDERS = "gjpqy"
DESCENDER_SHARE = 0.18  # of the type size: Latin faces reach 0.21-0.25; BIZ UD's Latin 0.12, read as clipped


def _lowest_ink_row(surface: pygame.Surface) -> int:
    """The last row with a pixel at least half covered (the surface is the text on a clear background)."""
    ink = pygame.mask.from_surface(surface, 127)
    return max(rect.bottom for rect in ink.get_bounding_rects()) - 1


def _type_sizes() -> list[tuple[str, Size, int]]:
    """Every pixel size a screen draws words in: each type size on each supported screen, whole and
    shrunk as far as a layout may shrink it (the queue number is digits and capitals: no descenders)."""
    sizes = []
    for name, screen in SCREENS.items():
        m = Metrics(screen.width_px, screen.height_px, screen.px_per_mm)
        for size in Size:
            if size is not Size.HUGE:
                for scale in dict.fromkeys((1.0, m.min_scale)):
                    sizes.append((name, size, m.font_px(size, scale)))
    return sizes


@pytest.mark.parametrize("face", [Face.REGULAR, Face.BOLD])
@pytest.mark.parametrize("lang", sorted(SPACED_LANGUAGES))
def test_latin_descenders_reach_below_the_baseline_at_every_size(lang: str, face: Face) -> None:
    """g j p q y drawn as the screens draw a line (RenderedText, with its crop to the line's
    height) reach at least 18 % of the type size below the baseline, which the bottom of "H" marks."""
    cache = RenderedText()
    short = []
    for screen, size, px in _type_sizes():
        baseline = _lowest_ink_row(cache.render("H", face, px, INK, lang, whole="H" + DESCENDERS))
        bottom = _lowest_ink_row(cache.render("H" + DESCENDERS, face, px, INK, lang))
        if bottom - baseline < DESCENDER_SHARE * px:
            short.append(f"{screen} {size.name} {px}px: {bottom - baseline}px")
    assert not short, f"{lang} descenders end too soon: {', '.join(short)}"
