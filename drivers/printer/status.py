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
