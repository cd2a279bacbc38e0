"""A `TicketDocument` as a thermal printer prints it: bands of paper, and their 1-bit picture.

One rendering for the screen preview, the ESC/POS driver and the printer emulator, so all three
agree dot for dot: `ticket_bands` draws the blocks into what the printer is told to do, band by
band, top to bottom, as the printer's own PIL-free values (drivers/printer/bands.py):
- `Raster`: one line of text (or the rule) drawn here with BIZ UD Gothic and cropped to its ink,
  sent as a `GS v 0` raster image. Japanese must go as an image (device-facts.md: python-escpos
  cannot encode it), and cropping matters: white paper costs bytes, and bytes cost seconds on a
  115200-baud serial printer;
- `Feed`: blank paper, fed (`ESC J`), never sent as white raster;
- `Qr`: a QR code the printer draws itself (`GS ( k`, ~70 bytes instead of ~4.5 kB of image);
- `NativeText`: a line in the printer's own 24-dot font, for Japanese-model printers in Kanji
  mode (the site config's choice).
`ticket_job` is the bands with what the driver needs besides (`TicketJob`: label, width, paper
length). `compose` lays bands on paper the way the printer does (centred bands centred on the
paper, left ones from dot 0); `render_ticket` is the two together, the preview. The printer
emulator (drivers/printer/emulator.py) is handed `compose` to print what it decodes.

Sizes are in printer dots at 203 dpi (8 dots/mm): SMALL 24 (3 mm, the least any ticket text is
printed: tests/kiosk/ticket/test_limits.py), NORMAL 28, LARGE 40 and HUGE 150 (the queue number,
~19 mm, readable across the hall); lines are spaced by an eighth of their size. The queue number is drawn at half
size and printed with every dot doubled (raster quadruple mode): a quarter of the bytes, in steps
of 0.25 mm nobody sees on a 19 mm digit. It uses the fixed-width face (digits line up, "0" and
"O" differ) and shrinks to fit narrow paper. Text is drawn straight into mode "1" images, so
FreeType renders hinted monochrome glyphs: what a thermal head prints, with no grey to threshold.
Every other line wraps, Japanese between any two characters (with the usual kinsoku: no line
starts with 。、） or ends with （「), Latin between words. A left-aligned text that starts with a
bullet ("・", "- ", "• ") hangs its further lines under the words after the bullet. A list of short
items (`ItemsBlock`, the bring-list) is packed whole items to a line, as many as the paper takes.

Ink images (the rows of `Raster`, `qr_symbol`, `native_line`) are mode "1" with 1 = a black dot,
as the printer's bits go; the paper (`compose`) is mode "1" with 1 = white.

This module is past ~400 lines because the line layout, its wrapping and its composition must be
one piece: the encoder and the preview agree only if they share every decision made here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

from drivers.printer.bands import (
    NATIVE_CELL_DOTS,
    NATIVE_ENCODING,
    Band,
    Feed,
    Justify,
    NativeText,
    Qr,
    Raster,
    TicketJob,
    merge_feeds,
)
from kiosk import linebreak
from kiosk.errors import KioskError
from kiosk.fonts import DEFAULT_LANGUAGE, Face, FontFile, font_for
from kiosk.messages import SPACED_LANGUAGES
from kiosk.ticket.document import (
    Align,
    FeedBlock,
    ItemsBlock,
    QrBlock,
    RuleBlock,
    Size,
    TextBlock,
    TicketDocument,
)

SIZE_DOTS = {Size.SMALL: 24, Size.NORMAL: 28, Size.LARGE: 40, Size.HUGE: 150}
LINE_GAP_PER_EM = 8  # the leading under a line: an eighth of its size (was a fifth: 1.5 cm a ticket)
MARGIN_DOTS = 8  # each side; the printable width of the paper already excludes the unprintable edge
RULE_DOTS = 2
QR_QUIET_MODULES = 4  # ISO/IEC 18004 quiet zone, needed by scanners (fed as blank paper above and below)
QR_ERROR = "m"
HUGE_SCALE = 2  # the queue number: drawn at half size, every dot printed 2x2
NATIVE_SCALE = {Size.SMALL: 1, Size.NORMAL: 1, Size.LARGE: 2}  # character size multipliers (GS !)
NATIVE_LINE_GAP = 6  # dots fed after each native line
WHITE, BLACK = 1, 0  # on the paper
INK = 1  # in ink images

BULLETS = ("・", "- ", "• ")
ITEM_GAP = {False: "　", True: "   "}  # between items packed on one line: Japanese, spaced languages
NBSP = "\u00a0"  # a space where a line must not break: "端末\u00a0lobby-1"


# --- bands ---------------------------------------------------------------------------------------

_JUSTIFY = {Align.LEFT: Justify.LEFT, Align.CENTER: Justify.CENTER}


def band_height(band: Band) -> int:
    """Dots of paper a band takes; a QR code's as the printer draws it (the same symbol as `qr_symbol`)."""
    if isinstance(band, Feed):
        return band.dots
    if isinstance(band, Qr):
        return qr_symbol(band.data, band.module).height
    return band.height


