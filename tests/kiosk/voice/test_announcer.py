"""Announcements: made once per (label, counter, language), off the caller's thread, from the cache after."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from drivers.voice.pcm import RATE, from_wav
from kiosk.voice.announcement import Announcement
from kiosk.voice.announcer import Announcer, default_voice
from kiosk.voice.reading import AnnouncementKind
from tests.kiosk.voice.sound import active_share, frames

CALL, RECALL = AnnouncementKind.CALL, AnnouncementKind.RECALL


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("CACHE_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "kiosk" / "voice"


class CountingVoices:
    """The real voices, counting what each is asked to say (patching only our own factory's output)."""

    def __init__(self) -> None:
        self.said: list[tuple[str, str]] = []

    def __call__(self, lang: str):
        voice = default_voice(lang)
        said = self.said

        class Counted:
            def speak(self, text: str):
                said.append((lang, text))
                return voice.speak(text)

            def health(self):
                return voice.health()

            def close(self) -> None:
                voice.close()

        return Counted()


@pytest.fixture
def voices():
    return CountingVoices()


@pytest.fixture
def announcer(cache, voices):
    made = Announcer(voices)
    yield made
    made.close()


def test_an_announcement_is_a_chime_then_speech(announcer, cache):
    path = announcer.wav(Announcement(CALL, "M-012", "13", "en"))
    assert path.parent == cache
    pcm = from_wav(path.read_bytes())
    assert pcm.rate == RATE
    # chime (1.1 s) + Japanese (~7 s) + English (~4 s) + pauses
    assert 9.0 <= pcm.seconds <= 18.0, pcm.seconds
    # The chime first: its first note's 880 Hz dominates the first 0.3 s.
    head = pcm.samples[: int(0.3 * RATE)].astype(np.float64)
    spectrum = np.abs(np.fft.rfft(head))
    assert abs(np.argmax(spectrum) * RATE / len(head) - 880) < 10
    assert active_share(pcm) > 0.5


def test_the_same_call_is_synthesized_once(announcer, voices):
    first = announcer.wav(Announcement(CALL, "M-012", "13", "en"))
    said = len(voices.said)
    again = announcer.wav(Announcement(CALL, "M-012", "13", "en"))
    assert again == first
    assert len(voices.said) == said == 2  # Japanese and English, once each


def test_a_recall_reuses_the_calls_speech(announcer, voices):
    announcer.wav(Announcement(CALL, "M-012", "13", "vi"))
    recall = announcer.wav(Announcement(RECALL, "M-012", "13", "vi"))
    assert [lang for lang, _ in voices.said] == ["ja", "vi"]  # nothing new was said
    call_s = from_wav(announcer.wav(Announcement(CALL, "M-012", "13", "vi")).read_bytes()).seconds
    assert from_wav(recall.read_bytes()).seconds > call_s + 4  # the Japanese once more


def test_a_new_label_counter_or_language_is_new_speech(announcer, voices):
    announcer.wav(Announcement(CALL, "M-012", "13", "ja"))
    announcer.wav(Announcement(CALL, "M-013", "13", "ja"))
    announcer.wav(Announcement(CALL, "M-013", "12", "ja"))
    announcer.wav(Announcement(CALL, "M-013", "12", "en"))
    assert [lang for lang, _ in voices.said] == ["ja", "ja", "ja", "en"]


def test_a_cached_file_survives_a_new_announcer(cache, voices):
    first = Announcer(voices)
    path = first.wav(Announcement(CALL, "S-004", "2", "pt-BR"))
    first.close()
    said = len(voices.said)
    second = Announcer(voices)
    try:
        assert second.cached(Announcement(CALL, "S-004", "2", "pt-BR")) == path
        assert second.wav(Announcement(CALL, "S-004", "2", "pt-BR")) == path
    finally:
        second.close()
    assert len(voices.said) == said


def test_prepare_returns_at_once_and_the_file_follows(announcer):
    future = announcer.prepare(Announcement(CALL, "M-020", "13", "zh-Hans"))
    assert announcer.prepare(Announcement(CALL, "M-020", "13", "zh-Hans")) is future or future.done()
    assert future.result(timeout=30).is_file()


def test_a_voice_that_fails_leaves_the_others_speaking(cache):
    def japanese_only(lang: str):
        if lang != "ja":
            from kiosk.errors import VoiceError

            raise VoiceError("no such voice here")
        return default_voice(lang)

    announcer = Announcer(japanese_only)
    try:
        pcm = from_wav(announcer.wav(Announcement(CALL, "M-012", "13", "en")).read_bytes())
    finally:
        announcer.close()
    assert 6.0 <= pcm.seconds <= 11.0  # the chime and the Japanese alone


def test_the_file_name_changes_with_the_words():
    a = Announcement(CALL, "M-012", "13", "en")
    assert a.file_name() != Announcement(CALL, "M-012", "13", "vi").file_name()
    assert a.file_name() != Announcement(RECALL, "M-012", "13", "en").file_name()
    assert a.file_name().startswith("call-M-012-13-en-")


def test_silence_between_sentences_is_short(announcer):
    pcm = from_wav(announcer.wav(Announcement(CALL, "M-012", "13", "en")).read_bytes())
    quiet = np.sqrt(np.mean(frames(pcm, 0.1) ** 2, axis=1)) < 10 ** (-50 / 20)
    longest, run = 0, 0
    for q in quiet:
        run = run + 1 if q else 0
        longest = max(longest, run)
    assert longest * 0.1 <= 1.0  # no dead air a visitor would take for the end


def test_the_cache_keeps_to_its_size_dropping_the_least_recently_used(cache):
    import os

    from kiosk.voice import cache as voice_cache

    cache.mkdir(parents=True)
    for n in range(10):
        path = cache / f"call-M-{n:03d}.wav"
        path.write_bytes(b"x" * 1000)
        os.utime(path, (1_000_000 + n, 1_000_000 + n))  # written in order, M-000 the oldest
    assert voice_cache.find("call-M-000.wav") is not None  # used now: the newest
    newest = voice_cache.put("call-M-100.wav", b"y" * 1000, cap_bytes=8000)
    left = sorted(p.name for p in cache.glob("*.wav"))
    assert newest.name in left and "call-M-000.wav" in left
    assert sum(p.stat().st_size for p in cache.glob("*.wav")) <= 6400
    assert "call-M-001.wav" not in left and "call-M-009.wav" in left  # the least recently used went first


def test_synthesis_runs_below_the_callers_cpu_priority(cache):
    import os
    import threading

    seen: list[int] = []

    def voice_for(lang: str):
        voice = default_voice(lang)

        class Watched:
            def speak(self, text: str):
                seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
                return voice.speak(text)

            def health(self):
                return voice.health()

            def close(self) -> None:
                voice.close()

        return Watched()

    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    announcer = Announcer(voice_for)
    try:
        announcer.wav(Announcement(CALL, "M-040", "13", None))
    finally:
        announcer.close()
    assert seen == [min(19, mine + 10)]
