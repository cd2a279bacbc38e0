"""The catalog files: parsed strictly, kept in the normal form `make messages` writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.catalogs import HINT_LANGUAGES, SOURCE, cached_words, catalog_file, normalized, read_catalog, read_words
from kiosk.errors import KioskError
from kiosk.messages import LANGUAGES


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_catalog_is_in_normal_form(lang: str) -> None:
    """Same keys as the Japanese source, sorted, with current source words as translator hints:
    after editing a .po file, `make messages` rewrites it so (and lists what is untranslated)."""
    source = read_catalog(SOURCE)
    hints = {h: read_catalog(h) for h in HINT_LANGUAGES}
    have = Path(str(catalog_file(lang))).read_text(encoding="utf-8")
    assert have == normalized(lang, source, hints, read_catalog(lang)), "run `make messages`"


def _write(root: Path, lang: str, body: str) -> None:
    path = root / lang / "LC_MESSAGES" / "kiosk.po"
    path.parent.mkdir(parents=True)
    path.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n' + body, encoding="utf-8")


def test_empty_and_fuzzy_entries_count_as_untranslated(tmp_path: Path) -> None:
    _write(tmp_path, "ja", 'msgid "a"\nmsgstr "あ"\n\nmsgid "b"\nmsgstr "い"\n')
    _write(tmp_path, "en", 'msgid "a"\nmsgstr ""\n\n#, fuzzy\nmsgid "b"\nmsgstr "B?"\n')
    assert read_words(["ja", "en"], tmp_path) == {"a": {"ja": "あ"}, "b": {"ja": "い"}}


def test_a_broken_catalog_names_its_file(tmp_path: Path) -> None:
    _write(tmp_path, "ja", 'msgid "a"\nmsgstr "x"\ngarbage here\n')
    with pytest.raises(KioskError, match=r"ja/LC_MESSAGES/kiosk.po: .*misformatted"):
        read_words(["ja"], tmp_path)


def test_a_key_defined_twice_is_an_error(tmp_path: Path) -> None:
    # What a merge of two branches adding the same key leaves; Babel alone would keep one quietly.
    _write(tmp_path, "ja", 'msgid "a"\nmsgstr "x"\n\nmsgid "a"\nmsgstr "y"\n')
    with pytest.raises(KioskError, match="keys defined twice: a"):
        read_words(["ja"], tmp_path)


def test_a_missing_catalog_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KioskError, match="no message catalog for 'vi'"):
        read_words(["vi"], tmp_path)


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cache"
    monkeypatch.delenv("CACHE_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home / "kiosk" / "catalogs"


def test_parsed_words_are_cached_by_content_and_a_change_is_a_new_entry(tmp_path: Path, cache_home: Path) -> None:
    root = tmp_path / "locale"
    _write(root, "ja", 'msgid "a"\nmsgstr "あ"\n')
    first = cached_words(["ja"], root)
    assert first == read_words(["ja"], root) == {"a": {"ja": "あ"}}
    [entry] = cache_home.glob("words-*.json")
    assert json.loads(entry.read_text(encoding="utf-8")) == first

    (root / "ja" / "LC_MESSAGES" / "kiosk.po").write_text(
        'msgid ""\nmsgstr ""\n\nmsgid "a"\nmsgstr "ああ"\n', encoding="utf-8"
    )
    assert cached_words(["ja"], root) == {"a": {"ja": "ああ"}}
    assert [p.name for p in cache_home.glob("words-*.json")] != [entry.name]  # the old entry is gone


def test_a_broken_cache_entry_is_read_around(tmp_path: Path, cache_home: Path) -> None:
    root = tmp_path / "locale"
    _write(root, "ja", 'msgid "a"\nmsgstr "あ"\n')
    cached_words(["ja"], root)
    [entry] = cache_home.glob("words-*.json")
    entry.write_text('{"a": 7', encoding="utf-8")
    assert cached_words(["ja"], root) == {"a": {"ja": "あ"}}