def ticket_job(document: TicketDocument, kanji: bool = False) -> TicketJob:
    """The ticket as the printer driver takes it (`TicketPrinter.print_ticket`)."""
    bands = ticket_bands(document, kanji)
    return TicketJob(document.label, document.width_dots, tuple(bands), sum(band_height(b) for b in bands))


def ticket_bands(document: TicketDocument, kanji: bool = False) -> list[Band]:
    """What the printer is told to print, top to bottom. `kanji`: text in the printer's own font
    wherever it can encode it (Japanese-model printers); the queue number stays an image."""
    width = document.width_dots
    if width <= 2 * MARGIN_DOTS:
        raise ValueError(f"width_dots {width} is too narrow for a ticket")
    # A Japanese printer font draws shared Han characters in Japanese forms: never for Chinese.
    kanji = kanji and not document.lang.startswith("zh")
    bands: list[Band] = []
    for block in document.blocks:
        if isinstance(block, TextBlock | ItemsBlock):
            lang = block.lang or document.lang  # Japanese for the clerk breaks as Japanese on any ticket
            lines = _packed(block, width, lang, kanji) if isinstance(block, ItemsBlock) else [block]
            for line in lines:
                native = kanji and line.size is not Size.HUGE and _encodable(line.text)
                bands += _native_text(line, width) if native else _text(line, width, lang)
        elif isinstance(block, RuleBlock):
            bands.append(_rule(width))
        elif isinstance(block, FeedBlock):
            bands.append(Feed(max(block.dots, 0)))
        else:
            bands += _qr(block, width)
    return merge_feeds(bands)


def compose(bands: Sequence[Band], width: int) -> Image.Image:
    """The paper: mode "1", `width` dots wide, the bands laid top to bottom as the printer lays them."""
    height = max(sum(band_height(b) for b in bands), 1)
    paper = Image.new("1", (width, height), WHITE)
    top = 0
    for band in bands:
        if isinstance(band, Raster):
            ink = Image.frombytes("1", (band.image_width, band.image_height), band.data)
            _stamp(paper, ink if band.scale == 1 else _scaled(ink, band.scale), band.justify, top)
        elif isinstance(band, Qr):
            _stamp(paper, qr_symbol(band.data, band.module), Justify.CENTER, top)
        elif isinstance(band, NativeText):
            _stamp(paper, native_line(band.text, band.bold, band.scale), band.justify, top)
        top += band_height(band)
    return paper


def _stamp(paper: Image.Image, ink: Image.Image, justify: Justify, top: int) -> None:
    x = 0 if justify is Justify.LEFT else (paper.width - ink.width) // 2
    paper.paste(BLACK, (x, top, x + ink.width, top + ink.height), mask=ink)


def _scaled(image: Image.Image, scale: int) -> Image.Image:
    return image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)


def render_ticket(document: TicketDocument, kanji: bool = False) -> Image.Image:
    """The ticket as printed: a mode "1" image exactly `document.width_dots` wide (the preview)."""
    return compose(ticket_bands(document, kanji), document.width_dots)


def save_ticket_png(document: TicketDocument, path: Path, kanji: bool = False) -> None:
    """Render and write a 1-bit PNG."""
    render_ticket(document, kanji).save(path, format="PNG", optimize=False)


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


# --- raster text ---------------------------------------------------------------------------------


def _text(block: TextBlock, width: int, lang: str) -> list[Band]:
    usable = width - 2 * MARGIN_DOTS
    if block.size is Size.HUGE:
        return _huge(block, width, usable, lang)
    font = _font(_face(block), SIZE_DOTS[block.size], lang, block.text)
    ascent, descent = font.getmetrics()
    line_height = ascent + descent + SIZE_DOTS[block.size] // LINE_GAP_PER_EM
    bullet = next((b for b in BULLETS if block.text.startswith(b)), None)
    indent = round(text_length(font, bullet)) if bullet and block.align is Align.LEFT else 0
    bands: list[Band] = []
    for i, line in enumerate(wrap(block.text, font, usable, indent, lang)):
        shift = indent if i else 0
        x = MARGIN_DOTS + shift if block.align is Align.LEFT else (width - round(text_length(font, line))) // 2
        bands += _line(line, font, x, width, line_height, block.align)
    return bands


