"""Fitting content into the room a screen has: stacks of text blocks and grids of choice buttons.

Screens do not place things by pixel. They describe what to show (blocks in sections, or a list
of choices) and these helpers find how it fits: the fullest wording first, at the largest type
that fits in one column (or two, where the screen is wide enough for two readable columns), down
to a floor before a more compact wording is tried; never below `SCALES[-1]` (about 32 px body at
1080). What still does not fit is drawn anyway and shows up in the painter's record, where the
tests look for it.

Longer than ~400 lines on purpose: the stack and the choice grid share their search (wordings ×
scales × columns × pages) and the answer cache that makes a redrawn screen skip it; split apart,
each half would need the other's internals.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, cast

import pygame

from kiosk.domain.flow import Event
from kiosk.ui.buttons import PAGE_NEXT, PAGE_PREVIOUS, ViewAction
from kiosk.ui.painter import Align, Look, Mark, Painter
from kiosk.ui.theme import LABEL, SMALL_MUTED, TITLE, Color, TextStyle

SCALES = (1.0, 0.92, 0.84, 0.76, 0.7)
MIN_CHOICE_UNITS = 40  # a button narrower than this breaks its label into a list of characters
MIN_COLUMN_UNITS = 60  # text in two columns only where each is wide (landscape), never in portrait


class Block(Protocol):
    def height(self, p: Painter, width: int, scale: float) -> int: ...

    def draw(self, p: Painter, rect: pygame.Rect, scale: float) -> None: ...


Section = Sequence[Block]  # blocks kept together in one column


@dataclass(frozen=True)
class Para:
    text: str
    style: TextStyle
    align: Align = Align.LEFT
    color: Color | None = None

    def height(self, p: Painter, width: int, scale: float) -> int:
        return p.text_h(self.text, self.style, width, scale)

    def draw(self, p: Painter, rect: pygame.Rect, scale: float) -> None:
        p.text(self.text, self.style, rect, scale=scale, align=self.align, color=self.color)


@dataclass(frozen=True)
class Headline:
    """A short, important text kept on one line by shrinking it (to `least` of its size) rather
    than broken in two: 「ご利用ありがとうございました」 reads badly as 「…ありがと／う…」."""

    text: str
    style: TextStyle
    align: Align = Align.CENTER
    least: float = 0.7

    def _scale(self, p: Painter, width: int, scale: float) -> float:
        natural = p.line_w(self.text, self.style, scale)
        return scale * max(self.least, min(1.0, width / natural)) if natural else scale

    def height(self, p: Painter, width: int, scale: float) -> int:
        return p.text_h(self.text, self.style, width, self._scale(p, width, scale))

    def draw(self, p: Painter, rect: pygame.Rect, scale: float) -> None:
        p.text(self.text, self.style, rect, scale=self._scale(p, rect.w, scale), align=self.align)


@dataclass(frozen=True)
class Gap:
    units: float

    def height(self, p: Painter, width: int, scale: float) -> int:
        return p.m.px(self.units * scale)

    def draw(self, p: Painter, rect: pygame.Rect, scale: float) -> None:
        pass


@dataclass(frozen=True)
class Pair:
    """A label at the left and a value at the right of one row (a fee line)."""

    label: str
    value: str
    style: TextStyle

    def _widths(self, p: Painter, width: int, scale: float) -> tuple[int, int]:
        value_w = min(p.line_w(self.value, self.style, scale), width * 11 // 20)
        return width - value_w - p.m.px(2 * scale), value_w

    def height(self, p: Painter, width: int, scale: float) -> int:
        left, right = self._widths(p, width, scale)
        return max(p.text_h(self.label, self.style, left, scale), p.text_h(self.value, self.style, right, scale))

    def draw(self, p: Painter, rect: pygame.Rect, scale: float) -> None:
        left, right = self._widths(p, rect.w, scale)
        p.text(self.label, self.style, pygame.Rect(rect.x, rect.y, left, rect.h), scale=scale)
        box = pygame.Rect(rect.right - right, rect.y, right, rect.h)
        p.text(self.value, self.style, box, scale=scale, align=Align.RIGHT)


@dataclass(frozen=True)
class Bullet:
    """A list item: a drawn dot and the text with a hanging indent."""

    text: str
    style: TextStyle

    def _indent(self, p: Painter, scale: float) -> int:
        return p.m.px(4 * scale)

    def height(self, p: Painter, width: int, scale: float) -> int:
        return p.text_h(self.text, self.style, width - self._indent(p, scale), scale)

    def draw(self, p: Painter, rect: pygame.Rect, scale: float) -> None:
        indent = self._indent(p, scale)
        lh = p.line_h(self.style, scale)
        pygame.draw.circle(p.surface, self.style.color, (rect.x + indent // 3, rect.y + lh // 2), p.m.px(0.8 * scale))
        p.text(self.text, self.style, pygame.Rect(rect.x + indent, rect.y, rect.w - indent, rect.h), scale=scale)


Drawing = Callable[[pygame.Surface, pygame.Rect], None]


@dataclass(frozen=True)
class Picture:
    """A drawn picture of a fixed aspect (height / width), at most `max_units` high."""

    paint: Drawing
    aspect: float
    max_units: float

    def height(self, p: Painter, width: int, scale: float) -> int:
        return min(round(width * self.aspect), p.m.px(self.max_units * scale))

    def draw(self, p: Painter, rect: pygame.Rect, scale: float) -> None:
        h = min(rect.h, self.height(p, rect.w, scale))
        box = pygame.Rect(0, 0, round(h / self.aspect), h)
        box.midtop = rect.midtop
        self.paint(p.surface, box)


@dataclass(frozen=True)
class IconRow:
    """An icon at the left, blocks stacked at its right (a verdict line, a warning)."""

    icon: Drawing
    blocks: Sequence[Block]
    icon_units: float = 7.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "blocks", tuple(self.blocks))  # a value: layouts are remembered by it

    def _split(self, p: Painter, width: int, scale: float) -> tuple[int, int]:
        size = p.m.px(self.icon_units * scale)
        return size, width - size - p.m.px(2 * scale)

    def height(self, p: Painter, width: int, scale: float) -> int:
        size, rest = self._split(p, width, scale)
        return max(size, sum(b.height(p, rest, scale) for b in self.blocks))

    def draw(self, p: Painter, rect: pygame.Rect, scale: float) -> None:
        size, rest = self._split(p, rect.w, scale)
        self.icon(p.surface, pygame.Rect(rect.x, rect.y, size, size))
        _stack(p, pygame.Rect(rect.right - rest, rect.y, rest, rect.h), self.blocks, scale)


@dataclass(frozen=True)
class Panel:
    """Blocks on a filled, rounded background."""

    blocks: Sequence[Block]
    fill: Color
    edge: Color | None = None
    pad_units: float = 2.4

    def __post_init__(self) -> None:
        object.__setattr__(self, "blocks", tuple(self.blocks))  # a value: layouts are remembered by it

    def height(self, p: Painter, width: int, scale: float) -> int:
        pad = p.m.px(self.pad_units * scale)
        return sum(b.height(p, width - 2 * pad, scale) for b in self.blocks) + 2 * pad

    def draw(self, p: Painter, rect: pygame.Rect, scale: float) -> None:
        pad = p.m.px(self.pad_units * scale)
        p.panel(rect, self.fill, self.edge)
        _stack(p, rect.inflate(-2 * pad, -2 * pad), self.blocks, scale)


def _stack(p: Painter, rect: pygame.Rect, blocks: Sequence[Block], scale: float) -> None:
    y = rect.y
    for block in blocks:
        h = block.height(p, rect.w, scale)
        block.draw(p, pygame.Rect(rect.x, y, rect.w, h), scale)
        y += h


def _section_h(p: Painter, section: Section, width: int, scale: float) -> int:
    return sum(b.height(p, width, scale) for b in section)


def _place(
    p: Painter, area: pygame.Rect, sections: Sequence[Section], cols: int, scale: float
) -> list[tuple[Section, pygame.Rect]] | None:
    """Sections top to bottom in one column, or split in two where the taller column is shortest."""
    gap = p.m.px(2.4 * scale)
    col_w = (area.w - (cols - 1) * gap) // cols
    heights = [_section_h(p, section, col_w, scale) for section in sections]

    def column_h(hs: Sequence[int]) -> int:
        return sum(hs) + gap * max(0, len(hs) - 1)

    split = len(sections)
    if cols == 2:
        split = min(range(len(sections) + 1), key=lambda i: max(column_h(heights[:i]), column_h(heights[i:])))
    columns = [range(0, split), range(split, len(sections))] if cols == 2 else [range(len(sections))]
    placed: list[tuple[Section, pygame.Rect]] = []
    for col, indexes in enumerate(columns):
        if column_h([heights[i] for i in indexes]) > area.h:
            return None
        y = area.y
        for i in indexes:
            placed.append((sections[i], pygame.Rect(area.x + col * (col_w + gap), y, col_w, heights[i])))
            y += heights[i] + gap
    return placed


def stack(
    p: Painter,
    area: pygame.Rect,
    variants: Sequence[Sequence[Section]],
    *,
    floors: Sequence[float] | None = None,
    middle: bool = False,
    columns: bool = True,
    paged: Sequence[Section] | None = None,
) -> float:
    """Draw the first variant that fits, at the largest scale that fits; returns the scale used.

    `variants` go from the fullest to the most compact wording of the same content; `floors`
    gives each the smallest scale worth keeping it for before trying the next (default: any).
    When none fits, `paged` (default: the last variant) goes over pages at the last floor.
    """
    max_cols = max(1, min(2, area.w // p.m.px(MIN_COLUMN_UNITS))) if columns else 1
    floors = floors or [SCALES[-1]] * len(variants)
    choice = _choose(p, area, variants, floors, max_cols)
    placed = None if choice is None else _place(p, area, variants[choice[0]], choice[2], choice[1])
    if choice is None or placed is None:
        placed, scale = _paged(p, area, variants[-1] if paged is None else paged, floors[-1])
    else:
        scale = choice[1]
    if middle and placed:
        used = max(r.bottom for _, r in placed) - area.y
        shift = max(0, (area.h - used) // 2)
        placed = [(s, r.move(0, shift)) for s, r in placed]
    for section, rect in placed:
        _stack(p, rect, section, scale)
    return scale


def fitting_scale(p: Painter, area: pygame.Rect, sections: Sequence[Section], *, columns: bool = True) -> float:
    """The scale `stack` would draw these sections at (without drawing them); the least scale when
    they do not fit at all. For a screen that adds something only where it costs nothing."""
    max_cols = max(1, min(2, area.w // p.m.px(MIN_COLUMN_UNITS))) if columns else 1
    choice = _choose(p, area, [sections], [SCALES[-1]], max_cols)
    return SCALES[-1] if choice is None else choice[1]


def _choose(
    p: Painter, area: pygame.Rect, variants: Sequence[Sequence[Section]], floors: Sequence[float], max_cols: int
) -> tuple[int, float, int] | None:
    """Which variant, scale and number of columns fit: the search measures every wording at
    every scale, so its answer is remembered for the same content in the same room (a screen
    drawn again finds it at once)."""
    try:
        key: object = ("stack", tuple(area), _fingerprint(variants), tuple(floors), max_cols, p.lang)
        known = key in p.memo
    except TypeError:  # content holding an unhashable value: measured afresh each time
        key, known = None, False
    if known:
        return cast(tuple[int, float, int] | None, p.memo[key])
    found: tuple[int, float, int] | None = None
    for index, (sections, floor) in enumerate(zip(variants, floors, strict=True)):
        for scale in (s for s in SCALES if s >= floor):
            for cols in range(1, max_cols + 1):
                if _place(p, area, sections, cols, scale) is not None:
                    found = (index, scale, cols)
                    break
            if found:
                break
        if found:
            break
    if key is not None:
        p.remember(key, found)
    return found


def _fingerprint(variants: Sequence[Sequence[Section]]) -> object:
    """A hashable likeness of the content: blocks are frozen values (a drawing is a value too, or
    stands for itself), sections and variants become tuples."""
    return tuple(tuple(tuple(section) for section in sections) for sections in variants)


def _paged(
    p: Painter, area: pygame.Rect, sections: Sequence[Section], floor: float
) -> tuple[list[tuple[Section, pygame.Rect]], float]:
    """The most compact wording over pages, at its floor scale, when no wording fits one screen (a long
    verdict on a small, dense panel): whole sections per page, "previous / next page" below."""
    nav_h = p.m.button_h
    room = pygame.Rect(area.x, area.y, area.w, area.h - nav_h - p.m.target_gap)
    # Only when one section alone is taller than a page (a tiny panel) does the type go under the floor.
    for scale in (floor, *(s for s in SCALES if s < floor)):
        if all(_section_h(p, section, room.w, scale) <= room.h for section in sections):
            break
    floor = scale
    gap = p.m.px(2.4 * floor)
    pages: list[list[tuple[Section, int]]] = [[]]
    used = 0
    for section in sections:
        h = _section_h(p, section, room.w, floor)
        if pages[-1] and used + gap + h > room.h:
            pages.append([])
            used = 0
        used += (gap if pages[-1] else 0) + h
        pages[-1].append((section, h))  # a section taller than a page overflows visibly: the record shows it
    if len(pages) == 1:  # it fits one page after all (only the nav row was in the way)
        room = area
    index = min(max(0, p.page), len(pages) - 1)
    p.page, p.page_count = index, len(pages)
    placed: list[tuple[Section, pygame.Rect]] = []
    y = room.y
    for section, h in pages[index]:
        placed.append((section, pygame.Rect(room.x, y, room.w, h)))
        y += h + gap
    if len(pages) > 1:
        _page_nav(p, pygame.Rect(area.x, area.bottom - nav_h, area.w, nav_h), index, len(pages))
    return placed, floor


@dataclass(frozen=True)
class Choice:
    """One of a screen's main choices, drawn as a big button.

    `sub` is a second, smaller line (why a procedure is closed); `short` a shorter wording of it
    for screens too small for the full one.
    """

    id: str
    event: Event
    label: str
    sub: str | None = None
    look: Look = Look.CHOICE
    short: str | None = None
    style: TextStyle = LABEL


CHOICE_MAX_UNITS = 22  # taller buttons only push the last choices out of reach
CHOICE_GAP_UNITS = 2.4  # room between choices against a tap landing on the neighbour


@dataclass(frozen=True)
class _Grid:
    cols: int
    cell_w: int
    cell_h: int
    scales: tuple[float, ...]  # per button: the largest type at which its text fits

    @property
    def least(self) -> float:
        return min(self.scales)


def _grid(p: Painter, area: pygame.Rect, choices: Sequence[Choice], subs: Sequence[str | None]) -> _Grid | None:
    """The grid whose smallest button text is largest (fewer columns on a tie), or None."""
    n = len(choices)
    gap = p.m.px(CHOICE_GAP_UNITS)
    best: _Grid | None = None
    for cols in range(1, max(1, min(n, area.w // p.m.px(MIN_CHOICE_UNITS))) + 1):
        rows = math.ceil(n / cols)
        cell_w = (area.w - (cols - 1) * gap) // cols
        cell_h = min((area.h - (rows - 1) * gap) // rows, max(p.m.px(CHOICE_MAX_UNITS), p.m.button_h))
        if cell_h < p.m.button_h:
            continue
        scales = []
        for c, sub in zip(choices, subs, strict=True):
            fit = next((s for s in SCALES if p.button_text_h(c.label, cell_w, sub, s, False, c.style) <= cell_h), None)
            if fit is None:
                break
            scales.append(fit)
        else:
            grid = _Grid(cols, cell_w, cell_h, tuple(scales))
            if best is None or grid.least > best.least:
                best = grid
    return best


@dataclass(frozen=True)
class _Plan:
    """How a list of choices goes on screen: one page, or several, each with its grid."""

    pages: tuple[tuple[Sequence[Choice], _Grid, list[str | None]], ...]
    paged: bool

    @property
    def least(self) -> float:
        return min(grid.least for _, grid, _ in self.pages)

    @property
    def sizes(self) -> tuple[float, ...]:
        """Every label's scale, smallest first: of two plans, the one whose smallest labels are larger."""
        return tuple(sorted(scale for _, grid, _ in self.pages for scale in grid.scales))


