"""Every word the kiosk shows or prints, per language, keyed by stable ids.

Keys follow the domain's own ids, so a reason code found in a log or result.json leads straight to
its words: `reason.R18.sign_password_locked`, `remedy.municipal_office`, `procedure.renewal`; the
screens' own words start with `ui.` (`ui.lang.<code>` names a language in itself), the ticket's
with `ticket.` (`ticket.reason.<code>`: a short label of a reason code for the counter clerk).
Site-specific words (counter names, papers to bring) live in the site config instead.

The words themselves are in the gettext catalogs kiosk/locale/<lang>/LC_MESSAGES/kiosk.po (see
`kiosk.catalogs`, the one module that reads them, once, on the first lookup). Plain language on
purpose: short sentences, the action first, no legal terms without their meaning. Uncertain facts
say 「窓口でご確認ください」 instead of stating them (rules.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from kiosk.catalogs import cached_words

# The languages the kiosk speaks, in the order a lobby lists them. The site config offers some
# or all of them (site.languages); Japanese is the source and the clerks' language.
LANGUAGES = ("ja", "ja-easy", "en", "pt-BR", "vi", "zh-Hans")
FALLBACK = "ja"
SPACED_LANGUAGES = frozenset({"en", "pt-BR", "vi"})  # words between spaces: lines break only there


@cache
def _words() -> Mapping[str, Mapping[str, str]]:
    return MappingProxyType({key: MappingProxyType(by_lang) for key, by_lang in cached_words(LANGUAGES).items()})


def text(key: str, lang: str, **params: object) -> str:
    """The words for `key` in `lang`, falling back to Japanese, then to the key itself.

    The fallback keeps a screen usable if a catalog is incomplete; tests make sure none is.
    """
    entry = _words().get(key)
    if entry is None:
        return key
    words = entry.get(lang) or entry.get(FALLBACK) or key
    return words.format(**params) if params else words


def has(key: str) -> bool:
    return key in _words()


def keys() -> tuple[str, ...]:
    return tuple(_words())


def catalog() -> Mapping[str, Mapping[str, str]]:
    """key -> lang -> words, every translated entry of every catalog."""
    return _words()
