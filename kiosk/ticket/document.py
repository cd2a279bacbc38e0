"""A printed ticket as device-independent blocks: what to print, not how to encode it.

`kiosk.ticket.layout` builds one from a stored ticket and its route; the simulated printer
renders it to PNG, the ESC/POS driver encodes it (Japanese as cropped raster lines, the QR code
natively), and the screen shows the same rendering as a preview. Pure data.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Size(StrEnum):
    SMALL = "small"
    NORMAL = "normal"
    LARGE = "large"
    HUGE = "huge"  # the queue number


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"


@dataclass(frozen=True)
class TextBlock:
    text: str
    size: Size = Size.NORMAL
    bold: bool = False
    align: Align = Align.LEFT
    lang: str | None = None  # the words' own language when not the document's (the clerk's Japanese)


@dataclass(frozen=True)
class ItemsBlock:
    """Short items, each with its bullet ("・運転免許証"), packed whole onto as few lines as the
    paper allows: the renderer knows the width, so it decides. An item too long for a line of its
    own wraps under its words, as a bulleted `TextBlock` does."""

    items: tuple[str, ...]
    size: Size = Size.NORMAL
    lang: str | None = None  # as TextBlock.lang


@dataclass(frozen=True)
class RuleBlock:
    """A horizontal line across the paper."""


@dataclass(frozen=True)
class FeedBlock:
    dots: int  # blank paper: fed, never printed as white raster


@dataclass(frozen=True)
class QrBlock:
    data: str  # ticket id only: nothing personal
    module_dots: int = 6


Block = TextBlock | ItemsBlock | RuleBlock | FeedBlock | QrBlock


@dataclass(frozen=True)
class TicketDocument:
    label: str  # the queue number as printed, e.g. "M-012"
    lang: str
    width_dots: int  # 576 for 80 mm paper, 384 for 58 mm
    blocks: tuple[Block, ...]
