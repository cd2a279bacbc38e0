"""ESC/POS bytes for a ticket, and back: the encoder the driver sends and the decoder the emulator reads.

Pure: bands (drivers/printer/bands.py) in, bytes out, and bytes in, bands out; no device, no clock,
no PIL.
The commands used (Epson ESC/POS reference; the same on the Japanese-model printers we target):
  ESC @            initialise              ESC a n          justification (also for raster and QR)
  ESC J n          print and feed n dots   ESC E n          bold on/off
  ESC 3 n          line spacing, dots      GS ! n           character size (native text)
  GS v 0 m x y d   raster image, m=3 doubles every dot (the queue number)
  GS ( k           QR code: model 2, module size, error level M, store, print
  FS C 1, FS &, FS .   Kanji mode: Shift_JIS, on, off (Japanese-model printers only)
  LF               print a native text line      GS V 65 n   feed to the cutter and cut
  DLE EOT n        real-time status (drivers/printer/status.py)
A feed unit is one dot: the default vertical motion unit of 203-dpi TM-class printers (1/203 in).
Rejected: python-escpos' `image()` (it pads to the profile's width and knows no cropping or
quadruple mode) and its text path (it sends kanji as GB18030, device-facts.md); the bytes are
ours, so golden-byte tests pin them and the emulator can decode every one. The native QR bytes
are the ones python-escpos 3.1's `qr(native=True)` sent for model 2, level M.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from drivers.printer.bands import (
    NATIVE_CELL_DOTS,
    NATIVE_ENCODING,
    Band,
    Feed,
    Justify,
    NativeText,
    Qr,
    Raster,
    merge_feeds,
)

ESC, GS, FS, DLE, LF = 0x1B, 0x1D, 0x1C, 0x10, 0x0A
INIT = b"\x1b@"
CUT = b"\x1dVA\x00"  # feed to the cutting position, then a full cut
KANJI_ON = b"\x1cC\x01\x1c&"  # Shift_JIS, then Kanji mode on
KANJI_OFF = b"\x1c."
QR_MODEL_2, QR_ERROR_M = 50, 49
_JUSTIFY = {Justify.LEFT: 0, Justify.CENTER: 1}
_MAX_RASTER_ROWS = 4095  # yH's high bits are ignored by some printers: keep within 12 bits


def encode_bands(bands: Iterable[Band], kanji: bool = False, cut: bool = True) -> bytes:
    """The whole job for one ticket: initialise, every band, cut."""
    out = bytearray(INIT)
    if kanji:
        out += KANJI_ON
    state = _Modes()
    for band in bands:
        if isinstance(band, Feed):
            out += feed(band.dots)
        elif isinstance(band, Raster):
            out += state.justify(band.justify) + raster(band)
        elif isinstance(band, Qr):
            out += state.justify(Justify.CENTER) + qr(band.data, band.module)
        else:
            out += state.justify(band.justify) + state.text(band)
    if kanji:
        out += KANJI_OFF
    if cut:
        out += CUT
    return bytes(out)


@dataclass
class _Modes:
    """The printer's modes as last set in this job: each command is sent only when it changes."""

    current_justify: Justify = Justify.LEFT  # after ESC @
    bold: bool = False
    size: int = 0
    spacing: int | None = None

    def justify(self, justify: Justify) -> bytes:
        if justify is self.current_justify:
            return b""
        self.current_justify = justify
        return bytes((ESC, ord("a"), _JUSTIFY[justify]))

    def text(self, band: NativeText) -> bytes:
        out = bytearray()
        if band.bold != self.bold:
            self.bold = band.bold
            out += bytes((ESC, ord("E"), int(band.bold)))
        size = (band.scale - 1) << 4 | (band.scale - 1)
        if size != self.size:
            self.size = size
            out += bytes((GS, ord("!"), size))
        if band.height != self.spacing:
            self.spacing = band.height
            out += bytes((ESC, ord("3"), band.height))
        return bytes(out + band.text.encode(NATIVE_ENCODING) + bytes((LF,)))


def feed(dots: int) -> bytes:
    """ESC J n, as many as needed (n <= 255)."""
    out = bytearray()
    while dots > 0:
        step = min(dots, 255)
        out += bytes((ESC, ord("J"), step))
        dots -= step
    return bytes(out)


