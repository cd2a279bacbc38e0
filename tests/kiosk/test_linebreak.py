"""The one line-breaker: kinsoku, no-break spaces and terms, and the screen and the ticket agreeing.

Each rule is checked through kiosk.linebreak itself (one unit per character) and through both
real wrappers, the screen's (pygame) and the ticket's (PIL), each measuring with its own engine.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from PIL import ImageFont

from kiosk import linebreak
from kiosk.fonts import Face, font_for
from kiosk.messages import SPACED_LANGUAGES, catalog
from kiosk.ticket import render as ticket
from kiosk.ui import text as screen

PX = 28  # the ticket's NORMAL size, in dots; on the screen in pixels

Wrapper = Callable[[str, int, str], list[str]]  # (text, width, lang) -> lines


def ticket_font(text: str, lang: str, px: int = PX) -> ImageFont.FreeTypeFont:
    """The face the ticket draws `text` in, loaded as the ticket loads it (BASIC layout)."""
    file = font_for(Face.REGULAR, lang, text)
    return ImageFont.truetype(str(file.path), px, index=file.index, layout_engine=ImageFont.Layout.BASIC)


def screen_wrap(text: str, width: int, lang: str) -> list[str]:
    return list(screen.wrap(text, Face.REGULAR, PX, width, lang))


def ticket_wrap(text: str, width: int, lang: str) -> list[str]:
    return ticket.wrap(text, ticket_font(text, lang), width, 0, lang)


def unit_wrap(text: str, width: int, lang: str) -> list[str]:
    """kiosk.linebreak alone, every character one unit wide."""
    return linebreak.wrap(text, len, width, spaced=lang in SPACED_LANGUAGES)


def screen_width(text: str, lang: str) -> int:
    return int(screen.font(Face.REGULAR, PX, lang, text).size(text)[0])


def ticket_width(text: str, lang: str) -> int:
    return round(ticket.text_length(ticket_font(text, lang), text))


WRAPPERS: dict[str, tuple[Wrapper, Callable[[str, str], int]]] = {
    "linebreak": (unit_wrap, lambda text, lang: len(text)),
    "screen": (screen_wrap, screen_width),
    "ticket": (ticket_wrap, ticket_width),
}


# --- kinsoku: one row per character class of JIS X 4051 that the kiosk meets -----------------------

NO_START = [
    ("、", "comma"),
    ("。", "full stop"),
    ("，", "full-width comma"),
    ("．", "full-width full stop"),
    ("）", "closing parenthesis"),
    ("」", "closing corner bracket"),
    ("』", "closing double corner bracket"),
    ("】", "closing lenticular bracket"),
    ("〕", "closing tortoise shell bracket"),
    ("〉", "closing angle bracket"),
    ("》", "closing double angle bracket"),
    ("〗", "closing white lenticular bracket"),
    ("！", "exclamation mark"),
    ("？", "question mark"),
    ("‼", "double exclamation mark"),
    ("・", "middle dot"),
    ("：", "full-width colon"),
    ("；", "full-width semicolon"),
    ("ー", "long vowel mark"),
    ("…", "ellipsis"),
    ("‥", "two-dot leader"),
    ("ぁ", "small a"),
    ("っ", "small tsu"),
    ("ゃ", "small ya"),
    ("ゕ", "small ka"),
    ("ァ", "small katakana a"),
    ("ッ", "small katakana tsu"),
    ("ョ", "small katakana yo"),
    ("ヵ", "small katakana ka"),
    ("ㇰ", "small katakana ku (Ainu)"),
    ("々", "ideographic iteration mark"),
    ("ゝ", "hiragana iteration mark"),
    ("ヽ", "katakana iteration mark"),
    ("〜", "wave dash"),
    ("～", "full-width tilde (cp932's wave dash)"),
    ("゠", "katakana-hiragana double hyphen"),
    ("％", "full-width percent"),
    ("℃", "degree Celsius"),
    ("円", "yen after an amount"),
]
NO_END = [
    ("（", "opening parenthesis"),
    ("「", "opening corner bracket"),
    ("『", "opening double corner bracket"),
    ("【", "opening lenticular bracket"),
    ("〔", "opening tortoise shell bracket"),
    ("〈", "opening angle bracket"),
    ("《", "opening double angle bracket"),
    ("〖", "opening white lenticular bracket"),
    ("“", "opening double quote"),
    ("¥", "yen sign before an amount"),
    ("￥", "full-width yen sign"),
    ("〜", "wave dash joining a span"),
]


@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize(("char", "name"), NO_START, ids=[name for _, name in NO_START])
def test_no_line_starts_with(char: str, name: str, wrapper: str) -> None:
    wrap, width = WRAPPERS[wrapper]
    text = "あいうえ" + char + "かきく"
    lines = wrap(text, width("あいうえ", "ja"), "ja")  # room for four: the natural break is before `char`
    assert "".join(lines) == text
    assert all(not line.startswith(char) for line in lines), lines


@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize(("char", "name"), NO_END, ids=[name for _, name in NO_END])
def test_no_line_ends_with(char: str, name: str, wrapper: str) -> None:
    wrap, width = WRAPPERS[wrapper]
    text = "あいう" + char + "えかきく"
    lines = wrap(text, width("あいう" + char, "ja"), "ja")  # the natural break is after `char`
    assert "".join(lines) == text
    assert all(not line.endswith(char) for line in lines[:-1]), lines


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_latin_breaks_at_spaces_only(wrapper: str) -> None:
    wrap, width = WRAPPERS[wrapper]
    text = "Please place your card on the reader"
    lines = wrap(text, width("Please place yo", "en"), "en")
    assert lines[0] == "Please place"
    assert " ".join(lines) == text


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_a_word_longer_than_the_line_breaks_by_characters(wrapper: str) -> None:
    wrap, width = WRAPPERS[wrapper]
    lines = wrap("See Supercalifragilisticexpialidocious", width("Supercalif", "en"), "en")
    assert lines[0] == "See"
    assert "".join(lines[1:]) == "Supercalifragilisticexpialidocious"
    assert all(width(line, "en") <= width("Supercalif", "en") for line in lines)


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_japanese_in_a_spaced_language_stays_with_its_word_and_breaks_as_japanese_when_too_long(
    wrapper: str,
) -> None:
    wrap, width = WRAPPERS[wrapper]
    text = "Go to the city office (市役所・町村役場), desk 3."
    lines = wrap(text, width("Go to the city office (市役", "en"), "en")
    assert lines[1].startswith("(市役所・町村役場),")  # moved whole to the next line
    quoted = "See 番号をお呼びするまでお待ちください。"
    lines = wrap(quoted, width("See 番号をお呼び", "en"), "en")
    assert lines[0] == "See"
    assert "".join(lines[1:]) == quoted[4:]
    assert all(not line.startswith("。") for line in lines)


def test_a_time_span_stays_whole() -> None:
    assert "8:30〜10:00、" in linebreak.tokens("本日 8:30〜10:00、13:00〜14:30")
    assert "8:30–10:00, " in linebreak.tokens("Today 8:30–10:00, 13:00–14:30")


def test_a_japanese_term_in_spaced_text_stays_whole():
    text = "Hãy đến tòa thị chính (市役所・町村役場), quầy thẻ My Number."
    assert "(市役所・町村役場), " in linebreak.tokens(text, spaced=True)
    assert "(市" in linebreak.tokens(text)  # as Japanese text it may break between characters


# --- no-break spaces and terms (issue 18) -----------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_a_no_break_space_joins_its_neighbours(wrapper: str, lang: str) -> None:
    wrap, width = WRAPPERS[wrapper]
    text = "Issued 09:12 kiosk\u00a0lobby-1"
    lines = wrap(text, width("Issued 09:12 kiosk", lang), lang)
    assert lines == ["Issued 09:12", "kiosk\u00a0lobby-1"]


def test_a_word_joiner_joins_and_is_not_drawn() -> None:
    """U+2060 has no glyph in our faces (it would show as a box): it joins, then leaves the line."""
    lines = linebreak.wrap("Issued 09:12 kiosk\u2060-lobby-1", len, 18, spaced=True)
    assert lines == ["Issued 09:12", "kiosk-lobby-1"]


TERMS = [
    ("en", "Checking your My Number card", "My Number"),
    ("pt-BR", "Aproxime o cartão My Number do leitor", "My Number"),
    ("vi", "Đặt thẻ My Number lên đầu đọc", "My Number"),
    ("en", "Link to Mynaportal first", "Mynaportal"),
    ("ja", "先にマイナポータル連携をしてください", "マイナポータル"),
    ("ja", "新しいマイナンバーカードに免許を記録", "マイナンバー"),
    ("ja", "1F　13番窓口へお越しください", "13番窓口"),
    ("ja-easy", "1F　13番の窓口へ行ってください", "13番の窓口"),
    ("zh-Hans", "请到1F 13号窗口办理手续", "13号窗口"),
    ("en", "Please go to Counter 13 (1F) now", "Counter 13"),
    ("pt-BR", "Dirija-se ao Guichê 13 (1F) agora", "Guichê 13"),
    ("vi", "Vui lòng đến Quầy số 13 (1F) ngay", "Quầy số 13"),
    ("vi", "Vui lòng đến quầy 13 ở tầng 1", "quầy 13"),
    ("pt-BR", "Taxas a pagar (estimativa): 2.900 ienes", "2.900 ienes"),
    ("pt-BR", "Taxas a pagar (estimativa): JP¥ 2.900", "JP¥ 2.900"),
    ("vi", "Lệ phí dự kiến phải trả: 2.900 yên", "2.900 yên"),
    ("en", "Signature password: 6–16 characters", "6–16 characters"),
    ("pt-BR", "Senha de 4 dígitos", "4 dígitos"),
    ("pt-BR", "Saber a senha de assinatura: 6 a 16 caracteres", "6 a 16 caracteres"),
    ("en", "Know your signature certificate password: 6 to 16 characters", "6 to 16 characters"),
    ("vi", "Mật khẩu 4 chữ số", "4 chữ số"),
]


@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize(("lang", "text", "term"), TERMS, ids=[term for _, _, term in TERMS])
def test_a_term_stays_whole_at_every_width(wrapper: str, lang: str, text: str, term: str) -> None:
    wrap, width = WRAPPERS[wrapper]
    narrowest, widest = width(term, lang), width(text, lang)
    step = max(1, (widest - narrowest) // 40)
    for room in range(narrowest, widest + step, step):
        lines = wrap(text, room, lang)
        assert any(term in line for line in lines), (room, lines)


# --- the screen and the ticket break the same words the same way -----------------------------------


def _messages(lang: str) -> list[str]:
    return sorted({words[lang] for words in catalog().values() if words.get(lang)})


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_screen_and_ticket_break_every_message_alike(lang: str) -> None:
    """Same face, same size, each side measuring with its own engine. pygame shapes "fi" and "fl"
    into ligatures and PIL's BASIC layout does not, so a text whose two widths differ is compared
    with the screen's measurement on both sides instead (the rules alike, not the engines)."""
    compared = 0
    for text in _messages(lang):
        f = screen.font(Face.REGULAR, PX, lang, text)
        alike = screen_width(text, lang) == ticket_width(text, lang)
        for width in (160, 250, 330, 470, 700):
            on_screen = screen_wrap(text, width, lang)
            if alike:
                on_paper = ticket_wrap(text, width, lang)
                compared += 1
            else:
                on_paper = ticket.wrap_measured(text, lambda s, f=f: f.size(s)[0], width, 0, lang)
            assert on_screen == on_paper, (width, text)
    if lang == "ja":  # most texts were held to both real measurements; Latin text in Noto Sans CJK
        assert compared > 1000  # seldom is (pygame kerns, PIL's BASIC layout does not: 1-2 px a line)


