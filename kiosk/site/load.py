"""Read the site config (TOML) into the frozen `SiteConfig`, or raise one `ConfigError` listing every problem.

The schema is this code: each `_read_*` function asks a `_Table` for the keys it knows, and the readers
(`string`, `integer`, `boolean`, `clock`, `local_text`, `choice`, `choice_list`, `dates`, `table`, ...)
record a problem with its dotted path instead of raising, so one run reports everything wrong at once.
A reader that found a problem returns a placeholder ("", 0, False, ...); none can escape, because
`load_site_config` raises as soon as any problem was recorded. Keys no reader asked for are errors.

The module is longer than ~400 lines on purpose: the readers exist only for this schema, and reading
them next to the sections that use them is easier than following two files. Move `_Table` out when a
second config file (devices) needs it.

Nothing here opens a device or creates a folder: `kiosk check-config` may run anywhere (tests, image
build, the unit's ExecStartPre=).
"""

from __future__ import annotations

import re
import stat
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from drivers.card.settings import ReaderBackend, ReaderConfig
from drivers.printer.settings import PrinterConfig, PrinterConnection, PrinterLink
from kiosk.domain.model import HoldingStatus, LectureClass, Procedure
from kiosk.errors import ConfigError
from kiosk.messages import LANGUAGES
from kiosk.queue.model import MAX_NUMBER
from kiosk.site.model import (
    BringItem,
    CallingConfig,
    Counter,
    CounterGroup,
    Fee,
    FeeKey,
    FeeTable,
    GroupShare,
    HealthConfig,
    LocalText,
    Orientation,
    ProcedureConfig,
    ScreenConfig,
    Site,
    SiteConfig,
    Storage,
    VoiceConfig,
    VoiceOutput,
    Window,
)
from kiosk.site.wires import read_boards, read_gpio

SITE_FILE = "site.toml"  # what a config folder must hold

_T = TypeVar("_T")
_E = TypeVar("_E", bound=StrEnum)

_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
_ID_HINT = "lowercase letters, digits, '_' or '-'"
_LANG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")  # "ja", "en", "zh-Hans", "pt-BR"
_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_PREFIX = re.compile(r"[A-Z]{1,3}")
_PHONE = re.compile(r"\+?\d[\d-]*\d")
_SOURCE = re.compile(r"(LEAFLET|OFFICIAL|PRESS|UNCONFIRMED)\b.*", re.DOTALL)  # status labels, rules.md
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+(\[\d+\])?")  # a TOML bare key, maybe with an array index
_WEEKDAYS = {name: i for i, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}
_IDLE_TIMEOUT_S = (15, 600)
_CARD_ITEMS = ("license_card", "myna_card")  # added per holding status by the kiosk (R10)
_ONLINE_LECTURE = (LectureClass.EXCELLENT, LectureClass.GENERAL)  # R22
_CLERK_LANGUAGE = "ja"  # LocalText.get falls back to it, so every site must have it
_ANY_STATUS = "any"
# "license_only_to_both": a change of holding status, priced by where it starts and ends (fees.md).
_FEE_PAIRS = {f"{a.value}_to_{b.value}": (a, b) for a in HoldingStatus for b in HoldingStatus if a is not b}

_TOML_TYPES: dict[type, str] = {
    str: "a string",
    int: "an integer",
    float: "a float",
    bool: "a boolean",
    dict: "a table",
    list: "an array",
    datetime: "a date-time",
    date: "a date",
    time: "a time",
}


# The shipped config is about 30 KiB; anything a hundred times larger is not a site config.
MAX_CONFIG_BYTES = 4 * 1024 * 1024


