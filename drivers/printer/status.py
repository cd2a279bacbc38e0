"""Real-time printer status: the `DLE EOT n` queries and our own parser of their one-byte replies.

Pure: bytes in, `PrinterStatus` out. Facts relied on (Epson ESC/POS reference, "DLE EOT"; the
same bits on the Japanese-model printers we target): every reply byte has the fixed pattern
`0xx1xx10` (bit 0 = 0, bit 1 = 1, bit 4 = 1, bit 7 = 0), which is how a status byte is told from
noise; the printer answers a real-time query at once, even in the middle of a job.
  n=1 printer:   bit 3 offline
  n=2 offline:   bit 2 cover open, bit 5 printing stopped by paper end, bit 6 an error occurred
  n=3 error:     bit 2 autocutter error, bit 3 unrecoverable error, bit 5 auto-recoverable error
  n=4 paper:     bits 2+3 roll near end, bits 5+6 roll end (both bits of a pair set)
Rejected: python-escpos `is_online()` / `paper_status()`: they report "paper OK" when the printer
says nothing and know no DLE EOT 2/3 (device-facts.md). No reply here is `None`/UNKNOWN, never OK.

What else a printer sends (Epson ESC/POS reference, "Data transmitted from the printer"; Citizen's
DLE EOT notes say the same): automatic status back (ASB, when enabled by GS a or a memory switch:
4 bytes, the first `0xx1xx00`, the others `0xx0xxxx`) at any time, and block data (a header byte
0x35, 0x37, 0x3B, 0x3D or 0x5F, up to a NUL). `ReplyStream` frames what arrives so that neither
is ever taken for a reply. A printer also answers every `DLE EOT n` in the data it receives,
even inside raster data ("look-alikes"): `realtime_queries` finds them, so the driver expects
(and skips) their replies.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum

from drivers.interfaces import PaperState, PrinterStatus

DLE, EOT = 0x10, 0x04


class Query(IntEnum):
    PRINTER = 1
    OFFLINE_CAUSE = 2
    ERROR_CAUSE = 3
    PAPER = 4


QUERIES = tuple(Query)
FIXED_MASK, FIXED_BITS = 0b1001_0011, 0b0001_0010

ONLINE_BIT = 0x08  # n=1: set when offline
COVER_OPEN_BIT = 0x04  # n=2
PAPER_STOP_BIT = 0x20  # n=2
ERROR_BIT = 0x40  # n=2
CUTTER_ERROR_BIT, UNRECOVERABLE_BIT, AUTO_RECOVERABLE_BIT = 0x04, 0x08, 0x20  # n=3
NEAR_END_BITS, END_BITS = 0x0C, 0x60  # n=4


def query(n: Query) -> bytes:
    """The bytes of `DLE EOT n`."""
    return bytes((DLE, EOT, int(n)))


def valid_reply(byte: int) -> bool:
    """A status byte has the fixed bits of every DLE EOT reply."""
    return byte & FIXED_MASK == FIXED_BITS


def parse_status(replies: Mapping[Query, int | None]) -> PrinterStatus:
    """The status from the reply byte of each query (None: that query got no valid reply).

    A missing reply makes what it would have told unknown (None / UNKNOWN), never fine.
    """
    got = {q: b for q, b in replies.items() if b is not None and valid_reply(b)}
    printer, offline, error, paper = (got.get(q) for q in QUERIES)
    online = None if printer is None else not printer & ONLINE_BIT
    cover_open = None if offline is None else bool(offline & COVER_OPEN_BIT)
    faults: list[bool] = []
    if offline is not None:
        faults.append(bool(offline & ERROR_BIT))
    if error is not None:
        faults.append(bool(error & (CUTTER_ERROR_BIT | UNRECOVERABLE_BIT | AUTO_RECOVERABLE_BIT)))
    has_error = any(faults) if faults else None
    if paper is None:
        state = PaperState.UNKNOWN
    elif paper & END_BITS == END_BITS or (offline is not None and offline & PAPER_STOP_BIT):
        state = PaperState.END
    elif paper & NEAR_END_BITS == NEAR_END_BITS:
        state = PaperState.NEAR_END
    else:
        state = PaperState.OK
    return PrinterStatus(online=online, paper=state, cover_open=cover_open, error=has_error)


def reply_bytes(status: PrinterStatus) -> dict[Query, int]:
    """The reply byte a printer in `status` sends to each query (for the emulator; unknowns as fine)."""
    printer = FIXED_BITS | (0 if status.online is not False else ONLINE_BIT)
    offline = FIXED_BITS
    if status.cover_open:
        offline |= COVER_OPEN_BIT
    if status.paper is PaperState.END:
        offline |= PAPER_STOP_BIT
    if status.error:
        offline |= ERROR_BIT
    error = FIXED_BITS | (UNRECOVERABLE_BIT if status.error else 0)
    paper = FIXED_BITS
    if status.paper is PaperState.NEAR_END:
        paper |= NEAR_END_BITS
    elif status.paper is PaperState.END:
        paper |= NEAR_END_BITS | END_BITS
    return {Query.PRINTER: printer, Query.OFFLINE_CAUSE: offline, Query.ERROR_CAUSE: error, Query.PAPER: paper}


ASB_MASK, ASB_BITS = FIXED_MASK, 0b0001_0000  # an ASB frame's first byte: 0xx1xx00
_ASB_LENGTH = 4
_BLOCK_HEADERS = frozenset((0x35, 0x37, 0x3B, 0x3D, 0x5F))  # block data, up to a NUL


class ReplyStream:
    """Frames the bytes a printer sends, in any chunks: real-time replies are kept, ASB frames
    and block data are skipped, anything else is noise and dropped."""

    def __init__(self) -> None:
        self._skip = 0
        self._in_block = False
        self.noise = 0  # bytes that were none of the above

    def feed(self, data: bytes) -> bytes:
        """The real-time reply bytes in `data`."""
        replies = bytearray()
        for byte in data:
            if self._skip:
                self._skip -= 1
            elif self._in_block:
                self._in_block = byte != 0
            elif valid_reply(byte):
                replies.append(byte)
            elif byte & ASB_MASK == ASB_BITS:
                self._skip = _ASB_LENGTH - 1
            elif byte in _BLOCK_HEADERS:
                self._in_block = True
            else:
                self.noise += 1
        return bytes(replies)


_DLE_EOT = bytes((DLE, EOT))


def realtime_queries(before: bytes, data: bytes) -> list[int]:
    """The n of every `DLE EOT n` (1..4) that `data` completes, `before` being the bytes that came
    just before it (its last two count): what a printer answers on reception, even inside raster data."""
    stream = before[-2:] + data
    found = []
    at = stream.find(_DLE_EOT)
    while 0 <= at < len(stream) - 2:
        if 1 <= stream[at + 2] <= 4:
            found.append(stream[at + 2])
        at = stream.find(_DLE_EOT, at + 1)
    return found
