"""The message catalogs on disk: kiosk/locale/<lang>/LC_MESSAGES/kiosk.po, read with Babel.

The one module that reads the words from files. `kiosk.messages` (pure: lookups only) asks it once,
lazily, for every catalog; the layering test names this as the pure core's single permitted
reader, because the files are package data that ship with the code, like the code itself.

Message ids are stable keys (`reason.R18.sign_password_locked`), not source sentences: the
Japanese catalog is the source every other language is translated from. `python -m kiosk.catalogs`
(`make messages`) brings the other catalogs in line with it: same keys in the same (sorted) order,
new keys added empty for the translator, removed ones dropped, and above each entry the Japanese
(and English) words as a translator's comment; then it lists what is untranslated and where a
catalog says a term otherwise than its glossary (kiosk/locale/<lang>/glossary.toml, kiosk.glossary).

A catalog that does not parse is an error naming the file and line; an empty or fuzzy entry counts
as untranslated (the lookup falls back to Japanese, and the tests fail).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import sys
from collections.abc import Iterable, Mapping
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, cast

from kiosk import cachedir
from kiosk.errors import KioskError

if TYPE_CHECKING:  # Babel itself is imported only when a catalog is parsed: ~75 ms off each start
    from babel.messages.catalog import Catalog

log = logging.getLogger(__name__)

DOMAIN = "kiosk"
_MSGID = re.compile(r'^msgid "(.+)"$', re.MULTILINE)
SOURCE = "ja"  # the language every other catalog is translated from
HINT_LANGUAGES = ("ja", "en")  # shown as translator comments in the other catalogs
# Short labels of reason codes printed for the counter clerk, who reads Japanese (the ticket prints
# them in Japanese whatever the visitor's language; English is kept for staff previews). The other
# catalogs do not carry them: a translation nobody prints would only mislead.
CLERK_ONLY = "ticket.reason."
CLERK_LANGUAGES = ("ja", "en")


def wanted(key: str, lang: str) -> bool:
    """Whether `lang`'s catalog must hold words for `key`."""
    return lang in CLERK_LANGUAGES or not key.startswith(CLERK_ONLY)


# Words for a language's header comment (the catalog names itself; these are for people opening the file).
_NAMES = {
    "ja": "Japanese",
    "ja-easy": "Easy Japanese (やさしい日本語)",
    "en": "English",
    "pt-BR": "Portuguese (Brazil)",
    "vi": "Vietnamese",
    "zh-Hans": "Simplified Chinese",
}


def locale_dir() -> Traversable:
    return files("kiosk") / "locale"


def catalog_file(lang: str, root: Traversable | None = None) -> Traversable:
    return (root or locale_dir()) / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(lang: str, root: Traversable | None = None) -> Catalog:
    """One language's catalog, parsed strictly."""
    from babel.messages.pofile import PoFileError, read_po

    path = catalog_file(lang, root)
    if not path.is_file():
        raise KioskError(f"no message catalog for {lang!r}: {path} is missing")
    try:
        data = path.read_bytes()
        ids = _MSGID.findall(data.decode("utf-8"))
        catalog = read_po(io.BytesIO(data), abort_invalid=True, charset="utf-8")
    except (PoFileError, UnicodeDecodeError) as exc:
        raise KioskError(f"{path}: {exc}") from exc
    twice = sorted({key for key in ids if ids.count(key) > 1})
    if twice:  # Babel keeps one silently; two entries for a key are a merge gone wrong
        raise KioskError(f"{path}: keys defined twice: {', '.join(twice)}")
    return catalog


def read_words(languages: Iterable[str], root: Traversable | None = None) -> dict[str, dict[str, str]]:
    """key -> lang -> words, for every translated entry (not empty, not fuzzy) of each catalog."""
    words: dict[str, dict[str, str]] = {}
    for lang in languages:
        for message in read_catalog(lang, root):
            if not message.id or message.fuzzy or not isinstance(message.id, str):
                continue
            if isinstance(message.string, str) and message.string:
                words.setdefault(message.id, {})[lang] = message.string
    return words