def load_site_config(path: str | Path) -> SiteConfig:
    """Load a TOML file, or the `site.toml` of a folder. Raises ConfigError with every problem found."""
    if "\0" in str(path):  # the OS cannot name such a file; Path would raise a bare ValueError
        raise ConfigError(repr(str(path)), ["the path holds a NUL byte"])
    file = Path(path)
    if file.is_dir():
        file = file / SITE_FILE
    data = _parse(file)
    ctx = _Context()
    with _Table(data, "", ctx) as root:
        site = _read_site(root.table("site"), ctx)
        groups = _read_groups(root.table("groups"), ctx)
        counters = _read_counters(root.table("counters"), groups)
        bring_items = _read_bring_items(root.table("bring_items"))
        procedures = _read_procedures(root.table("procedures"), ctx, counters, bring_items)
        fees = _read_fees(root.table("fees"), ctx)
        storage = _read_storage(root.table("storage"), file.parent)
        screen = _read_screen(root.table("screen"), ctx)
        printer = _read_printer(root.table("printer"))
        reader = _read_reader(root.table("reader"), file.parent)
        calling = _read_calling(root.table("calling"))
        boards = read_boards(root, counters)
        gpio = read_gpio(root, counters)
        voice = _read_voice(root.table("voice", required=False))
        health = _read_health(root.table("health"))
    _check_every_group_is_served(groups, counters, ctx)
    if ctx.problems:
        raise ConfigError(str(file), ctx.problems)
    return SiteConfig(
        site=site,
        groups=MappingProxyType(groups),
        counters=MappingProxyType(counters),
        procedures=MappingProxyType(procedures),
        fees=fees,
        bring_items=MappingProxyType(bring_items),
        storage=storage,
        screen=screen,
        printer=printer,
        source=file.resolve(),
        reader=reader,
        calling=calling,
        boards=boards,
        gpio=gpio,
        voice=voice,
        health=health,
    )


def _parse(file: Path) -> dict[str, object]:
    try:
        # A FIFO would block the open for ever and /dev/zero never ends: only a regular file of a
        # sane size is read, and never more than that size.
        if not stat.S_ISREG(file.stat().st_mode):
            raise ConfigError(str(file), ["not a regular file"])
        with file.open("rb") as f:
            raw = f.read(MAX_CONFIG_BYTES + 1)
        if len(raw) > MAX_CONFIG_BYTES:
            raise ConfigError(str(file), [f"larger than {MAX_CONFIG_BYTES // 1024} KiB: not a site config"])
        return tomllib.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        problem = "file not found"
    except RecursionError:
        problem = "invalid TOML: nested too deeply"
    except tomllib.TOMLDecodeError as exc:
        problem = f"invalid TOML: {exc}"  # the message carries "(at line N, column M)"
    except UnicodeDecodeError as exc:
        problem = f"not UTF-8 text: {exc}"
    except OSError as exc:
        problem = f"cannot read: {exc.strerror or exc}"
    raise ConfigError(str(file), [problem])


