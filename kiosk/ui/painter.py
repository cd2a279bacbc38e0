"""The drawing surface of one frame: text, panels and buttons, with a record of what went where.

Every button drawn is recorded with its event (for hit-testing and the scenario runner), and every
line of text with the box it was given, so tests can prove that nothing is drawn off the surface
or outside its button. The painter never clips silently: what does not fit shows up in the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import pygame

from kiosk import linebreak
from kiosk.messages import text
from kiosk.ui.buttons import Action, Button
from kiosk.ui.icons import Direction, check_mark, chevron, globe, person
from kiosk.ui.text import RenderedText, line_height, wrap, wrap_balanced
from kiosk.ui.theme import (
    CHOICE,
    CHOICE_EDGE,
    DISABLED,
    DISABLED_EDGE,
    INK,
    INK_MUTED,
    LABEL,
    LINE_SPACING,
    PAGE,
    PRIMARY,
    SMALL,
    STAFF,
    WHITE,
    Color,
    Metrics,
    TextStyle,
)

MEMO_SIZE = 512


class Align(Enum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


class Look(Enum):
    """How a button looks: its fill, border and text colour say what kind of action it is."""

    PRIMARY = "primary"  # the step forward
    CHOICE = "choice"  # one answer among several
    DISABLED = "disabled"  # a procedure not open now (still tappable: the flow explains why)
    STAFF = "staff"
    PLAIN = "plain"  # back, language bar
    SELECTED = "selected"  # the language in use


LOOKS: dict[Look, tuple[Color, Color, Color]] = {  # fill, edge, text
    Look.PRIMARY: (PRIMARY, PRIMARY, WHITE),
    Look.CHOICE: (CHOICE, CHOICE_EDGE, INK),
    Look.DISABLED: (DISABLED, DISABLED_EDGE, INK_MUTED),
    Look.STAFF: (STAFF, INK, INK),
    Look.PLAIN: (WHITE, INK, INK),
    Look.SELECTED: (PRIMARY, PRIMARY, WHITE),
}


class Mark(Enum):
    """A small drawn sign before a button's label."""

    BACK = "back"
    FORWARD = "forward"
    PERSON = "person"
    CHECK = "check"
    GLOBE = "globe"


@dataclass(frozen=True)
class TextMark:
    """One drawn line of text: where it landed and the room it was given."""

    text: str
    rect: pygame.Rect
    box: pygame.Rect