def _plan(p: Painter, area: pygame.Rect, choices: Sequence[Choice]) -> _Plan | None:
    """One page if they fit at a touchable size, else as few per page as it takes; None when not
    even one choice fits a page."""
    fitted = _fit(p, area, choices)
    if fitted is not None:
        return _Plan(((choices, *fitted),), paged=False)
    room = pygame.Rect(area.x, area.y, area.w, area.h - p.m.button_h - p.m.target_gap)
    best: _Plan | None = None
    for per_page in range(len(choices) - 1, 0, -1):
        pages = [choices[i : i + per_page] for i in range(0, len(choices), per_page)]
        if best is not None and len(pages) > len(best.pages):
            break
        fits = [_fit(p, room, page) for page in pages]
        placed = [(page, *fit) for page, fit in zip(pages, fits, strict=True) if fit is not None]
        if len(placed) == len(pages):
            plan = _Plan(tuple(placed), paged=True)
            # As many pages, fewer a page: taller buttons, where a long label takes two lines at
            # full size instead of shrinking onto one (five and five rather than six and four).
            if best is None or plan.sizes > best.sizes:
                best = plan
    return best


def choices_fit(p: Painter, area: pygame.Rect, choices: Sequence[Choice]) -> bool:
    """Whether the choices can be drawn in this area at a touchable size (over pages if need be)."""
    return _plan(p, area, choices) is not None