class _Context:
    """Problems found so far, and what later readers need to know (the site's languages)."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.languages: tuple[str, ...] | None = None  # None until site.languages was read cleanly

    def mark(self) -> int:
        return len(self.problems)

    def clean_since(self, mark: int) -> bool:
        """No problem recorded after `mark`: values read since then are real, not placeholders."""
        return len(self.problems) == mark


def _join(path: str, key: str) -> str:
    key = key if _BARE_KEY.fullmatch(key) else f'"{key}"'
    return f"{path}.{key}" if path else key


def _known(names: Iterable[str]) -> str:
    return ", ".join(names) or "none defined"


class _Table:
    """One TOML table being read. Use it in a `with` block: leaving it reports every key no reader asked for.

    A table that is missing or not a table is "dead": its readers return placeholders and report nothing
    more, since the one real problem was already recorded.
    """

    def __init__(self, data: object, path: str, ctx: _Context) -> None:
        self.alive = isinstance(data, dict)
        self._data: dict[str, object] = data if isinstance(data, dict) else {}
        self.path = path
        self.ctx = ctx
        self._asked: list[str] = []

    def __enter__(self) -> _Table:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            allowed = _known(dict.fromkeys(self._asked))
            for key in self._data:
                if key not in self._asked:
                    self.ctx.problems.append(f"{_join(self.path, key)}: unknown key (allowed: {allowed})")

    def problem(self, key: str | None, message: str) -> None:
        """Record a problem at this table (key None) or at one of its keys."""
        path = self.path if key is None else _join(self.path, key)
        self.ctx.problems.append(f"{path or '(top level)'}: {message}")

    def _get(self, key: str, required: bool = True) -> object | None:
        self._asked.append(key)
        if key not in self._data:
            if required and self.alive:
                self.problem(key, "missing")
            return None
        return self._data[key]

    def _typed(self, key: str, kind: type[_T], required: bool = True) -> _T | None:
        value = self._get(key, required)
        if value is None:
            return None
        # exact type: a bool is not an integer here, a date-time is not a date
        if not isinstance(value, kind) or type(value) is not kind:
            self.problem(key, f"must be {_TOML_TYPES[kind]}, got {_TOML_TYPES.get(type(value), 'a value')}")
            return None
        return value

    # --- scalars ---------------------------------------------------------------------------------

    def string(self, key: str, pattern: re.Pattern[str] | None = None, hint: str = "") -> str:
        value = self._typed(key, str)
        if value is None:
            return ""
        if not value.strip():
            self.problem(key, "must not be empty")
        elif pattern is not None and not pattern.fullmatch(value):
            self.problem(key, f'"{value}" is not valid ({hint or pattern.pattern})')
        return value

    def string_or_empty(self, key: str) -> str:
        """A string where "" has a meaning the caller documents (e.g. "no folder")."""
        value = self._typed(key, str)
        return "" if value is None else value

    def optional_integer(self, key: str, lo: int | None = None, hi: int | None = None) -> int | None:
        """An integer, or None when absent (absent has a meaning the caller documents)."""
        return self._integer(key, lo, hi, required=False)

    def integer(self, key: str, lo: int | None = None, hi: int | None = None) -> int:
        value = self._integer(key, lo, hi, required=True)
        return 0 if value is None else value

    def _integer(self, key: str, lo: int | None, hi: int | None, required: bool) -> int | None:
        value = self._typed(key, int, required)
        if value is None:
            return None
        if lo is not None and value < lo:
            self.problem(key, f"must be at least {lo}, got {value}")
        elif hi is not None and value > hi:
            self.problem(key, f"must be at most {hi}, got {value}")
        else:
            return value
        return None

    def millimetres(self, key: str, lo: float, hi: float) -> float | None:
        """An optional length in mm (integer or float) within [lo, hi]; None when absent."""
        value = self._get(key, required=False)
        if value is None:
            return None
        if type(value) not in (int, float):
            self.problem(key, f"must be a number of millimetres, got {_TOML_TYPES.get(type(value), 'a value')}")
            return None
        assert isinstance(value, int | float)
        if not lo <= value <= hi:
            self.problem(key, f"must be between {lo:g} and {hi:g} mm, got {value:g}")
            return None
        return float(value)

    def pixels(self, key: str, lo: int, hi: int) -> tuple[int, int]:
        """`[width, height]` in pixels, each within [lo, hi]; (0, 0) after a problem."""
        value = self._array(key, required=True, non_empty=False)
        sides = [v for v in value if isinstance(v, int) and not isinstance(v, bool)]
        if len(sides) != 2 or len(value) != 2:
            if isinstance(self._data.get(key), list):  # not a list at all was reported already
                self.problem(key, "must be [width, height], two integers of pixels")
            return (0, 0)
        width, height = sides
        if not (lo <= width <= hi and lo <= height <= hi):
            self.problem(key, f"each side must be between {lo} and {hi} pixels, got {width}x{height}")
            return (0, 0)
        return (width, height)

    def seconds(self, key: str, lo: float, hi: float) -> float:
        """A duration in seconds, integer or float, within [lo, hi]."""
        value = self._get(key)
        if value is None:
            return lo
        if type(value) not in (int, float):
            self.problem(key, f"must be a number of seconds, got {_TOML_TYPES.get(type(value), 'a value')}")
            return lo
        assert isinstance(value, int | float)
        if not lo <= value <= hi:
            self.problem(key, f"must be between {lo:g} and {hi:g} seconds, got {value:g}")
            return lo
        return float(value)

    def boolean(self, key: str) -> bool:
        return bool(self._typed(key, bool))

    def clock(self, key: str) -> time:
        """A local time written "HH:MM"."""
        value = self._typed(key, str)
        match = _HHMM.fullmatch(value) if value is not None else None
        if value is not None and match is None:
            self.problem(key, f'"{value}" is not a time (write "HH:MM", 00:00 to 23:59)')
        return time(int(match[1]), int(match[2])) if match else time(0)

    def local_text(self, key: str) -> LocalText:
        """A text in each of the site's languages: `name = { ja = "…", en = "…" }`."""
        texts: dict[str, str] = {}
        with self.table(key) as table:
            languages = self.ctx.languages
            for lang in list(table._data):
                if languages is not None and lang not in languages:
                    table._asked.append(lang)
                    table.problem(lang, f"language not in site.languages ({_known(languages)})")
                else:
                    texts[lang] = table.string(lang)
            for lang in languages or ():
                if table.alive and lang not in texts:
                    table.problem(None, f'missing language "{lang}"')
        return LocalText(MappingProxyType(texts))

    def choice(self, key: str, choices: Mapping[str, _T], what: str) -> _T | None:
        """A string naming one of `choices` (an enum value, or the id of something defined elsewhere)."""
        value = self._typed(key, str)
        if value is None:
            return None
        if value not in choices:
            self.problem(key, f'unknown {what} "{value}" (known: {_known(choices)})')
            return None
        return choices[value]

    # --- arrays ----------------------------------------------------------------------------------

    def _array(self, key: str, required: bool, non_empty: bool) -> list[object]:
        value = self._typed(key, list, required)
        if value is not None and non_empty and not value:
            self.problem(key, "must not be empty")
        return value or []

    def choice_list(
        self, key: str, choices: Mapping[str, _T], what: str, required: bool = True, non_empty: bool = False
    ) -> tuple[_T, ...]:
        """An array of strings, each naming one of `choices`, none twice."""
        found: list[_T] = []
        seen: set[str] = set()
        for i, item in enumerate(self._array(key, required, non_empty)):
            where = f"{key}[{i}]"
            if not isinstance(item, str):
                self.problem(where, f"must be a string, got {_TOML_TYPES.get(type(item), 'a value')}")
            elif item not in choices:
                self.problem(where, f'unknown {what} "{item}" (known: {_known(choices)})')
            elif item in seen:
                self.problem(where, f'"{item}" listed twice')
            else:
                seen.add(item)
                found.append(choices[item])
        return tuple(found)

    def string_list(self, key: str, pattern: re.Pattern[str], hint: str) -> tuple[str, ...]:
        """A non-empty array of distinct strings, each matching `pattern`."""
        found: list[str] = []
        for i, item in enumerate(self._array(key, required=True, non_empty=True)):
            where = f"{key}[{i}]"
            if not isinstance(item, str):
                self.problem(where, f"must be a string, got {_TOML_TYPES.get(type(item), 'a value')}")
            elif not pattern.fullmatch(item):
                self.problem(where, f'"{item}" is not valid ({hint})')
            elif item in found:
                self.problem(where, f'"{item}" listed twice')
            else:
                found.append(item)
        return tuple(found)

    def dates(self, key: str) -> tuple[date, ...]:
        """An array of TOML dates (2025-12-29, not quoted), none twice; returned sorted."""
        found: set[date] = set()
        for i, item in enumerate(self._array(key, required=True, non_empty=False)):
            if type(item) is not date:
                self.problem(f"{key}[{i}]", f"must be a date, got {_TOML_TYPES.get(type(item), 'a value')}")
            elif item in found:
                self.problem(f"{key}[{i}]", f"{item} listed twice")
            else:
                found.add(item)
        return tuple(sorted(found))

    # --- tables ----------------------------------------------------------------------------------

    def table(self, key: str, required: bool = True) -> _Table:
        """A sub-table; use it in a `with` block. Dead (see class doc) when missing or not a table."""
        return _Table(self._typed(key, dict, required), _join(self.path, key), self.ctx)

    def children(
        self, allowed: Iterable[str] | None = None, pattern: re.Pattern[str] = _ID
    ) -> Iterator[tuple[str, _Table]]:
        """Every key of this table as a named sub-table (`[counters.c13]`), each closed after its turn.

        Names must be in `allowed` when given (unknown ones are reported and skipped), else match `pattern`.
        """
        names = None if allowed is None else list(allowed)
        for name in list(self._data):
            self._asked.append(name)
            if names is not None and name not in names:
                self.problem(name, f"unknown key (allowed: {_known(names)})")
                continue
            if names is None and not pattern.fullmatch(name):
                self.problem(name, f"is not a valid id ({_ID_HINT})")
            with self.table(name) as child:
                if child.alive:
                    yield name, child

    def table_list(self, key: str, required: bool = True) -> Iterator[_Table]:
        """An array of tables (`[[procedures.renewal.windows]]`), each closed after its turn."""
        for i, item in enumerate(self._array(key, required=required, non_empty=False)):
            path = f"{_join(self.path, key)}[{i}]"
            if not isinstance(item, dict):
                self.ctx.problems.append(f"{path}: must be a table")
                continue
            with _Table(item, path, self.ctx) as child:
                yield child


