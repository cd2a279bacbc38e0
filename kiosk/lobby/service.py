"""The lobby service's core loop: one store, one watcher, many screens.

- Every store call runs on one worker thread that owns the store (a SQLite connection belongs to
  one thread); web handlers await it, so the event loop never blocks on the disk.
- One watcher thread blocks in the `Notifier`'s `wait` (SQLite: asleep on an inotify watch of the
  database, a `PRAGMA data_version` look after each write and once a second; nothing else while
  idle) and, when another process (the kiosk, `kiosk call`) or this one changed the queue, has the
  loop read `lobby_state` once and hand it to every screen. Every 30 s it reads the state anyway
  (a new business day, or a change a notifier missed): push, then resync.
- A console action is the same store call as `kiosk call`; its new state is published at once,
  without waiting for the notifier.
- `shutdown` is set when the server is told to stop: every stream loop watches it, so a connected
  screen never holds the service up.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from drivers.interfaces import Health
from kiosk.lobby.state import state_text
from kiosk.queue.lifecycle import CallingStore, CallOutcome, LobbyState, NothingAtCounter
from kiosk.queue.notify import Notifier

log = logging.getLogger(__name__)

T = TypeVar("T")

WATCH_WAIT_S = 0.5  # each notifier wait ends this often, so the watcher sees a stop soon
RESYNC_S = 30.0  # a full state to every screen this often, whatever happened


class CounterAction(StrEnum):
    """What a console may do; the URL names (POST /counter/c13/call-next)."""

    CALL_NEXT = "call-next"
    RECALL = "recall"
    START = "start"
    DONE = "done"
    NO_SHOW = "no-show"
    TRANSFER = "transfer"  # the counter's current ticket, to another group
    CANCEL = "cancel"  # the counter's current ticket
    CLOSE = "close"
    OPEN = "open"


@dataclass(frozen=True)
class Published:
    """One state as screens receive it."""

    state: LobbyState
    text: str  # state_text(state)

    @property
    def event_id(self) -> int:
        return self.state.event_id


class LobbyService:
    def __init__(
        self,
        open_store: Callable[[], CallingStore],
        open_notifier: Callable[[], Notifier],
        clock: Callable[[], datetime],
    ) -> None:
        self._open_store = open_store
        self._open_notifier = open_notifier
        self._notifier: Notifier | None = None
        self.clock = clock
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lobby-store")
        self._store: CallingStore | None = None
        self.shutdown = asyncio.Event()
        self._changed = asyncio.Event()  # replaced after each publish: waiters hold the old one
        self._published: Published | None = None
        self._watcher: threading.Thread | None = None
        self._stopping = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._listeners: list[Callable[[LobbyState], None]] = []
        self._health_sources: list[Callable[[], list[Health]]] = []

    # --- life -------------------------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        await self.run(lambda store: None)  # opens the store now: a broken one fails the start
        self._notifier = self._open_notifier()
        await self.refresh()
        self._watcher = threading.Thread(target=self._watch, args=(self._loop,), name="lobby-watch", daemon=True)
        self._watcher.start()

    async def stop(self) -> None:
        self.shutdown.set()
        self._stopping.set()
        if self._watcher is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._watcher.join, WATCH_WAIT_S + 5)
        await asyncio.get_running_loop().run_in_executor(self._executor, self._close_store)
        self._executor.shutdown(wait=True)
        if self._notifier is not None:
            self._notifier.close()
        log.info("lobby service stopped")

    def request_shutdown(self) -> None:
        """Thread-safe: the server's signal handler calls this."""
        if self._loop is None or self._loop.is_closed():
            self.shutdown.set()
        else:
            self._loop.call_soon_threadsafe(self.shutdown.set)

    # --- the store --------------------------------------------------------------------------

    async def run(self, call: Callable[[CallingStore], T]) -> T:
        """Run `call(store)` on the store's own thread."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._call, call)

    def _call(self, call: Callable[[CallingStore], T]) -> T:
        if self._store is None:
            self._store = self._open_store()
        return call(self._store)

    def _close_store(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    async def act(self, counter_id: str, action: CounterAction, to_group: str = "") -> CallOutcome | bool | None:
        """One console action through the same store call as `kiosk call`; publishes the new state.
        Raises CallRefused (and its kinds) when the rules say no, StoreError when the store fails."""
        now = self.clock()

        def do(store: CallingStore) -> CallOutcome | bool | None:
            match action:
                case CounterAction.CALL_NEXT:
                    return store.call_next(counter_id, now)
                case CounterAction.RECALL:
                    return store.recall(counter_id, now)
                case CounterAction.START:
                    return store.start(counter_id, now)
                case CounterAction.DONE:
                    return store.done(counter_id, now)
                case CounterAction.NO_SHOW:
                    return store.no_show(counter_id, now)
                case CounterAction.TRANSFER | CounterAction.CANCEL:
                    return _act_on_current(store, counter_id, action, to_group, now)
                case CounterAction.CLOSE | CounterAction.OPEN:
                    return store.set_counter_open(counter_id, action is CounterAction.OPEN, now)

        result = await self.run(do)
        await self.refresh()
        return result

    def act_soon(self, counter_id: str, action: CounterAction) -> concurrent.futures.Future[object]:
        """Thread-safe `act` (a GPIO button's thread): queued on the service's loop."""
        assert self._loop is not None, "start() first"
        return asyncio.run_coroutine_threadsafe(self.act(counter_id, action), self._loop)

    def add_health(self, source: Callable[[], list[Health]]) -> None:
        """A device set of the service (its boards, displays, buttons) that reports its health."""
        self._health_sources.append(source)

    def device_health(self) -> list[Health]:
        """Every device the service drives, for the staff page (issue 17)."""
        return [health for source in self._health_sources for health in source()]

    # --- publishing -------------------------------------------------------------------------

    def subscribe(self, listener: Callable[[LobbyState], None]) -> None:
        """`listener` gets every newly published state (and the current one, if any), on the loop:
        it must return at once (the lobby's boards and displays queue their work)."""
        self._listeners.append(listener)
        if self._published is not None:
            listener(self._published.state)

    @property
    def published(self) -> Published:
        assert self._published is not None, "start() first"
        return self._published

    def changed(self) -> asyncio.Event:
        """An event set at the next publish (take it before reading `published`)."""
        return self._changed

    async def refresh(self) -> Published:
        now = self.clock()
        state = await self.run(lambda store: store.lobby_state(now))
        previous = self._published
        published = Published(state, state_text(state))
        if previous is not None and state.event_id < previous.event_id:
            return previous  # an older read finishing late (two refreshes at once): never go back
        if previous is None or published.text != previous.text:
            self._published = published
            changed, self._changed = self._changed, asyncio.Event()
            changed.set()
            for listener in self._listeners:
                try:
                    listener(state)
                except Exception:  # the shell's broad except: a wire's trouble never stops the screens
                    log.exception("lobby listener failed")
        return self.published

    def _watch(self, loop: asyncio.AbstractEventLoop) -> None:
        """The watcher thread: blocks in the notifier's wait (SQLite: inotify, then PRAGMA data_version; no
        event-loop wake-ups while idle: an asyncio poll 40 times a second cost 1.4 % of a core) and
        has the loop read and publish the state when the queue changed, or every RESYNC_S anyway."""
        notifier = self._notifier
        assert notifier is not None, "start() opens it"
        last_resync = time.monotonic()
        while not self._stopping.is_set():
            try:
                seen = self.published.event_id
                latest = notifier.wait(seen, WATCH_WAIT_S)
                if self._stopping.is_set():
                    return
                if latest != seen or time.monotonic() - last_resync >= RESYNC_S:
                    asyncio.run_coroutine_threadsafe(self.refresh(), loop).result(timeout=10)
                    last_resync = time.monotonic()
            except Exception:  # the shell's one broad except: log it, keep serving, try again
                if self._stopping.is_set():
                    return
                log.exception("lobby watcher: reading the queue failed; trying again in 1 s")
                self._stopping.wait(1.0)


def _act_on_current(
    store: CallingStore, counter_id: str, action: CounterAction, to_group: str, now: datetime
) -> CallOutcome:
    state = store.lobby_state(now)
    current = next((c.calling for c in state.counters if c.id == counter_id), None)
    if current is None:
        raise NothingAtCounter(f"counter {counter_id} has no ticket to {action.value}")
    if action is CounterAction.TRANSFER:
        return store.transfer(current, to_group, now)
    return store.cancel(current, now)
