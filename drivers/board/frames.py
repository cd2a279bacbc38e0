"""The serial number board's wire format (lobby-facts.md §4, a SPEC of ours): frames out, answers back.

    frame  = STX ADDR CMD DATA ETX BCC
    ADDR   = two ASCII hex digits, "01".."FE"; "FF" = every board, never answered
    CMD    = S (show a row, "<row>:<text>"), F (flash a row, "<row>:<seconds>"), C (clear), P (ping), T (chime)
    DATA   = 0..64 printable ASCII bytes (0x20..0x7E)
    BCC    = XOR of every byte from the first ADDR digit through ETX inclusive
    answer = ACK|NAK|ENQ followed by the board's two ADDR digits

Pure: bytes in, values out. The driver (drivers/board/serial_board.py) builds frames with `encode`
and reads answers with `AnswerReader`; the emulator (drivers/board/emulator.py) reads frames with
`FrameReader` and checks each with `check`, so both sides hold to one definition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

STX = 0x02
ETX = 0x03
ACK = 0x06
NAK = 0x15
ENQ = 0x05

BROADCAST = "FF"
MAX_DATA = 64
MAX_TEXT = 8  # characters of a row's text
ROWS = range(1, 10)

_ADDRESS = re.compile(r"[0-9A-F]{2}")
_ROW_TEXT = re.compile(r"([1-9]):(.*)", re.DOTALL)
_ROW_SECONDS = re.compile(r"([1-9]):([0-9]{1,2})")


class Command(StrEnum):
    SHOW = "S"
    FLASH = "F"
    CLEAR = "C"
    PING = "P"
    CHIME = "T"


class Answer(StrEnum):
    ACK = "ack"
    NAK = "nak"
    ENQ = "enq"  # "I have restarted: send me everything"


_ANSWER_BYTES = {ACK: Answer.ACK, NAK: Answer.NAK, ENQ: Answer.ENQ}
ANSWER_CODES = {answer: code for code, answer in _ANSWER_BYTES.items()}


@dataclass(frozen=True)
class Frame:
    address: str
    command: Command
    data: str = ""

    @property
    def row(self) -> int | None:
        """The row an S or F frame is about."""
        if self.command in (Command.SHOW, Command.FLASH):
            return int(self.data.split(":", 1)[0])
        return None


def is_address(text: str) -> bool:
    """A board's own address: "01".."FE" (upper-case hex), not the broadcast."""
    return bool(_ADDRESS.fullmatch(text)) and text not in ("00", BROADCAST)


def printable(text: str) -> bool:
    return all(0x20 <= ord(c) <= 0x7E for c in text)


def data_problem(command: Command, data: str) -> str | None:
    """What is wrong with `data` for `command`, or None. Used by both sides."""
    if len(data) > MAX_DATA:
        return f"data is {len(data)} bytes, at most {MAX_DATA}"
    if not printable(data):
        return "data holds a byte outside 0x20..0x7E"
    match command:
        case Command.SHOW:
            match = _ROW_TEXT.fullmatch(data)
            if match is None:
                return f"S wants <row 1-9>:<text>, got {data!r}"
            if len(match[2]) > MAX_TEXT:
                return f"row text {match[2]!r} is longer than {MAX_TEXT} characters"
        case Command.FLASH:
            if _ROW_SECONDS.fullmatch(data) is None:
                return f"F wants <row 1-9>:<seconds>, got {data!r}"
        case Command.CLEAR | Command.PING | Command.CHIME:
            if data:
                return f"{command.value} takes no data, got {data!r}"
    return None


def bcc(body: bytes) -> int:
    """XOR of `body` (ADDR through ETX)."""
    value = 0
    for byte in body:
        value ^= byte
    return value


def encode(frame: Frame) -> bytes:
    """The frame's bytes. Raises ValueError for a frame no board would take (never sent, then)."""
    if not (is_address(frame.address) or frame.address == BROADCAST):
        raise ValueError(f"address {frame.address!r}: two hex digits 01..FE, or FF for every board")
    problem = data_problem(frame.command, frame.data)
    if problem is not None:
        raise ValueError(problem)
    body = frame.address.encode("ascii") + frame.command.value.encode("ascii") + frame.data.encode("ascii") + b"\x03"
    return bytes((STX,)) + body + bytes((bcc(body),))


