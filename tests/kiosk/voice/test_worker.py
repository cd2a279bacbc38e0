"""The voice worker: announcements made in a child process, same files and cache as in-process."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from drivers.voice.pcm import from_wav
from kiosk.errors import VoiceError
from kiosk.voice.announcement import Announcement
from kiosk.voice.reading import AnnouncementKind
from kiosk.voice.worker import VoiceWorker

CALL = AnnouncementKind.CALL


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("CACHE_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # the child inherits it
    return tmp_path / "kiosk" / "voice"


@pytest.fixture
def worker(cache):
    made = VoiceWorker()
    yield made
    made.close()


def test_the_worker_makes_the_file_into_the_shared_cache(worker, cache):
    first = worker.prepare(Announcement(CALL, "M-012", "13", "en"))
    second = worker.prepare(Announcement(CALL, "M-013", "13", None))
    paths = [first.result(timeout=60), second.result(timeout=60)]
    assert [p.parent for p in paths] == [cache, cache]
    assert from_wav(paths[0].read_bytes()).seconds > from_wav(paths[1].read_bytes()).seconds + 2  # English too
    # Cached now: answered at once, without asking the child.
    again = worker.prepare(Announcement(CALL, "M-012", "13", "en"))
    assert again.done() and again.result() == paths[0]


def test_a_worker_that_dies_mid_announcement_fails_it_and_the_next_starts_a_new_worker(worker, cache):
    lost = worker.prepare(Announcement(CALL, "M-020", "13", None))
    process = worker._process
    assert process is not None
    os.kill(process.pid, signal.SIGKILL)  # still starting up: the request is unanswered
    with pytest.raises(VoiceError, match="exited"):
        lost.result(timeout=30)
    assert worker.wav(Announcement(CALL, "M-021", "13", None), timeout_s=60).is_file()
    assert worker._process is not process


def test_a_worker_that_died_idle_is_started_again(worker, cache):
    worker.warm_up()
    process = worker._process
    assert process is not None
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    assert worker.wav(Announcement(CALL, "M-022", "13", None), timeout_s=60).is_file()


def test_a_closed_worker_refuses_clearly(cache):
    worker = VoiceWorker()
    worker.close()
    with pytest.raises(VoiceError, match="closed"):
        worker.wav(Announcement(CALL, "M-030", "13", None))
