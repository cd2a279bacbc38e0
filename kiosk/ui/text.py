"""Fonts, line wrapping and rendered-text caching for the screens.

The appliance is a slow ARM board: opening a TrueType face and rasterising a line are the costly
parts of a frame, so faces are opened once per (face, pixel size) for the whole process, wrapped
lines are memoised, and rendered lines live in a small LRU cache.

Wrapping works for any mix of scripts without knowing the language: Japanese (and other CJK
text) may break between any two characters, Latin text only at spaces. Line-start and line-end
rules (kinsoku) keep 「、。）」 off the start of a line and 「（「」 off its end.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache

import pygame

from kiosk.fonts import DEFAULT_LANGUAGE, Face, FontFile, font_for, single_face_path
from kiosk.messages import SPACED_LANGUAGES
from kiosk.ui.theme import LINE_SPACING, Color

_FONTS: dict[tuple[FontFile, int], pygame.font.Font] = {}

# Characters that must not begin a line (they close something or trail a word)...
_NO_START = frozenset(
    "、。，．・：；？！ー」』）］｝〉》】〕…‥々ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ,.;:!?)]}%〜–"
)
# ...and characters that must not end one (they open something, or join: 8:30〜10:00 stays whole).
_NO_END = frozenset("「『（［｛〈《【〔([{〜–")


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


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x2E80 <= code <= 0x9FFF  # CJK radicals, punctuation, kana, unified ideographs
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x20000 <= code <= 0x3FFFF  # extension planes
    )


def tokens(text: str, spaced: bool = False) -> list[str]:
    """Split text into unbreakable pieces: a CJK character, or a Latin word with its trailing space.

    In a `spaced` language (words between spaces: English, Portuguese, Vietnamese) a Japanese term
    is part of its word too: "(市役所・町村役場)," stays whole rather than break after 市役."""
    out: list[str] = []
    buf = ""
    for ch in text:
        if buf and ch in _NO_START:
            buf += ch  # stays with what it closes
        elif ch.isspace():
            buf += ch
            out.append(buf)
            buf = ""
        elif buf and buf[-1] in _NO_END:
            buf += ch  # an opening bracket stays with what it opens
        elif _is_cjk(ch) and not spaced:
            if buf:
                out.append(buf)
            buf = ch
        else:
            if buf and _is_cjk(buf[-1]) and not spaced:
                out.append(buf)
                buf = ""
            buf += ch
    if buf:
        out.append(buf)
    return out


@lru_cache(maxsize=4096)
def wrap(text: str, face: Face, px: int, width: int, lang: str = DEFAULT_LANGUAGE) -> tuple[str, ...]:
    """The lines `text` takes at this font and width. Explicit newlines are kept.

    Japanese may break anywhere, but reads better broken between phrases, so a line ends at the
    last likely phrase boundary in its last part: 「手続はできます。／ご注意があります。」 rather
    than 「…ます。ご／注意…」.
    """
    f = font(face, px, lang, text)

    def fits(s: str) -> bool:
        return f.size(s.rstrip())[0] <= width

    lines: list[str] = []
    for paragraph in text.split("\n"):
        line: list[str] = []
        for tok in tokens(paragraph, lang in SPACED_LANGUAGES):
            if fits("".join(line) + tok):
                line.append(tok)
                continue
            carry: list[str] = []
            if _is_cjk(tok[0]):
                cut = _phrase_end(line, tok, f, width)
                line, carry = line[:cut], line[cut:]
            if "".join(line).strip():
                lines.append("".join(line).rstrip())
            rest = ("".join(carry) + tok).lstrip()
            while not fits(rest) and len(rest) > 1:
                # One piece wider than the line (a long word): break it where it must.
                cut_at = len(rest) - 1
                while cut_at > 1 and not fits(rest[:cut_at]):
                    cut_at -= 1
                lines.append(rest[:cut_at])
                rest = rest[cut_at:]
            line = [rest]
        lines.append("".join(line).rstrip())
    return tuple(lines)


_PHRASE_ENDS = frozenset("。、，・！？）」』】")
_PHRASE_STARTS = frozenset("（「『【")
_PHRASE_REACH = 0.5  # end a line early at a phrase boundary only in its second half


def _is_hiragana(ch: str) -> bool:
    return "\u3041" <= ch <= "\u309f"


def _at_punctuation(before: str, after: str) -> bool:
    """After 。、・ or a closing bracket, or before an opening one."""
    return before[-1] in _PHRASE_ENDS or after[0] in _PHRASE_STARTS


def _after_particle(before: str, after: str) -> bool:
    """Hiragana (a particle, an inflection) followed by kanji or katakana often starts the next
    phrase (bunsetsu): 「カードが｜読み取り機に｜残っています」. Not after the honorific お・ご."""
    last, first = before[-1], after[0]
    return (
        _is_hiragana(last)
        and last not in "おご"
        and _is_cjk(first)
        and not _is_hiragana(first)
        and first not in _NO_START
    )


def _phrase_end(line: list[str], nxt: str, f: pygame.font.Font, width: int) -> int:
    """How many of the line's tokens to keep: up to its last phrase boundary in reach, a
    punctuation mark before a guessed one; all of them when there is none."""
    following = [*line[1:], nxt]
    reach = [i for i in range(len(line), 0, -1) if f.size("".join(line[:i]))[0] >= width * _PHRASE_REACH]
    for boundary in (_at_punctuation, _after_particle):
        for i in reach:
            if boundary(line[i - 1], following[i - 1]):
                return i
    return len(line)


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
