"""The ui's words: every key in every language, with the same placeholders, and drawable glyphs."""

from __future__ import annotations

import string
from pathlib import Path

import pygame.freetype
import pytest

from kiosk.fonts import Face, font_path
from kiosk.messages import LANGUAGES, catalog
from kiosk.messages_ui import UI_MESSAGES
from kiosk.site.load import load_site_config

CONFIG_DIR = Path(__file__).resolve().parents[3] / "config"


def _fields(words: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(words) if name}


@pytest.mark.parametrize("key", sorted(UI_MESSAGES))
def test_every_ui_key_has_every_language_and_the_same_placeholders(key: str) -> None:
    assert key.startswith("ui.")
    entry = UI_MESSAGES[key]
    assert set(entry) == set(LANGUAGES), key
    assert all(entry[lang].strip() for lang in LANGUAGES)
    fields = {lang: _fields(entry[lang]) for lang in LANGUAGES}
    assert len({frozenset(f) for f in fields.values()}) == 1, fields


def test_every_site_language_has_a_name_in_itself() -> None:
    config = load_site_config(CONFIG_DIR)
    for code in config.site.languages:
        assert f"ui.lang.{code}" in UI_MESSAGES
        assert code in UI_MESSAGES[f"ui.lang.{code}"]


def _all_words() -> list[str]:
    """Every text the screens may draw: the catalog (ui and domain words) and the site config's."""
    config = load_site_config(CONFIG_DIR)
    words = [w for entry in catalog().values() for lang, w in entry.items() if lang in LANGUAGES]
    words.append(config.site.name.by_lang["ja"])
    words += [t for c in config.counters.values() for t in c.name.by_lang.values()]
    words += [t for b in config.bring_items.values() for t in b.label.by_lang.values()]
    words += [t for t in config.site.name.by_lang.values()]
    return words


@pytest.mark.parametrize("face", [Face.REGULAR, Face.BOLD, Face.FIXED_BOLD])
def test_the_font_has_a_glyph_for_every_character_shown(face: Face) -> None:
    pygame.freetype.init()
    typeface = pygame.freetype.Font(str(font_path(face)), 24)
    chars = sorted({ch for words in _all_words() for ch in words if not ch.isspace()})
    metrics = typeface.get_metrics("".join(chars))
    missing = [ch for ch, m in zip(chars, metrics, strict=True) if m is None]
    assert missing == []
