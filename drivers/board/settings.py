"""The serial number boards' settings: `[[boards]]` of the site config (read by kiosk/site/load.py).

Pure values. The protocol's times are lobby-facts.md §4's; they are fields only so tests and the
bench can run the same driver with a faster clock (a 5 s ping would make a test wait 5 s).
"""

from __future__ import annotations

from dataclasses import dataclass

BOARD_BAUDS = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)


@dataclass(frozen=True)
class BoardConfig:
    """One board: where it hangs on the line, and which counter's call each of its rows shows."""

    port: str  # "/dev/ttyUSB0", a pty path, or any pyserial URL ("loop://", "socket://HOST:PORT")
    address: str  # "01".."FE"
    baud: int = 9600  # 8N1
    rows: tuple[str, ...] = ()  # row 1 shows counter rows[0]'s call, row 2 rows[1]'s, ...


@dataclass(frozen=True)
class BoardTiming:
    reply_timeout_s: float = 0.15  # §4: no answer in 150 ms -> resend
    tries: int = 3  # §4: up to 3 tries in all, then the board is offline
    ping_every_s: float = 5.0  # §4: every board, online or offline
    refresh_every_s: float = 60.0  # §4: every row to every board anyway
    flash_s: int = 5  # §4: a call flashes its row this long
    reopen_every_s: float = 5.0  # a port that could not be opened (adapter unplugged) is tried again
