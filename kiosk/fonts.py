"""Which font draws which language, and where the font files are.

BIZ UD Gothic (Debian `fonts-morisawa-bizud-gothic`) is the universal-design face used by Japanese
public bodies: the proportional "P" variant for running text, the fixed one for queue numbers
(digits line up, "0" and "O" differ). ja and ja-easy use it. Its Latin letters are Japanese
designs: g, j, p, q, y end 0.12 em below the baseline (0.23-0.25 in Latin faces), which reads well
beside kana, but readers of English and Portuguese took "hoje", "bloqueada", "Signature password"
for clipped type (issue 18). So every language written in Latin letters (en, pt-BR, vi) and
zh-Hans use Noto Sans CJK SC (`fonts-noto-cjk`), face 2 of the NotoSansCJK .ttc collections: its
Latin (from Source Sans) has full descenders and every Vietnamese letter (ấ, ộ, ữ …, which BIZ UD
lacks), and it draws the Japanese terms a text quotes in brackets (保有状況の変更, 市役所) and the
simplified Chinese characters (简, 这, 证 …). One face per language: a screen never mixes two
Latin designs, and the Japanese in brackets matches the words around it. Rejected: DejaVu Sans
(shipped, full descenders) for en and pt-BR, which has no Japanese, so the bracketed terms would
come from a second face; Noto Sans (`fonts-noto-core`), likewise; the JP face of the same
collection, which draws shared kanji in Japanese forms but is a second CJK face in memory (each
size of a CJK face costs ~3.5 MB, and the screens of all six languages are drawn at start), for
differences a reader barely sees. Tests hold the Latin languages' descenders to 18 % of the type
size, through the screen's and the ticket's drawing (tests/kiosk/ui/test_text.py,
tests/kiosk/ticket/test_render.py).
Queue numbers (digits, A-Z, "-") use the BIZ UD fixed face in every language.

Each language has a stack: its own font first, then fallbacks. A text is drawn in the first font
of the stack that has every one of its characters (`font_for`), so a language's name in itself on
another language's screen, the Japanese clerk lines on a Vietnamese ticket, or the site name in
Japanese on a Chinese screen never show as boxes. Noto Sans CJK SC draws Japanese, Latin with
Vietnamese, and simplified Chinese, so it ends every stack. Tests hold every language's words to
its stack (and its own font where the words are its own).

Path lookup and the fonts' character maps (`kiosk.sfnt`): no pygame, no Pillow. A missing font is
an error naming the package, never a silent fallback to a face that draws boxes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from pathlib import Path

from kiosk import cachedir, sfnt
from kiosk.errors import KioskError


class Face(StrEnum):
    """The role of a text's type; each language's font stack says which file plays it."""

    REGULAR = "regular"
    BOLD = "bold"
    FIXED = "fixed"  # queue numbers
    FIXED_BOLD = "fixed-bold"


@dataclass(frozen=True)
class FontFile:
    name: str  # file name, looked up in `dirs`
    index: int  # the face within a collection (.ttc); 0 for a plain font file
    package: str  # the Debian package that installs it
    dirs: tuple[Path, ...]

    @property
    def path(self) -> Path:
        for folder in self.dirs:
            path = folder / self.name
            if path.is_file():
                return path
        raise KioskError(f"font {self.name} not found in {', '.join(map(str, self.dirs))}: install {self.package}")

    def __str__(self) -> str:
        return f"{self.name}#{self.index}" if self.index else self.name


_BIZUD_DIRS = (Path("/usr/share/fonts/truetype/bizud-gothic"), Path("/usr/local/share/fonts/bizud-gothic"))
_NOTO_CJK_DIRS = (Path("/usr/share/fonts/opentype/noto"),)
_BIZUD, _NOTO_CJK = "fonts-morisawa-bizud-gothic", "fonts-noto-cjk"

_FIXED = {
    Face.FIXED: FontFile("BIZUDGothic-Regular.ttf", 0, _BIZUD, _BIZUD_DIRS),
    Face.FIXED_BOLD: FontFile("BIZUDGothic-Bold.ttf", 0, _BIZUD, _BIZUD_DIRS),
}
BIZ_UD = {
    Face.REGULAR: FontFile("BIZUDPGothic-Regular.ttf", 0, _BIZUD, _BIZUD_DIRS),
    Face.BOLD: FontFile("BIZUDPGothic-Bold.ttf", 0, _BIZUD, _BIZUD_DIRS),
    **_FIXED,
}
NOTO_CJK_SC = {
    Face.REGULAR: FontFile("NotoSansCJK-Regular.ttc", 2, _NOTO_CJK, _NOTO_CJK_DIRS),
    Face.BOLD: FontFile("NotoSansCJK-Bold.ttc", 2, _NOTO_CJK, _NOTO_CJK_DIRS),
    **_FIXED,
}
Family = dict[Face, FontFile]

# language -> its own family first, then fallbacks. A language not listed uses Japanese's.
STACKS: dict[str, tuple[Family, ...]] = {
    "ja": (BIZ_UD, NOTO_CJK_SC),
    "ja-easy": (BIZ_UD, NOTO_CJK_SC),
    "en": (NOTO_CJK_SC,),
    "pt-BR": (NOTO_CJK_SC,),
    "vi": (NOTO_CJK_SC,),
    "zh-Hans": (NOTO_CJK_SC,),
}
DEFAULT_LANGUAGE = "ja"


def font_files(face: Face, lang: str) -> tuple[FontFile, ...]:
    """The fonts that may draw `lang`'s text in this role, the language's own first."""
    stack = STACKS.get(lang) or STACKS[DEFAULT_LANGUAGE]
    return tuple(dict.fromkeys(family[face] for family in stack))


def own_font(face: Face, lang: str) -> FontFile:
    """The language's own font for this role."""
    return font_files(face, lang)[0]


@cache
def coverage(font: FontFile) -> sfnt.Coverage:
    """The characters the font draws (read once per process from its character map)."""
    return sfnt.coverage(font.path, font.index)


@lru_cache(maxsize=8192)
def font_for(face: Face, lang: str, text: str = "") -> FontFile:
    """The first font of `lang`'s stack that draws every character of `text`; the last when none
    before it does (if that one cannot either, the missing glyphs show, and the tests name them)."""
    stack = font_files(face, lang)
    for font in stack[:-1]:
        if not coverage(font).missing(text):
            return font
    return stack[-1]  # no need to read its map: nothing after it would draw the text either


def font_path(face: Face, lang: str = DEFAULT_LANGUAGE, text: str = "") -> Path:
    """A file holding just the chosen face, for renderers that open only a file's first face
    (pygame-ce's `pygame.font.Font`, i.e. SDL_ttf). Pillow can take `FontFile.path` and `.index`."""
    return single_face_path(font_for(face, lang, text))


@cache
def single_face_path(font: FontFile) -> Path:
    """The font's own file when it is the first face; else its face copied out once into the
    cache (`kiosk.cachedir`), named by the source's size and time, so an updated font package is
    copied anew."""
    source = font.path
    if font.index == 0:
        return source
    stat = source.stat()
    stamp = hashlib.sha256(f"{source}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:12]
    name = f"{source.stem}-{font.index}-{stamp}.otf"
    found = cachedir.find("fonts", name)
    if found is not None:
        return found
    data = sfnt.single_face(source.read_bytes(), font.index, source)
    return cachedir.put("fonts", name, data, stale=[f"{source.stem}-{font.index}-*.otf"])
