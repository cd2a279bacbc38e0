"""The words: every key in every language, the same placeholders, and a font that draws them.

Covers the catalogs (kiosk/locale/*/LC_MESSAGES/kiosk.po) and the site config's texts. Glyphs
are checked with FreeType through pygame-ce (`get_metrics` gives None for a character the face
has no glyph for), on the very file and face index the screens and tickets use.
"""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path

import pygame.freetype
import pytest

from kiosk.catalogs import CLERK_ONLY, wanted
from kiosk.fonts import Face, FontFile, font_files, own_font
from kiosk.messages import FALLBACK, LANGUAGES, catalog, has, keys, text
from kiosk.site.load import load_site_config
from kiosk.site.model import SiteConfig

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"


def _fields(words: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(words) if name}


@pytest.mark.parametrize("key", keys())
def test_every_key_has_words_in_every_language(key: str) -> None:
    entry = catalog()[key]
    missing = [lang for lang in LANGUAGES if wanted(key, lang) and not entry.get(lang, "").strip()]
    assert missing == [], f"{key}: no words in {missing}"


@pytest.mark.parametrize("key", keys())
def test_every_language_has_the_same_placeholders(key: str) -> None:
    fields = {lang: frozenset(_fields(words)) for lang, words in catalog()[key].items()}
    assert len(set(fields.values())) == 1, f"{key}: {fields}"


def test_a_key_holds_words_only_in_the_kiosks_languages() -> None:
    strays = {lang for entry in catalog().values() for lang in entry} - set(LANGUAGES)
    assert strays == set()


def test_clerk_labels_are_japanese_and_english_only_and_read_japanese_elsewhere() -> None:
    clerk = [key for key in keys() if key.startswith(CLERK_ONLY)]
    assert clerk, "the ticket's clerk labels are in the catalog"
    for key in clerk:
        assert set(catalog()[key]) == {"ja", "en"}, key
        assert text(key, "vi") == text(key, "ja")


def test_lookup_formats_and_falls_back() -> None:
    assert text("fee.yen", "ja", yen="3,500") == "3,500円"
    assert text("ticket.ahead", "en", people=3) == text("ticket.ahead", "en", people="3")
    assert text("no.such.key", "en") == "no.such.key"
    assert text("ui.back", "xx") == text("ui.back", FALLBACK)  # an unknown language reads Japanese
    assert has("reason.R18.sign_password_locked")
    assert not has("reason.R18.nothing")


def _config() -> SiteConfig:
    return load_site_config(CONFIG_DIR)


def test_every_site_language_is_spoken_and_named_in_itself() -> None:
    config = _config()
    assert set(config.site.languages) <= set(LANGUAGES)
    for code in config.site.languages:
        assert catalog()[f"ui.lang.{code}"].get(code), code


def _config_words(config: SiteConfig) -> dict[str, list[str]]:
    """lang -> every text of the site config in that language."""
    texts = [config.site.name]
    texts += [c.name for c in config.counters.values()]
    texts += [b.label for b in config.bring_items.values()]
    return {lang: [t.by_lang[lang] for t in texts if lang in t.by_lang] for lang in config.site.languages}


@cache
def _typeface(font: FontFile) -> pygame.freetype.Font:
    pygame.freetype.init()
    return pygame.freetype.Font(str(font.path), 24, font_index=font.index)


def _undrawable(font: FontFile, words: list[str]) -> list[str]:
    chars = sorted({ch for w in words for ch in w if not ch.isspace()})
    metrics = _typeface(font).get_metrics("".join(chars)) if chars else []
    return [ch for ch, m in zip(chars, metrics, strict=True) if m is None]


@pytest.mark.parametrize("face", [Face.REGULAR, Face.BOLD])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_languages_own_font_draws_every_character_of_its_words(lang: str, face: Face) -> None:
    words = [entry[lang] for entry in catalog().values() if lang in entry]
    words += _config_words(_config()).get(lang, [])
    assert _undrawable(own_font(face, lang), words) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_font_stack_draws_what_other_languages_put_on_its_screens_and_tickets(lang: str) -> None:
    # Language names in themselves (the language bar), and Japanese (clerk lines, the site name).
    words = [catalog()[f"ui.lang.{code}"][code] for code in LANGUAGES]
    words += [entry[FALLBACK] for entry in catalog().values()]
    stack = font_files(Face.BOLD, lang)
    for word in words:
        assert any(not _undrawable(font, [word]) for font in stack), f"{lang}: nothing draws {word!r}"


