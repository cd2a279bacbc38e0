"""Numbers as each language writes them: 2,900 in Japanese, English and Chinese, 2.900 in
Portuguese and Vietnamese, from Babel's CLDR data (`format_decimal`).

Money is the grouped number inside the catalog's own `fee.yen` words, which say the unit the way
a reader of that language says it: ¥2,900 (en), 2.900 ienes (pt-BR), 2.900 yên (vi), 2,900日元
(zh-Hans), 2,900円 (ja). Not Babel's `format_currency`: it writes "JP¥ 2.900" (pt_BR), "2.900 ¥"
(vi) and "JP¥2,900" (zh_Hans_CN), the ISO style of a bank statement, where a Brazilian or
Vietnamese visitor reads and says the yen by its name; and the unit stays where a translator can
see and correct it. The line-breaker keeps a number with its unit (kiosk.linebreak.TERMS).

Pure: Babel's locale data is package data like our catalogs, imported on the first number
(~60 ms, then ~35 ms per language's data once), never at start.
"""

from __future__ import annotations

from functools import lru_cache

# Our language codes -> CLDR locales. Easy Japanese writes numbers as Japanese does.
LOCALES = {"ja": "ja", "ja-easy": "ja", "en": "en", "pt-BR": "pt_BR", "vi": "vi", "zh-Hans": "zh_Hans_CN"}


@lru_cache(maxsize=1024)
def grouped(number: int, lang: str) -> str:
    """`number` with the language's digit grouping: "2,900" (ja, en, zh-Hans), "2.900" (pt-BR, vi).
    A language not listed writes it as Japanese does."""
    from babel.numbers import format_decimal

    return str(format_decimal(number, locale=LOCALES.get(lang, "ja")))
