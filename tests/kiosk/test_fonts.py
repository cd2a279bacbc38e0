"""Font choice per language, and the font files read by our own sfnt reader."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pygame
import pygame.freetype
import pytest
from PIL import ImageFont

from kiosk import sfnt
from kiosk.errors import KioskError
from kiosk.fonts import (
    BIZ_UD,
    NOTO_CJK_SC,
    Face,
    FontFile,
    font_for,
    font_path,
    own_font,
    single_face_path,
)
from kiosk.messages import LANGUAGES


def test_each_language_has_its_own_font() -> None:
    assert own_font(Face.REGULAR, "ja") == BIZ_UD[Face.REGULAR]
    assert own_font(Face.BOLD, "pt-BR") == NOTO_CJK_SC[Face.BOLD]  # full Latin descenders (issue 18)
    assert own_font(Face.REGULAR, "vi") == NOTO_CJK_SC[Face.REGULAR]
    assert own_font(Face.REGULAR, "zh-Hans") == NOTO_CJK_SC[Face.REGULAR]
    assert {own_font(Face.FIXED_BOLD, lang) for lang in LANGUAGES} == {BIZ_UD[Face.FIXED_BOLD]}


def test_a_text_its_languages_font_cannot_draw_falls_to_the_next_in_the_stack() -> None:
    assert font_for(Face.BOLD, "ja", "日本語") == BIZ_UD[Face.BOLD]
    assert font_for(Face.BOLD, "ja", "Tiếng Việt") == NOTO_CJK_SC[Face.BOLD]  # BIZ UD lacks ế
    assert font_for(Face.BOLD, "zh-Hans", "受付番号") == NOTO_CJK_SC[Face.BOLD]  # SC draws Japanese too


@pytest.mark.parametrize("font", [BIZ_UD[Face.REGULAR], BIZ_UD[Face.FIXED_BOLD], NOTO_CJK_SC[Face.REGULAR]], ids=str)
def test_our_cmap_reader_agrees_with_freetype(font: FontFile) -> None:
    pygame.freetype.init()
    typeface = pygame.freetype.Font(str(font.path), 20, font_index=font.index)
    sample = "".join(chr(c) for c in [*range(0x20, 0x2000), *range(0x3000, 0xA000, 5), *range(0xFF00, 0xFFF0)])
    drawn = {ch for ch, m in zip(sample, typeface.get_metrics(sample), strict=True) if m is not None}
    covered = sfnt.coverage(font.path, font.index)
    assert {ch for ch in sample if ch in covered} == drawn


def test_the_chinese_face_is_copied_out_of_the_collection_for_pygame(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("CACHE_DIRECTORY", raising=False)
    data = NOTO_CJK_SC[Face.BOLD].path.read_bytes()
    single = tmp_path / "sc.otf"
    single.write_bytes(sfnt.single_face(data, 2))
    pygame.font.init()
    assert pygame.font.Font(single, 20).name == "Noto Sans CJK SC"
    assert pygame.font.Font(NOTO_CJK_SC[Face.BOLD].path, 20).name == "Noto Sans CJK JP"  # what SDL_ttf opens
    assert pygame.font.Font(font_path(Face.BOLD, "zh-Hans"), 20).name == "Noto Sans CJK SC"


def test_pillow_opens_the_chinese_face_by_index() -> None:
    font = own_font(Face.REGULAR, "zh-Hans")
    assert ImageFont.truetype(str(font.path), 20, index=font.index).getname()[0] == "Noto Sans CJK SC"


def test_a_missing_font_names_its_package() -> None:
    ghost = FontFile("Nowhere.ttf", 0, "fonts-nowhere", (Path("/nonexistent"),))
    with pytest.raises(KioskError, match="install fonts-nowhere"):
        _ = ghost.path


def test_a_face_beyond_the_collection_is_an_error() -> None:
    with pytest.raises(KioskError, match=r"faces 0\.\.9"):
        sfnt.coverage(NOTO_CJK_SC[Face.REGULAR].path, 12)


def test_an_unwritable_cache_falls_back_to_the_temp_folder(tmp_path: Path, monkeypatch) -> None:
    # Under systemd's ProtectHome the home cache cannot be written; the face still gets copied out.
    # A file where the cache folder should be fails for root too.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.delenv("CACHE_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    single_face_path.cache_clear()
    try:
        path = single_face_path(NOTO_CJK_SC[Face.REGULAR])
    finally:
        single_face_path.cache_clear()
    assert path.parent == tmp_path / "tmp" / f"kiosk-fonts-{os.getuid()}"  # kiosk.cachedir's last choice
    pygame.font.init()
    assert pygame.font.Font(path, 20).name == "Noto Sans CJK SC"
