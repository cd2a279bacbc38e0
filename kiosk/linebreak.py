"""Where a line may break: one set of rules for the screens and the ticket.

Both draw the same words, so they break them the same way; each measures with its own engine
(pygame on the screen, FreeType through PIL on the ticket, the printer's cells in Kanji mode),
passed in as `measure(text) -> width`. Pure: no fonts, no files.

The rules, for any mix of scripts without knowing the language:
- Japanese and Chinese may break between any two characters, Latin text only at spaces. In a
  `spaced` language (words between spaces: English, Portuguese, Vietnamese) a Japanese term is
  part of its word too: "(市役所・町村役場)," stays whole.
- Kinsoku (JIS X 4051, the classes a kiosk meets): closing brackets, 、。and other punctuation,
  ・, ー, small kana, iteration marks and units after a number (%, 円) never start a line; opening
  brackets and currency signs never end one; 〜 and – join what they stand between (8:30〜10:00).
- A no-break space (U+00A0, also U+202F and the word joiner U+2060) joins what it stands between:
  "端末\u00a0lobby-1".
- Product terms and counter numbers stay whole (`TERMS`): "My Number", "Mynaportal", "13番窓口",
  "Counter 13". Kept here rather than as no-break spaces in the catalogs: a translator cannot see
  a no-break space, and a term list holds for every catalog and site text at once.
- A word wider than the line breaks by characters (in a spaced language, a Japanese run in it
  first breaks as Japanese).
- Japanese and Chinese read better broken between phrases (文節, 词): BudouX, a small phrase
  segmenter made for exactly this, tells where they are (a Japanese model for Japanese and for a
  Japanese term in a spaced language, a Chinese one for Chinese). A line ends at the last phrase
  boundary that fits, 「マイナンバーカードの／有効期限が」 rather than 「マイナンバーカー／ド」 or
  「今日／はできません」; it ends inside a phrase only when that phrase is wider than a whole line
  (and then at a kinsoku-legal place as full as the line allows). Kinsoku rules over phrases: a
  phrase boundary where kinsoku forbids a break is no boundary.

BudouX's models are package data of the library, read once on first use (like the catalogs);
nothing here reads a file of ours.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache

import budoux

Measure = Callable[[str], float]

NBSP = "\u00a0"
_JOINERS = frozenset("\u00a0\u202f\u2060\ufeff")  # no-break spaces, word joiners
_INVISIBLE = str.maketrans("", "", "\u2060\ufeff")  # joiners no font draws: gone from the lines

# Characters that must not begin a line: closing brackets and quotes, punctuation, middle dots,
# the long-vowel mark, small kana, iteration marks, units that follow a number...
NO_START = frozenset(
    "、。，．,.：；:;？！?!‼⁇⁈⁉・･"
    "）」』】〕〉》〙〗］｝｣)]}”’»"
    "ーｰ…‥‐゠"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿｧｨｩｪｫｬｭｮｯ"
    "々〻ゝゞヽヾ"
    "%％‰°′″℃¢円"
    "〜～–"
)
# ...and characters that must not end one: opening brackets and quotes, currency signs before a
# number, and the joining 〜 and –.
NO_END = frozenset("（「『【〔〈《〘〖［｛｢([{“‘«¥￥$＄£€" + "〜～–")

# Units a number keeps on its line (money, and the digits of a PIN or password).
_UNITS = ("ienes", "yên", "yen", "digits", "dígitos", "chữ số", "characters", "caracteres", "ký tự")

# Terms that never break inside (a space in them is a no-break space).
TERMS = (
    r"My[ \u00a0]Number",
    r"Mynaportal",
    r"マイナンバー",
    r"マイナポータル",
    r"\d+番(?:の)?窓口",  # 13番窓口, 13番の窓口
    r"\d+号窗口",  # 13号窗口
    r"(?i:Counter|Guichê|Quầy(?: số)?)[ \u00a0]\d+",  # Counter 13, guichê 13, Quầy số 13
    # A number with its unit: 2.900 ienes, JP¥ 2.900, 6–16 characters, 6 a 16 caracteres, 4 chữ số.
    r"(?:JP)?[¥￥][ \u00a0]?\d[\d.,]*",
    r"\d[\d.,]*(?:(?:[–〜~-]| to | a | đến )\d+)?[ \u00a0](?:" + "|".join(_UNITS) + r")\b",
)
_TERMS = re.compile("|".join(TERMS))

CHINESE = "zh"  # language codes starting so are segmented with BudouX's Chinese model


@cache
def _parser(chinese: bool) -> budoux.Parser:
    return budoux.load_default_simplified_chinese_parser() if chinese else budoux.load_default_japanese_parser()


@lru_cache(maxsize=4096)
def phrase_bounds(text: str, lang: str | None = None) -> frozenset[int] | None:
    """Offsets in `text` where BudouX ends a phrase (0 < offset < len); None for text without
    Japanese or Chinese (Latin text breaks at its spaces)."""
    if not any(is_ideographic(ch) for ch in text):
        return None
    chinese = lang is not None and lang.startswith(CHINESE)
    bounds, at = set(), 0
    for phrase in _parser(chinese).parse(text)[:-1]:
        at += len(phrase)
        bounds.add(at)
    return frozenset(bounds)


def is_ideographic(ch: str) -> bool:
    """Japanese or Chinese: may break on either side (kinsoku aside)."""
    code = ord(ch)
    return (
        0x2E80 <= code <= 0x9FFF  # CJK radicals, punctuation, kana, unified ideographs
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x20000 <= code <= 0x3FFFF  # extension planes
    )


def _space(ch: str) -> bool:
    return ch.isspace() and ch not in _JOINERS


def may_break(before: str, after: str, spaced: bool = False) -> bool:
    """Whether a line may break between these two characters (terms aside: see `tokens`)."""
    if before in _JOINERS or after in _JOINERS or after in NO_START or before in NO_END:
        return False
    if _space(after):
        return False  # a space trails the word before it
    if _space(before):
        return True
    return not spaced and (is_ideographic(before) or is_ideographic(after))


def tokens(text: str, spaced: bool = False) -> list[str]:
    """`text` cut at every place a line may break: a CJK character, or a Latin word with its
    trailing space, each with the punctuation that sticks to it; a term whole."""
    if not text:
        return []
    glued: set[int] = set()
    for match in _TERMS.finditer(text):
        glued.update(range(match.start() + 1, match.end()))
    out: list[str] = []
    start = 0
    for i in range(1, len(text)):
        if i not in glued and may_break(text[i - 1], text[i], spaced):
            out.append(text[start:i])
            start = i
    out.append(text[start:])
    return out


def wrap(
    text: str, measure: Measure, width: float, *, indent: float = 0, spaced: bool = False, lang: str | None = None
) -> list[str]:
    """The lines of `text` no wider than `width` as `measure` counts; every line after the first
    `indent` narrower (a bullet's hanging indent). "\n" starts a new line; lines carry no
    trailing spaces, and a line broken at a space starts with no space.

    Each line's end is found by bisection over its break points: a handful of measurements per
    line, whatever its length. `lang` picks the phrase model (Chinese for "zh…", else Japanese).
    """
    lines: list[str] = []
    text = text.translate(_INVISIBLE) if "\u2060" in text or "\ufeff" in text else text
    for paragraph in text.split("\n"):
        pieces = tokens(paragraph, spaced)
        bounds = None if spaced else phrase_bounds(paragraph, lang)
        if not pieces:
            lines.append("")
        start = 0
        while start < len(pieces):
            room = width - indent if lines else width
            if measure(_joined(pieces, start, len(pieces))) <= room:
                lines.append(_joined(pieces, start, len(pieces)))
                break
            fit, over = start, len(pieces)  # pieces[start:fit] fit, pieces[start:over] do not
            while over - fit > 1:
                mid = (fit + over) // 2
                if measure(_joined(pieces, start, mid)) <= room:
                    fit = mid
                else:
                    over = mid
            if fit > start:
                end = _phrase_end(pieces, start, fit, measure, width, bounds)
                lines.append(_joined(pieces, start, end))
                start = end
                continue
            # One piece wider than the line.
            piece = pieces[start]
            inner = tokens(piece) if spaced else [piece]
            if len(inner) > 1:  # a Japanese run in a spaced language: break it as Japanese
                pieces[start : start + 1] = inner
                continue
            cut = _fit(piece, measure, room)
            lines.append(piece[:cut].rstrip())
            pieces[start] = piece[cut:].lstrip()  # a term cut at its space
    return lines


def _joined(pieces: list[str], start: int, end: int) -> str:
    return "".join(pieces[start:end]).rstrip()


def _fit(piece: str, measure: Measure, room: float) -> int:
    """How many leading characters of `piece` fit (at least one, so wrapping always ends)."""
    lo, hi = 1, len(piece)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if measure(piece[:mid].rstrip()) <= room:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _phrase_end(
    pieces: list[str], start: int, end: int, measure: Measure, width: float, bounds: frozenset[int] | None
) -> int:
    """Where to end the line that could hold pieces[start:end]: at `end` if that is a space or a
    phrase boundary; else at the last such place in the line, unless the phrase cut at `end` is
    wider than a whole line (it breaks somewhere anyway: then as full as fits)."""
    if bounds is None:
        return end  # Latin text: every break point is a space
    offsets = [0]
    for piece in pieces:
        offsets.append(offsets[-1] + len(piece))

    def boundary(i: int) -> bool:
        # BudouX's phrases already end at punctuation where a phrase ends: 「再発行」を」 is one.
        return offsets[i] in bounds or _space(pieces[i - 1][-1])

    if boundary(end):
        return end
    last = next((i for i in range(end - 1, start, -1) if boundary(i)), None)
    if last is None:
        return end  # the line's first phrase is longer than the line
    after = next((i for i in range(end + 1, len(pieces)) if boundary(i)), len(pieces))
    if measure(_joined(pieces, last, after)) > width:
        return end  # the phrase would not fit on the next line either
    return last
