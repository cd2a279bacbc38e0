"""The lobby screen says each call aloud, in Debian's Chromium (autoplay allowed, as on the TVs), against
`kiosk lobby` in its own process: announcements queue in call order, and none is cut off."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.domain.model import Procedure
from kiosk.queue.lifecycle import CallingSetup
from kiosk.queue.model import TicketRequest
from kiosk.queue.sqlite_calling import SqliteCallingStore
from kiosk.queue.sqlite_store import DATABASE_FILE, SqliteTicketStore
from kiosk.site.load import load_site_config
from tests.conftest import REPO
from tests.kiosk.lobby.conftest import TODAY, ZONE, Lobby, kiosk_call

pytestmark = pytest.mark.slow

AUTOPLAY = "--autoplay-policy=no-user-gesture-required"
READY = "body:not(.offline):not(.connecting)"


def issue_in(data_dir: Path, group: str, langs: list[str | None]) -> list[str]:
    config = load_site_config(REPO / "config")
    numbers = config.groups[group]
    counter = next(c for c in config.counters.values() if c.group == group)
    store = SqliteTicketStore(data_dir / DATABASE_FILE)
    base = TicketRequest(
        group=group,
        prefix=numbers.prefix,
        first_number=numbers.first_number,
        last_number=numbers.last_number,
        counter=counter.id,
        procedure=Procedure.RENEWAL,
        current=None,
        after=None,
        reasons=(),
        business_date=TODAY,
        issued_at=datetime(2026, 11, 26, 9, 0, tzinfo=ZONE),
        kiosk_id="test",
    )
    try:
        return [store.issue(replace(base, lang=lang)).number for lang in langs]
    finally:
        store.close()


@pytest.fixture(scope="module")
def voice_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The service's voice cache in a folder of this module (the lobby process inherits the variable)."""
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("CACHE_DIRECTORY", raising=False)
        patch.setenv("XDG_CACHE_HOME", str(folder))
        yield folder / "kiosk" / "voice"


@pytest.fixture(scope="module")
def speaking(voice_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lobby]:
    data_dir = tmp_path_factory.mktemp("lobby")
    issue_in(data_dir, "myna_service", ["en", "ja", None])
    issue_in(data_dir, "renewal", ["vi"])
    service = Lobby(data_dir).start()
    try:
        yield service
    finally:
        service.close()


@pytest.fixture(scope="module")
def autoplay_browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from kiosk.demo.lobby import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM} is missing in CI")
        pytest.skip(f"{CHROMIUM} is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, AUTOPLAY])
        try:
            yield browser
        finally:
            browser.close()


def log_of(page: Any) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = page.evaluate("window.voiceLog")
    return result


def test_two_calls_in_a_row_play_in_order_and_whole(autoplay_browser, speaking, voice_cache):
    tv = autoplay_browser.new_page()
    tv.goto(f"{speaking.base}/screen?lang=ja&voice_rate=4")  # four times as fast: the test takes seconds
    tv.wait_for_selector(READY, timeout=10_000)
    config = load_site_config(REPO / "config")
    store = SqliteCallingStore(speaking.data_dir / DATABASE_FILE, CallingSetup.from_site(config))
    try:  # through the store, as the consoles and `kiosk call` do; no interpreter start between the calls
        first = store.call_next("c13", datetime(2026, 11, 26, 9, 20, tzinfo=ZONE))
        assert first is not None
        tv.wait_for_function(
            "id => (window.voiceLog || []).some(e => e.id === id && e.what === 'playing')", arg=first.event_id
        )
        second = store.call_next("c1", datetime(2026, 11, 26, 9, 20, 1, tzinfo=ZONE))  # while the first plays
        assert second is not None
    finally:
        store.close()
    # Both ended: the second call waited for the first (each ~13 s of sound, ~3 s at rate 4).
    tv.wait_for_function("(window.voiceLog || []).filter(e => e.what === 'ended').length >= 2", timeout=60_000)
    log = log_of(tv)
    ends = [e for e in log if e["what"] == "ended"]
    starts = [e for e in log if e["what"] == "playing"]
    assert [e["id"] for e in starts][:2] == [e["id"] for e in ends][:2] == [first.event_id, second.event_id]
    queued = {e["id"]: e["at"] for e in log if e["what"] == "queued"}
    assert queued[starts[1]["id"]] < ends[0]["at"]  # the second call came while the first was playing
    assert starts[1]["at"] >= ends[0]["at"]  # and began only once it had ended
    for end in ends[:2]:
        assert end["duration"] > 8.0  # chime and two languages at least
        assert end["played"] >= end["duration"] - 0.1  # played to its end: none cut off
    assert [e for e in log if e["what"] in ("error", "refused", "chime")] == []
    tv.close()


def test_the_announcement_is_served_from_the_cache_the_call_filled(speaking, voice_cache):
    called = kiosk_call(speaking.data_dir, "next", "--counter", "c13", at="2026-11-26T09:25")
    assert called.returncode == 0, called.stderr
    label = called.stdout.strip()
    deadline = time.monotonic() + 5
    while (latest := speaking.state()["recent_calls"][0])["label"] != label and time.monotonic() < deadline:
        time.sleep(0.05)  # the service learns of the other process's call through its notifier
    event_id = latest["event_id"]
    status, headers, body = speaking.get(f"/voice/{event_id}.wav")
    assert status == 200 and headers["content-type"] == "audio/wav"
    cached = list(voice_cache.glob(f"call-{label}-13-ja-*.wav"))
    assert len(cached) == 1 and cached[0].read_bytes() == body


def test_an_event_that_is_not_a_call_has_nothing_to_say(speaking):
    assert speaking.get("/voice/1.wav")[0] == 204  # event 1: a counter opened or a ticket issued
    assert speaking.get("/voice/99999.wav")[0] == 204
