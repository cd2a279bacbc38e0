"""The kiosk's lamp and buzzer, driven from the runtime's poll (kiosk.domain.signal decides).

The number boards belong to `kiosk lobby` (another process); it writes its devices' health to
`lobby-devices.json` in the data folder every few seconds (kiosk/lobby/wired.py), and the lamp
reads it here at most every `READ_EVERY_S`. A file older than `STALE_S` says nothing (the lobby is
not running, or runs on another machine): no board is taken for offline on old news.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from drivers.gpio.lamp import GpioLamp
from drivers.interfaces import CardPresence, PaperState, PrinterStatus
from kiosk.domain.signal import STAFF_CALL_S, KioskCondition, SignalShown, kiosk_signal

log = logging.getLogger(__name__)

LOBBY_DEVICES_FILE = "lobby-devices.json"
READ_EVERY_S = 5.0
STALE_S = 30.0


class LobbyBoards:
    """Whether `kiosk lobby` says a number board is offline (read from its file, throttled)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / LOBBY_DEVICES_FILE
        self._read_at = -READ_EVERY_S
        self._down = False

    def __call__(self) -> bool:
        now = time.monotonic()
        if now - self._read_at >= READ_EVERY_S:
            self._read_at = now
            self._down = self._read()
        return self._down

    def _read(self) -> bool:
        try:
            if time.time() - self.path.stat().st_mtime > STALE_S:
                return False
            devices = json.loads(self.path.read_text(encoding="utf-8"))["devices"]
            return any(d["device"].startswith("board ") and d["state"] == "down" for d in devices)
        except (OSError, ValueError, KeyError, TypeError):
            return False


class LampControl:
    def __init__(self, lamp: GpioLamp, boards_down: Callable[[], bool] = lambda: False) -> None:
        self.lamp = lamp
        self._boards_down = boards_down
        self._staff_called_at: datetime | None = None
        self.shown: SignalShown | None = None

    def staff_called(self, now: datetime) -> None:
        self._staff_called_at = now
        self.lamp.beep()

    def update(self, printer: PrinterStatus | None, presence: CardPresence, now: datetime) -> None:
        called = self._staff_called_at
        condition = KioskCondition(
            can_print=None if printer is None or printer.online is None else printer.can_print,
            paper_low=printer is not None and printer.paper is PaperState.NEAR_END,
            reader_gone=presence is CardPresence.READER_GONE,
            staff_called=called is not None and now - called < timedelta(seconds=STAFF_CALL_S),
            boards_down=self._boards_down(),
        )
        shown = kiosk_signal(condition)
        if shown != self.shown:
            self.shown = shown
            self.lamp.show(shown.signal.value)
            log.info("lamp %s%s", shown.signal.value, f": {', '.join(shown.reasons)}" if shown.reasons else "")

    def close(self) -> None:
        self.lamp.close()