def test_the_fixed_face_draws_every_queue_number() -> None:
    config = _config()
    alphabet = ["".join(g.prefix for g in config.groups.values()) + "-0123456789"]
    for lang in LANGUAGES:
        assert _undrawable(own_font(Face.FIXED_BOLD, lang), alphabet) == [], lang


def test_the_glyph_check_can_fail() -> None:
    # BIZ UD Gothic has no Vietnamese stacked diacritics: the same check must see that.
    assert _undrawable(own_font(Face.REGULAR, "ja"), ["Tiếng Việt"]) == ["ế", "ệ"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_words_that_name_the_call_staff_button_quote_its_label(lang: str) -> None:
    # "Press “Call staff”": the visitor looks for exactly these words on the button.
    for key in ("ui.card.reader_problem", "ui.ticket.failed"):
        assert text("ui.staff", lang) in text(key, lang), key


# --- やさしい日本語 that really is easy (issue 16) ------------------------------------------------------

# A hard term and the plain words that must come with it in the same message.
EASY_EXPLAINED = {
    "電子証明書": "本人だと示すデータ",
    "ワンストップ": "自動で",
    "マイナポータル": "国のウェブサイト",
}
# One spelling for one thing: the hard form on the left never appears in やさしい日本語.
EASY_SPELLING = {
    r"手続(?!き)": "手続き",
    r"氏名": "名前",
    r"市区町村": "市役所・町村役場",
    r"署名": "しょめい",
    r"お住まい": "住んでいる",
    r"顔だけ": "暗証番号のないカード（顔認証カード）",
}


def test_easy_japanese_explains_each_hard_term_where_it_says_it():
    from kiosk.messages import catalog

    unexplained = []
    for key, words in catalog().items():
        easy = words.get("ja-easy", "")
        if key.startswith(("check.", "ticket.", "ui.lang", "status.")):
            continue  # short titles: the sentence under each explains
        for term, plain in EASY_EXPLAINED.items():
            if term in easy and plain not in easy:
                unexplained.append(f"{key}: {term}")
    assert unexplained == []


def test_easy_japanese_spells_each_thing_one_way():
    import re

    from kiosk.messages import catalog

    found = [
        f"{key}: {hard} → {easy}"
        for key, words in catalog().items()
        if not key.startswith("ticket.")
        for hard, easy in EASY_SPELLING.items()
        if re.search(hard, words.get("ja-easy", ""))
    ]
    assert found == []


def test_japanese_wording_follows_the_phrase_table_of_issue_16():
    from kiosk.messages import text

    assert text("ui.verdict.summary.warn", "ja") == "手続はできます。次の点にご注意ください。"
    assert text("check.card.sign_password.block", "ja") == "署名用パスワードがロックされています"
    assert text("reason.R18.sign_password_few_tries", "ja").startswith("署名用パスワードは、あと2回間違えると")
    assert "お住まいの市区町村の窓口で再設定してください" in text("reason.R18.sign_password_few_tries", "ja")
    assert text("reason.R3.licence_data_as_stated", "ja") == "お答えの内容と一致しています。"
    assert text("ui.confirm.bring", "ja") == "お持ちいただくもの"
    assert (text("ui.finish", "ja"), text("ui.refusal.what_to_do", "ja")) == ("終了", "このあとのご案内")
    assert "暗証番号のないカード（顔認証カード）" in text("reason.R27.no_sign_cert", "ja-easy")


def _outcomes_each_check_can_have() -> list[tuple[str, str]]:
    """(check, outcome) of every `_result(CHECK, rule, Outcome.X, …)` in the pre-checks."""
    import ast

    from kiosk.domain import prechecks

    tree = ast.parse(Path(prechecks.__file__).read_text())
    pairs = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_result":
            check, _, outcome = node.args[:3]
            assert isinstance(check, ast.Name) and isinstance(outcome, ast.Attribute)
            pairs.add((getattr(prechecks, check.id), prechecks.Outcome[outcome.attr].value))
    return sorted(pairs)


CHECK_OUTCOMES = _outcomes_each_check_can_have()


@pytest.mark.parametrize(("check", "outcome"), CHECK_OUTCOMES, ids=[f"{c}.{o}" for c, o in CHECK_OUTCOMES])
def test_each_check_says_its_outcome_in_a_sentence_of_its_own(check: str, outcome: str) -> None:
    """Not "{check}: {outcome}", which reads badly outside Japanese ("Validade do cartão: Hoje não é possível")."""
    assert set(catalog().get(f"check.{check}.{outcome}", {})) >= set(LANGUAGES)


def test_the_checks_outcome_sentences_were_found() -> None:
    assert ("card.expiry", "block") in CHECK_OUTCOMES and len(CHECK_OUTCOMES) > 20
