"""The lobby's voice inside the service: calls played on the machine's own speaker in call order
(output = "alsa", through the simulated speaker), nothing said in quiet hours, and the page's
/voice/<event>.wav answering only for calls."""

from __future__ import annotations

import asyncio
import time as clock
from dataclasses import replace
from datetime import datetime, time
from pathlib import Path

import pytest
from starlette.requests import Request

from drivers.voice.pcm import from_wav
from drivers.voice.sim import SimSpeaker
from kiosk.lobby.service import CounterAction, LobbyService
from kiosk.lobby.voice import LobbyVoice
from kiosk.queue.lifecycle import CallingSetup
from kiosk.queue.sqlite_calling import SqliteCallingStore
from kiosk.queue.sqlite_notify import SqliteNotifier
from kiosk.queue.sqlite_store import DATABASE_FILE
from kiosk.site.load import load_site_config
from kiosk.site.model import VoiceConfig, VoiceOutput
from kiosk.voice.announcer import Announcer, default_voice
from kiosk.voice.player import Player
from tests.conftest import REPO
from tests.kiosk.lobby.conftest import ZONE, issue


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("CACHE_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "kiosk" / "voice"


def run_lobby(data_dir: Path, voice_config: VoiceConfig, at: datetime, script, speaker: SimSpeaker | None = None):
    """The service and its voice on this thread's event loop; `script(service, voice)` is awaited."""
    config = replace(load_site_config(REPO / "config"), voice=voice_config)
    setup = CallingSetup.from_site(config)
    database = data_dir / DATABASE_FILE

    async def main():
        service = LobbyService(
            lambda: SqliteCallingStore(database, setup),
            lambda: SqliteNotifier(database, poll_interval_s=0.05),
            lambda: at,
        )
        player = Player(speaker, 1.0) if speaker is not None else None
        voice = LobbyVoice(config, service, Announcer(default_voice), player)
        await service.start()
        await voice.start()
        try:
            return await script(service, voice)
        finally:
            await voice.stop()
            await service.stop()

    return asyncio.run(main())


def request_for(event_id: int) -> Request:
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": f"/voice/{event_id}.wav",
            "path_params": {"event_id": event_id},
            "headers": [],
        }
    )


def test_alsa_output_plays_each_call_in_order_on_the_speaker(tmp_path, cache):
    issue(tmp_path, "myna_service", 1)
    issue(tmp_path, "renewal", 1)
    speaker = SimSpeaker(speed=50)

    async def two_calls(service, voice):
        await service.act("c13", CounterAction.CALL_NEXT)
        await service.act("c1", CounterAction.CALL_NEXT)
        deadline = clock.monotonic() + 60
        while len(speaker.played) < 2 and clock.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return voice.page_settings()

    settings = run_lobby(
        tmp_path, VoiceConfig(VoiceOutput.ALSA), datetime(2026, 11, 26, 9, 30, tzinfo=ZONE), two_calls, speaker
    )
    assert settings == {"screen": False, "volume": 0.8}  # the TV stays silent: the machine speaks
    assert len(speaker.played) == 2
    assert speaker.played[1].started >= speaker.played[0].ended
    assert all(8.0 < from_wav(p.wav).seconds < 12.0 for p in speaker.played)  # chime and Japanese
    names = sorted(p.name for p in cache.glob("call-*.wav"))
    assert names[0].startswith("call-M-001-13-ja-") and names[1].startswith("call-R-001-")


def test_nothing_is_said_in_quiet_hours(tmp_path, cache):
    issue(tmp_path, "myna_service", 1)
    quiet = VoiceConfig(VoiceOutput.SCREEN, 80, time(18, 0), time(8, 0))

    async def evening_call(service, voice):
        outcome = await service.act("c13", CounterAction.CALL_NEXT)
        await asyncio.sleep(0.5)
        return (await voice.audio(request_for(outcome.event_id))).status_code

    assert run_lobby(tmp_path, quiet, datetime(2026, 11, 26, 19, 30, tzinfo=ZONE), evening_call) == 204
    assert not cache.exists() or list(cache.glob("*.wav")) == []


def test_the_page_gets_a_calls_announcement_and_nothing_for_other_events(tmp_path, cache):
    issue(tmp_path, "myna_service", 1)

    async def call_and_ask(service, voice):
        outcome = await service.act("c13", CounterAction.CALL_NEXT)
        start = await service.act("c13", CounterAction.START)
        call = await voice.audio(request_for(outcome.event_id))
        other = await voice.audio(request_for(start.event_id))
        return call, other, voice.page_settings()

    call, other, settings = run_lobby(
        tmp_path, VoiceConfig(VoiceOutput.SCREEN, 60), datetime(2026, 11, 26, 9, 30, tzinfo=ZONE), call_and_ask
    )
    assert call.status_code == 200 and call.media_type == "audio/wav"
    assert Path(call.path).parent == cache
    assert other.status_code == 204
    assert settings == {"screen": True, "volume": 0.6}
