"""`kiosk lobby`: the lobby service as one uvicorn process.

Why uvicorn + Starlette: a small ASGI pair with streaming responses (SSE) and no front-end build;
one process serves the TVs, the consoles and the API from one store connection.

Stopping with screens connected (lobby-facts.md §2): uvicorn waits for open responses before it
shuts down, forever unless `timeout_graceful_shutdown` is set. So the server (1) sets the service's
shutdown event from its signal handler, which ends every SSE loop at once, and (2) runs with
`timeout_graceful_shutdown`, the backstop if anything else holds on.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from zoneinfo import ZoneInfo

import uvicorn

from kiosk.health.sdnotify import SystemdNotify
from kiosk.lobby.app import build_app
from kiosk.lobby.service import LobbyService
from kiosk.lobby.staff_service import StaffService
from kiosk.lobby.voice import open_voice
from kiosk.queue.lifecycle import CallingStore
from kiosk.queue.notify import Notifier
from kiosk.site.model import SiteConfig

log = logging.getLogger(__name__)

GRACEFUL_SHUTDOWN_S = 3


def clock_from(at: datetime | None, timezone: str) -> Callable[[], datetime]:
    """The wall clock in the site's zone; with `at`, a clock that starts there and runs on."""
    zone = ZoneInfo(timezone)
    if at is None:
        return lambda: datetime.now(zone)
    start, base = time.monotonic(), at.astimezone(zone)
    return lambda: base + timedelta(seconds=time.monotonic() - start)


class _Server(uvicorn.Server):
    def __init__(
        self, config: uvicorn.Config, on_exit: Callable[[], None], on_ready: Callable[[], None] = lambda: None
    ) -> None:
        super().__init__(config)
        self._on_exit = on_exit
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:  # listening, after the lifespan's startup: systemd may call us ready
            self._on_ready()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self._on_exit()
        super().handle_exit(sig, frame)


def serve(config: SiteConfig, data_dir: Path, host: str, port: int, at: datetime | None) -> int:
    from kiosk.queue import stores

    def open_store() -> CallingStore:
        return stores.open_calling(config, data_dir)

    def open_notifier() -> Notifier:
        # After the store: it follows a file the store made. SQLite: woken by inotify, polling once
        # a second only as a fallback (a 50 ms poll was 0.6 % of a core idle, budget 0.5 %).
        # PostgreSQL: LISTEN/NOTIFY, no polling.
        return stores.open_notifier(config, data_dir)

    service = LobbyService(open_store, open_notifier, clock_from(at, config.site.timezone))
    wires = None
    if config.boards or config.gpio.displays or config.gpio.buttons:
        from kiosk.lobby.wired import LobbyWires, connect
        from kiosk.shell.signal_lamp import LOBBY_DEVICES_FILE

        wires = LobbyWires(config.boards, config.gpio)
        connect(wires, service)
        wires.write_health_every(data_dir / LOBBY_DEVICES_FILE)
    systemd = SystemdNotify()  # Type=notify: READY once listening, WATCHDOG=1 from the event loop
    boards = wires.health if wires is not None else list
    staff = StaffService(config, stores.health_opener(config, data_dir), service, systemd=systemd, board_health=boards)
    app = build_app(service, config, data_dir, open_voice(config, service), staff)
    server_config = uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan="on",
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )

    def ready() -> None:
        systemd.ready(staff.summary())

    server = _Server(server_config, service.request_shutdown, ready)
    where = "the shared database" if config.storage.url else str(data_dir)
    log.info("lobby service on http://%s:%d/screen (queue in %s)", host, port, where)
    try:
        server.run()
    finally:
        if wires is not None:
            wires.close()
    return 0