def _enum_choices(kind: type[_E]) -> dict[str, _E]:
    return {member.value: member for member in kind}


def _ids(names: Iterable[str]) -> dict[str, str]:
    return {name: name for name in names}


# --- sections ------------------------------------------------------------------------------------


def _read_site(t: _Table, ctx: _Context) -> Site:
    with t:
        # languages first: every LocalText below is checked against them
        mark = ctx.mark()
        languages = t.string_list("languages", _LANG, hint='a language code like "ja" or "zh-Hans"')
        if ctx.clean_since(mark) and t.alive:
            for i, lang in enumerate(languages):
                if lang not in LANGUAGES:  # no catalog: every word would fall back to Japanese
                    t.problem(f"languages[{i}]", f'the kiosk has no words in "{lang}" (it speaks {_known(LANGUAGES)})')
            if _CLERK_LANGUAGE in languages:
                ctx.languages = languages
            else:
                t.problem("languages", f'must include "{_CLERK_LANGUAGE}" (the clerks\' language)')
        default_language = (
            t.choice("default_language", _ids(ctx.languages), "language") or ""
            if ctx.languages is not None
            else t.string("default_language")
        )
        return Site(
            id=t.string("id", _ID, _ID_HINT),
            name=t.local_text("name"),
            address=t.string("address"),
            phone=t.string("phone", _PHONE, "digits and '-', e.g. 027-253-9300"),
            timezone=_timezone(t, "timezone"),
            kiosk_id=t.string("kiosk_id", _ID, _ID_HINT),
            business_day_reset=t.clock("business_day_reset"),
            languages=languages,
            default_language=default_language,
            idle_timeout_s=t.integer("idle_timeout_s", *_IDLE_TIMEOUT_S),
            closed_dates=t.dates("closed_dates"),
        )


