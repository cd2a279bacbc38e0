"""Announcements as WAV files: synthesized once, on a worker thread, into the voice cache folder.

An announcement (call or recall; label, counter, the visitor's language) is the chime and the
sentences of `kiosk.voice.reading.script`, each sentence synthesized by its language's voice,
brought to one rate and loudness, and joined with short pauses. Two caches, both in
`kiosk.cachedir`'s "voice" folder, both named by a hash of what they hold (so an edited catalog or a
new voice setting makes new files, never a stale sound):
- each sentence's speech (a recall reuses the call's Japanese; the same call at another counter
  reuses nothing, as the words differ);
- each finished announcement, which is what the lobby page fetches and the ALSA player plays.

Synthesis never sits between a call and its screen update: `prepare` hands the work to one worker
thread (at a lower CPU priority than the service's event loop) and returns a future; the lobby starts
it as soon as it sees a call, so the file is usually there before the page asks for it. Open JTalk
releases the GIL while it synthesizes (measured: the event loop's longest stall was 9 ms during three
back-to-back syntheses).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from drivers.interfaces import Voice
from drivers.voice.pcm import RATE, Pcm, chime, from_wav, join, normalized, resample, silence, to_wav
from kiosk.errors import VoiceError
from kiosk.voice import cache
from kiosk.voice.announcement import WORKER_NICE, Announcement, speech_file_name
from kiosk.voice.reading import JAPANESE, Line

log = logging.getLogger(__name__)

LEAD_S = 0.25  # after the chime, before the first sentence
PAUSE_S = 0.6  # between sentences
TAIL_S = 0.3

VoiceFactory = Callable[[str], Voice]


class Announcer:
    """Makes and caches announcement files. Thread-safe; one synthesis at a time."""

    def __init__(self, voice_for: VoiceFactory, nice: int = WORKER_NICE) -> None:
        """`nice`: the worker thread's CPU priority below the caller's (0: the same, for the bench)."""
        self._voice_for = voice_for
        self._voices: dict[str, Voice | None] = {}
        self._executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="voice", initializer=_lower_priority, initargs=(nice,)
        )
        self._pending: dict[str, Future[Path]] = {}
        self._lock = threading.Lock()
        self.synthesized = 0  # sentences synthesized (not found in the cache): tests and the bench read it

    def cached(self, announcement: Announcement) -> Path | None:
        return cache.find(announcement.file_name())

    def prepare(self, announcement: Announcement) -> Future[Path]:
        """The announcement's file, made on the worker unless it is cached already (then the future is done)."""
        name = announcement.file_name()
        with self._lock:
            pending = self._pending.get(name)
            if pending is not None:
                return pending
            found = cache.find(name)
            if found is not None:
                done: Future[Path] = Future()
                done.set_result(found)
                return done
            future = self._executor.submit(self._make, announcement)
            self._pending[name] = future
            future.add_done_callback(lambda _: self._forget(name))
            return future

    def wav(self, announcement: Announcement, timeout_s: float = 30.0) -> Path:
        """The file, waiting for its synthesis when needed. Raises VoiceError when it cannot be made."""
        return self.prepare(announcement).result(timeout=timeout_s)

    def warm_up(self) -> None:
        """Load the Japanese voice on the worker thread now (Open JTalk reads its dictionary), not at the first call."""
        self._executor.submit(self._voice, "ja")

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        for voice in self._voices.values():
            if voice is not None:
                voice.close()

    # --- on the worker ------------------------------------------------------------------------

    def _forget(self, name: str) -> None:
        with self._lock:
            self._pending.pop(name, None)

    def _make(self, announcement: Announcement) -> Path:
        parts = [chime(), silence(LEAD_S)]
        spoken = 0
        for line in announcement.lines():
            speech = self._speech(line)
            if speech is None:
                continue  # that language's voice failed: the others still speak
            if spoken:
                parts.append(silence(PAUSE_S))
            parts.append(speech)
            spoken += 1
        if spoken == 0:
            raise VoiceError(f"no voice could say {announcement.label} for counter {announcement.counter}")
        parts.append(silence(TAIL_S))
        return cache.put(announcement.file_name(), to_wav(join(parts)))

    def _speech(self, line: Line) -> Pcm | None:
        name = speech_file_name(line)
        found = cache.find(name)
        if found is not None:
            return from_wav(found.read_bytes())
        voice = self._voice(line.lang)
        if voice is None:
            return None
        try:
            pcm = normalized(resample(voice.speak(line.text), RATE))
        except VoiceError as exc:
            log.error("%s", exc)
            return None
        self.synthesized += 1
        cache.put(name, to_wav(pcm))
        return pcm

    def _voice(self, lang: str) -> Voice | None:
        key = "ja" if lang in JAPANESE else lang
        if key not in self._voices:
            try:
                self._voices[key] = self._voice_for(key)
            except VoiceError as exc:
                log.error("no voice for %s: %s", lang, exc)
                self._voices[key] = None
        return self._voices[key]


def _lower_priority(nice: int) -> None:
    if nice <= 0:
        return
    with contextlib.suppress(OSError):  # not permitted or not Linux: it still works, only less politely
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + nice)


def default_voice(lang: str) -> Voice:
    """Open JTalk for Japanese, espeak-ng for the rest (drivers imported only when a voice is wanted)."""
    if lang in JAPANESE:
        from drivers.voice.openjtalk import OpenJTalkVoice

        return OpenJTalkVoice(speed=JAPANESE_SPEED)
    from drivers.voice.espeak import EspeakVoice

    return EspeakVoice(lang)


JAPANESE_SPEED = 0.95  # a touch slower than Open JTalk's default, for a loud hall and elderly visitors
