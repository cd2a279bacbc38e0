"""Fonts, line wrapping and rendered-text caching for the screens.

The appliance is a slow ARM board: opening a TrueType face and rasterising a line are the costly
parts of a frame, so faces are opened once per (face, pixel size) for the whole process, wrapped
lines are memoised, and rendered lines live in a small LRU cache.

Where lines break is kiosk.linebreak's (the ticket breaks the same words the same way); this
module measures with the font each text is drawn in.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache

import pygame

from kiosk import linebreak
from kiosk.fonts import DEFAULT_LANGUAGE, Face, FontFile, font_for, single_face_path
from kiosk.messages import SPACED_LANGUAGES
from kiosk.ui.theme import LINE_SPACING, Color

_FONTS: dict[tuple[FontFile, int], pygame.font.Font] = {}


def font(face: Face, px: int, lang: str = DEFAULT_LANGUAGE, text: str = "") -> pygame.font.Font:
    """The font of `lang` that draws all of `text` (kiosk.fonts.font_for) at this pixel size,
    opened once per process. Measure and draw one text with the same `text`, so a paragraph's
    lines are all drawn in the font it was wrapped with."""
    file = font_for(face, lang, text)
    key = (file, px)
    loaded = _FONTS.get(key)
    if loaded is None:
        if not pygame.font.get_init():
            pygame.font.init()
        loaded = pygame.font.Font(single_face_path(file), px)
        _FONTS[key] = loaded
    return loaded


def line_height(px: int, spacing: float) -> int:
    return round(px * spacing)


@lru_cache(maxsize=4096)
def wrap(text: str, face: Face, px: int, width: int, lang: str = DEFAULT_LANGUAGE) -> tuple[str, ...]:
    """The lines `text` takes at this font and width (kiosk.linebreak.wrap). Explicit newlines are kept."""
    f = font(face, px, lang, text)

    def measure(line: str) -> float:
        return float(f.size(line)[0])  # the whole line: pygame shapes it (ligatures), so no per-glyph sum

    return tuple(linebreak.wrap(text, measure, width, spaced=lang in SPACED_LANGUAGES, lang=lang))


@lru_cache(maxsize=4096)
def wrap_balanced(text: str, face: Face, px: int, width: int, lang: str = DEFAULT_LANGUAGE) -> tuple[str, ...]:
    """Like `wrap`, but a last line of a word or two (an orphan like 「い。」) is avoided by
    wrapping a little narrower, as long as that takes no more lines. Narrowing in small steps
    keeps the phrase breaks that `wrap` finds; a search for the narrowest width would not."""
    lines = wrap(text, face, px, width, lang)
    f = font(face, px, lang, text)
    if len(lines) < 2 or f.size(lines[-1])[0] >= width // 4:
        return lines
    for step in range(1, 11):
        narrower = wrap(text, face, px, round(width * (1 - 0.04 * step)), lang)
        if len(narrower) > len(lines):
            break
        if f.size(narrower[-1])[0] >= width // 4:
            return narrower
    return lines


class RenderedText:
    """An LRU cache of rendered lines: the same labels are drawn on every frame.

    Bounded by count and by memory: a line of 45 px type is a 32-bit surface of about 100 kB,
    so `budget` (bytes of pixels) keeps a day of screens in every language from growing the
    process; the lines of one visit fit many times over."""

    def __init__(self, capacity: int = 2048, budget: int = 48 * 2**20) -> None:
        self.capacity = capacity
        self.budget = budget
        self.bytes = 0
        self._cache: OrderedDict[tuple[str, FontFile, int, Color], pygame.Surface] = OrderedDict()

    def __len__(self) -> int:
        return len(self._cache)

    def render(
        self, text: str, face: Face, px: int, color: Color, lang: str = DEFAULT_LANGUAGE, whole: str | None = None
    ) -> pygame.Surface:
        """`text` in `lang`'s font for `whole` (the paragraph it is a line of; itself by default)."""
        sample = text if whole is None else whole
        key = (text, font_for(face, lang, sample), px, color)
        surface = self._cache.get(key)
        if surface is not None:
            self._cache.move_to_end(key)
            return surface
        f = font(face, px, lang, sample)
        surface = f.render(text, True, color)
        room = line_height(px, LINE_SPACING)
        if surface.get_height() > room:
            # Noto Sans CJK's line box (1.45 em) is taller than a line here (1.3 em); its ink is not
            # (stacked Vietnamese marks reach 1.0 em above the baseline, descenders 0.25 below). Keep
            # one line's height with the baseline 1.03 em below its top, where BIZ UD's falls.
            top = max(0, f.get_ascent() - round(px * 1.03))
            surface = surface.subsurface((0, top, surface.get_width(), min(room, surface.get_height() - top))).copy()
        self._cache[key] = surface
        self.bytes += _size(surface)
        while len(self._cache) > 1 and (len(self._cache) > self.capacity or self.bytes > self.budget):
            _, old = self._cache.popitem(last=False)
            self.bytes -= _size(old)
        return surface


def _size(surface: pygame.Surface) -> int:
    return surface.get_height() * surface.get_pitch()
