"""The site config as frozen, typed parts: what a licence centre may change without touching code (R16).

Loaded once at start by `kiosk.site.load` from TOML in `config/`; everything below is already
validated, so the core can trust it (every counter a procedure names exists, every language of the
site has a text, every window is well ordered). The printer's and the reader's settings are their
drivers' own types (drivers/printer/settings.py, drivers/card/settings.py): pure values, read here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum
from pathlib import Path

from drivers.board.settings import BoardConfig
from drivers.card.settings import ReaderConfig
from drivers.gpio.settings import GpioConfig
from drivers.printer.settings import PrinterConfig
from kiosk.domain.model import HoldingStatus, LectureClass, Procedure


@dataclass(frozen=True)
class LocalText:
    """One text in each of the site's languages."""

    by_lang: Mapping[str, str]

    def get(self, lang: str) -> str:
        # The loader guarantees every site language is present; "ja" is the clerk's language.
        return self.by_lang.get(lang) or self.by_lang["ja"]


@dataclass(frozen=True)
class Site:
    id: str
    name: LocalText
    address: str
    phone: str
    timezone: str  # IANA name, "Asia/Tokyo"
    kiosk_id: str
    business_day_reset: time  # numbering restarts at this local time
    languages: tuple[str, ...]
    default_language: str
    idle_timeout_s: int
    closed_dates: tuple[date, ...]


@dataclass(frozen=True)
class CounterGroup:
    """Counters that share one number sequence per business date."""

    id: str
    prefix: str  # printed before the number, e.g. "M" -> M-012
    first_number: int
    last_number: int


@dataclass(frozen=True)
class GroupShare:
    """One group a counter calls from, with its weight in the counter's interleave (1..16)."""

    group: str
    weight: int = 1


@dataclass(frozen=True)
class Counter:
    id: str
    number: str  # as signed in the hall, e.g. "13"
    name: LocalText
    floor: str
    group: str  # the number group of the tickets the kiosk sends here
    example: bool  # True when the number/name is an UNCONFIRMED example value (rules.md)
    serves: tuple[GroupShare, ...] = ()  # the groups it calls from; () = its own group alone

    @property
    def shares(self) -> tuple[GroupShare, ...]:
        return self.serves or (GroupShare(self.group),)


@dataclass(frozen=True)
class CallingConfig:
    """`[calling]`: the rules of calling numbers at the counters."""

    recalls_before_no_show: int = 2  # a called ticket may be marked no-show after this many recalls
    transfer_keeps_place: bool = True  # a transferred ticket keeps its place in line, else goes to the back
    same_press_window_s: float = 2.0  # a second call-next of one counter within this is the same call
    recent_calls: int = 5  # how many of the latest calls the lobby state carries
    stats_min_samples: int = 5  # fewer served tickets than this: no median to quote


class VoiceOutput(StrEnum):
    SCREEN = "screen"  # the lobby screen's page plays the announcements (a TV's speaker)
    ALSA = "alsa"  # the lobby service's machine plays them on its own audio output
    OFF = "off"


@dataclass(frozen=True)
class VoiceConfig:
    """`[voice]`: the calls said aloud (kiosk/voice/). No `[voice]` table: off."""

    output: VoiceOutput = VoiceOutput.OFF
    volume_percent: int = 80  # of full scale: the page's audio volume, or the samples sent to ALSA
    quiet_from: time | None = None  # from this local time until `quiet_until` nothing is said
    quiet_until: time | None = None  # (the screen still chimes); both or neither; may wrap midnight
    alsa_device: str = "default"  # for output = "alsa": an ALSA PCM name ("default", "plughw:1,0")

    def quiet_at(self, at: time) -> bool:
        if self.quiet_from is None or self.quiet_until is None or self.quiet_from == self.quiet_until:
            return False
        if self.quiet_from < self.quiet_until:
            return self.quiet_from <= at < self.quiet_until
        return at >= self.quiet_from or at < self.quiet_until  # over midnight: 19:00 to 08:00


@dataclass(frozen=True)
class HealthConfig:
    """`[health]`: heartbeats, when a silent kiosk counts as down, and optional MQTT telemetry."""

    heartbeat_s: float = 10.0  # every process writes its health row at least this often
    silent_after_s: float = 30.0  # not heard from this long: DOWN on the staff page
    mqtt_url: str = ""  # "mqtt://host:1883": publish each heartbeat there (retained); "" = off


@dataclass(frozen=True)
class Window:
    """A reception window: on these weekdays (0 = Monday) from start to end, local time.

    `lecture_classes` narrows a window to some lecture classes (renewal windows differ by class);
    empty means every visitor. `example` marks UNCONFIRMED hours: show them with
    「窓口でご確認ください」, never as fact (rules.md).
    """

    weekdays: frozenset[int]
    start: time
    end: time
    lecture_classes: frozenset[LectureClass] = frozenset()
    example: bool = False


