"""ISO 7816-4 APDUs as bytes: build commands, parse commands and responses, read DER and BER-TLV lengths.

Pure: no reader, no clock. The reading session (`drivers.card.precheck`) builds every command here
and the allowlist (`drivers.card.allowlist`) parses the encoded bytes back with `parse_command`,
so what is checked is exactly what leaves the driver. Every parser raises `MalformedData` on bytes
it cannot trust; callers turn that into "not known", never into a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

SW_OK = 0x9000
SW_END_OF_FILE = 0x6282  # fewer bytes than Le: the file ended
SW_WRONG_LENGTH = 0x6700  # e.g. extended length not supported
SW_SECURITY = 0x6982
SW_LOCKED = 0x6984  # authentication method blocked
SW_BLOCKED = 0x6983
SW_NO_CURRENT_EF = 0x6986
SW_FILE_NOT_FOUND = 0x6A82
SW_WRONG_P1P2 = 0x6A86
SW_DATA_NOT_FOUND = 0x6A88
SW_WRONG_OFFSET = 0x6B00
SW_INS_NOT_SUPPORTED = 0x6D00
SW_CLA_NOT_SUPPORTED = 0x6E00

INS_SELECT = 0xA4
INS_READ_BINARY = 0xB0
INS_READ_RECORD = 0xB2
INS_VERIFY = 0x20
INS_GET_DATA = 0xCA

SHORT_MAX = 256
EXTENDED_MAX = 65536


class MalformedData(ValueError):
    """Bytes from the card (or a command) that do not follow the format they claim."""


@dataclass(frozen=True)
class Command:
    """One command APDU. `le` None = no response data expected; 256 (short) / 65536 (extended) = 'all'."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None
    extended: bool = False

    def encode(self) -> bytes:
        for name, value in (("cla", self.cla), ("ins", self.ins), ("p1", self.p1), ("p2", self.p2)):
            if not 0 <= value <= 0xFF:
                raise MalformedData(f"{name} {value} is not a byte")
        header = bytes((self.cla, self.ins, self.p1, self.p2))
        limit = EXTENDED_MAX if self.extended else SHORT_MAX
        if len(self.data) > (0xFFFF if self.extended else 0xFF):
            raise MalformedData(f"{len(self.data)} data bytes do not fit this APDU")
        if self.le is not None and not 1 <= self.le <= limit:
            raise MalformedData(f"Le {self.le} out of range 1..{limit}")
        if not self.extended:
            body = bytes((len(self.data),)) + self.data if self.data else b""
            le = b"" if self.le is None else bytes((self.le % SHORT_MAX,))
            return header + body + le
        body = b"\x00" + len(self.data).to_bytes(2, "big") + self.data if self.data else b""
        if self.le is None:
            return header + body
        le2 = (self.le % EXTENDED_MAX).to_bytes(2, "big")
        return header + body + (le2 if self.data else b"\x00" + le2)


def parse_command(raw: bytes) -> Command:
    """The command an encoded APDU stands for (ISO 7816-3 cases 1-4, short and extended)."""
    if len(raw) < 4:
        raise MalformedData(f"a command needs 4 header bytes, got {len(raw)}")
    cla, ins, p1, p2 = raw[:4]
    body = raw[4:]
    if not body:
        return Command(cla, ins, p1, p2)
    if len(body) == 1:
        return Command(cla, ins, p1, p2, le=body[0] or SHORT_MAX)
    if body[0] != 0:  # short Lc
        lc = body[0]
        rest = body[1:]
        if len(rest) == lc:
            return Command(cla, ins, p1, p2, data=bytes(rest))
        if len(rest) == lc + 1:
            return Command(cla, ins, p1, p2, data=bytes(rest[:lc]), le=rest[lc] or SHORT_MAX)
        raise MalformedData(f"Lc {lc} does not match {len(rest)} remaining bytes")
    if len(body) == 3:  # extended case 2: 00 Le1 Le2
        return Command(cla, ins, p1, p2, le=int.from_bytes(body[1:3], "big") or EXTENDED_MAX, extended=True)
    if len(body) < 3:
        raise MalformedData("truncated extended length")
    lc = int.from_bytes(body[1:3], "big")
    rest = body[3:]
    if lc == 0:
        raise MalformedData("extended Lc of zero")
    if len(rest) == lc:
        return Command(cla, ins, p1, p2, data=bytes(rest), extended=True)
    if len(rest) == lc + 2:
        le = int.from_bytes(rest[lc:], "big") or EXTENDED_MAX
        return Command(cla, ins, p1, p2, data=bytes(rest[:lc]), le=le, extended=True)
    raise MalformedData(f"extended Lc {lc} does not match {len(rest)} remaining bytes")


@dataclass(frozen=True)
class Response:
    data: bytes
    sw: int

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK

    def __str__(self) -> str:
        return f"{len(self.data)} bytes, SW {self.sw:04X}"


def parse_response(raw: bytes) -> Response:
    if len(raw) < 2:
        raise MalformedData(f"a response needs 2 status bytes, got {len(raw)}")
    sw = int.from_bytes(raw[-2:], "big")
    if raw[-2] >> 4 not in (0x6, 0x9) or raw[-2] == 0x60:
        raise MalformedData(f"SW1 {raw[-2]:02X} is not a status byte")
    return Response(bytes(raw[:-2]), sw)