def _timezone(t: _Table, key: str) -> str:
    name = t.string(key)
    if name.strip():
        try:
            ZoneInfo(name)  # reads the tz database, nothing else
        except (ZoneInfoNotFoundError, ValueError, OSError):
            t.problem(key, f'unknown time zone "{name}" (an IANA name like "Asia/Tokyo")')
    return name


def _read_groups(t: _Table, ctx: _Context) -> dict[str, CounterGroup]:
    groups: dict[str, CounterGroup] = {}
    prefixes: dict[str, str] = {}
    with t:
        for gid, g in t.children():
            prefix = g.string("prefix", _PREFIX, "1 to 3 capital letters, printed before the number")
            if prefix in prefixes:
                g.problem("prefix", f'"{prefix}" is already used by group "{prefixes[prefix]}"')
            prefixes.setdefault(prefix, gid)
            mark = ctx.mark()
            first = g.integer("first_number", lo=1, hi=MAX_NUMBER)
            last = g.integer("last_number", lo=1, hi=MAX_NUMBER)
            if ctx.clean_since(mark) and first > last:
                g.problem(None, f"first_number {first} is after last_number {last}")
            groups[gid] = CounterGroup(id=gid, prefix=prefix, first_number=first, last_number=last)
    return groups


def _read_counters(t: _Table, groups: Mapping[str, CounterGroup]) -> dict[str, Counter]:
    counters: dict[str, Counter] = {}
    numbers: dict[str, str] = {}
    with t:
        for cid, c in t.children():
            number = c.string("number")
            if number in numbers:
                c.problem("number", f'"{number}" is already counter "{numbers[number]}"')
            numbers.setdefault(number, cid)
            counters[cid] = Counter(
                id=cid,
                number=number,
                name=c.local_text("name"),
                floor=c.string("floor"),
                group=c.choice("group", _ids(groups), "group") or "",
                example=c.boolean("example"),
                serves=_read_serves(c, groups),
            )
    return counters


def _read_serves(c: _Table, groups: Mapping[str, CounterGroup]) -> tuple[GroupShare, ...]:
    """`serves = { renewal = 2, general = 1 }`: the groups a counter calls from and their weights in
    its interleave, in this order for ties. Absent: the counter's own group alone."""
    if c.alive and "serves" not in c._data:
        c._asked.append("serves")
        return ()
    shares: list[GroupShare] = []
    with c.table("serves") as t:
        for gid in list(t._data):
            t._asked.append(gid)
            if gid not in groups:
                t.problem(gid, f'unknown group "{gid}" (known: {_known(groups)})')
                continue
            weight = t.integer(gid, *_WEIGHT)
            if weight:
                shares.append(GroupShare(gid, weight))
        if t.alive and not t._data:
            t.problem(None, "must name at least one group (leave it out to serve the counter's own group)")
    return tuple(shares)