# --- phrases (BudouX): no line ends inside a phrase that would have fit on the next one --------------

PHRASE_LANGS = ("ja", "ja-easy", "zh-Hans")


def _phrases(paragraph: str, lang: str) -> list[tuple[int, int]]:
    """BudouX's phrases of `paragraph`, joined where kinsoku (or a term, a no-break space) forbids
    the break between them: kinsoku rules over phrases."""
    legal, at = set(), 0
    for piece in linebreak.tokens(paragraph)[:-1]:
        at += len(piece)
        legal.add(at)
    spaces = {i for i in range(1, len(paragraph)) if paragraph[i - 1].isspace()}  # a space ends a phrase too
    cuts = sorted(((linebreak.phrase_bounds(paragraph, lang) or frozenset()) | spaces) & legal)
    return list(itertools.pairwise([0, *cuts, len(paragraph)]))


def _phrase_breaks(text: str, lines: list[str], measure: Callable[[str], float], width: int, lang: str) -> list[str]:
    """Every line end inside a phrase that is no wider than the line (so it would have fit on the next)."""
    bad = []
    paragraphs = text.split("\n")
    at_line = 0
    for paragraph in paragraphs:
        phrases = _phrases(paragraph, lang)
        pos = 0
        while at_line < len(lines):
            line = lines[at_line]
            start = paragraph.find(line, pos) if line else pos
            assert start >= 0, (line, paragraph)
            end = start + len(line)
            while end < len(paragraph) and paragraph[end].isspace():
                end += 1  # a line broken at a space ends after it
            at_line += 1
            if end >= len(paragraph.rstrip()):
                break
            for a, b in phrases:
                if a < end < b and measure(paragraph[a:b].strip()) <= width:
                    bad.append(f"{line}／{paragraph[end:b]}")
            pos = end
    return bad