def raster(band: Raster) -> bytes:
    """GS v 0: the band's ink rows, split into chunks the printer accepts. `scale` 2 is the
    quadruple mode (m = 3)."""
    mode = {1: 0, 2: 3}[band.scale]
    width_bytes, height, data = band.row_bytes, band.image_height, band.data
    out = bytearray()
    for top in range(0, height, _MAX_RASTER_ROWS):
        rows = min(_MAX_RASTER_ROWS, height - top)
        out += bytes((GS, ord("v"), ord("0"), mode)) + _u16(width_bytes) + _u16(rows)
        out += data[top * width_bytes : (top + rows) * width_bytes]
    return bytes(out)


def qr(data: str, module: int) -> bytes:
    """GS ( k: select model 2, module size, error level M, store the data, print the symbol."""
    payload = data.encode("utf-8")
    return (
        _qr_function(65, bytes((QR_MODEL_2, 0)))
        + _qr_function(67, bytes((module,)))
        + _qr_function(69, bytes((QR_ERROR_M,)))
        + _qr_function(80, b"0" + payload)
        + _qr_function(81, b"0")
    )


def _qr_function(fn: int, params: bytes) -> bytes:
    return bytes((GS, ord("("), ord("k"))) + _u16(len(params) + 2) + bytes((49, fn)) + params


def _u16(value: int) -> bytes:
    return value.to_bytes(2, "little")


# --- decoding (the emulator's side) ---------------------------------------------------------------


class UnknownCommand(ValueError):
    """Bytes the decoder does not know: the emulator rejects the job loudly rather than guess."""


@dataclass(frozen=True)
class StatusQuery:
    n: int


@dataclass(frozen=True)
class Cut:
    bands: tuple[Band, ...]  # the ticket that was cut off


Event = StatusQuery | Cut


