"""A simulated speaker: takes each WAV as a real one would (in real time, one at a time) and records it.

For tests and the headless demo: what was played, in which order, when it started and ended.
`fail_next` makes the next play fail as an unplugged USB speaker would.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from drivers.interfaces import Health, HealthState
from drivers.voice.pcm import from_wav
from kiosk.errors import VoiceError


@dataclass(frozen=True)
class Played:
    wav: bytes
    started: float  # time.monotonic()
    ended: float


class SimSpeaker:
    def __init__(self, speed: float = 1.0) -> None:
        self.speed = speed  # > 1 plays faster than real time (tests)
        self.played: list[Played] = []
        self._playing = threading.Lock()
        self._fail_next = False

    def fail_next(self) -> None:
        self._fail_next = True

    def play(self, wav: bytes) -> None:
        seconds = from_wav(wav).seconds
        if not self._playing.acquire(blocking=False):
            raise VoiceError("simulated speaker: two sounds at once")
        try:
            if self._fail_next:
                self._fail_next = False
                raise VoiceError("simulated speaker: unplugged")
            started = time.monotonic()
            time.sleep(seconds / self.speed)
            self.played.append(Played(wav, started, time.monotonic()))
        finally:
            self._playing.release()

    def health(self) -> Health:
        return Health("speaker", HealthState.OK, f"simulated, {len(self.played)} played", True)

    def close(self) -> None:
        pass
