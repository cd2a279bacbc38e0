"""A ticket as the printer is told to print it: bands of paper, top to bottom, as plain values.

Pure and PIL-free, so the ESC/POS encoder, the decoder and the driver can be read, tested and
reused without the kiosk's fonts or rendering. The kiosk draws a `TicketDocument` into these
bands (kiosk/ticket/render.py, which also draws them back into the preview); the encoder turns
them into bytes (drivers/printer/escpos_codec.py) and its decoder turns bytes back into them, so
the emulator prints exactly what the preview shows.

Why here and not in kiosk/ticket: drivers may import nothing of the kiosk but its errors and
the domain model (tests/architecture/test_layering.py), and these values are the printer's
vocabulary (raster rows, feeds, its own QR code and font), not the kiosk's.

- `Feed`: blank paper, fed (`ESC J`), never sent as white raster;
- `Raster`: ink rows exactly as `GS v 0` carries them (1 bit a dot, 1 = black, the first dot in
  the high bit, every row a whole number of bytes);
- `Qr`: a QR code the printer draws itself (`GS ( k`, model 2, error level M); how tall it comes
  out is known only to whoever computes the symbol, so a `TicketJob` carries its paper length;
- `NativeText`: a line in the printer's own 24-dot font (Kanji mode, Japanese-model printers).
A feed unit is one dot: the default vertical motion unit of 203-dpi TM-class printers (1/203 in).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

NATIVE_CELL_DOTS = 24  # the printer's own font: Kanji 24x24, ANK (Font A) 12x24
NATIVE_ENCODING = "cp932"  # Shift_JIS as Japanese-model printers read it in Kanji mode (FS C 1)


class Justify(StrEnum):
    """Where the printer puts a band across the paper (`ESC a`): only these two are used."""

    LEFT = "left"
    CENTER = "center"


@dataclass(frozen=True)
class Feed:
    """Blank paper, `dots` high."""

    dots: int


@dataclass(frozen=True)
class Raster:
    """An ink image: `image_width` dots across (a multiple of 8), `data` its rows packed 8 dots a
    byte, high bit first, 1 = black (the bytes of `GS v 0`, and of a PIL mode "1" image's `tobytes()`).

    LEFT: its left edge is dot 0 of the paper (the margin is part of the image). CENTER: centred
    on the paper by the printer (`ESC a 1`). `scale` 2 prints each dot as 2x2 dots (quadruple mode).
    Values compare dot for dot.
    """

    image_width: int
    data: bytes
    justify: Justify
    scale: int = 1

    def __post_init__(self) -> None:
        if self.image_width <= 0 or self.image_width % 8:
            raise ValueError(f"raster needs a width that is a multiple of 8 dots, got {self.image_width}")
        if not self.data or len(self.data) % self.row_bytes:
            raise ValueError(f"raster data of {len(self.data)} bytes is not whole rows of {self.row_bytes} bytes")
        if self.scale not in (1, 2):
            raise ValueError(f"raster scale must be 1 or 2, got {self.scale}")

    @property
    def row_bytes(self) -> int:
        return self.image_width // 8

    @property
    def image_height(self) -> int:
        """Rows in `data`, before scaling."""
        return len(self.data) // self.row_bytes

    @property
    def height(self) -> int:
        """Dots of paper it takes."""
        return self.image_height * self.scale

    @property
    def width(self) -> int:
        return self.image_width * self.scale


@dataclass(frozen=True)
class Qr:
    """A QR code the printer draws (model 2, error level M), centred, `module` dots per module."""

    data: str
    module: int


@dataclass(frozen=True)
class NativeText:
    """One line in the printer's own font (Kanji mode); `text` is encodable as `NATIVE_ENCODING`."""

    text: str
    justify: Justify
    bold: bool
    scale: int

    @property
    def height(self) -> int:
        return NATIVE_CELL_DOTS * self.scale


Band = Feed | Raster | Qr | NativeText


@dataclass(frozen=True)
class TicketJob:
    """One ticket for the printer: what `TicketPrinter.print_ticket` takes.

    `label` names it in logs and errors (the queue number); `width_dots` is the paper it was laid
    out for (the driver refuses another); `length_dots` is the paper it takes as laid out, QR codes
    included, for the roll counter.
    """

    label: str
    width_dots: int
    bands: tuple[Band, ...]
    length_dots: int


def merge_feeds(bands: Iterable[Band]) -> list[Band]:
    """Neighbouring feeds as one, empty ones dropped: one `ESC J` per stretch of blank paper."""
    merged: list[Band] = []
    for band in bands:
        if isinstance(band, Feed):
            if band.dots <= 0:
                continue
            if merged and isinstance(merged[-1], Feed):
                merged[-1] = Feed(merged[-1].dots + band.dots)
                continue
        merged.append(band)
    return merged