def cached_words(languages: Iterable[str], root: Traversable | None = None) -> dict[str, dict[str, str]]:
    """`read_words`, kept as JSON in the cache (`kiosk.cachedir`) under the catalogs' content hash.

    Importing Babel and parsing six catalogs takes ~190 ms of every start, before the first frame;
    the cached words load in a few ms. Any change to a catalog is a new hash, so the cache is never
    stale; an unreadable cache file is read around."""
    langs = list(languages)
    digest = hashlib.sha256()
    for lang in langs:
        path = catalog_file(lang, root)
        digest.update(f"{lang}\0".encode())
        digest.update(path.read_bytes() if path.is_file() else b"-")
    name = f"words-{digest.hexdigest()[:20]}.json"
    found = cachedir.find("catalogs", name)
    if found is not None:
        try:
            loaded = json.loads(found.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            loaded = None
        if _is_words(loaded):
            return cast(dict[str, dict[str, str]], loaded)
    words = read_words(langs, root)
    data = json.dumps(words, ensure_ascii=False).encode("utf-8")
    try:
        cachedir.put("catalogs", name, data, stale=["words-*.json"])
    except KioskError:
        log.warning("no cache folder can be written: the catalogs are parsed at every start")
    return words


def _is_words(value: object) -> bool:
    return isinstance(value, dict) and all(
        isinstance(by_lang, dict) and all(isinstance(w, str) for w in by_lang.values()) for by_lang in value.values()
    )


# --- keeping the translations in line with the Japanese source (a developer's command) -----------


def _header(lang: str) -> str:
    return (
        f"# Words of the lobby kiosk in {_NAMES.get(lang, lang)}. Message ids are stable keys; the Japanese\n"
        "# catalog is the source. After editing, run `make messages` (see README, Messages).\n"
        'msgid ""\n'
        'msgstr ""\n'
        f'"Language: {lang}\\n"\n'
        '"MIME-Version: 1.0\\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Content-Transfer-Encoding: 8bit\\n"\n\n'
    )


def normalized(lang: str, source: Catalog, hints: Mapping[str, Catalog], current: Catalog | None) -> str:
    """The text `lang`'s catalog should have: the source's keys, sorted, with this language's
    words where it has them (its translator comments kept), and the source words as hints."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    out = Catalog(fuzzy=False)
    keys = sorted(str(m.id) for m in source if m.id and wanted(str(m.id), lang))
    for key in keys:
        mine = current.get(key) if current is not None else None
        string = mine.string if mine is not None and isinstance(mine.string, str) else ""
        flags = ["fuzzy"] if mine is not None and mine.fuzzy else []
        auto = []
        if lang != SOURCE:
            for hint_lang, hint in hints.items():
                entry = hint.get(key)
                if hint_lang != lang and entry is not None and entry.string:
                    auto.append(f"{hint_lang}: {entry.string}".replace("\n", "\\n"))
        user = list(mine.user_comments) if mine is not None else []
        out.add(key, string, auto_comments=auto, user_comments=user, flags=flags)
    buffer = io.BytesIO()
    write_po(buffer, out, width=0, omit_header=True, sort_output=False)
    return _header(lang) + buffer.getvalue().decode("utf-8")


def main() -> int:
    """Rewrite every catalog in normal form; list what is untranslated (exit 1 if anything is)."""
    from kiosk.messages import LANGUAGES  # the languages the kiosk offers are named with the lookup

    source = read_catalog(SOURCE)
    hints = {lang: read_catalog(lang) for lang in HINT_LANGUAGES}
    untranslated = 0
    for lang in LANGUAGES:
        path = Path(str(catalog_file(lang)))
        current = read_catalog(lang) if path.is_file() else None
        words = normalized(lang, source, hints, current)
        if not path.is_file() or path.read_text(encoding="utf-8") != words:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(words, encoding="utf-8")
            print(f"rewrote {path}")
        for key in (str(m.id) for m in source if m.id and wanted(str(m.id), lang)):
            if not _translated(current, key):
                untranslated += 1
                print(f"{lang}: {key} is not translated yet", file=sys.stderr)
    return 1 if untranslated or _glossary_problems(LANGUAGES) else 0


def _glossary_problems(languages: Iterable[str]) -> int:
    """List where a catalog says a term otherwise than its glossary (kiosk.glossary); how many."""
    from kiosk.glossary import glossary_file, problems, read_glossary

    words = read_words(languages)
    source = {key: by_lang[SOURCE] for key, by_lang in words.items() if SOURCE in by_lang}
    found = 0
    for lang in languages:
        if lang != SOURCE and glossary_file(lang, locale_dir()).is_file():
            mine = {key: by_lang[lang] for key, by_lang in words.items() if lang in by_lang}
            for problem in problems(read_glossary(lang, locale_dir()), source, mine):
                found += 1
                print(f"glossary: {problem}", file=sys.stderr)
    return found


def _translated(catalog: Catalog | None, key: str) -> bool:
    message = catalog.get(key) if catalog is not None else None
    return message is not None and not message.fuzzy and bool(message.string)


if __name__ == "__main__":
    raise SystemExit(main())