def _check_every_group_is_served(
    groups: Mapping[str, CounterGroup], counters: Mapping[str, Counter], ctx: _Context
) -> None:
    # A group whose tickets no counter calls would fill up a waiting line nobody ever empties.
    served = {share.group for counter in counters.values() for share in counter.shares}
    issued_to = {counter.group: cid for cid, counter in counters.items()}
    for gid in groups:
        if gid in issued_to and gid not in served:
            ctx.problems.append(
                f'counters.{issued_to[gid]}.group: no counter serves group "{gid}" (add it to a counter\'s serves)'
            )


def _read_bring_items(t: _Table) -> dict[str, BringItem]:
    with t:
        items = {iid: BringItem(id=iid, label=b.local_text("label")) for iid, b in t.children()}
        for card in _CARD_ITEMS:
            if t.alive and card not in items:
                t.problem(card, "missing (the kiosk adds it to bring-lists per holding status, R10)")
    return items


def _read_procedures(
    t: _Table, ctx: _Context, counters: Mapping[str, Counter], bring_items: Mapping[str, BringItem]
) -> dict[Procedure, ProcedureConfig]:
    procedures: dict[Procedure, ProcedureConfig] = {}
    with t:
        for name, p in t.children(allowed=_enum_choices(Procedure)):
            counter = p.choice("counter", _ids(counters), "counter") or ""
            windows = tuple(_read_window(w, ctx) for w in p.table_list("windows"))  # [] = always open
            daily_cap = p.optional_integer("daily_cap", lo=1)  # absent = no cap (R15)
            bring = p.choice_list("bring", _ids(bring_items), "bring item")
            bring_current_cards = p.boolean("bring_current_cards")
            for i, item in enumerate(bring):
                if bring_current_cards and item in _CARD_ITEMS:
                    p.problem(f"bring[{i}]", f'"{item}" is added by bring_current_cards (R10); drop it here')
            procedures[Procedure(name)] = ProcedureConfig(
                Procedure(name), counter, windows, daily_cap, bring, bring_current_cards
            )
        for procedure in Procedure:
            if t.alive and procedure not in procedures:
                t.problem(procedure.value, "missing (every procedure must be configured)")
    return procedures


def _read_window(t: _Table, ctx: _Context) -> Window:
    weekdays = t.choice_list("weekdays", _WEEKDAYS, "weekday", non_empty=True)
    mark = ctx.mark()
    start, end = t.clock("start"), t.clock("end")
    if ctx.clean_since(mark) and start >= end:
        t.problem(None, f"start {start:%H:%M} must be before end {end:%H:%M}")
    return Window(
        weekdays=frozenset(weekdays),
        start=start,
        end=end,
        lecture_classes=frozenset(
            t.choice_list("lecture_classes", _enum_choices(LectureClass), "lecture class", required=False)
        ),
        example=t.boolean("example"),
    )


def _read_fees(t: _Table, ctx: _Context) -> FeeTable:
    """`[fees.<procedure>]` maps holding status after the procedure (or "any", or a pair
    "<from>_to_<to>" for a change of holding status) to a fee; a procedure left out has no fee
    information. `[fees.lecture.<class>]` holds `in_person` and optional `online`."""
    by_procedure: dict[Procedure, Mapping[FeeKey, Fee]] = {}
    in_person: dict[LectureClass, Fee] = {}
    online: dict[LectureClass, Fee] = {}
    with t:
        for name, sub in t.children(allowed=[*_enum_choices(Procedure), "lecture"]):
            if name == "lecture":
                for class_name, lt in sub.children(allowed=_enum_choices(LectureClass)):
                    lecture = LectureClass(class_name)
                    in_person[lecture] = _read_fee(lt.table("in_person"), ctx)
                    online_table = lt.table("online", required=False)
                    if online_table.alive and lecture not in _ONLINE_LECTURE:
                        lt.problem("online", f"no online lecture for {lecture.value} (R22)")
                    elif online_table.alive:
                        online[lecture] = _read_fee(online_table, ctx)
                continue
            statuses: dict[FeeKey, Fee] = {}
            for status, ft in sub.children(allowed=[*_enum_choices(HoldingStatus), *_FEE_PAIRS, _ANY_STATUS]):
                statuses[_fee_key(status)] = _read_fee(ft, ctx)
            if None in statuses and len(statuses) > 1:
                sub.problem(None, f'"{_ANY_STATUS}" cannot be combined with holding statuses')
            if not statuses:
                sub.problem(None, "empty (leave the procedure out when there is no fee information)")
            by_procedure[Procedure(name)] = MappingProxyType(statuses)
    return FeeTable(
        procedure=MappingProxyType(by_procedure),
        lecture_in_person=MappingProxyType(in_person),
        lecture_online=MappingProxyType(online),
    )


