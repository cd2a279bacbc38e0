"""How fast the lobby's voice is ready, and how soon a call is heard on the lobby screen.

- `voice.engine_load_ms`: Open JTalk's dictionary and HTS voice loaded (once per service start).
- `voice.synth_ms` (median of `SYNTH_SAMPLES`; `voice.synth_max_ms` the slowest): one Japanese
  announcement that is in no cache (a new label each time, a fresh cache folder): the sentence
  synthesized, resampled, the chime added, the WAV written. Target <= 500. Measured at the bench's
  own CPU priority: the lobby's worker runs at nice 10 so the screens win the CPU, which on an
  appliance costs it nothing, but on a machine shared with other work measures only the neighbours;
  `voice.synth_nice_ms` is the same at nice 10, as deployed, for comparison.
- `voice.call_to_audio_ms` (p50, p95): a call through the store in this process (another process than
  the service, as `kiosk call` is) -> the lobby screen's page in Debian's Chromium (autoplay allowed,
  as on the TVs) starts playing its announcement (the <audio> "playing" event), the cache warm (the
  announcement made beforehand, as the service's follower makes it the moment a call is published).
  Each call waits until the previous announcement has ended, so no queueing is counted; the page plays
  at 16x speed so the bench takes about a minute (a call of one counter every `PAUSE_S`, past its
  same-press window). Target p95 <= 300.
- `voice.worker_rss_mb`: the resident memory of the service's voice worker (a child process) after
  those calls; the service's own is `lobby.rss_mb`.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from kiosk.bench.lobby import CONFIG, _issue, _percentile, _Service
from kiosk.demo.lobby import CHROMIUM, CHROMIUM_ARGS
from kiosk.queue.lifecycle import CallingSetup
from kiosk.queue.model import label_of
from kiosk.queue.sqlite_calling import SqliteCallingStore
from kiosk.queue.sqlite_store import DATABASE_FILE
from kiosk.site.load import load_site_config
from kiosk.voice.announcement import WORKER_NICE, Announcement
from kiosk.voice.announcer import Announcer, default_voice
from kiosk.voice.reading import AnnouncementKind

SYNTH_SAMPLES = 5
CALL_SAMPLES = 24  # p95 is then the second slowest, not the slowest alone
AUTOPLAY = "--autoplay-policy=no-user-gesture-required"
PAUSE_S = 2.2  # past the counter's same-press window


def measure() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-voice-") as scratch:
        old = {k: os.environ.get(k) for k in ("XDG_CACHE_HOME", "CACHE_DIRECTORY")}
        os.environ.pop("CACHE_DIRECTORY", None)
        try:
            os.environ["XDG_CACHE_HOME"] = str(Path(scratch) / "synth-cache")
            figures = _synth()
            os.environ["XDG_CACHE_HOME"] = str(Path(scratch) / "lobby-cache")  # the service inherits it
            figures.update(_call_to_audio(Path(scratch) / "data"))
        finally:
            for key, value in old.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    return figures


def _synth() -> dict[str, float]:
    started = time.perf_counter()
    default_voice("ja").close()
    load_ms = (time.perf_counter() - started) * 1000
    own = _synth_samples(nice=0, first=100)
    niced = _synth_samples(nice=WORKER_NICE, first=200)
    return {
        "voice.engine_load_ms": round(load_ms, 1),
        "voice.synth_ms": round(statistics.median(own), 1),
        "voice.synth_max_ms": round(max(own), 1),
        "voice.synth_nice_ms": round(statistics.median(niced), 1),
    }


def _synth_samples(nice: int, first: int) -> list[float]:
    announcer = Announcer(default_voice, nice=nice)
    try:
        announcer.warm_up()  # the voice loaded: the engine's load is voice.engine_load_ms
        samples = []
        for n in range(SYNTH_SAMPLES):
            announcement = Announcement(AnnouncementKind.CALL, label_of("M", first + n), "13", "ja")
            started = time.perf_counter()
            announcer.wav(announcement)
            samples.append((time.perf_counter() - started) * 1000)
        if announcer.synthesized != SYNTH_SAMPLES:
            raise RuntimeError(f"expected {SYNTH_SAMPLES} fresh syntheses, got {announcer.synthesized}")
        return samples
    finally:
        announcer.close()


def _call_to_audio(data_dir: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: make setup installs Debian's chromium")
    config = load_site_config(CONFIG)
    data_dir.mkdir()
    _issue(config, data_dir, per_group=CALL_SAMPLES)
    counter = "c13"
    prefix = config.groups[config.counters[counter].group].prefix
    first = config.groups[config.counters[counter].group].first_number
    # Warm the cache as the service's follower would: the same files, made before the calls.
    announcer = Announcer(default_voice)
    try:
        for n in range(CALL_SAMPLES):
            label = label_of(prefix, first + n)
            announcer.wav(Announcement(AnnouncementKind.CALL, label, config.counters[counter].number, None))
    finally:
        announcer.close()
    service = _Service(data_dir)
    service.start()
    store = SqliteCallingStore(data_dir / DATABASE_FILE, CallingSetup.from_site(config))
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, AUTOPLAY])
            try:
                return _measure(browser, service, store, counter)
            finally:
                browser.close()
    finally:
        store.close()
        service.close()


def _measure(browser: Any, service: _Service, store: SqliteCallingStore, counter: str) -> dict[str, float]:
    screen = browser.new_page(viewport={"width": 1920, "height": 1080})
    screen.goto(f"{service.base}/screen?voice_rate=16")
    screen.wait_for_selector("body:not(.offline):not(.connecting)")
    samples = []
    for _ in range(CALL_SAMPLES):
        sent = time.time() * 1000
        outcome = store.call_next(counter, service.now())
        if outcome is None:
            raise RuntimeError("the bench ran out of waiting tickets")
        screen.wait_for_function(
            "id => (window.voiceLog || []).some(e => e.id === id && e.what === 'ended')",
            arg=outcome.event_id,
            timeout=30_000,
        )
        log = screen.evaluate("id => window.voiceLog.filter(e => e.id === id)", outcome.event_id)
        playing = [e["at"] for e in log if e["what"] == "playing"]
        if not playing:
            raise RuntimeError(f"the announcement of {outcome.label} never played: {log}")
        samples.append(playing[0] - sent)
        time.sleep(PAUSE_S)
    return {
        "voice.call_to_audio_p50_ms": _percentile(samples, 50),
        "voice.call_to_audio_ms": _percentile(samples, 95),
        "voice.worker_rss_mb": round(_children_rss_mb(service), 1),
    }


def _children_rss_mb(service: _Service) -> float:
    assert service.process is not None
    pid = service.process.pid
    # Every thread's children: the worker is started from one of the service's threads.
    children = [c for task in Path(f"/proc/{pid}/task").iterdir() for c in (task / "children").read_text().split()]
    if not children:
        raise RuntimeError("the service has no voice worker")
    total_kb = 0
    for child in children:
        status = Path(f"/proc/{child}/status").read_text()
        total_kb += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    return total_kb / 1024


if __name__ == "__main__":
    import json

    print(json.dumps(measure(), indent=2, sort_keys=True))
