"""An announcement as a value: what it says, the file it is cached as, and what makes its file.

Kept apart from the announcer (numpy, the voices) so the lobby service names announcements and asks
its voice worker for them without loading any of that itself.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from kiosk.voice.reading import AnnouncementKind, Line, script

CACHE_KIND = "voice"
# Bump when the sound of a cached file changes without its words changing (voice, rate, pauses).
SOUND_VERSION = "1"
WORKER_NICE = 10  # the voice's worker (thread or process) yields the CPU to the service and its screens


@dataclass(frozen=True)
class Announcement:
    kind: AnnouncementKind
    label: str  # "M-012"
    counter: str  # the counter's number as signed in the hall ("13")
    lang: str | None  # the visitor's language; None when not known (Japanese only)

    def lines(self) -> tuple[Line, ...]:
        return script(self.kind, self.label, self.counter, self.lang)

    def file_name(self) -> str:
        words = "\n".join(f"{line.lang}:{line.text}" for line in self.lines())
        digest = hashlib.sha256(f"{SOUND_VERSION}\n{words}".encode()).hexdigest()[:16]
        safe_label = "".join(c if c.isalnum() or c == "-" else "_" for c in self.label)
        return f"{self.kind.value}-{safe_label}-{self.counter}-{self.lang or 'ja'}-{digest}.wav"


def speech_file_name(line: Line) -> str:
    digest = hashlib.sha256(f"{SOUND_VERSION}\n{line.lang}:{line.text}".encode()).hexdigest()[:16]
    return f"speech-{line.lang}-{digest}.wav"


class Announcements(Protocol):
    """What the lobby needs of a maker of announcement files: `kiosk.voice.announcer.Announcer`, or
    `kiosk.voice.worker.VoiceWorker` (the same in a child process)."""

    def prepare(self, announcement: Announcement) -> Future[Path]: ...

    def warm_up(self) -> None: ...

    def wav(self, announcement: Announcement, timeout_s: float = 30.0) -> Path: ...

    def close(self) -> None: ...
