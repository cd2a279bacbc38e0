"""The ticket as the thermal head prints it: 1-bit, exact width, wrapped, and the same as last time.

Golden images live in `golden/`. After a deliberate change to the renderer or the fonts, look at
the new PNGs, then re-bless them with:  KIOSK_BLESS=1 .venv/bin/pytest tests/kiosk/ticket/test_render.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import segno
from PIL import Image, ImageChops

from drivers.printer.bands import NativeText, Raster
from kiosk.domain.model import Answers, HoldingStatus, LectureClass, Procedure, ServiceKind
from kiosk.fonts import Face
from kiosk.messages import SPACED_LANGUAGES, catalog
from kiosk.ticket.document import Align, FeedBlock, ItemsBlock, QrBlock, RuleBlock, Size, TextBlock, TicketDocument
from kiosk.ticket.layout import build_ticket
from kiosk.ticket.render import (
    MARGIN_DOTS,
    QR_QUIET_MODULES,
    SIZE_DOTS,
    _font,
    render_ticket,
    save_ticket_png,
    text_length,
    ticket_bands,
    ticket_job,
    wrap,
)

GOLDEN = Path(__file__).parent / "golden"
BLESS = os.environ.get("KIOSK_BLESS") == "1"
GOLDEN_TOLERANCE = 0.002  # share of pixels that may differ (FreeType hinting across builds)

RENEWAL = Answers(procedure=Procedure.RENEWAL, current=HoldingStatus.BOTH, lecture_class=LectureClass.GENERAL)
PORTAL_LINK = Answers(
    procedure=Procedure.MYNA_SERVICE, current=HoldingStatus.MYNA_ONLY, service=ServiceKind.PORTAL_LINK
)


def black_pixels(image: Image.Image) -> int:
    return image.histogram()[0]


def white(image: Image.Image, xy: tuple[int, int]) -> bool:
    return image.convert("L").getpixel(xy) == 255


def ink_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """Bounding box of the black dots."""
    return ImageChops.invert(image.convert("L")).getbbox()


@pytest.mark.parametrize("width", [576, 384])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_ticket_renders_one_bit_at_the_paper_width(site_config, make, lang, width):
    ticket, route = make(PORTAL_LINK, ("R18.sign_password_few_tries",))
    image = render_ticket(build_ticket(site_config, ticket, route, lang, width_dots=width))
    assert image.mode == "1"
    assert image.width == width
    assert image.height > 600
    assert 0 < black_pixels(image) < image.width * image.height  # black ink on white paper
    box = ink_box(image)
    assert box is not None
    left, _, right, _ = box
    assert left >= MARGIN_DOTS - 1 and right <= width - MARGIN_DOTS + 1


def test_paper_around_the_ink_is_white(site_config, make):
    ticket, route = make(RENEWAL)
    image = render_ticket(build_ticket(site_config, ticket, route, "ja"))
    corners = [(0, 0), (image.width - 1, 0), (0, image.height - 1), (image.width - 1, image.height - 1)]
    assert all(white(image, c) for c in corners)
    assert 0.02 < black_pixels(image) / (image.width * image.height) < 0.3


def doc(*blocks: TextBlock | ItemsBlock | RuleBlock | FeedBlock | QrBlock, width: int = 576) -> TicketDocument:
    return TicketDocument(label="M-012", lang="ja", width_dots=width, blocks=blocks)


def test_feed_is_blank_paper_of_its_height():
    assert render_ticket(doc(FeedBlock(40))).size == (576, 40)
    assert black_pixels(render_ticket(doc(FeedBlock(40)))) == 0


def test_rule_is_a_black_line_across_the_paper():
    image = render_ticket(doc(FeedBlock(10), RuleBlock(), FeedBlock(10)))
    assert ink_box(image) == (MARGIN_DOTS, 10, 576 - MARGIN_DOTS, 12)


def test_queue_number_is_about_19_mm_tall():
    image = render_ticket(doc(TextBlock("M-012", Size.HUGE, bold=True, align=Align.CENTER)))
    box = ink_box(image)
    assert box is not None
    assert 0.7 * SIZE_DOTS[Size.HUGE] <= box[3] - box[1] <= SIZE_DOTS[Size.HUGE]
    assert abs((box[0] + box[2]) / 2 - 288) <= 4  # centred (to half a millimetre)


@pytest.mark.parametrize("label", ["M-012", "MM-0123"])
def test_queue_number_shrinks_to_fit_58_mm_paper(label):
    image = render_ticket(doc(TextBlock(label, Size.HUGE, bold=True, align=Align.CENTER), width=384))
    box = ink_box(image)
    assert box is not None
    assert box[0] >= MARGIN_DOTS - 1 and box[2] <= 384 - MARGIN_DOTS + 1


def test_bigger_sizes_print_bigger():
    heights = [render_ticket(doc(TextBlock("受付番号", size))).height for size in Size]
    assert heights == sorted(heights) and len(set(heights)) == len(heights)


# --- wrapping --------------------------------------------------------------------------------------


def test_japanese_wraps_between_characters_and_keeps_every_character():
    font = _font(Face.REGULAR, SIZE_DOTS[Size.NORMAL])
    words = "番号をお呼びするまでお待ちください。この券は窓口でお渡しください。"
    lines = wrap(words, font, 300)
    assert len(lines) > 1
    assert "".join(lines) == words
    assert all(text_length(font, line) <= 300 for line in lines)


def test_latin_wraps_between_words():
    font = _font(Face.REGULAR, SIZE_DOTS[Size.NORMAL])
    words = "Please wait until your number is called, then hand this ticket to the counter."
    lines = wrap(words, font, 300)
    assert len(lines) > 1
    assert " ".join(lines) == words  # no word was cut
    assert all(text_length(font, line) <= 300 for line in lines)


def test_no_line_starts_with_closing_punctuation_or_ends_with_an_opening_bracket():
    font = _font(Face.REGULAR, SIZE_DOTS[Size.SMALL])
    words = "金額は目安です。正確な金額は窓口でご確認ください。署名用電子証明書のパスワード（6〜16桁）を覚えていること"
    for width in range(120, 400, 7):
        for line in wrap(words, font, width):
            assert line[0] not in "。、）", (width, line)
            assert line[-1] not in "（", (width, line)


def test_a_space_is_the_preferred_break_in_mixed_text():
    font = _font(Face.REGULAR, SIZE_DOTS[Size.SMALL])
    issued = "発行\u00a02026-11-25 09:12　端末\u00a0lobby-1"
    assert wrap(issued, font, 368) == ["発行\u00a02026-11-25 09:12", "端末\u00a0lobby-1"]
    # ...but not when it would leave most of a line empty: then the line ends at the last phrase
    # (BudouX's) that fits, never inside one.
    lines = wrap("窓口 の番号は館内の案内表示でもご確認ください。", font, 368)
    assert lines == ["窓口 の番号は館内の案内表示でも", "ご確認ください。"]


def test_a_word_longer_than_the_line_is_cut_rather_than_overflowing():
    font = _font(Face.REGULAR, SIZE_DOTS[Size.SMALL])
    lines = wrap("R3.myna_card_lost_licence_card_today", font, 120)
    assert "".join(lines) == "R3.myna_card_lost_licence_card_today"
    assert all(text_length(font, line) <= 120 for line in lines)


@pytest.mark.parametrize("bullet", ["・", "- "])
def test_bullet_items_hang_their_second_line_under_the_text(bullet):
    font = _font(Face.REGULAR, SIZE_DOTS[Size.NORMAL])
    indent = round(text_length(font, bullet))
    plain = render_ticket(doc(TextBlock("窓" * 80), width=384))
    hung = render_ticket(doc(TextBlock(bullet + "窓" * 80), width=384))
    line = plain.height // len(wrap("窓" * 80, font, 384 - 2 * MARGIN_DOTS))
    plain_second = ink_box(plain.crop((0, line, 384, 2 * line)))
    hung_second = ink_box(hung.crop((0, line, 384, 2 * line)))
    assert plain_second is not None and hung_second is not None
    assert hung_second[0] - plain_second[0] == indent


def test_measured_length_is_the_fonts_own_for_every_catalog_string():
    # text_length sums cached per-character advances; it must agree with FreeType's own layout.
    for face in (Face.REGULAR, Face.BOLD):
        font = _font(face, SIZE_DOTS[Size.NORMAL])
        for words in catalog().values():
            for line in words.values():
                assert text_length(font, line) == pytest.approx(font.getlength(line), abs=0.01), line


# --- packed items --------------------------------------------------------------------------------

BRING = ("・運転免許証", "・マイナンバーカード", "・更新連絡書", "・眼鏡等（必要な方）", "・手数料（お支払いの用意）")


def text_rows(document: TicketDocument, kanji: bool = False) -> list[Raster | NativeText]:
    return [b for b in ticket_bands(document, kanji) if isinstance(b, Raster | NativeText)]


@pytest.mark.parametrize(("width", "lines"), [(576, 3), (384, 5)])
def test_items_are_packed_whole_onto_as_few_lines_as_fit(width, lines):
    packed = text_rows(doc(ItemsBlock(BRING), width=width))
    one_each = text_rows(doc(*(TextBlock(item) for item in BRING), width=width))
    assert len(one_each) == 5
    assert len(packed) == lines
    assert sum(band.image_height for band in packed) < sum(band.image_height for band in one_each) or lines == 5
    for band in packed:
        assert isinstance(band, Raster) and band.image_width <= width


def test_packed_items_keep_every_item_whole_and_in_order():
    # the items that share a line are exactly the ones a line of their own words would show
    image = render_ticket(doc(ItemsBlock(BRING)))
    lines = ("・運転免許証　・マイナンバーカード", "・更新連絡書　・眼鏡等（必要な方）", "・手数料（お支払いの用意）")
    expected = render_ticket(doc(*(TextBlock(line) for line in lines)))
    assert image.tobytes() == expected.tobytes()


def test_an_item_longer_than_a_line_wraps_alone_under_its_bullet():
    long = "・" + "窓" * 30
    packed = render_ticket(doc(ItemsBlock(("・運転免許証", long, "・更新連絡書")), width=384))
    apart = render_ticket(doc(TextBlock("・運転免許証"), TextBlock(long), TextBlock("・更新連絡書"), width=384))
    assert packed.tobytes() == apart.tobytes()


def test_kanji_mode_packs_items_in_the_printers_cells():
    rows = text_rows(doc(ItemsBlock(BRING)), kanji=True)
    assert all(isinstance(row, NativeText) for row in rows)
    # 23 full-width cells to a line of 560 dots
    assert [row.text for row in rows] == [
        " ・運転免許証　・マイナンバーカード",
        " ・更新連絡書　・眼鏡等（必要な方）",
        " ・手数料（お支払いの用意）",
    ]


# --- QR --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("module", [6, 4])
def test_qr_code_matches_segnos_symbol_module_for_module(module):
    data = "gunma-traffic-center/20261125/M-012"
    image = render_ticket(doc(QrBlock(data, module_dots=module)))
    matrix = segno.make_qr(data, error="m").matrix
    size = len(matrix)
    assert image.height == (size + 2 * QR_QUIET_MODULES) * module
    left = (576 - size * module) // 2
    top = QR_QUIET_MODULES * module
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            centre = (left + x * module + module // 2, top + y * module + module // 2)
            assert white(image, centre) is not dark, (x, y)
    assert ink_box(image) == (left, top, left + size * module, top + size * module)


def test_qr_code_shrinks_its_modules_on_narrow_paper():
    image = render_ticket(doc(QrBlock("x" * 100, module_dots=8), width=384))
    box = ink_box(image)
    assert box is not None and box[2] - box[0] <= 384


# --- files and golden images -----------------------------------------------------------------------


def test_save_writes_a_one_bit_png(site_config, make, tmp_path):
    ticket, route = make(RENEWAL)
    path = tmp_path / "ticket.png"
    save_ticket_png(build_ticket(site_config, ticket, route, "en"), path)
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.mode == "1"
        assert image.width == 576


def sample(lang: str, width: int) -> TicketDocument:
    """Every kind of block, fixed words: the renderer's golden input (independent of site config)."""
    ja = lang == "ja"
    blocks = (
        TextBlock(
            "群馬県総合交通センター" if ja else "Gunma Prefectural Traffic Center", bold=True, align=Align.CENTER
        ),
        FeedBlock(16),
        TextBlock("受付番号" if ja else "Your number", Size.SMALL, align=Align.CENTER),
        TextBlock("M-012", Size.HUGE, bold=True, align=Align.CENTER),
        FeedBlock(14),
        RuleBlock(),
        FeedBlock(14),
        TextBlock("1F　13番窓口" if ja else "Counter 13 (1F)", Size.LARGE, bold=True, align=Align.CENTER),
        TextBlock("手数料　2,950円" if ja else "Fee: ¥2,950"),
        TextBlock("・署名用電子証明書のパスワード（6〜16桁）を覚えていること"),
        TextBlock("- Know your signature certificate password (6 to 16 characters)"),
        ItemsBlock(("・運転免許証", "・マイナンバーカード", "• Renewal notice", "・眼鏡等（必要な方）")),
        TextBlock("・署名用パスワード 残り回数わずか\nR18.sign_password_few_tries", Size.SMALL),
        QrBlock("gunma-traffic-center/20261125/M-012"),
        TextBlock("番号をお呼びするまでお待ちください。\nこの券は窓口でお渡しください。", Size.SMALL),
        FeedBlock(24),
    )
    return TicketDocument(label="M-012", lang=lang, width_dots=width, blocks=blocks)


