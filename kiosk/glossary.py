"""Each language's glossary, kiosk/locale/<lang>/glossary.toml, and the catalog held to it.

A glossary lists the Japanese terms of the source catalog and how the language says them, so one
term is said one way on every screen and ticket (a visitor who read "senha de atendimento" on one
screen and "senha" on the next cannot tell it from the card's "senha de assinatura"). Per term:
- `ja`: the Japanese forms that name it, longest first;
- `says`: the words that translate it (the first is the glossary's; more are its inflections, e.g.
  a plural), matched without regard to case;
- `bracket`: whether the Japanese goes in brackets after the words (`true`: the term itself, or the
  Japanese to show, e.g. 「市役所・町村役場」 for 市区町村), so the visitor can point at what staff and
  the signs call it. A label (procedure, option, status, remedy, a check's name) whose Japanese
  names such a term shows at least one of them in brackets;
- `except`: keys where the term is rightly not translated, each with why in a comment.
Besides, `never` lists words the language never uses (e.g. "Hãy" for a request in Vietnamese).

`problems` finds, per catalog entry, a term of its Japanese whose translation is missing (said
another way), a label without its bracketed Japanese, and a word the glossary rules out. A longer
term is matched before the terms inside it: マイナ免許証 is not also 免許証.

Read by the tests (tests/kiosk/test_glossary.py) and `make messages`; not at run time.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources.abc import Traversable

from kiosk.catalogs import CLERK_ONLY
from kiosk.errors import KioskError

LABELS = ("procedure.", "option.", "status.", "remedy.")  # what the visitor points at, and each check's name
_BRACKETED = r"[（(][^()（）]*{}[^()（）]*[)）]"


@dataclass(frozen=True)
class Term:
    ja: tuple[str, ...]
    says: tuple[str, ...]
    bracket: str | None  # the Japanese shown in brackets, or None
    exempt: frozenset[str]


@dataclass(frozen=True)
class Glossary:
    lang: str
    terms: tuple[Term, ...]
    never: tuple[str, ...]


def glossary_file(lang: str, root: Traversable) -> Traversable:
    return root / lang / "glossary.toml"


def read_glossary(lang: str, root: Traversable) -> Glossary:
    """The language's glossary, checked for shape: an unknown field is an error naming the term."""
    path = glossary_file(lang, root)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise KioskError(f"{path}: {exc}") from exc
    terms = []
    for i, entry in enumerate(data.get("term", [])):
        unknown = set(entry) - {"ja", "says", "bracket", "except"}
        if unknown or not entry.get("ja") or not entry.get("says"):
            raise KioskError(f"{path}: term {i + 1} needs ja and says (unknown: {', '.join(sorted(unknown))})")
        ja = (entry["ja"],) if isinstance(entry["ja"], str) else tuple(entry["ja"])
        says = (entry["says"],) if isinstance(entry["says"], str) else tuple(entry["says"])
        bracket = entry.get("bracket", False)
        shown = ja[0] if bracket is True else bracket or None
        terms.append(Term(ja, says, shown, frozenset(entry.get("except", []))))
    never = tuple(item["words"] for item in data.get("never", []))
    return Glossary(lang, tuple(terms), never)


def problems(glossary: Glossary, source: Mapping[str, str], words: Mapping[str, str]) -> list[str]:
    """What in `words` (key -> this language's words) breaks the glossary; `source` is the Japanese."""
    # Longest Japanese first, so a term inside another is found only where it stands alone.
    forms = sorted(((form, term) for term in glossary.terms for form in term.ja), key=lambda ft: -len(ft[0]))
    found: list[str] = []
    for key in sorted(k for k in words if not k.startswith(CLERK_ONLY)):  # clerks read the Japanese
        said, japanese = words[key], source.get(key, "")
        folded = said.casefold()
        named: list[Term] = []
        rest = japanese
        for form, term in forms:
            if form in rest:
                rest = rest.replace(form, "\0")
                if term not in named:
                    named.append(term)
        for term in named:
            if key in term.exempt:
                continue
            if not any(way.casefold() in folded for way in term.says):
                found.append(f"{glossary.lang} {key}: {term.ja[0]} is '{term.says[0]}' here: {said!r}")
        pointed = [t for t in named if t.bracket is not None and key not in t.exempt]
        if _is_label(key) and pointed and not any(_bracketed(t.bracket or "", said) for t in pointed):
            wanted = " or ".join(f"({t.bracket})" for t in pointed)
            found.append(f"{glossary.lang} {key}: a label carries {wanted}: {said!r}")
        for word in glossary.never:
            if word.casefold() in folded:
                found.append(f"{glossary.lang} {key}: never '{word}': {said!r}")
    return found


def _is_label(key: str) -> bool:
    """A button, a status, a remedy or a check's name ("check.card.expiry"; not the sentences
    saying its outcome, "check.card.expiry.block", where the name's brackets would be noise)."""
    return key.startswith(LABELS) or (key.startswith("check.") and key.count(".") == 2)


def _bracketed(japanese: str, said: str) -> bool:
    return re.search(_BRACKETED.format(re.escape(japanese)), said) is not None