class Painter:
    def __init__(self, surface: pygame.Surface, cache: RenderedText, px_per_mm: float) -> None:
        self.surface = surface
        self.m = Metrics(*surface.get_size(), px_per_mm)
        self.cache = cache
        self.buttons: dict[str, Button] = {}
        self.marks: list[TextMark] = []
        self.lang = "ja"  # the visitor's language, for the few words the layout helpers draw
        self.page = 0  # which page of choices to show (the view keeps it between frames)
        self.page_count = 1  # how many pages the last frame's choices took
        self.memo: dict[object, object] = {}  # layout answers for this surface (kiosk.ui.layout)

    def clear(self, lang: str, page: int) -> None:
        self.surface.fill(PAGE)
        self.buttons = {}
        self.marks = []
        self.lang, self.page, self.page_count = lang, page, 1

    def remember(self, key: object, value: object) -> None:
        if len(self.memo) >= MEMO_SIZE:  # a kiosk shows few screens; a day in six languages stays small
            self.memo.clear()
        self.memo[key] = value

    def t(self, key: str, **params: object) -> str:
        return text(key, self.lang, **params)

    # --- text ---

    def px(self, style: TextStyle, scale: float = 1.0) -> int:
        return self.m.font_px(style.size, scale)

    def lines(
        self, text: str, style: TextStyle, width: int, scale: float = 1.0, *, balanced: bool = False
    ) -> tuple[str, ...]:
        """Wrapped lines; `balanced` avoids a lonely last word (for drawing), keeping their number."""
        wrapper = wrap_balanced if balanced else wrap
        return wrapper(text, style.face, self.px(style, scale), max(1, width), self.lang)

    def line_h(self, style: TextStyle, scale: float = 1.0) -> int:
        return line_height(self.px(style, scale), LINE_SPACING)

    def text_h(self, text: str, style: TextStyle, width: int, scale: float = 1.0) -> int:
        return len(self.lines(text, style, width, scale)) * self.line_h(style, scale)

    def fit_scale(self, text: str, style: TextStyle, box: pygame.Rect) -> float:
        """The largest scale (down to 0.6) at which `text` fits the box; for one-off labels.

        One line at no less than 0.8 is preferred to two: a name broken in two reads worse.
        """
        for scale in (1.0, 0.9, 0.8):
            if self.line_w(text, style, scale) <= box.w and self.line_h(style, scale) <= box.h:
                return scale
        for scale in (1.0, 0.9, 0.8, 0.7, 0.6):
            if self.text_h(text, style, box.w, scale) <= box.h:
                return scale
        return 0.6

    def line_w(self, text: str, style: TextStyle, scale: float = 1.0) -> int:
        return self.cache.render(text, style.face, self.px(style, scale), style.color, self.lang).get_width()

    def text(
        self,
        text: str,
        style: TextStyle,
        box: pygame.Rect,
        *,
        scale: float = 1.0,
        align: Align = Align.LEFT,
        middle: bool = False,
        color: Color | None = None,
        room: pygame.Rect | None = None,
    ) -> int:
        """Wrap `text` to the box's width and draw it from the top (or centred when `middle`).

        `room` is where the text must stay (a button's rect; the box by default). Returns the
        height used. Lines that do not fit stay where they fall; the record shows it.
        """
        px = self.px(style, scale)
        lh = self.line_h(style, scale)
        lines = self.lines(text, style, box.w, scale, balanced=True)
        total = len(lines) * lh
        y = box.y + (box.h - total) // 2 if middle else box.y
        for line in lines:
            surf = self.cache.render(line, style.face, px, color or style.color, self.lang, whole=text)
            rect = surf.get_rect()
            rect.centery = y + lh // 2
            if align is Align.LEFT:
                rect.left = box.left
            elif align is Align.RIGHT:
                rect.right = box.right
            else:
                rect.centerx = box.centerx
            self.surface.blit(surf, rect)
            self.marks.append(TextMark(line, rect, pygame.Rect(room or box)))
            y += lh
        return total

    # --- shapes ---

    def panel(self, rect: pygame.Rect, fill: Color, edge: Color | None = None) -> None:
        pygame.draw.rect(self.surface, fill, rect, border_radius=self.m.radius)
        if edge is not None:
            pygame.draw.rect(self.surface, edge, rect, self.m.edge, border_radius=self.m.radius)

    # --- buttons ---

    def button_pad(self) -> int:
        return self.m.px(2.2)

    def button_pad_y(self) -> int:
        return self.m.px(1.4)

    def button_text_h(
        self, label: str, width: int, sub: str | None, scale: float, mark: bool, style: TextStyle = LABEL
    ) -> int:
        """Height a button needs for its label (and sub-label) at this width."""
        inner = self._inner_w(width, mark)
        h = self.text_h(label, style, inner, scale)
        if sub:
            h += self.text_h(sub, SMALL, inner, scale)
        return h + 2 * self.button_pad_y()

    def _inner_w(self, width: int, mark: bool) -> int:
        return width - 2 * self.button_pad() - (self._mark_w() if mark else 0)

    def _mark_w(self) -> int:
        return self.m.px(6)

    def button(
        self,
        button_id: str,
        event: Action,
        rect: pygame.Rect,
        label: str,
        *,
        look: Look = Look.CHOICE,
        style: TextStyle = LABEL,
        sub: str | None = None,
        mark: Mark | None = None,
        choice: bool = False,
        scale: float = 1.0,
    ) -> None:
        """Draw a button and record it. A label too long for the button shrinks (to 0.6) to fit."""
        fill, edge, ink = LOOKS[look]
        pygame.draw.rect(self.surface, fill, rect, border_radius=self.m.radius)
        pygame.draw.rect(self.surface, edge, rect, self.m.edge, border_radius=self.m.radius)
        inner = rect.inflate(-2 * self.button_pad(), -2 * self.button_pad_y())
        if mark is not None:
            sign = pygame.Rect(inner.x, 0, self.m.px(4.4), self.m.px(4.4))
            sign.centery = rect.centery
            self._mark(mark, sign, ink)
            inner.x += self._mark_w()
            inner.w -= self._mark_w()
        while scale > 0.6 and (
            self.button_text_h(label, rect.w, sub, scale, mark is not None, style) > rect.h
            or self._breaks_a_word(label, style, inner.w, scale)
        ):
            scale = round(scale - 0.05, 2)
        label_h = self.text_h(label, style, inner.w, scale)
        sub_h = self.text_h(sub, SMALL, inner.w, scale) if sub else 0
        top = inner.y + (inner.h - label_h - sub_h) // 2
        align = Align.LEFT if mark is not None else Align.CENTER
        box = pygame.Rect(inner.x, top, inner.w, label_h)
        self.text(label, style, box, scale=scale, align=align, color=ink, room=rect)
        if sub:
            box = pygame.Rect(inner.x, top + label_h, inner.w, sub_h)
            self.text(sub, SMALL, box, scale=scale, align=align, color=ink, room=rect)
        self.register(button_id, rect, event, choice=choice)

    def _breaks_a_word(self, label: str, style: TextStyle, width: int, scale: float) -> bool:
        """Whether a word of a spaced (Latin, Vietnamese) label is wider than the button: it would
        break inside the word ("Volt / ar"); a smaller size reads better."""
        # The pieces the line-breaker keeps whole (a term, words joined by a no-break space); a
        # Japanese run breaks anywhere.
        words = [w.rstrip() for w in linebreak.tokens(label, spaced=True) if all(ord(ch) < 0x2E80 for ch in w)]
        return any(self.line_w(word, style, scale) > width for word in words)

    def register(self, button_id: str, rect: pygame.Rect, event: Action, *, choice: bool = False) -> None:
        """Record a button drawn by hand (the welcome screen's whole-area start button)."""
        self.buttons[button_id] = Button(button_id, pygame.Rect(rect), event, choice)

    def _mark(self, mark: Mark, rect: pygame.Rect, color: Color) -> None:
        if mark is Mark.BACK:
            chevron(self.surface, rect, Direction.LEFT, color)
        elif mark is Mark.FORWARD:
            chevron(self.surface, rect, Direction.RIGHT, color)
        elif mark is Mark.PERSON:
            person(self.surface, rect, color)
        elif mark is Mark.GLOBE:
            globe(self.surface, rect, color)
        else:
            check_mark(self.surface, rect, color)