def show(address: str, row: int, text: str) -> Frame:
    return Frame(address, Command.SHOW, f"{row}:{text}")


def flash(address: str, row: int, seconds: int) -> Frame:
    return Frame(address, Command.FLASH, f"{row}:{seconds}")


def encode_answer(answer: Answer, address: str) -> bytes:
    return bytes((ANSWER_CODES[answer],)) + address.encode("ascii")


# --- the board's side: frames from a byte stream ------------------------------------------------


@dataclass(frozen=True)
class Malformed:
    """Bytes that began as a frame and are not a good one. `address` when it could be read (the board
    NAKs a malformed frame addressed to it; one it cannot tell is for it, it cannot answer)."""

    raw: bytes
    reason: str
    address: str | None


class FrameReader:
    """Splits the bytes a board receives into frames. Bytes outside a frame are ignored (§4); an STX in
    the middle of a frame starts a new one (the broken one is reported)."""

    _LONGEST = 1 + 2 + 1 + MAX_DATA + 1 + 1

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._in_frame = False
        self._need_bcc = False

    def feed(self, data: bytes) -> list[Frame | Malformed]:
        found: list[Frame | Malformed] = []
        for byte in data:
            if not self._in_frame:
                if byte == STX:
                    self._buffer = bytearray((STX,))
                    self._in_frame = True
                continue  # noise between frames
            if self._need_bcc:
                self._buffer.append(byte)
                found.append(check(bytes(self._buffer)))
                self._in_frame = self._need_bcc = False
                continue
            if byte == STX:
                found.append(Malformed(bytes(self._buffer), "a new frame began before ETX", _address_of(self._buffer)))
                self._buffer = bytearray((STX,))
                continue
            self._buffer.append(byte)
            if byte == ETX:
                self._need_bcc = True
            elif len(self._buffer) >= self._LONGEST:
                found.append(Malformed(bytes(self._buffer), "no ETX within the longest frame", None))
                self._in_frame = False
        return found


def _address_of(raw: bytes | bytearray) -> str | None:
    text = bytes(raw[1:3]).decode("ascii", "replace")
    return text if len(raw) >= 3 and (is_address(text) or text == BROADCAST) else None


def check(raw: bytes) -> Frame | Malformed:
    """One whole frame, STX through BCC, checked byte by byte."""
    address = _address_of(raw)
    if len(raw) < 6 or raw[0] != STX or raw[-2] != ETX:
        return Malformed(raw, "too short or not framed by STX ... ETX BCC", address)
    body = raw[1:-1]
    if bcc(body) != raw[-1]:
        return Malformed(raw, f"BCC is {raw[-1]:#04x}, the bytes give {bcc(body):#04x}", address)
    if address is None:
        return Malformed(raw, f"address {raw[1:3]!r} is not two upper-case hex digits 01..FF", None)
    letter = chr(raw[3])
    try:
        command = Command(letter)
    except ValueError:
        return Malformed(raw, f"unknown command {letter!r}", address)
    data_bytes = raw[4:-2]
    if any(not 0x20 <= b <= 0x7E for b in data_bytes):
        return Malformed(raw, "data holds a byte outside 0x20..0x7E", address)
    data = data_bytes.decode("ascii")
    problem = data_problem(command, data)
    if problem is not None:
        return Malformed(raw, problem, address)
    return Frame(address, command, data)


# --- the host's side: answers from a byte stream -------------------------------------------------


@dataclass(frozen=True)
class Reply:
    answer: Answer
    address: str


class AnswerReader:
    """Finds `ACK|NAK|ENQ` + two address digits in what the port returns; anything else is noise
    (a garbled answer is no answer: the host resends)."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def clear(self) -> None:
        self._buffer.clear()

    def feed(self, data: bytes) -> list[Reply]:
        self._buffer += data
        replies: list[Reply] = []
        i = 0
        while i < len(self._buffer):
            code = self._buffer[i]
            if code not in _ANSWER_BYTES:
                i += 1
                continue
            if len(self._buffer) - i < 3:
                break  # the address digits are still on their way
            address = bytes(self._buffer[i + 1 : i + 3]).decode("ascii", "replace")
            if is_address(address):
                replies.append(Reply(_ANSWER_BYTES[code], address))
                i += 3
            else:
                i += 1
        del self._buffer[:i]
        return replies