@pytest.mark.parametrize(("lang", "width"), [("ja", 576), ("en", 576), ("ja", 384)])
def test_rendering_matches_the_golden_image(lang, width):
    image = render_ticket(sample(lang, width))
    golden = GOLDEN / f"sample-{lang}-{width}.png"
    if BLESS or not golden.exists():
        if not BLESS:
            pytest.fail(f"no golden image {golden.name}: look at a render, then run with KIOSK_BLESS=1")
        golden.parent.mkdir(exist_ok=True)
        image.save(golden)
        return
    with Image.open(golden) as expected:
        assert expected.size == image.size, "layout changed: look at the render, then re-bless"
        diff = ImageChops.difference(expected.convert("L"), image.convert("L"))
        changed = sum(diff.histogram()[1:])
    assert changed / (image.width * image.height) <= GOLDEN_TOLERANCE


def test_golden_comparison_can_fail():
    a = render_ticket(sample("ja", 576))
    b = render_ticket(sample("en", 576))
    assert a.size != b.size or ImageChops.difference(a.convert("L"), b.convert("L")).getbbox()


@pytest.mark.parametrize("kanji", [False, True])
def test_the_drivers_job_is_the_bands_and_as_long_as_the_preview(site_config, make, kanji):
    ticket, route = make(PORTAL_LINK, ("R18.sign_password_few_tries",))
    document = build_ticket(site_config, ticket, route, "ja")
    job = ticket_job(document, kanji)
    assert job.bands == tuple(ticket_bands(document, kanji))
    assert (job.label, job.width_dots) == (document.label, 576)
    assert job.length_dots == render_ticket(document, kanji).height


# --- Latin descenders (issue 18) ------------------------------------------------------------------


@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize("size", [Size.SMALL, Size.NORMAL, Size.LARGE])
@pytest.mark.parametrize("lang", sorted(SPACED_LANGUAGES))
def test_latin_descenders_print_below_the_baseline_at_every_size(lang, size, bold):
    """g j p q y as the ticket prints a line reach at least 18 % of the type size below the
    baseline (the bottom of "H"); BIZ UD's Latin stops at 12 %, and readers took it for clipped."""

    def lowest_dot(words: str) -> int:
        paper = render_ticket(TicketDocument("T-1", lang, 576, (TextBlock(words, size, bold),)))
        box = ink_box(paper)
        assert box is not None
        return box[3]

    assert lowest_dot("Hgjpqy") - lowest_dot("H") >= 0.18 * SIZE_DOTS[size]