@dataclass(frozen=True)
class ProcedureConfig:
    procedure: Procedure
    counter: str  # Counter.id
    windows: tuple[Window, ...]  # empty = open whenever the kiosk is on
    daily_cap: int | None  # None = no cap (R15)
    bring: tuple[str, ...]  # BringItem ids, besides the cards (see BringRules)
    bring_current_cards: bool  # R10: bring every card you hold (both, for 2枚持ち)


@dataclass(frozen=True)
class Fee:
    """One fee figure. `yen` None = not known; shown only when `confirmed` (fees.md)."""

    yen: int | None
    confirmed: bool
    source: str  # LEAFLET / OFFICIAL / PRESS / UNCONFIRMED, with where from


# What a fee depends on: the holding status after the procedure, the pair (before, after) for a
# change of holding status (its price depends on both ends, fees.md), or None for "any".
FeeKey = HoldingStatus | tuple[HoldingStatus, HoldingStatus] | None


@dataclass(frozen=True)
class FeeTable:
    # procedure -> fee key -> fee
    procedure: Mapping[Procedure, Mapping[FeeKey, Fee]]
    # lecture class -> (in person fee, online fee or None when online is not allowed)
    lecture_in_person: Mapping[LectureClass, Fee]
    lecture_online: Mapping[LectureClass, Fee]


@dataclass(frozen=True)
class BringItem:
    id: str
    label: LocalText


@dataclass(frozen=True)
class Storage:
    data_dir: Path  # ticket database lives here (with url: the offline outbox and the kiosk's own files)
    url: str | None = None  # postgresql://… : the centre's shared database; None: the SQLite file in data_dir
    block_size: int = 30  # numbers per group a kiosk sets aside to issue while the shared database is away


class Orientation(StrEnum):
    PORTRAIT = "portrait"
    LANDSCAPE = "landscape"


@dataclass(frozen=True)
class ScreenConfig:
    """The kiosk's screen: its pixels as the visitor sees them, and its physical size.

    The layout is derived from both: type and spacing from the pixels, touch targets from the
    millimetres (a finger is the same size on every screen). The physical size is given as the
    active area's diagonal or its width; pixels are taken to be square.
    """

    width_px: int
    height_px: int
    diagonal_mm: float | None  # exactly one of diagonal_mm and width_mm is set
    width_mm: float | None
    orientation: Orientation  # always agrees with the pixel size (the loader checks)
    fullscreen: bool  # on the appliance; a laptop window ignores it

    @property
    def size(self) -> tuple[int, int]:
        return (self.width_px, self.height_px)

    @property
    def px_per_mm(self) -> float:
        if self.width_mm is not None:
            return self.width_px / self.width_mm
        assert self.diagonal_mm is not None  # the loader sets one of the two
        return math.hypot(self.width_px, self.height_px) / self.diagonal_mm

    @property
    def mm(self) -> tuple[float, float]:
        """Width and height of the active area in millimetres."""
        return (self.width_px / self.px_per_mm, self.height_px / self.px_per_mm)

    def resized(self, size: tuple[int, int], diagonal_mm: float | None = None) -> ScreenConfig:
        """Another screen for a review (`kiosk demo --size`): the given pixels, at this screen's
        pixel density unless a diagonal is given."""
        width, height = size
        orientation = Orientation.LANDSCAPE if width > height else Orientation.PORTRAIT
        if diagonal_mm is None:
            return ScreenConfig(width, height, None, width / self.px_per_mm, orientation, self.fullscreen)
        return ScreenConfig(width, height, diagonal_mm, None, orientation, self.fullscreen)


@dataclass(frozen=True)
class SiteConfig:
    site: Site
    groups: Mapping[str, CounterGroup]
    counters: Mapping[str, Counter]
    procedures: Mapping[Procedure, ProcedureConfig]
    fees: FeeTable
    bring_items: Mapping[str, BringItem]
    storage: Storage
    screen: ScreenConfig
    printer: PrinterConfig
    source: Path  # the file it came from, for error messages and the health page
    reader: ReaderConfig = field(default_factory=ReaderConfig)
    calling: CallingConfig = field(default_factory=CallingConfig)
    boards: tuple[BoardConfig, ...] = ()  # the serial number boards (kiosk lobby drives them)
    gpio: GpioConfig = field(default_factory=GpioConfig)  # counter displays and buttons, the kiosk's lamp
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    health: HealthConfig = field(default_factory=HealthConfig)

    def counter_for(self, procedure: Procedure) -> Counter:
        return self.counters[self.procedures[procedure].counter]

    def group_for(self, procedure: Procedure) -> CounterGroup:
        return self.groups[self.counter_for(procedure).group]
