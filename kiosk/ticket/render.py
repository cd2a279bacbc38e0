"""A `TicketDocument` as a thermal printer prints it: a 1-bit image, black on white, `width_dots` wide.

Sizes are in printer dots at 203 dpi (8 dots/mm): SMALL 22 (2.75 mm), NORMAL 28, LARGE 40 and
HUGE 150 (the queue number, ~19 mm, readable across the hall). Text is drawn straight into a
mode "1" image, so FreeType renders hinted monochrome glyphs: what a thermal head prints, with no
grey to threshold. The queue number uses the fixed-width face (digits line up, "0" and "O" differ)
and shrinks to fit narrow paper; every other line wraps, Japanese between any two characters
(with the usual kinsoku: no line starts with 。、） or ends with （「), Latin between words. A
left-aligned text that starts with a bullet ("・", "- ") hangs its further lines under the words
after the bullet, so a list item that wraps still reads as one item.

Used by the simulated printer, the on-screen preview and, later, the ESC/POS driver's raster
path (device-facts.md: Japanese text must go to the printer as an image).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

from kiosk.errors import KioskError
from kiosk.fonts import DEFAULT_LANGUAGE, Face, FontFile, font_for
from kiosk.ticket.document import (
    Align,
    FeedBlock,
    QrBlock,
    RuleBlock,
    Size,
    TextBlock,
    TicketDocument,
)

SIZE_DOTS = {Size.SMALL: 22, Size.NORMAL: 28, Size.LARGE: 40, Size.HUGE: 150}
MARGIN_DOTS = 8  # each side; the printable width of the paper already excludes the unprintable edge
RULE_DOTS = 2
QR_QUIET_MODULES = 4  # ISO/IEC 18004 quiet zone, needed by scanners
WHITE, BLACK = 1, 0

_NO_LINE_START = frozenset(
    "、。，．,.：；:;？！?!・ー）」』】〕〉》〙”’)]}ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々ゝゞ円%"
)
_NO_LINE_END = frozenset("（「『【〔〈《〘“‘([{¥￥")
BULLETS = ("・", "- ", "• ")
NBSP = "\u00a0"  # a space where a line must not break: "端末\u00a0lobby-1"

Draw = Callable[[Image.Image, int], None]  # draws a piece on the ticket at the given top


@dataclass(frozen=True)
class _Piece:
    """One band of the ticket: its height and how to draw it at a given top."""

    height: int
    draw: Draw | None  # None: blank paper


def render_ticket(document: TicketDocument) -> Image.Image:
    """The ticket as a mode "1" image exactly `document.width_dots` wide."""
    width = document.width_dots
    if width <= 2 * MARGIN_DOTS:
        raise ValueError(f"width_dots {width} is too narrow for a ticket")
    pieces: list[_Piece] = []
    for block in document.blocks:
        if isinstance(block, TextBlock):
            pieces += _text(block, width, document.lang)
        elif isinstance(block, RuleBlock):
            pieces.append(_rule(width))
        elif isinstance(block, FeedBlock):
            pieces.append(_Piece(max(block.dots, 0), None))
        else:
            pieces.append(_qr(block, width))
    height = max(sum(p.height for p in pieces), 1)
    image = Image.new("1", (width, height), WHITE)
    top = 0
    for piece in pieces:
        if piece.draw is not None:
            piece.draw(image, top)
        top += piece.height
    return image


def save_ticket_png(document: TicketDocument, path: Path) -> None:
    """Render and write a 1-bit PNG (what the simulated printer leaves behind)."""
    render_ticket(document).save(path, format="PNG", optimize=False)


# --- fonts ---------------------------------------------------------------------------------------


def _font(face: Face, size: int, lang: str = DEFAULT_LANGUAGE, text: str = "") -> ImageFont.FreeTypeFont:
    """The ticket language's font that draws all of `text` (kiosk.fonts.font_for): the Japanese
    clerk lines of a Vietnamese ticket come out in a face that has Japanese."""
    return _load(font_for(face, lang, text), size)


@lru_cache(maxsize=64)
def _load(file: FontFile, size: int) -> ImageFont.FreeTypeFont:
    """Each (font, size) loaded once per process: loading a CJK face costs ~10 ms."""
    path = file.path
    try:
        # BASIC layout: Japanese, Latin and precomposed Vietnamese need no shaping, and it is faster than raqm.
        return ImageFont.truetype(str(path), size, index=file.index, layout_engine=ImageFont.Layout.BASIC)
    except OSError as exc:
        raise KioskError(f"cannot load font {path}: {exc}") from exc


@lru_cache(maxsize=8192)
def _advance(font: ImageFont.FreeTypeFont, char: str) -> float:
    return font.getlength(char)


def text_length(font: ImageFont.FreeTypeFont, text: str) -> float:
    """Width of `text` in dots, from cached per-character advances.

    Exact for these faces under BASIC layout, which applies no kerning or shaping (a test holds
    it to `font.getlength` for every catalog string); ~10x faster than measuring whole strings,
    which matters because wrapping measures each line several times.
    """
    return sum(_advance(font, char) for char in text)


def _face(block: TextBlock) -> Face:
    if block.size is Size.HUGE:
        return Face.FIXED_BOLD if block.bold else Face.FIXED
    return Face.BOLD if block.bold else Face.REGULAR


# --- text ----------------------------------------------------------------------------------------


def _text(block: TextBlock, width: int, lang: str) -> list[_Piece]:
    usable = width - 2 * MARGIN_DOTS
    if block.size is Size.HUGE:
        return [_huge(block, width, usable, lang)]
    font = _font(_face(block), SIZE_DOTS[block.size], lang, block.text)
    ascent, descent = font.getmetrics()
    line_height = ascent + descent + SIZE_DOTS[block.size] // 5
    bullet = next((b for b in BULLETS if block.text.startswith(b)), None)
    indent = round(text_length(font, bullet)) if bullet and block.align is Align.LEFT else 0
    lines = wrap(block.text, font, usable, indent)
    return [_line(line, font, block.align, width, line_height, indent if i else 0) for i, line in enumerate(lines)]


def _line(line: str, font: ImageFont.FreeTypeFont, align: Align, width: int, height: int, indent: int) -> _Piece:
    x = MARGIN_DOTS + indent if align is Align.LEFT else (width - round(text_length(font, line))) // 2
    band = _band(line, font, x, width, height)

    def draw(image: Image.Image, top: int) -> None:
        image.paste(band, (0, top))

    return _Piece(height, draw)


@lru_cache(maxsize=512)
def _band(line: str, font: ImageFont.FreeTypeFont, x: int, width: int, height: int) -> Image.Image:
    """One line of text as a strip of paper the ticket's width.

    Rasterising a line costs ~0.5 ms (FreeType renders every glyph afresh), and most lines are the
    same on every ticket (headings, notes, bring-lists), so the strips are kept: a warm render is
    mostly pasting. Lines never overlap, so pasting a whole strip equals drawing on the ticket.
    Callers only paste it, never draw on it.
    """
    band = Image.new("1", (width, height), WHITE)
    ImageDraw.Draw(band).text((x, 0), line, font=font, fill=BLACK, anchor="la")
    return band


def _huge(block: TextBlock, width: int, usable: int, lang: str) -> _Piece:
    """The queue number on one line, shrunk to fit narrow paper, cropped to its ink."""
    face, size = _face(block), SIZE_DOTS[Size.HUGE]
    font = _font(face, size, lang, block.text)
    length = text_length(font, block.text)
    if length > usable:
        font = _font(face, max(int(size * usable / length), 1), lang, block.text)
    left, top, right, bottom = (round(v) for v in font.getbbox(block.text, anchor="la"))
    x = MARGIN_DOTS - left if block.align is Align.LEFT else (width - (right - left)) // 2 - left

    def draw(image: Image.Image, y: int) -> None:
        ImageDraw.Draw(image).text((x, y - top), block.text, font=font, fill=BLACK, anchor="la")

    return _Piece(bottom - top, draw)


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _tokens(text: str) -> list[str]:
    """Units a line may break between: each Japanese character, each Latin word with its spaces.

    Closing punctuation sticks to what precedes it and opening brackets to what follows (kinsoku);
    a no-break space (U+00A0) joins the tokens on both sides.
    """
    tokens: list[str] = []
    for char in text:
        space = char.isspace() and char != NBSP
        if tokens and (
            space  # a space trails the token before it
            or char == NBSP
            or tokens[-1][-1] == NBSP  # a no-break space binds its neighbours
            or char in _NO_LINE_START
            or tokens[-1][-1] in _NO_LINE_END
            or (not _is_wide(char) and not _is_wide(tokens[-1][-1]) and not tokens[-1][-1].isspace())
        ):
            tokens[-1] += char
        else:
            tokens.append(char)
    return tokens


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int, indent: int = 0) -> list[str]:
    """Lines of `text` no wider than `width` dots, every line after the first `indent` narrower.

    "\n" starts a new line; a word longer than a line is cut by character; a space is the preferred
    break. Each line's break is found by bisection over the break points (a handful of
    measurements, not one per token).
    """
    lines: list[str] = []

    def fits(words: str) -> bool:
        return text_length(font, words) <= (width - indent if lines else width)

    for paragraph in text.split("\n"):
        tokens = _tokens(paragraph.strip())
        start = 0
        while not fits(rest := "".join(tokens[start:]).strip()):
            lo, hi = start, len(tokens)  # tokens[start:lo] fit, tokens[start:hi] do not
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if fits("".join(tokens[start:mid]).strip()):
                    lo = mid
                else:
                    hi = mid
            if lo > start:
                lo = _prefer_space(tokens, start, lo, font)
                lines.append("".join(tokens[start:lo]).strip())
                start = lo
            else:  # one token wider than the paper
                token = tokens[start].strip()
                cut = _fit(token, fits)
                lines.append(token[:cut])
                tokens[start] = token[cut:]
        lines.append(rest)
    return lines


def _prefer_space(tokens: list[str], start: int, end: int, font: ImageFont.FreeTypeFont) -> int:
    """Break at the last space of a line rather than between two Japanese characters, when that
    still fills half the line: "発行 2026-11-25 09:12　端末\u00a0lobby-1" keeps 端末 with its value."""
    if tokens[end - 1][-1].isspace():
        return end
    for k in range(end - 1, start, -1):
        if tokens[k - 1][-1].isspace():
            full = text_length(font, "".join(tokens[start:end]).strip())
            return k if text_length(font, "".join(tokens[start:k]).strip()) >= full / 2 else end
    return end


def _fit(token: str, fits: Callable[[str], bool]) -> int:
    """How many leading characters of `token` fit (at least one, so wrapping always ends)."""
    lo, hi = 1, len(token)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(token[:mid]):
            lo = mid
        else:
            hi = mid - 1
    return lo


# --- rule and QR ---------------------------------------------------------------------------------


def _rule(width: int) -> _Piece:
    def draw(image: Image.Image, top: int) -> None:
        image.paste(BLACK, (MARGIN_DOTS, top, width - MARGIN_DOTS, top + RULE_DOTS))

    return _Piece(RULE_DOTS, draw)


def _qr(block: QrBlock, width: int) -> _Piece:
    """A QR code centred with its quiet zone, at `module_dots` per module (less if the paper is narrow)."""
    symbol, module = _qr_symbol(block.data, block.module_dots, width)
    quiet = QR_QUIET_MODULES * module
    x = (width - symbol.width) // 2

    def draw(image: Image.Image, top: int) -> None:
        image.paste(symbol, (x, top + quiet))

    return _Piece(symbol.height + 2 * quiet, draw)


@lru_cache(maxsize=8)
def _qr_symbol(data: str, module_dots: int, width: int) -> tuple[Image.Image, int]:
    """The symbol without its quiet zone, and the dots per module used.

    segno picks the mask by the standard's penalty rules (~4 ms, most of a render); cached because
    the same ticket is rendered for the screen preview and then for the printer. Callers only
    paste it, never draw on it.
    """
    qr = segno.make_qr(data, error="m")
    modules = len(qr.matrix)
    module = min(module_dots, width // (modules + 2 * QR_QUIET_MODULES))
    if module < 1:
        raise ValueError(f"QR code of {modules} modules does not fit {width} dots")
    # segno's matrix: one bytearray per row, 1 = dark. In "L" 0 is black: invert, then scale up.
    raw = bytes(0 if dark else 255 for row in qr.matrix for dark in row)
    small = Image.frombytes("L", (modules, modules), raw).convert("1", dither=Image.Dither.NONE)
    return small.resize((modules * module, modules * module), Image.Resampling.NEAREST), module
