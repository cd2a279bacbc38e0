"""The player on the lobby machine's own speaker (output = "alsa"): announcements one at a time, in the
order they were called, whole, at the configured volume; a failure skips one, never the rest."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

import numpy as np

from drivers.voice.pcm import Pcm, from_wav, to_wav
from drivers.voice.sim import SimSpeaker
from kiosk.voice.player import Player


def tone_file(folder: Path, name: str, seconds: float, level: int = 20_000) -> Path:
    path = folder / name
    samples = np.full(round(seconds * 24_000), level, dtype=np.int16)
    path.write_bytes(to_wav(Pcm(24_000, samples)))
    return path


def done(path: Path) -> Future[Path]:
    future: Future[Path] = Future()
    future.set_result(path)
    return future


def test_announcements_play_in_call_order_one_at_a_time_and_whole(tmp_path):
    speaker = SimSpeaker(speed=10)
    player = Player(speaker, volume=1.0)
    slow: Future[Path] = Future()  # the first call's file is still being synthesized
    player.enqueue(slow)
    player.enqueue(done(tone_file(tmp_path, "second.wav", 0.5)))
    slow.set_result(tone_file(tmp_path, "first.wav", 2.0))
    player.close()
    lengths = [from_wav(p.wav).seconds for p in speaker.played]
    assert lengths == [2.0, 0.5]  # the second waited for the first, though its file was ready first
    assert speaker.played[1].started >= speaker.played[0].ended


def test_the_volume_scales_the_samples(tmp_path):
    speaker = SimSpeaker(speed=100)
    player = Player(speaker, volume=0.5)
    player.enqueue(done(tone_file(tmp_path, "a.wav", 0.2, level=20_000)))
    player.close()
    assert int(np.max(from_wav(speaker.played[0].wav).samples)) == 10_000


def test_a_failed_announcement_is_skipped_and_the_next_plays(tmp_path):
    speaker = SimSpeaker(speed=100)
    player = Player(speaker, volume=1.0)
    broken: Future[Path] = Future()
    broken.set_exception(OSError("cache folder gone"))
    speaker.fail_next()
    player.enqueue(done(tone_file(tmp_path, "unplugged.wav", 0.2)))  # the speaker fails this one
    player.enqueue(broken)
    player.enqueue(done(tone_file(tmp_path, "third.wav", 0.3)))
    player.close()
    assert [from_wav(p.wav).seconds for p in speaker.played] == [0.3]
