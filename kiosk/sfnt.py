"""Reading OpenType/TrueType font files (sfnt): which characters a face draws, and one face of a
collection (.ttc) as a file of its own.

Why our own reader: the kiosk picks a font per text by what it can draw (see `kiosk.fonts`), for
both the screens (pygame-ce, SDL_ttf) and the tickets (Pillow), so coverage must come from the
font file itself, not from one renderer. And SDL_ttf, under pygame-ce's `pygame.font.Font`, opens
only the first face of a collection, while the simplified-Chinese face of Noto Sans CJK is the third
(fonts-noto-cjk ships collections only), so that face is copied out once into a plain font file.
Only the parts needed are read: the table directory, and the cmap subtables of format 4 (BMP)
and 12 (full Unicode), the ones every font we use carries (OpenType spec, "cmap" table).
"""

from __future__ import annotations

import bisect
import struct
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import KioskError


@dataclass(frozen=True)
class Table:
    tag: str
    checksum: int
    offset: int
    length: int


def _face_offset(data: bytes, index: int, path: Path) -> int:
    if data[:4] != b"ttcf":
        if index != 0:
            raise KioskError(f"{path} holds one face; face {index} asked")
        return 0
    (count,) = struct.unpack_from(">I", data, 8)
    if not 0 <= index < count:
        raise KioskError(f"{path} holds faces 0..{count - 1}; face {index} asked")
    (offset,) = struct.unpack_from(">I", data, 12 + 4 * index)
    return int(offset)


def tables(data: bytes, index: int = 0, path: Path = Path("<font>")) -> tuple[bytes, list[Table]]:
    """The sfnt version tag and table records of face `index` (offsets are from the file's start)."""
    try:
        base = _face_offset(data, index, path)
        version = data[base : base + 4]
        (count,) = struct.unpack_from(">H", data, base + 4)
        records = [
            Table(tag.decode("latin-1"), checksum, offset, length)
            for tag, checksum, offset, length in (
                struct.unpack_from(">4sIII", data, base + 12 + 16 * i) for i in range(count)
            )
        ]
    except struct.error as exc:
        raise KioskError(f"{path}: not a font file ({exc})") from exc
    return version, records


class Coverage:
    """The characters a face maps to a glyph, as sorted ranges (a CJK face maps ~65,000)."""

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        merged: list[tuple[int, int]] = []
        for start, end in sorted(ranges):
            if merged and start <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        self._starts = [s for s, _ in merged]
        self._ends = [e for _, e in merged]

    def __contains__(self, char: object) -> bool:
        if not isinstance(char, str) or len(char) != 1:
            return False
        code = ord(char)
        i = bisect.bisect_right(self._starts, code) - 1
        return i >= 0 and code <= self._ends[i]

    def missing(self, text: str) -> str:
        """The characters of `text` this face cannot draw (spaces and line breaks need no glyph)."""
        return "".join(dict.fromkeys(ch for ch in text if ch not in "\n\r\t" and ch not in self))


def coverage(path: Path, index: int = 0) -> Coverage:
    """What face `index` of the file draws. Reads only the table directory and the cmap table."""
    with path.open("rb") as handle:
        head = handle.read(_HEAD)
        if len(head) == _HEAD:  # a directory beyond the first bytes: read all (no font we use has one)
            try:
                _, records = tables(head, index, path)
            except KioskError:
                head += handle.read()
                _, records = tables(head, index, path)
        else:
            _, records = tables(head, index, path)
        cmap = next((t for t in records if t.tag == "cmap"), None)
        if cmap is None:
            raise KioskError(f"{path} face {index} has no cmap table")
        handle.seek(cmap.offset)
        blob = handle.read(cmap.length)
    try:
        return Coverage(_cmap_ranges(blob, 0, path))
    except struct.error as exc:
        raise KioskError(f"{path}: broken cmap table ({exc})") from exc


_HEAD = 1 << 16


def _cmap_ranges(data: bytes, base: int, path: Path) -> list[tuple[int, int]]:
    _, count = struct.unpack_from(">HH", data, base)
    subtables: dict[int, int] = {}  # format -> offset of a Unicode subtable
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, base + 4 + 8 * i)
        if (platform, encoding) in ((3, 1), (3, 10), (0, 3), (0, 4), (0, 6)):
            (fmt,) = struct.unpack_from(">H", data, base + offset)
            subtables.setdefault(fmt, base + offset)
    if 12 in subtables:
        return _format12(data, subtables[12])
    if 4 in subtables:
        return _format4(data, subtables[4])
    raise KioskError(f"{path}: no Unicode cmap of format 4 or 12")


def _format12(data: bytes, at: int) -> list[tuple[int, int]]:
    (groups,) = struct.unpack_from(">I", data, at + 12)
    start = at + 16
    return [
        (first + (glyph == 0), last)  # glyph 0 is .notdef: the group's first character has no glyph
        for first, last, glyph in struct.iter_unpack(">III", data[start : start + 12 * groups])
        if first + (glyph == 0) <= last
    ]


def _format4(data: bytes, at: int) -> list[tuple[int, int]]:
    (seg_x2,) = struct.unpack_from(">H", data, at + 6)
    segs = seg_x2 // 2
    ends = struct.unpack_from(f">{segs}H", data, at + 14)
    starts = struct.unpack_from(f">{segs}H", data, at + 16 + seg_x2)
    deltas = struct.unpack_from(f">{segs}h", data, at + 16 + 2 * seg_x2)
    range_at = at + 16 + 3 * seg_x2
    range_offsets = struct.unpack_from(f">{segs}H", data, range_at)
    ranges = []
    for i in range(segs):
        start, end = starts[i], min(ends[i], 0xFFFE)
        if start > end:
            continue
        if range_offsets[i] == 0:
            # glyph = (c + delta) mod 65536: only the one c where that is 0 lacks a glyph
            hole = -deltas[i] & 0xFFFF
            ranges += [(a, b) for a, b in ((start, min(end, hole - 1)), (max(start, hole + 1), end)) if a <= b]
            continue
        for c in range(start, end + 1):
            glyph_at = range_at + 2 * i + range_offsets[i] + 2 * (c - start)
            (glyph,) = struct.unpack_from(">H", data, glyph_at)
            if glyph and (glyph + deltas[i]) & 0xFFFF:
                ranges.append((c, c))
    return ranges


def single_face(data: bytes, index: int, path: Path = Path("<font>")) -> bytes:
    """Face `index` of a collection as a standalone font file: its table directory and the
    tables it uses, copied byte for byte (checksums stay valid: table data is unchanged)."""
    version, records = tables(data, index, path)
    count = len(records)
    power = 1 << (count.bit_length() - 1)
    header = struct.pack(">4sHHHH", version, count, power * 16, power.bit_length() - 1, count * 16 - power * 16)
    offset = len(header) + 16 * count
    directory: list[bytes] = []
    body: list[bytes] = []
    for table in sorted(records, key=lambda t: t.tag):
        chunk = data[table.offset : table.offset + table.length]
        directory.append(struct.pack(">4sIII", table.tag.encode("latin-1"), table.checksum, offset, table.length))
        body.append(chunk + b"\0" * (-len(chunk) % 4))
        offset += len(body[-1])
    return b"".join([header, *directory, *body])
