"""The lobby's voice: every call and recall said aloud, on the lobby screen or on this machine's speaker.

- A follower task watches the published states (the same ones the screens get) and, for each call
  newer than the last it saw, reads that call's event (the visitor's language is in the event log,
  never in the public state) and has the voice worker (a child process, kiosk/voice/worker.py)
  prepare its file. The state was published before this runs: synthesis never sits between a call
  and its screen update, nor shares the service's memory or CPU priority.
- `GET /voice/<event id>.wav` is what the lobby screen's page fetches for a call it saw in the state
  (kiosk/lobby/static/voice.js queues them and plays one at a time). 204 when nothing is to be said
  (output not "screen", quiet hours at the call's time); the page chimes instead.
- With `[voice] output = "alsa"` a player thread plays each announcement in call order through the
  ALSA speaker (kiosk/voice/player.py), and the page stays silent apart from its chime (off as well
  with ?chime=0).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from kiosk.domain.lifecycle import EventKind
from kiosk.errors import KioskError
from kiosk.lobby.service import LobbyService
from kiosk.queue.lifecycle import CallingStore, QueueEvent
from kiosk.site.model import SiteConfig, VoiceOutput
from kiosk.voice.announcement import Announcement, Announcements
from kiosk.voice.reading import AnnouncementKind

if TYPE_CHECKING:  # numpy comes with the player: loaded only for output = "alsa"
    from kiosk.voice.player import Player

log = logging.getLogger(__name__)

SPOKEN = {EventKind.CALLED: AnnouncementKind.CALL, EventKind.RECALLED: AnnouncementKind.RECALL}
WARM_UP_AFTER_S = 3.0  # measured: starting the worker at once doubled the service's restart-to-screen time


class LobbyVoice:
    def __init__(
        self, config: SiteConfig, service: LobbyService, announcer: Announcements | None, player: Player | None = None
    ) -> None:
        self.config = config
        self.voice = config.voice
        self.service = service
        self.announcer = announcer
        self.player = player
        self._task: asyncio.Task[None] | None = None
        self._warm: asyncio.TimerHandle | None = None
        self._seen = 0
        self._zone = ZoneInfo(config.site.timezone)

    @property
    def speaking(self) -> bool:
        return self.announcer is not None and self.voice.output is not VoiceOutput.OFF

    def page_settings(self) -> dict[str, object]:
        """What the lobby screen's page needs: whether it plays announcements, and how loud."""
        on_screen = self.speaking and self.voice.output is VoiceOutput.SCREEN
        return {"screen": on_screen, "volume": self.voice.volume_percent / 100}

    def routes(self) -> list[Route]:
        return [Route("/voice/{event_id:int}.wav", self.audio)]

    # --- life -------------------------------------------------------------------------------

    async def start(self) -> None:
        if not self.speaking:
            return
        calls = self.service.published.state.recent_calls
        self._seen = calls[0].event_id if calls else 0  # calls made before the start are not said again
        self._task = asyncio.create_task(self._follow(), name="lobby-voice")
        # The voice loads a little later: a (re)starting service first serves its screens.
        loop = asyncio.get_running_loop()
        announcer = self.announcer
        assert announcer is not None
        self._warm = loop.call_later(WARM_UP_AFTER_S, lambda: loop.run_in_executor(None, announcer.warm_up))

    async def stop(self) -> None:
        if self._warm is not None:
            self._warm.cancel()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.player is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.player.close)
        if self.announcer is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.announcer.close)

    async def _follow(self) -> None:
        shutdown = asyncio.ensure_future(self.service.shutdown.wait())
        try:
            while not self.service.shutdown.is_set():
                changed = self.service.changed()
                new = [c for c in self.service.published.state.recent_calls if c.event_id > self._seen]
                for call in sorted(new, key=lambda c: c.event_id):
                    self._seen = call.event_id
                    try:
                        await self._prepare(call.event_id)
                    except Exception:  # the shell's broad except: a failed announcement never stops the lobby
                        log.exception("voice: announcing event %d failed", call.event_id)
                waiter = asyncio.ensure_future(changed.wait())
                try:
                    await asyncio.wait({waiter, shutdown}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    waiter.cancel()
        finally:
            shutdown.cancel()

    async def _prepare(self, event_id: int) -> None:
        announcement = await self._announcement(event_id)
        if announcement is None or self.announcer is None:
            return
        future = self.announcer.prepare(announcement)
        if self.voice.output is VoiceOutput.ALSA and self.player is not None:
            self.player.enqueue(future)

    async def _announcement(self, event_id: int) -> Announcement | None:
        """The announcement of a call or recall event; None for any other event, or in quiet hours."""

        def read(store: CallingStore) -> list[QueueEvent]:
            return store.events_after(event_id - 1, limit=1)

        events = await self.service.run(read)
        event = events[0] if events and events[0].id == event_id else None
        if event is None or event.kind not in SPOKEN or event.label is None or event.counter is None:
            return None
        if self.voice.quiet_at(event.at.astimezone(self._zone).time()):
            return None
        counter = self.config.counters.get(event.counter)
        number = counter.number if counter is not None else event.counter
        return Announcement(SPOKEN[event.kind], event.label, number, event.lang)

    # --- the page's audio -----------------------------------------------------------------------

    async def audio(self, request: Request) -> Response:
        event_id = int(request.path_params["event_id"])
        if not self.page_settings()["screen"] or self.announcer is None:
            return Response(status_code=204)
        announcement = await self._announcement(event_id)
        if announcement is None:
            return Response(status_code=204)
        announcer = self.announcer
        try:
            path: Path = await asyncio.get_running_loop().run_in_executor(None, announcer.wav, announcement)
        except (KioskError, TimeoutError) as exc:
            log.error("voice: event %d: %s", event_id, exc)
            return PlainTextResponse(f"no announcement: {exc}\n", status_code=503)
        # The file of an event never changes: the page may keep it (a TV replaying a recall).
        return FileResponse(path, media_type="audio/wav", headers={"Cache-Control": "private, max-age=3600"})


def open_voice(config: SiteConfig, service: LobbyService) -> LobbyVoice:
    """The voice `[voice]` asks for. A voice or speaker that cannot start is logged and the lobby
    runs silent (its screens matter more than its voice); the drivers are imported only when wanted."""
    if config.voice.output is VoiceOutput.OFF:
        return LobbyVoice(config, service, None)
    from kiosk.voice.worker import VoiceWorker

    announcer = VoiceWorker()
    player = None
    if config.voice.output is VoiceOutput.ALSA:
        from drivers.voice.alsa import AlsaSpeaker
        from kiosk.voice.player import Player

        try:
            player = Player(AlsaSpeaker(config.voice.alsa_device), config.voice.volume_percent / 100)
        except KioskError as exc:
            log.error("voice: no ALSA output, the lobby stays silent: %s", exc)
            announcer.close()
            return LobbyVoice(config, service, None)
    log.info("voice: announcements on the %s", config.voice.output.value)
    return LobbyVoice(config, service, announcer, player)
