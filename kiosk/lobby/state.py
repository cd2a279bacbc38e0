"""What the lobby pages are given: the lobby state as JSON, and the site's words for the screen.

The state is `LobbyState.as_json()` (kiosk/queue/lifecycle.py) with nothing added: one document,
the same for `/api/state`, each SSE message and the page's first paint, so a screen resyncing after a
drop is drawn from exactly what a fresh screen gets. The words are computed once per start from the
site config (counter names and numbers, one text per language) and the catalogs (`lobby.*` keys).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from kiosk.messages import text
from kiosk.queue.lifecycle import LobbyState
from kiosk.site.model import SiteConfig

SCREEN_KEYS = (
    "lobby.now_calling",
    "lobby.counter",
    "lobby.counters",
    "lobby.please_go",
    "lobby.recent",
    "lobby.waiting",
    "lobby.people",
    "lobby.closed",
    "lobby.none_yet",
    "lobby.offline",
)


def state_json(state: LobbyState) -> dict[str, object]:
    return state.as_json()


def state_text(state: LobbyState) -> str:
    """The state as compact JSON, ready for an SSE `data:` line (one line: no newline inside)."""
    return json.dumps(state_json(state), ensure_ascii=False, separators=(",", ":"))


def screen_words(config: SiteConfig) -> dict[str, object]:
    """Everything the lobby screen writes, in every language of the site, ja first."""
    languages = list(config.site.languages)
    if config.site.default_language in languages:
        languages.remove(config.site.default_language)
        languages.insert(0, config.site.default_language)
    counters: dict[str, object] = {
        c.id: {"number": c.number, "name": _local(c.name.by_lang, languages), "group": c.group}
        for c in config.counters.values()
    }
    groups: dict[str, object] = {}
    for group_id, group in config.groups.items():
        members = [c for c in config.counters.values() if group_id in {s.group for s in c.shares}]
        groups[group_id] = {
            "prefix": group.prefix,
            "counters": [c.number for c in members],
            # A group with one counter is named by it; several counters by their numbers alone
            # (the names of five different counters do not fit on one line of a TV).
            "name": _local(members[0].name.by_lang, languages) if len(members) == 1 else None,
        }
    return {
        "timezone": config.site.timezone,
        "languages": languages,
        "site": _local(config.site.name.by_lang, languages),
        "words": {key: {lang: text(key, lang) for lang in languages} for key in SCREEN_KEYS},
        "counters": counters,
        "groups": groups,
    }


def _local(by_lang: Mapping[str, str], languages: list[str]) -> dict[str, str]:
    return {lang: by_lang[lang] for lang in languages if lang in by_lang}
