"""Plays announcements on a speaker one at a time, in the order they were called.

Each entry is the announcer's future for a file: the player waits for it (synthesis may still be
running) and plays it whole before the next; a call made while one plays waits its turn. A file
that cannot be made, or a speaker that fails, is logged and skipped: the next call still plays.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from pathlib import Path

from drivers.interfaces import Speaker
from drivers.voice.pcm import from_wav, scaled, to_wav
from kiosk.errors import KioskError

log = logging.getLogger(__name__)

SYNTH_WAIT_S = 30.0


class Player:
    def __init__(self, speaker: Speaker, volume: float) -> None:
        self.speaker = speaker
        self.volume = volume
        self._queue: queue.Queue[Future[Path] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="voice-player", daemon=True)
        self._thread.start()

    def enqueue(self, announcement: Future[Path]) -> None:
        self._queue.put(announcement)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=60)
        self.speaker.close()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            try:
                path = item.result(timeout=SYNTH_WAIT_S)
                self.speaker.play(to_wav(scaled(from_wav(path.read_bytes()), self.volume)))
            except (KioskError, OSError, TimeoutError) as exc:
                log.error("voice: an announcement was not played: %s", exc)
