"""What a TM1637 4-digit 7-segment module is sent, as bytes (lobby-facts.md §5). Pure.

To show 4 digits: [0x40] (write data, auto-increment), [0xC0 + 4 segment bytes] (from address 0),
[0x88 | brightness] (display on); each its own start ... stop. Segment byte: bit 0 = a ... bit 6 = g,
bit 7 = the colon/dot.

What a counter display shows (our decision, since M, R and most prefix letters have no 7-segment
shape): the number of the ticket called there, right-aligned, as printed ("M-012" -> " 012"; the last
4 digits of a longer one), blank when nothing is called, "----" for a label without digits. The
prefix is on the counter's board and the lobby screen; the clerk knows their own group.
"""

from __future__ import annotations

DIGITS = 4
DATA_WRITE_AUTO = 0x40
ADDRESS_0 = 0xC0
DISPLAY_ON = 0x88
DISPLAY_OFF = 0x80

SEGMENTS = {
    "0": 0x3F,
    "1": 0x06,
    "2": 0x5B,
    "3": 0x4F,
    "4": 0x66,
    "5": 0x6D,
    "6": 0x7D,
    "7": 0x07,
    "8": 0x7F,
    "9": 0x6F,
    "-": 0x40,
    " ": 0x00,
}
CHARACTERS = {code: char for char, code in SEGMENTS.items()}


def counter_text(label: str | None) -> str:
    """The 4 characters a counter's display shows for the label called there (None: nothing)."""
    if label is None:
        return " " * DIGITS
    digits = "".join(c for c in label if c.isascii() and c.isdigit())
    if not digits:
        return "-" * DIGITS
    return digits[-DIGITS:].rjust(DIGITS)


def segments(text: str) -> bytes:
    """4 segment bytes for 4 characters of SEGMENTS. Raises ValueError for anything else."""
    if len(text) != DIGITS:
        raise ValueError(f"a TM1637 shows {DIGITS} characters, got {text!r}")
    unknown = [c for c in text if c not in SEGMENTS]
    if unknown:
        raise ValueError(f"no 7-segment shape for {unknown[0]!r}")
    return bytes(SEGMENTS[c] for c in text)


def transactions(text: str, brightness: int) -> list[bytes]:
    """The three start ... stop transactions that show `text`."""
    if not 0 <= brightness <= 7:
        raise ValueError(f"brightness is 0..7, got {brightness}")
    return [bytes((DATA_WRITE_AUTO,)), bytes((ADDRESS_0,)) + segments(text), bytes((DISPLAY_ON | brightness,))]


def character(code: int) -> str:
    """What a segment byte looks like, for the decoder ("?" for a shape we never send)."""
    return CHARACTERS.get(code & 0x7F, "?")