def choice_grid(
    p: Painter,
    area: pygame.Rect,
    choices: Sequence[Choice],
    *,
    middle: bool = False,
    lighter: Sequence[Choice] | None = None,
) -> None:
    """Big buttons in as few columns as fit, the full wording first, each label as large as its
    button allows (a long one shrinks alone instead of shrinking every other).

    Choices that do not all fit at a touchable size (`Metrics.button_h`, at least 15 mm) are
    spread over pages with "previous / next page" buttons rather than shrunk: on the 7-inch Pi
    panel ten procedures take two pages. The view keeps the page (`Painter.page`).

    `lighter` are the same choices saying less (the menu without the wait): drawn instead when
    the fuller ones would take more pages, or smaller labels than `LIGHTER_SCALE_STEP` below
    theirs. What a choice is comes first; what is said about it never costs a page."""
    if not choices:
        return
    plan = _plan(p, area, choices)
    if lighter is not None:
        light = _plan(p, area, lighter)
        if light is not None and (
            plan is None or len(plan.pages) > len(light.pages) or plan.least < light.least - LIGHTER_SCALE_STEP
        ):
            choices, plan = lighter, light
    if plan is not None and not plan.paged:
        _draw_grid(p, area, *plan.pages[0], middle=middle)
        return
    if plan is not None:
        nav_h = p.m.button_h
        room = pygame.Rect(area.x, area.y, area.w, area.h - nav_h - p.m.target_gap)
        index = min(max(0, p.page), len(plan.pages) - 1)
        p.page, p.page_count = index, len(plan.pages)
        _draw_grid(p, room, *plan.pages[index])
        _page_nav(p, pygame.Rect(area.x, area.bottom - nav_h, area.w, nav_h), index, len(plan.pages))
        return
    # Not even one choice fits a page: smallest type, overflowing visibly (the record shows it).
    n = len(choices)
    gap = p.m.px(CHOICE_GAP_UNITS)
    cols = max(1, min(n, area.w // p.m.px(MIN_CHOICE_UNITS)))
    rows = math.ceil(n / cols)
    cell_h = max(p.m.button_h, (area.h - (rows - 1) * gap) // rows)
    smallest = _Grid(cols, (area.w - (cols - 1) * gap) // cols, cell_h, (SCALES[-1],) * n)
    _draw_grid(p, area, choices, smallest, [c.short or c.sub for c in choices], middle=middle)


LIGHTER_SCALE_STEP = 0.08  # one step of SCALES near the top: what the fuller wording may cost the labels


def _fit(p: Painter, area: pygame.Rect, choices: Sequence[Choice]) -> tuple[_Grid, list[str | None]] | None:
    """The grid for these choices in this area, with the second lines it uses (full or short);
    remembered like `_choose`'s answers."""
    key = ("fit", tuple(area), tuple(choices), p.lang)
    if key in p.memo:
        return cast(tuple[_Grid, list[str | None]] | None, p.memo[key])
    found = _search_fit(p, area, choices)
    p.remember(key, found)
    return found


def _search_fit(p: Painter, area: pygame.Rect, choices: Sequence[Choice]) -> tuple[_Grid, list[str | None]] | None:
    full = [c.sub for c in choices]
    brief = [c.short or c.sub for c in choices]
    grid, subs = _grid(p, area, choices, full), full
    if grid is None or (grid.least < SHORT_BELOW and brief != full):
        grid, subs = _grid(p, area, choices, brief), brief
    return None if grid is None else (grid, subs)


def _draw_grid(
    p: Painter,
    area: pygame.Rect,
    choices: Sequence[Choice],
    grid: _Grid,
    subs: Sequence[str | None],
    *,
    middle: bool = False,
) -> None:
    gap = p.m.px(CHOICE_GAP_UNITS)
    rows = math.ceil(len(choices) / grid.cols)
    total_h = rows * grid.cell_h + (rows - 1) * gap
    top = area.y + (max(0, (area.h - total_h) // 2) if middle else 0)
    spread = SCALE_SPREAD + grid.least  # a long label shrinks alone, but not far below its neighbours
    for i, (c, sub, scale) in enumerate(zip(choices, subs, grid.scales, strict=True)):
        scale = min(scale, spread)
        row, col = divmod(i, grid.cols)
        x, y = area.x + col * (grid.cell_w + gap), top + row * (grid.cell_h + gap)
        rect = pygame.Rect(x, y, grid.cell_w, grid.cell_h)
        p.button(c.id, c.event, rect, c.label, look=c.look, style=c.style, sub=sub, choice=True, scale=scale)


def _page_nav(p: Painter, row: pygame.Rect, index: int, count: int) -> None:
    """Previous page at the left, next page at the right, each saying which page this is."""
    gap = p.m.target_gap
    w = (row.w - gap) // 2
    where = p.t("ui.page.of", page=index + 1, pages=count)
    if index > 0:
        rect = pygame.Rect(row.x, row.y, w, row.h)
        label = p.t("ui.page.previous")
        p.button(PAGE_PREVIOUS, ViewAction.PAGE_PREVIOUS, rect, label, look=Look.PLAIN, mark=Mark.BACK, sub=where)
    if index < count - 1:
        rect = pygame.Rect(row.right - w, row.y, w, row.h)
        label = p.t("ui.page.next")
        p.button(PAGE_NEXT, ViewAction.PAGE_NEXT, rect, label, look=Look.PLAIN, mark=Mark.FORWARD, sub=where)


SHORT_BELOW = 0.76  # below this type scale, a choice's shorter second line is used instead
SCALE_SPREAD = 0.16  # the largest label of a grid is at most this much larger than the smallest


def heading(p: Painter, area: pygame.Rect, words: str, *, above: str | None = None) -> pygame.Rect:
    """The screen's title at the top of the area (with a small line above it); returns the room below."""
    y = area.y
    if above:
        h = p.text_h(above, SMALL_MUTED, area.w)
        p.text(above, SMALL_MUTED, pygame.Rect(area.x, y, area.w, h))
        y += h
    scale = 1.0
    for scale in SCALES:  # a long question shrinks a little rather than pushing the choices off
        if p.text_h(words, TITLE, area.w, scale) <= p.m.px(20):
            break
    h = p.text_h(words, TITLE, area.w, scale)
    p.text(words, TITLE, pygame.Rect(area.x, y, area.w, h), scale=scale)
    y += h + p.m.px(3)
    return pygame.Rect(area.x, y, area.w, area.bottom - y)