def _fee_key(name: str) -> FeeKey:
    if name == _ANY_STATUS:
        return None
    return _FEE_PAIRS.get(name) or HoldingStatus(name)


def _read_fee(t: _Table, ctx: _Context) -> Fee:
    with t:
        mark = ctx.mark()
        yen = t.optional_integer("yen", lo=0)  # absent = not known
        confirmed = t.boolean("confirmed")
        source = t.string("source", _SOURCE, "start with LEAFLET, OFFICIAL, PRESS or UNCONFIRMED")
        if ctx.clean_since(mark) and confirmed and yen is None:
            t.problem("confirmed", "a fee with no yen cannot be confirmed")
        if ctx.clean_since(mark) and confirmed and source.startswith("UNCONFIRMED"):
            t.problem("confirmed", "contradicts an UNCONFIRMED source")
        return Fee(yen=yen, confirmed=confirmed, source=source)


_SCREEN_PX = (320, 7680)
_SCREEN_MM = (40.0, 3000.0)  # a phone-sized panel up to a 118-inch one


def _read_screen(t: _Table, ctx: _Context) -> ScreenConfig:
    """`[screen]`: pixels as the visitor sees them, the physical size, orientation, fullscreen."""
    with t:
        mark = ctx.mark()
        width, height = t.pixels("size", *_SCREEN_PX)
        diagonal = t.millimetres("diagonal_mm", *_SCREEN_MM)
        width_mm = t.millimetres("width_mm", *_SCREEN_MM)
        orientation = t.choice("orientation", _enum_choices(Orientation), "orientation")
        fullscreen = t.boolean("fullscreen")
        if t.alive and ctx.clean_since(mark):
            if (diagonal is None) == (width_mm is None):
                t.problem(None, "give the physical size as exactly one of diagonal_mm and width_mm")
            actual = Orientation.LANDSCAPE if width > height else Orientation.PORTRAIT
            if orientation is not None and orientation is not actual:
                t.problem("orientation", f'"{orientation}" contradicts size {width}x{height} ({actual} as seen)')
            if width_mm is not None and width_mm / width > 2.0:
                t.problem("width_mm", f"{width_mm:g} mm for {width} pixels is coarser than 0.5 pixels per mm")
        return ScreenConfig(
            width_px=width,
            height_px=height,
            diagonal_mm=diagonal,
            width_mm=width_mm,
            orientation=orientation or Orientation.PORTRAIT,
            fullscreen=fullscreen,
        )


def _read_storage(t: _Table, base: Path) -> Storage:
    with t:
        data_dir = t.string("data_dir")  # relative to the config file's folder
        url = t._typed("url", str, required=False) or None  # absent or "": the embedded SQLite store
        if url is not None and not url.startswith(("postgresql://", "postgres://")):
            t.problem("url", f'"{url}" is not a postgresql:// URL (leave it out for the SQLite file in data_dir)')
        block_size = t.optional_integer("block_size", lo=1, hi=500)
        return Storage(data_dir=(base / data_dir).resolve(), url=url, block_size=block_size or 30)


_PRINTER_WIDTHS = {576: "80 mm paper", 384: "58 mm paper"}


def _read_printer(t: _Table) -> PrinterConfig:
    """`[printer]`: where the ticket printer is and how to talk to it. Parsing the URL opens nothing."""
    with t:
        url = t.string("url")
        connection = PrinterConnection(url=url, link=PrinterLink.TCP, host="localhost")
        if url.strip():
            try:
                connection = PrinterConnection.parse(url)
            except ValueError as exc:
                t.problem("url", str(exc))
        width = t.integer("width_dots")
        if t.alive and width and width not in _PRINTER_WIDTHS:
            known = ", ".join(f"{w} ({what})" for w, what in _PRINTER_WIDTHS.items())
            t.problem("width_dots", f"must be one of {known}, got {width}")
        roll_length = t.optional_integer("roll_length_mm", lo=1000)  # absent = no software roll counter
        roll_low = t.integer("roll_low_mm", lo=0)
        if roll_length is not None and roll_low >= roll_length:
            t.problem("roll_low_mm", f"must be less than roll_length_mm ({roll_length})")
        return PrinterConfig(
            connection=connection,
            width_dots=width,
            kanji=t.boolean("kanji"),
            connect_timeout_s=t.seconds("connect_timeout_s", 0.1, 60),
            write_timeout_s=t.seconds("write_timeout_s", 0.1, 120),
            read_timeout_s=t.seconds("read_timeout_s", 0.05, 10),
            roll_length_mm=roll_length,
            roll_low_mm=roll_low,
        )


