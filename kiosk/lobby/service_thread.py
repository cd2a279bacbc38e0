"""A `LobbyService` on a thread of its own, with its own event loop: the lobby's wiring without the
web server, for the demo window (which owns the main thread) and the bench."""

from __future__ import annotations

import asyncio
import logging
import threading

from kiosk.lobby.service import LobbyService

log = logging.getLogger(__name__)


class ServiceThread:
    def __init__(self, service: LobbyService, start_timeout_s: float = 10.0) -> None:
        self.service = service
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self.failed: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="lobby-service", daemon=True)
        self._thread.start()
        self._started.wait(timeout=start_timeout_s)
        if self.failed is not None:
            raise self.failed

    def _run(self) -> None:
        async def serve() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            await self.service.start()
            self._started.set()
            try:
                await self._stop.wait()
            finally:
                await self.service.stop()

        try:
            asyncio.run(serve())
        except Exception as exc:  # the caller hears of a failed start; later failures are logged
            log.exception("lobby service thread stopped")
            self.failed = exc
            self._started.set()

    def close(self) -> None:
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)
