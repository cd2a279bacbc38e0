"""Colours, type sizes and spacing of the kiosk screens, derived from the screen's pixels and millimetres.

Type and spacing scale from one unit, a hundredth of the shorter side, so the same code draws a
1080×1920 portrait panel, a 1920×1080 landscape one and a 720×1280 Raspberry Pi Touch Display 2
alike: at 1080 px the body text is 45 px. Touch targets are measured in millimetres instead (a
finger is the same size on every screen): never under `TOUCH_MM` high or wide, which on the 7-inch
Pi panel (8.2 px/mm) is 123 px, more than the units alone would give.

Colours are chosen for a contrast of at least 7:1 (WCAG AAA) between every text colour and the
background it is drawn on; `CONTRAST_PAIRS` lists those pairs so a test can hold us to it.
Meaning is never carried by colour alone: outcomes also differ by icon shape and label.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from functools import cached_property

from kiosk.domain.model import Outcome
from kiosk.fonts import Face

Color = tuple[int, int, int]

# Text and surfaces. The page is a warm off-white: less glare than pure white under lobby lights.
INK: Color = (17, 17, 17)
INK_MUTED: Color = (55, 55, 55)
PAGE: Color = (250, 250, 246)
WHITE: Color = (255, 255, 255)
PRIMARY: Color = (11, 61, 145)  # main action: white text on dark blue
CHOICE: Color = (226, 236, 252)  # a choice among several: dark text on light blue
CHOICE_EDGE: Color = (11, 61, 145)
DISABLED: Color = (222, 222, 222)  # a procedure not open now: still readable, still tappable
DISABLED_EDGE: Color = (120, 120, 120)
STAFF: Color = (255, 212, 94)  # the call-staff button: amber, dark text
NOTICE: Color = (255, 236, 179)  # idle countdown and "staff called" banners
SIM_BG: Color = (17, 17, 17)  # simulation strip: yellow on black, like a hazard sign
SIM_INK: Color = (255, 221, 0)
CARD_FACE: Color = (214, 232, 247)
CARD_CHIP: Color = (201, 162, 39)
READER: Color = (60, 64, 72)

OUTCOME_INK: dict[Outcome, Color] = {
    Outcome.OK: (24, 90, 30),
    Outcome.WARN: (96, 60, 0),
    Outcome.UNKNOWN: PRIMARY,
    Outcome.BLOCK: (150, 0, 20),
}
OUTCOME_TINT: dict[Outcome, Color] = {
    Outcome.OK: (236, 246, 236),
    Outcome.WARN: (255, 243, 212),
    Outcome.UNKNOWN: (232, 240, 254),
    Outcome.BLOCK: (253, 232, 232),
}

# (text, background) pairs that occur on screen; each must reach 7:1.
CONTRAST_PAIRS: tuple[tuple[Color, Color], ...] = (
    (INK, PAGE),
    (INK_MUTED, PAGE),
    (WHITE, PRIMARY),
    (INK, CHOICE),
    (INK_MUTED, DISABLED),
    (INK, STAFF),
    (INK, NOTICE),
    (SIM_INK, SIM_BG),
    *((OUTCOME_INK[o], OUTCOME_TINT[o]) for o in Outcome),
    *((OUTCOME_INK[o], PAGE) for o in Outcome),
)


class Size(Enum):
    """Type sizes in units (a hundredth of the shorter side)."""

    SMALL = 3.5  # site name, notes: still 38 px at 1080
    BODY = 4.2  # running text: 45 px at 1080
    LABEL = 4.6  # button labels, bold
    TITLE = 5.4  # the question or heading of a screen
    BIG = 8.0  # the ticket's counter, the welcome call to action
    HUGE = 24.0  # the ticket number


_SIZE_UNITS = {size: size.value for size in Size}  # Enum.value is a slow descriptor


@dataclass(frozen=True)
class TextStyle:
    face: Face
    size: Size
    color: Color = INK


BODY = TextStyle(Face.REGULAR, Size.BODY)
BODY_BOLD = TextStyle(Face.BOLD, Size.BODY)
SMALL = TextStyle(Face.REGULAR, Size.SMALL)
SMALL_MUTED = TextStyle(Face.REGULAR, Size.SMALL, INK_MUTED)
TITLE = TextStyle(Face.BOLD, Size.TITLE)
LABEL = TextStyle(Face.BOLD, Size.LABEL)
BIG = TextStyle(Face.BOLD, Size.BIG)
HUGE = TextStyle(Face.FIXED_BOLD, Size.HUGE)

LINE_SPACING = 1.3  # Japanese reads better with generous leading

TOUCH_MM = 15.0  # the smallest touch target, either side: an unsteady or gloved finger
TOUCH_GAP_MM = 2.0  # the least room between two targets, against a tap landing on the neighbour
BODY_MIN_MM = 3.5  # the least em of body text (about 10 pt): readable at arm's length on a small panel


@dataclass(frozen=True)
class Metrics:
    """Spacing for one screen. `u` is the unit type and spacing are multiples of; `px_per_mm`
    sizes the touch targets (3.21 on a 27-inch 1080×1920 monitor, 8.18 on the 7-inch Pi panel)."""

    width: int
    height: int
    px_per_mm: float

    @cached_property  # asked tens of thousands of times a frame: computed once per screen size
    def u(self) -> float:
        """A hundredth of the shorter side, but never so small that body text drops under
        `BODY_MIN_MM` (a dense small panel: everything grows, and choices take more pages)."""
        return max(min(self.width, self.height) / 100, BODY_MIN_MM * self.px_per_mm / Size.BODY.value)

    @cached_property
    def min_scale(self) -> float:
        """The least a layout may shrink its type to fit (then it pages instead): body text stays at
        `BODY_MIN_MM` or more. Large panels have room to spare; on the 7-inch panel it is about 0.95.
        (The verdict keeps to it; the welcome screen, in six languages at once, may not.)"""
        return min(1.0, BODY_MIN_MM * self.px_per_mm / (Size.BODY.value * self.u))

    @property
    def landscape(self) -> bool:
        return self.width > self.height

    def px(self, units: float) -> int:
        return max(1, round(units * self.u))

    def font_px(self, size: Size, scale: float = 1.0) -> int:
        return max(8, round(_SIZE_UNITS[size] * self.u * scale))

    @property
    def margin(self) -> int:
        return self.px(3)

    @property
    def gap(self) -> int:
        return self.px(2)

    def mm(self, millimetres: float) -> int:
        return math.ceil(millimetres * self.px_per_mm)

    @property
    def target(self) -> int:
        """The smallest side of anything touchable."""
        return self.mm(TOUCH_MM)

    @property
    def target_gap(self) -> int:
        return max(self.gap, self.mm(TOUCH_GAP_MM))

    @property
    def button_h(self) -> int:
        """Height of a main button: 151 px at 1080 (47 mm on a 27-inch monitor), never under the target."""
        return max(self.px(14), self.target)

    @property
    def bar_h(self) -> int:
        """Height of the language bar buttons: smaller where the screen allows, never under the target."""
        return max(self.px(10), self.target)

    @property
    def action_h(self) -> int:
        """Height of the main action (continue, get a ticket): the largest button of the frame."""
        return max(self.px(15), self.target)

    @property
    def radius(self) -> int:
        return self.px(1.6)

    @property
    def edge(self) -> int:
        """Border width of buttons and panels."""
        return max(2, self.px(0.45))


def contrast(a: Color, b: Color) -> float:
    """WCAG contrast ratio of two sRGB colours."""

    def luminance(c: Color) -> float:
        def channel(v: int) -> float:
            s = v / 255
            return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

        r, g, b_ = (channel(v) for v in c)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_

    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