_WEIGHT = (1, 16)  # kiosk.domain.lifecycle.MAX_WEIGHT
_RECALLS = (0, 10)
_SAME_PRESS_S = (0.0, 30.0)
_RECENT_CALLS = (1, 50)
_STATS_MIN_SAMPLES = (1, 1000)


def _read_calling(t: _Table) -> CallingConfig:
    """`[calling]`: recalls before a no-show, where a transferred ticket goes, the double-press window."""
    with t:
        return CallingConfig(
            recalls_before_no_show=t.integer("recalls_before_no_show", *_RECALLS),
            transfer_keeps_place=t.boolean("transfer_keeps_place"),
            same_press_window_s=t.seconds("same_press_window_s", *_SAME_PRESS_S),
            recent_calls=t.integer("recent_calls", *_RECENT_CALLS),
            stats_min_samples=t.integer("stats_min_samples", *_STATS_MIN_SAMPLES),
        )


_VOLUME_PERCENT = (0, 100)
_ALSA_DEVICE = re.compile(r"[A-Za-z0-9_:,.=-]{1,64}")


def _read_voice(t: _Table) -> VoiceConfig:
    """`[voice]` (optional: without it the lobby says nothing): where announcements play, how loud, when not."""
    if not t.alive:
        return VoiceConfig()
    with t:
        output = t.choice("output", _enum_choices(VoiceOutput), "voice output")
        volume = t.integer("volume_percent", *_VOLUME_PERCENT)
        quiet = t.table("quiet_hours", required=False)
        quiet_from = quiet_until = None
        if quiet.alive:
            with quiet:
                quiet_from, quiet_until = quiet.clock("from"), quiet.clock("until")
        device = t.string("alsa_device", _ALSA_DEVICE, 'an ALSA PCM name like "default" or "plughw:1,0"')
        return VoiceConfig(
            output=output or VoiceOutput.OFF,
            volume_percent=volume,
            quiet_from=quiet_from,
            quiet_until=quiet_until,
            alsa_device=device,
        )


_POLL_INTERVAL_MS = (50, 2000)
_FREE_AREA_BYTES = (1, 1 << 20)


def _read_reader(t: _Table, base: Path) -> ReaderConfig:
    """`[reader]`: which PC/SC reader, how often to look, which trust anchors. Opens no device."""
    with t:
        backend = t.choice("backend", _enum_choices(ReaderBackend), "reader backend")
        name_match = t.string_or_empty("name_match")
        poll = t.integer("poll_interval_ms", *_POLL_INTERVAL_MS)
        anchors_text = t.string_or_empty("trust_anchors")  # a folder relative to the config file's; "" = none
        needed = t.integer("free_area_needed_bytes", *_FREE_AREA_BYTES)
        anchors = (base / anchors_text).resolve() if anchors_text else None
        if anchors is not None and not anchors.is_dir():
            t.problem("trust_anchors", f"folder {anchors} does not exist")
        return ReaderConfig(
            backend=backend or ReaderBackend.PCSC,
            name_match=name_match,
            poll_interval_ms=poll,
            trust_anchors=anchors,
            free_area_needed_bytes=needed,
        )


_MQTT_URL = re.compile(r"mqtt://[A-Za-z0-9.\-]+(:\d{1,5})?")


def _read_health(t: _Table) -> HealthConfig:
    """`[health]`: how often processes report, when silence is DOWN, where telemetry goes."""
    with t:
        heartbeat = t.seconds("heartbeat_s", 0.5, 300)
        silent = t.seconds("silent_after_s", 1, 3600)
        if t.alive and heartbeat and silent and silent < 2 * heartbeat:
            t.problem(
                "silent_after_s", f"must be at least twice heartbeat_s ({heartbeat:g}): one late beat is no outage"
            )
        mqtt = t.string_or_empty("mqtt_url")
        if mqtt and not _MQTT_URL.fullmatch(mqtt):
            t.problem("mqtt_url", f"expected mqtt://host or mqtt://host:port, got {mqtt!r}")
        return HealthConfig(heartbeat_s=heartbeat, silent_after_s=silent, mqtt_url=mqtt)
