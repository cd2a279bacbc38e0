"""Numbers and money as each language writes them (issue 18 item 3)."""

from __future__ import annotations

import pytest

from kiosk.messages import LANGUAGES, text
from kiosk.numbers import grouped

MONEY = [
    ("ja", "2,900円"),
    ("ja-easy", "2,900円"),
    ("en", "¥2,900"),
    ("pt-BR", "2.900 ienes"),
    ("vi", "2.900 yên"),
    ("zh-Hans", "2,900日元"),
]


@pytest.mark.parametrize(("lang", "words"), MONEY)
def test_a_fee_reads_as_the_language_writes_money(lang: str, words: str) -> None:
    assert text("fee.yen", lang, yen=grouped(2900, lang)) == words


def test_every_language_has_its_money_words() -> None:
    assert {lang for lang, _ in MONEY} == set(LANGUAGES)


def test_large_and_small_numbers_group_by_the_language() -> None:
    assert grouped(1234567, "pt-BR") == "1.234.567"
    assert grouped(1234567, "zh-Hans") == "1,234,567"
    assert grouped(950, "vi") == "950"
    assert grouped(2900, "xx") == "2,900"  # a language we do not list: as Japanese
