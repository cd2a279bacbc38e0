"""The standard ticket's limits (issue 10 item 7), pinned so they cannot slip back unnoticed:
at most 12 cm of 80 mm paper with room for one more line under the number, at most 16 kB of
ESC/POS with raster text, and no text printed smaller than 3 mm (24 dots at 203 dpi).

Text size is measured on the rendered bands, not read from a table: each line's ink must be at
least as tall as its own words drawn at 24 dots in the same face (for Japanese, the kanji's face
height, 字面; for Latin, the capitals and descenders the words hold).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from PIL import Image, ImageDraw

from drivers.printer.bands import Justify, Raster
from kiosk.bench.printer import encoded, standard_ticket
from kiosk.fonts import Face
from kiosk.ticket.document import Align, ItemsBlock, Size, TextBlock, TicketDocument
from kiosk.ticket.render import MARGIN_DOTS, SIZE_DOTS, _font, render_ticket, ticket_bands, wrap

DOTS_PER_MM = 8  # 203 dpi
MAX_LENGTH_MM = 120
MAX_JOB_BYTES = 16_000
MIN_TEXT_DOTS = 3 * DOTS_PER_MM


def with_queue_line(document: TicketDocument) -> TicketDocument:
    """The ticket with the line another change will add under the number (「前に 12 人」)."""
    blocks = list(document.blocks)
    number = next(i for i, b in enumerate(blocks) if isinstance(b, TextBlock) and b.size is Size.HUGE)
    blocks.insert(number + 1, TextBlock("前に 12 人", Size.NORMAL, bold=True, align=Align.CENTER))
    return replace(document, blocks=tuple(blocks))


def length_mm(document: TicketDocument) -> float:
    return render_ticket(document).height / DOTS_PER_MM


def test_the_standard_ticket_is_at_most_12_cm_on_80_mm_paper_with_room_for_a_queue_line(site_config):
    ticket = standard_ticket(site_config, "ja", 576)
    assert length_mm(with_queue_line(ticket)) <= MAX_LENGTH_MM
    assert length_mm(with_queue_line(ticket)) > length_mm(ticket)  # the added line does take paper


def test_the_standard_ticket_is_at_most_16_kb_with_raster_text(site_config):
    for width in (576, 384):
        ticket = standard_ticket(site_config, "ja", width)
        assert len(encoded(ticket)) <= MAX_JOB_BYTES, width
        assert len(encoded(with_queue_line(ticket))) <= MAX_JOB_BYTES, width


def ink(font_size: int, lang: str, words: str, bold: bool = False) -> Image.Image:
    """`words` drawn at `font_size` dots in the ticket's face for `lang`, cropped to the ink."""
    font = _font(Face.BOLD if bold else Face.REGULAR, font_size, lang, words)
    strip = Image.new("1", (font_size * 2 * len(words), font_size * 3), 0)
    ImageDraw.Draw(strip).text((0, font_size), words, font=font, fill=1, anchor="la")
    box = strip.getbbox()
    assert box is not None
    return strip.crop(box)


def first_lines(document: TicketDocument) -> list[tuple[Raster, str, bool, str]]:
    """Each line of words on the ticket as printed (its first raster line), with words known to be
    on it, whether it is bold and its language: a `TextBlock`'s first wrapped line, a packed
    list's first item."""
    found = []
    usable = document.width_dots - 2 * MARGIN_DOTS
    for block in document.blocks:
        if isinstance(block, TextBlock) and block.size is not Size.HUGE:
            lang = block.lang or document.lang
            font = _font(Face.BOLD if block.bold else Face.REGULAR, SIZE_DOTS[block.size], lang, block.text)
            words, bold = wrap(block.text, font, usable, 0, lang)[0], block.bold
        elif isinstance(block, ItemsBlock):
            lang, words, bold = block.lang or document.lang, block.items[0], False
        else:
            continue
        rasters = [b for b in ticket_bands(replace(document, blocks=(block,))) if isinstance(b, Raster)]
        found.append((rasters[0], words, bold, lang))
    return found


def too_small(lines: list[tuple[Raster, str, bool, str]], lang: str) -> list[str]:
    """The lines whose ink is shorter than their own words drawn at 3 mm: a kanji's face height, a
    capital's height, an accent's top, a descender's foot, whatever the words hold. Each line is
    measured in its own language's face (the clerk's Japanese on an English ticket is Japanese)."""
    return [
        words for line, words, bold, own in lines if line.height < ink(MIN_TEXT_DOTS, own or lang, words, bold).height
    ]


@pytest.mark.parametrize("width", [576, 384])
@pytest.mark.parametrize("lang", ["ja", "en", "vi"])
def test_no_text_on_the_ticket_is_smaller_than_3_mm(site_config, lang, width):
    lines = first_lines(standard_ticket(site_config, lang, width))
    assert len(lines) >= 10
    assert too_small(lines, lang) == []


@pytest.mark.parametrize(("lang", "words"), [("ja", "窓口でお出しいただくもの"), ("en", "Please have these ready")])
def test_the_text_size_check_catches_a_line_printed_at_2_75_mm(lang, words):
    # 22 dots: the size of the ticket's small print before this limit
    def line(size: int) -> Raster:
        image = ink(size, lang, words)
        padded = Image.new("1", ((image.width + 7) // 8 * 8, image.height), 0)
        padded.paste(image, (0, 0))
        return Raster(padded.width, padded.tobytes(), Justify.LEFT)

    assert too_small([(line(MIN_TEXT_DOTS), words, False, lang)], lang) == []
    assert too_small([(line(22), words, False, lang)], lang) == [words]
