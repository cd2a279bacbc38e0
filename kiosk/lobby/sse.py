"""`GET /events`: the lobby state as Server-Sent Events.

Every message is the whole lobby state (`event: state`, `id:` = its event id, one JSON line): a
screen never has to merge deltas, so it cannot drift. A client that reconnects with `Last-Event-ID`
gets the full state at once, which holds whatever it missed (it is a few kB for a whole centre).
Then: a new state whenever the queue changes, the full state again every 30 s anyway, and a
`: ping` comment (with a `ping` event the page can see) every 15 s, so a page can tell a
quiet stream from a dead one (lobby-facts.md §2).

Every wait in the loop also watches the service's shutdown event, so a connected screen never
holds up a stop (uvicorn waits for open responses; see kiosk/lobby/server.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from kiosk.lobby.service import LobbyService, Published

PING_S = 15.0
FULL_STATE_S = 30.0
RETRY_MS = 1000  # EventSource reconnects this soon after a drop
# A comment (for proxies and idle timeouts) and a tiny `ping` event in one block: EventSource hides
# comments from the page, and the page needs to see the stream is alive (no byte for 20 s = offline).
PING = ": ping\nevent: ping\ndata: \n\n"


def message(published: Published) -> str:
    return f"id: {published.event_id}\nevent: state\ndata: {published.text}\n\n"


async def stream(service: LobbyService, *, ping_s: float = PING_S, full_s: float = FULL_STATE_S) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    changed = service.changed()
    current = service.published
    yield f"retry: {RETRY_MS}\n\n" + message(current)
    last_full = last_byte = loop.time()
    shutdown = asyncio.ensure_future(service.shutdown.wait())
    try:
        while not service.shutdown.is_set():
            timeout = max(0.0, min(last_byte + ping_s, last_full + full_s) - loop.time())
            waiter = asyncio.ensure_future(changed.wait())
            try:
                await asyncio.wait({waiter, shutdown}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            finally:
                waiter.cancel()
            if service.shutdown.is_set():
                return
            now = loop.time()
            if changed.is_set() or now - last_full >= full_s:
                changed = service.changed()
                current = service.published
                last_full = last_byte = now
                yield message(current)
            elif now - last_byte >= ping_s:
                last_byte = now
                yield PING
    finally:
        shutdown.cancel()