@lru_cache(maxsize=1024)
def _line(line: str, font: ImageFont.FreeTypeFont, x: int, width: int, height: int, align: Align) -> tuple[Band, ...]:
    """One line of text as feed, cropped raster, feed: `height` dots of paper in all.

    Rasterising a line costs ~0.5 ms (FreeType renders every glyph afresh), and most lines are the
    same on every ticket (headings, notes, bring-lists), so the bands are kept. Callers never draw
    on the images.
    """
    strip = Image.new("1", (width, height), 0)
    ImageDraw.Draw(strip).text((x, 0), line, font=font, fill=INK, anchor="la")
    return _cropped(strip, align)


def _cropped(strip: Image.Image, align: Align, scale: int = 1) -> tuple[Band, ...]:
    """An ink strip as the bands the printer needs: blank rows as feed, the ink rows as raster."""
    box = strip.getbbox()
    if box is None:
        return (Feed(strip.height * scale),)
    left, top, right, bottom = box
    if align is Align.LEFT:
        left, right = 0, _bytes(right) * 8
    else:
        wide = _bytes(right - left) * 8
        left -= (wide - (right - left)) // 2
        right = left + wide
    ink = strip.crop((left, top, right, bottom))
    return (
        Feed(top * scale),
        Raster(ink.width, ink.tobytes(), _JUSTIFY[align], scale),
        Feed((strip.height - bottom) * scale),
    )


def _bytes(dots: int) -> int:
    return (dots + 7) // 8