# --- commands the kiosk sends (card-facts.md) ---------------------------------------------------


def select_aid(aid: bytes) -> Command:
    return Command(0x00, INS_SELECT, 0x04, 0x0C, data=aid)


def select_ef(fid: bytes) -> Command:
    if len(fid) != 2:
        raise MalformedData("a file id has 2 bytes")
    return Command(0x00, INS_SELECT, 0x02, 0x0C, data=fid)


def select_mf() -> Command:
    return Command(0x00, INS_SELECT, 0x00, 0x00)


def read_binary(offset: int, le: int, *, extended: bool = False) -> Command:
    if not 0 <= offset <= 0x7FFF:  # bit 8 of P1 set would mean SFI addressing: never used
        raise MalformedData(f"offset {offset} out of range")
    return Command(0x00, INS_READ_BINARY, offset >> 8, offset & 0xFF, le=le, extended=extended)


def read_record(record: int) -> Command:
    return Command(0x00, INS_READ_RECORD, record, 0x04, le=SHORT_MAX)


def verify_query(p2: int) -> Command:
    """VERIFY with no data: asks for the tries left and consumes none."""
    return Command(0x00, INS_VERIFY, 0x00, p2)


def get_data(cla: int, p1: int, p2: int) -> Command:
    return Command(cla, INS_GET_DATA, p1, p2, le=SHORT_MAX)


# --- status words and data formats ----------------------------------------------------------------


def tries_left(sw: int, limit: int) -> int | None:
    """Tries left from the answer to VERIFY with no data; None when the card does not say (or says nonsense)."""
    if sw in (SW_LOCKED, SW_BLOCKED):
        return 0
    if sw & 0xFFF0 == 0x63C0:
        tries = sw & 0x0F
        return tries if tries <= limit else None
    return None  # 63 00 (no limit), 90 00 (not reported), or anything else


def der_length(data: bytes, offset: int = 0) -> tuple[int, int]:
    """(header length, content length) of the DER element starting at `offset`."""
    if len(data) < offset + 2:
        raise MalformedData("DER header truncated")
    first = data[offset + 1]
    if first < 0x80:
        return 2, first
    count = first & 0x7F
    if count == 0 or count > 4:
        raise MalformedData(f"unsupported DER length form {first:02X}")
    if len(data) < offset + 2 + count:
        raise MalformedData("DER length truncated")
    length = int.from_bytes(data[offset + 2 : offset + 2 + count], "big")
    if length < 0x80 or length < 1 << (8 * (count - 1)):
        raise MalformedData("DER length not in its shortest form")
    return 2 + count, length


def der_total_length(data: bytes) -> int:
    """Size of a whole DER SEQUENCE from its first bytes (a certificate starts with 30 82 ...)."""
    if not data or data[0] != 0x30:
        raise MalformedData("not a DER SEQUENCE")
    header, content = der_length(data)
    return header + content


def parse_tlv(data: bytes) -> dict[int, bytes]:
    """BER-TLV objects at one level (multi-byte tags, definite lengths), tag -> value."""
    objects: dict[int, bytes] = {}
    i = 0
    while i < len(data):
        if data[i] in (0x00, 0xFF) and i == len(data) - 1:
            break  # padding
        tag = data[i]
        i += 1
        if tag & 0x1F == 0x1F:
            while True:
                if i >= len(data):
                    raise MalformedData("TLV tag truncated")
                tag = (tag << 8) | data[i]
                i += 1
                if not data[i - 1] & 0x80:
                    break
                if tag > 0xFFFFFF:
                    raise MalformedData("TLV tag too long")
        if i >= len(data):
            raise MalformedData("TLV length missing")
        length = data[i]
        i += 1
        if length & 0x80:
            count = length & 0x7F
            if count == 0 or count > 3 or i + count > len(data):
                raise MalformedData("TLV length malformed")
            length = int.from_bytes(data[i : i + count], "big")
            i += count
        if i + length > len(data):
            raise MalformedData(f"TLV value of tag {tag:X} truncated")
        objects[tag] = bytes(data[i : i + length])
        i += length
    return objects


def parse_ascii_date(raw: bytes) -> date:
    """YYYYMMDD in ASCII digits (GET DATA F2, the common-card record)."""
    if len(raw) != 8 or not raw.isdigit():
        raise MalformedData("not an 8-digit ASCII date")
    return _date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))


def parse_bcd_date(raw: bytes) -> date:
    """YYYYMMDD in 4 packed BCD bytes (the licence card's EF 2F01)."""
    if len(raw) != 4:
        raise MalformedData("a BCD date has 4 bytes")
    digits = "".join(f"{b >> 4}{b & 0x0F}" for b in raw)
    if not digits.isdigit() or len(digits) != 8 or any((b >> 4) > 9 or (b & 0x0F) > 9 for b in raw):
        raise MalformedData("not a BCD date")
    return _date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))


def _date(year: int, month: int, day: int) -> date:
    if not 1990 <= year <= 2200:
        raise MalformedData(f"year {year} is implausible for a card")
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise MalformedData(str(exc)) from None
