"""The SSE stream's rhythm, in-process against a real SQLite store (short intervals instead of 15/30 s)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime

from kiosk.lobby import sse
from kiosk.lobby.service import CounterAction, LobbyService
from kiosk.queue.lifecycle import CallingSetup
from kiosk.queue.sqlite_calling import SqliteCallingStore
from kiosk.queue.sqlite_notify import SqliteNotifier
from kiosk.queue.sqlite_store import DATABASE_FILE
from tests.kiosk.lobby.conftest import ZONE, issue


def _service(site_config, data_dir):
    issue(data_dir, "myna_service", 2)
    database = data_dir / DATABASE_FILE
    return LobbyService(
        lambda: SqliteCallingStore(database, CallingSetup.from_site(site_config)),
        lambda: SqliteNotifier(database),
        lambda: datetime(2026, 11, 26, 9, 15, tzinfo=ZONE),
    )


async def _next(stream, timeout=3.0):
    return await asyncio.wait_for(anext(stream), timeout)


def test_stream_sends_state_then_changes_then_pings_and_full_states_then_ends_on_shutdown(site_config, tmp_path):
    async def scenario():
        service = _service(site_config, tmp_path)
        await service.start()
        try:
            stream = sse.stream(service, ping_s=0.2, full_s=0.5)
            first = await _next(stream)
            assert first.startswith("retry: 1000\n\nid: ")
            await service.act("c13", CounterAction.CALL_NEXT)
            change = await _next(stream)
            event_id = int(change.split("\n", 1)[0].removeprefix("id: "))
            state = json.loads(change.split("data: ", 1)[1])
            assert state["event_id"] == event_id and state["recent_calls"][0]["label"] == "M-001"
            quiet = [await _next(stream) for _ in range(3)]
            assert quiet[0] == sse.PING  # 0.2 s of silence: a ping
            assert any(part.startswith(f"id: {event_id}\nevent: state") for part in quiet)  # 0.5 s: the state again
            service.request_shutdown()

            async def drain():
                return [part async for part in stream]

            assert await asyncio.wait_for(drain(), 0.5) == []  # ends at once, sending nothing more
        finally:
            await service.stop()

    asyncio.run(asyncio.wait_for(scenario(), 20))