def _huge(block: TextBlock, width: int, usable: int, lang: str) -> list[Band]:
    """The queue number on one line at half size (printed doubled), shrunk to fit narrow paper."""
    face, size = _face(block), SIZE_DOTS[Size.HUGE] // HUGE_SCALE
    room = usable // HUGE_SCALE
    font = _font(face, size, lang, block.text)
    length = text_length(font, block.text)
    if length > room:
        font = _font(face, max(int(size * room / length), 1), lang, block.text)
    left, top, right, bottom = (round(v) for v in font.getbbox(block.text, anchor="la"))
    strip = Image.new("1", (width // HUGE_SCALE, bottom - top), 0)
    x = MARGIN_DOTS // HUGE_SCALE - left if block.align is Align.LEFT else (strip.width - (right - left)) // 2 - left
    ImageDraw.Draw(strip).text((x, -top), block.text, font=font, fill=INK, anchor="la")
    return list(_cropped(strip, block.align, HUGE_SCALE))


# --- packed items --------------------------------------------------------------------------------


def _packed(block: ItemsBlock, width: int, lang: str, kanji: bool) -> list[TextBlock]:
    """The items as left-aligned lines, each holding as many whole items as fit: a bring-list of
    five short things takes two or three lines instead of five, and no item is split between two
    lines unless it is longer than a line by itself (then it wraps alone, hung under its bullet).

    Measured as the line will be printed: in the printer's cells when it will go as native text
    (Kanji mode), else in the raster font (the language's face that draws every item).
    """
    gap = ITEM_GAP[lang in SPACED_LANGUAGES]
    usable = width - 2 * MARGIN_DOTS
    font = _font(_face(TextBlock("", block.size)), SIZE_DOTS[block.size], lang, gap.join(block.items))
    half = NATIVE_CELL_DOTS // 2 * NATIVE_SCALE.get(block.size, 1)
    native = kanji and all(_encodable(item) for item in block.items)

    def measure(words: str) -> float:
        return native_cells(words) * half if native else text_length(font, words)

    lines: list[str] = []
    for item in block.items:
        joined = f"{lines[-1]}{gap}{item}" if lines else item
        if lines and measure(lines[-1]) <= usable and measure(joined) <= usable:
            lines[-1] = joined
        else:
            lines.append(item)
    return [TextBlock(line, block.size) for line in lines]


# --- native text (Kanji mode) --------------------------------------------------------------------


def _encodable(text: str) -> bool:
    try:
        text.replace(NBSP, " ").encode(NATIVE_ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def native_cells(text: str) -> int:
    """Width in half-width cells of the printer's font: 2 for each wide character, 1 for the rest."""
    return sum(2 if _is_wide(char) else 1 for char in text)


def _native_text(block: TextBlock, width: int) -> list[Band]:
    scale = NATIVE_SCALE[block.size]
    half = NATIVE_CELL_DOTS // 2 * scale
    bullet = next((b for b in BULLETS if block.text.startswith(b)), None)
    hang = " " * native_cells(bullet) if bullet and block.align is Align.LEFT else ""
    # as the printer will read it back (cp932 maps 〜 U+301C to ～ U+FF5E): the preview shows the same
    text = block.text.replace(NBSP, " ").encode(NATIVE_ENCODING).decode(NATIVE_ENCODING)
    lines = wrap_measured(text, lambda words: native_cells(words) * half, width - 2 * MARGIN_DOTS, len(hang) * half)
    bands: list[Band] = []
    for i, line in enumerate(lines):
        prefix = " " if block.align is Align.LEFT else ""  # a one-cell margin, as the raster lines have
        bands += [
            NativeText(prefix + (hang if i else "") + line, _JUSTIFY[block.align], block.bold, scale),
            Feed(NATIVE_LINE_GAP),
        ]
    return bands


@lru_cache(maxsize=512)
def native_line(text: str, bold: bool, scale: int) -> Image.Image:
    """An ink image of `text` as the printer's own font prints it, cell by cell.

    The emulator prints with BIZ UD Gothic (fixed width) in the printer's cells; a real printer's
    font differs in the glyphs, not in where they sit.
    """
    cell = NATIVE_CELL_DOTS
    font = _font(Face.FIXED_BOLD if bold else Face.FIXED, cell)
    image = Image.new("1", (max(native_cells(text), 1) * cell // 2, cell), 0)
    draw = ImageDraw.Draw(image)
    ascent, descent = font.getmetrics()
    baseline = round(cell * ascent / (ascent + descent))  # descenders inside the cell, as the printer's font
    x = 0
    for char in text:
        draw.text((x, baseline), char, font=font, fill=INK, anchor="ls")
        x += cell if _is_wide(char) else cell // 2
    return image if scale == 1 else _scaled(image, scale)


# --- wrapping ------------------------------------------------------------------------------------


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def wrap(
    text: str, font: ImageFont.FreeTypeFont, width: int, indent: int = 0, lang: str = DEFAULT_LANGUAGE
) -> list[str]:
    """Lines of `text` no wider than `width` dots in `font`, every line after the first `indent` narrower."""
    return wrap_measured(text, lambda words: text_length(font, words), width, indent, lang)


def wrap_measured(
    text: str, measure: Callable[[str], float], width: int, indent: int = 0, lang: str = DEFAULT_LANGUAGE
) -> list[str]:
    """Lines of `text` no wider than `width` as `measure` counts: kiosk.linebreak's breaks, the screens' own."""
    return linebreak.wrap(text, measure, width, indent=indent, spaced=lang in SPACED_LANGUAGES, lang=lang)


# --- rule and QR ---------------------------------------------------------------------------------


def _rule(width: int) -> Raster:
    """A 2-dot line across the paper: one row of dots printed doubled (36 bytes instead of 142)."""
    scale = RULE_DOTS
    ink = Image.new("1", (_bytes((width - MARGIN_DOTS) // scale) * 8, 1), 0)
    ink.paste(INK, (MARGIN_DOTS // scale, 0, (width - MARGIN_DOTS) // scale, 1))
    return Raster(ink.width, ink.tobytes(), Justify.LEFT, scale)


def _qr(block: QrBlock, width: int) -> list[Band]:
    """A QR code centred with its quiet zone fed above and below, at `module_dots` per module
    (less if the paper is narrow)."""
    modules = len(_qr_matrix(block.data))
    module = min(block.module_dots, width // (modules + 2 * QR_QUIET_MODULES), 16)  # GS ( k allows 1..16
    if module < 1:
        raise ValueError(f"QR code of {modules} modules does not fit {width} dots")
    quiet = Feed(QR_QUIET_MODULES * module)
    return [quiet, Qr(block.data, module), quiet]


@lru_cache(maxsize=8)
def _qr_matrix(data: str) -> tuple[bytes, ...]:
    """The symbol's modules, one row each, 1 = dark: model 2, error level M, as the printer is told.

    segno picks the mask by the standard's penalty rules (~4 ms, most of a render); cached because
    the same ticket is rendered for the screen preview and then for the printer.
    """
    qr = segno.make_qr(data, error=QR_ERROR, boost_error=False)
    return tuple(bytes(row) for row in qr.matrix)


@lru_cache(maxsize=16)
def qr_symbol(data: str, module: int) -> Image.Image:
    """The symbol without its quiet zone as an ink image, `module` dots per module."""
    matrix = _qr_matrix(data)
    modules = len(matrix)
    raw = bytes(255 if dark else 0 for row in matrix for dark in row)
    small = Image.frombytes("L", (modules, modules), raw).convert("1", dither=Image.Dither.NONE)
    return _scaled(small, module)
