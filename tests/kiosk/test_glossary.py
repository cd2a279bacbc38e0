"""Every catalog held to its language's glossary: one term, one translation, the Japanese in
brackets where the visitor points at it (issue 18 item 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.catalogs import SOURCE, locale_dir, read_words
from kiosk.errors import KioskError
from kiosk.glossary import Glossary, Term, problems, read_glossary
from kiosk.messages import LANGUAGES
from kiosk.site.load import load_site_config

TRANSLATED = [lang for lang in LANGUAGES if not lang.startswith(SOURCE)]


@pytest.fixture(scope="module")
def words() -> dict[str, dict[str, str]]:
    return read_words(LANGUAGES)


def _in(lang: str, words: dict[str, dict[str, str]]) -> dict[str, str]:
    return {key: by_lang[lang] for key, by_lang in words.items() if lang in by_lang}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_catalog_says_each_term_as_its_glossary_does(lang: str, words: dict[str, dict[str, str]]) -> None:
    glossary = read_glossary(lang, locale_dir())
    assert glossary.terms, f"{lang} has an empty glossary"
    found = problems(glossary, _in(SOURCE, words), _in(lang, words))
    assert not found, "\n".join(found)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_procedure_buttons_carry_their_japanese_name(lang: str, words: dict[str, dict[str, str]]) -> None:
    """A visitor shows the button's words to staff: the Japanese name of the procedure is on it."""
    for key in ("procedure.holding_change", "procedure.record_change", "procedure.renewal_via", "procedure.re_record"):
        name = words[key][SOURCE].rsplit("（", 1)[1].rstrip("）")
        assert f"({name})" in words[key][lang] or f"（{name}）" in words[key][lang], (lang, key)


GLOSSARY = Glossary(
    "pt-BR",
    (
        Term(("番号札",), ("senha de atendimento",), None, frozenset()),
        Term(("マイナ免許証",), ("habilitação no cartão My Number",), "マイナ免許証", frozenset()),
        Term(("免許証",), ("carteira de motorista",), None, frozenset({"reason.skip"})),
    ),
    ("Hãy",),
)
SOURCE_WORDS = {
    "ui.get_ticket": "番号札を受け取る",
    "status.myna_only": "マイナ免許証のみ",
    "reason.both": "免許証とマイナ免許証",
    "reason.skip": "免許証",
}


def test_a_term_said_another_way_fails() -> None:
    said = {"ui.get_ticket": "Pegar a senha"}
    assert problems(GLOSSARY, SOURCE_WORDS, said) == [
        "pt-BR ui.get_ticket: 番号札 is 'senha de atendimento' here: 'Pegar a senha'"
    ]
    assert problems(GLOSSARY, SOURCE_WORDS, {"ui.get_ticket": "Pegar a Senha de Atendimento"}) == []


def test_a_label_without_its_bracketed_japanese_fails() -> None:
    found = problems(GLOSSARY, SOURCE_WORDS, {"status.myna_only": "Só a habilitação no cartão My Number"})
    assert found == ["pt-BR status.myna_only: a label carries (マイナ免許証): 'Só a habilitação no cartão My Number'"]
    said = {"status.myna_only": "Só a habilitação no cartão My Number (マイナ免許証のみ)"}
    assert problems(GLOSSARY, SOURCE_WORDS, said) == []


def test_a_term_inside_a_longer_one_is_not_matched_there() -> None:
    said = {"reason.both": "carteira de motorista e habilitação no cartão My Number"}
    assert problems(GLOSSARY, SOURCE_WORDS, said) == []
    assert problems(GLOSSARY, SOURCE_WORDS, {"reason.both": "habilitação no cartão My Number"})  # 免許証 alone


def test_an_exempt_key_and_a_ruled_out_word() -> None:
    assert problems(GLOSSARY, SOURCE_WORDS, {"reason.skip": "-"}) == []
    assert problems(GLOSSARY, SOURCE_WORDS, {"ui.get_ticket": "Hãy lấy senha de atendimento"}) == [
        "pt-BR ui.get_ticket: never 'Hãy': 'Hãy lấy senha de atendimento'"
    ]


def test_a_glossary_with_an_unknown_field_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "xx").mkdir()
    (tmp_path / "xx" / "glossary.toml").write_text('[[term]]\nja = "窓口"\nsays = "counter"\nbraket = true\n')
    with pytest.raises(KioskError, match="term 1"):
        read_glossary("xx", tmp_path)  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_site_configs_words_say_each_term_as_the_glossary_does(lang: str) -> None:
    """Counter names and things to bring are read beside the catalog's words: one term, one way."""
    config = load_site_config(Path(__file__).resolve().parents[2] / "config")
    texts = {"site.name": config.site.name}
    texts |= {f"site.counters.{key}": counter.name for key, counter in config.counters.items()}
    texts |= {f"site.bring.{key}": item.label for key, item in config.bring_items.items()}
    source = {key: t.by_lang[SOURCE] for key, t in texts.items() if SOURCE in t.by_lang}
    said = {key: t.by_lang[lang] for key, t in texts.items() if lang in t.by_lang}
    found = problems(read_glossary(lang, locale_dir()), source, said)
    assert not found, "\n".join(found)