def _screen_sizes() -> list[tuple[str, int, int]]:
    """(where, px, width): every text size of the screens, at the 7-inch panel's and the 27-inch
    monitor's unit, in a full-width and a panel-wide room; and the ticket's two text sizes."""
    from kiosk.ui.theme import Size

    sizes = []
    for short_side in (720, 1080):
        u = short_side / 100
        for size in (Size.SMALL, Size.BODY, Size.LABEL, Size.TITLE, Size.BIG):
            px = round(size.value * u)
            for share in (0.94, 0.72):
                sizes.append(("screen", px, round(short_side * share)))
    sizes += [("ticket", 28, 576 - 2 * ticket.MARGIN_DOTS), ("ticket", 22, 576 - 2 * ticket.MARGIN_DOTS)]
    return sizes


@pytest.mark.parametrize("lang", PHRASE_LANGS)
def test_no_line_ends_inside_a_phrase_that_would_fit_on_the_next_line(lang: str) -> None:
    bad: list[str] = []
    checked = 0
    for text in _messages(lang):
        if not any(linebreak.is_ideographic(ch) for ch in text):
            continue
        for where, px, width in _screen_sizes():
            if where == "screen":
                f = screen.font(Face.REGULAR, px, lang, text)
                lines = list(screen.wrap(text, Face.REGULAR, px, width, lang))
                measure: Callable[[str], float] = lambda s, f=f: f.size(s)[0]  # noqa: E731
            else:
                tf = ticket_font(text, lang, px)
                lines = ticket.wrap(text, tf, width, 0, lang)
                measure = lambda s, tf=tf: ticket.text_length(tf, s)  # noqa: E731
            checked += len(lines)
            bad += [f"{px}px/{width}: {b}" for b in _phrase_breaks(text, lines, measure, width, lang)]
    assert checked > 1000
    assert bad == [], f"{len(bad)} lines end inside a phrase that fits a line:\n" + "\n".join(bad[:40])


def test_japanese_breaks_between_phrases_not_inside_a_word() -> None:
    text = "マイナンバーカードの有効期限が切れているため、今日はできません。"
    lines = linebreak.wrap(text, len, 12, lang="ja")
    assert "マイナンバーカー" not in lines and not any(line.endswith("今日") for line in lines)
    assert lines[0] == "マイナンバーカードの"