@dataclass
class Decoder:
    """Reads a byte stream as it arrives (in any chunks) and tells what the printer would do.

    `feed(data)` returns the events completed by `data`: status queries to answer and tickets cut.
    Raises UnknownCommand at the first byte it cannot read; the stream is then unusable.
    """

    _buffer: bytearray = field(default_factory=bytearray)
    _bands: list[Band] = field(default_factory=list)
    _text: bytearray = field(default_factory=bytearray)
    justify: Justify = Justify.LEFT
    bold: bool = False
    scale: int = 1
    spacing: int = 30
    kanji: bool = False
    received: int = 0
    _qr_module: int = 3
    _qr_data: str = ""

    def feed(self, data: bytes) -> list[Event]:
        self._buffer += data
        self.received += len(data)
        events: list[Event] = []
        while self._buffer:
            used = self._step(events)
            if used == 0:
                break  # an incomplete command: wait for more bytes
            del self._buffer[:used]
        return events

    @property
    def pending(self) -> bool:
        """Something received that no cut has finished yet."""
        return bool(self._bands or self._text or self._buffer)

    def _reset(self) -> None:
        self.justify, self.bold, self.scale, self.spacing, self.kanji = Justify.LEFT, False, 1, 30, False

    def _step(self, events: list[Event]) -> int:
        b = self._buffer
        first = b[0]
        if first == LF:
            self._line()
            return 1
        if first == DLE:
            if len(b) < 3:
                return 0
            if b[1] != 0x04 or b[2] not in (1, 2, 3, 4):
                raise UnknownCommand(f"unknown real-time command {bytes(b[:3]).hex(' ')}")
            events.append(StatusQuery(b[2]))
            return 3
        if first == ESC:
            return self._esc()
        if first == GS:
            return self._gs(events)
        if first == FS:
            return self._fs()
        if first < 0x20 or first == 0x7F:
            raise UnknownCommand(f"unknown control byte {first:02x}")
        return self._character()

    def _esc(self) -> int:
        b = self._buffer
        if len(b) < 2:
            return 0
        op = chr(b[1])
        if op == "@":
            self._reset()
            return 2
        if op not in "aEJ3":
            raise UnknownCommand(f"unknown command ESC {op!r} ({bytes(b[:2]).hex(' ')})")
        if len(b) < 3:
            return 0
        n = b[2]
        if op == "a":
            if n not in (0, 1, 48, 49):
                raise UnknownCommand(f"ESC a {n}: only left and centre are used")
            self.justify = Justify.CENTER if n in (1, 49) else Justify.LEFT
        elif op == "E":
            self.bold = bool(n & 1)
        elif op == "J":
            self._flush_text()
            self._bands.append(Feed(n))
        else:
            self.spacing = n
        return 3

    def _gs(self, events: list[Event]) -> int:
        b = self._buffer
        if len(b) < 2:
            return 0
        op = chr(b[1])
        if op == "!":
            if len(b) < 3:
                return 0
            width, height = (b[2] >> 4) + 1, (b[2] & 0x0F) + 1
            if width != height:
                raise UnknownCommand(f"GS ! {b[2]:02x}: only equal width and height are used")
            self.scale = width
            return 3
        if op == "v":
            return self._raster()
        if op == "(":
            return self._qr()
        if op == "V":
            if len(b) < 3:
                return 0
            if b[2] in (0, 1, 48, 49):
                used = 3
            elif b[2] in (65, 66):
                if len(b) < 4:
                    return 0
                used = 4
            else:
                raise UnknownCommand(f"unknown cut GS V {b[2]}")
            self._flush_text()
            events.append(Cut(tuple(merge_feeds(self._bands))))
            self._bands = []
            return used
        raise UnknownCommand(f"unknown command GS {op!r} ({bytes(b[:2]).hex(' ')})")

    def _raster(self) -> int:
        b = self._buffer
        if len(b) < 8:
            return 0
        if b[2] != ord("0") or b[3] not in (0, 3, 48, 51):
            raise UnknownCommand(f"unknown raster command {bytes(b[:4]).hex(' ')}")
        width_bytes, rows = b[4] | b[5] << 8, b[6] | b[7] << 8
        size = width_bytes * rows
        if size == 0:
            raise UnknownCommand("raster image of no size")
        if len(b) < 8 + size:
            return 0
        scale = 2 if b[3] in (3, 51) else 1
        band = Raster(width_bytes * 8, bytes(b[8 : 8 + size]), self.justify, scale)
        self._flush_text()
        self._bands.append(band)
        return 8 + size

    def _qr(self) -> int:
        b = self._buffer
        if len(b) < 5:
            return 0
        if b[2] != ord("k"):
            raise UnknownCommand(f"unknown command GS ( {chr(b[2])!r}")
        length = b[3] | b[4] << 8
        if len(b) < 5 + length:
            return 0
        cn, fn, params = b[5], b[6], bytes(b[7 : 5 + length])
        if cn != 49:
            raise UnknownCommand(f"GS ( k for symbol type {cn}: only QR (49) is used")
        if fn == 65 and params[:1] != bytes((QR_MODEL_2,)):
            raise UnknownCommand("QR model other than 2")
        elif fn == 67:
            if not 1 <= params[0] <= 16:
                raise UnknownCommand(f"QR module size {params[0]} out of 1..16")
            self._qr_module = params[0]
        elif fn == 69 and params != bytes((QR_ERROR_M,)):
            raise UnknownCommand("QR error level other than M")
        elif fn == 80:
            self._qr_data = params[1:].decode("utf-8")
        elif fn == 81:
            self._flush_text()
            self._bands.append(Qr(self._qr_data, self._qr_module))
        elif fn not in (65, 69):
            raise UnknownCommand(f"unknown QR function {fn}")
        return 5 + length

    def _fs(self) -> int:
        b = self._buffer
        if len(b) < 2:
            return 0
        op = chr(b[1])
        if op == "&":
            self.kanji = True
            return 2
        if op == ".":
            self.kanji = False
            return 2
        if op == "C":
            if len(b) < 3:
                return 0
            if b[2] not in (1, 49):
                raise UnknownCommand(f"FS C {b[2]}: only Shift_JIS is used")
            return 3
        raise UnknownCommand(f"unknown command FS {op!r}")

    def _character(self) -> int:
        b = self._buffer
        first = b[0]
        if first < 0x80:
            self._text.append(first)
            return 1
        if not self.kanji or not (0x81 <= first <= 0x9F or 0xE0 <= first <= 0xFC):
            raise UnknownCommand(f"byte {first:02x} outside Kanji mode")
        if len(b) < 2:
            return 0
        self._text += b[:2]
        return 2

    def _line(self) -> None:
        if self._text:
            text = self._text.decode(NATIVE_ENCODING)
            self._text.clear()
            band = NativeText(text, self.justify, self.bold, self.scale)
            self._bands.append(band)
            self._bands.append(Feed(max(self.spacing - band.height, 0)))
        else:
            self._bands.append(Feed(max(self.spacing, NATIVE_CELL_DOTS * self.scale)))

    def _flush_text(self) -> None:
        if self._text:  # text without its LF: printed as the next command needs an empty buffer
            self._line()
