"""`Notifier` for the SQLite store: woken by inotify, then `PRAGMA data_version`, then the newest event id.

A commit writes the database file, its -wal (WAL frames go through write(), unlike the -shm
index, which is mmapped and makes no event) or its -journal. One watcher thread per notifier
blocks on an inotify watch of the database's directory, woken only by writes, creations or
renames of those three names (not by the health files beside them); then every waiter asks
`PRAGMA data_version` (about 4 µs, lobby-facts.md §3), and only when it moved the event table
for its newest id. So an idle lobby costs nothing per 25 ms: a 50 ms poll was 0.6 % of a core.
Where inotify is missing (not Linux, a network filesystem, the instance limit) or the watch is
lost, the thread wakes the waiters every `poll_interval_s` instead; it also does so with inotify,
as a backstop for events a filesystem never sends.

One connection, used under a lock, so threads and asyncio tasks may share one notifier; it never
writes. `close` wakes the watcher thread through a pipe and joins it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import sqlite3
import threading
import time
from pathlib import Path

from kiosk.errors import StoreError
from kiosk.queue.inotify import DirectoryWatch, open_watch
from kiosk.queue.notify import MAX_WAIT_S, Notifier, check_timeout

POLL_INTERVAL_S = 1.0  # the fallback: how late a change may be seen where inotify says nothing
_JOIN_S = 2.0
_SETTLE_FIRST_MS = 1
_SETTLE_LAST_MS = 256


class SqliteNotifier:
    def __init__(self, path: Path, *, poll_interval_s: float = POLL_INTERVAL_S, use_inotify: bool = True) -> None:
        if not 0 < poll_interval_s <= MAX_WAIT_S:
            raise ValueError(f"poll interval must be in (0, {MAX_WAIT_S:g}] seconds, got {poll_interval_s!r}")
        if not path.exists():  # the store creates the file; a notifier on nothing would wait forever
            raise StoreError(f"{path}: no ticket database to follow (open the store first)")
        self._path = path
        self._poll_s = poll_interval_s
        self._lock = threading.Lock()  # the connection
        try:
            self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._conn.execute("PRAGMA busy_timeout = 1000")
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot follow the ticket database: {exc}") from exc
        self._version = -1  # forces the first look at the event table
        self._latest_id = 0
        # The watcher thread notifies `_woken` (and sets the asyncio waiters' events); waiters look again.
        self._woken = threading.Condition()
        self._async_waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self._closing = False
        names = frozenset(path.name + suffix for suffix in ("", "-wal", "-journal"))
        self._watch: DirectoryWatch | None = open_watch(path.resolve().parent, names) if use_inotify else None
        self._stop_read, self._stop_write = os.pipe()
        self._thread = threading.Thread(target=self._watch_loop, name=f"notify {path.name}", daemon=True)
        self._thread.start()

    @property
    def uses_inotify(self) -> bool:
        return self._watch is not None and not self._watch.broken

    def wait(self, after_event_id: int, timeout_s: float) -> int:
        check_timeout(timeout_s)
        deadline = time.monotonic() + timeout_s
        with self._woken:  # held from the look to the wait: no wake-up can slip in between
            while True:
                latest = self._latest()
                if latest != after_event_id:  # news, or a log that went back (a new file): resync either way
                    return latest
                left = deadline - time.monotonic()
                if left <= 0:
                    return latest
                self._woken.wait(left)  # a spurious wake-up only costs one more look

    async def wait_async(self, after_event_id: int, timeout_s: float) -> int:
        check_timeout(timeout_s)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        woken = asyncio.Event()
        waiter = (loop, woken)
        with self._woken:
            self._async_waiters.add(waiter)
        try:
            while True:
                woken.clear()  # before the look: a wake-up after it sets the event again
                latest = self._latest()
                if latest != after_event_id:  # news, or a log that went back (a new file): resync either way
                    return latest
                left = deadline - loop.time()
                if left <= 0:
                    return latest
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), left)
        finally:
            with self._woken:
                self._async_waiters.discard(waiter)

    def close(self) -> None:
        self._closing = True
        os.write(self._stop_write, b"x")
        self._thread.join(_JOIN_S)
        self._wake()  # waiters still inside a wait find the connection closed: StoreError, not a hang
        with self._lock:
            self._conn.close()
        for fd in (self._stop_read, self._stop_write):
            os.close(fd)
        if self._watch is not None:
            self._watch.close()

    def _watch_loop(self) -> None:
        """Blocks until inotify reports a write to the database, close() writes the pipe, or the
        fallback interval passed; wakes every waiter when the store's version moved, and on the poll.

        A commit's last write() to the -wal comes before the commit is visible (fsync, then the
        -shm index, which makes no event): when the version has not moved yet, look again after
        1, 2, 4 … 256 ms, so a commit is seen within about twice its fsync."""
        poller = select.poll()
        poller.register(self._stop_read, select.POLLIN)
        if self._watch is not None:
            poller.register(self._watch.fd, select.POLLIN)
        fallback_ms = max(1, round(self._poll_s * 1000))
        known = self._data_version()
        settle_ms = 0  # > 0: a write was seen and its commit is not visible yet
        while True:
            ready = {fd for fd, _ in poller.poll(settle_ms or fallback_ms)}
            if self._closing or self._stop_read in ready:
                return
            if self._watch is not None and self._watch.fd in ready:
                touched = self._watch.drain()
                if self._watch.broken:
                    poller.unregister(self._watch.fd)  # the directory went away: polling only
                if touched and not settle_ms:
                    settle_ms = _SETTLE_FIRST_MS
                elif not settle_ms:
                    continue  # another file in the directory: nothing to look at
            elif settle_ms:
                settle_ms = 0 if settle_ms >= _SETTLE_LAST_MS else settle_ms * 2
            else:  # the fallback poll
                known = self._data_version()
                self._wake()
                continue
            version = self._data_version()
            if version != known:
                known, settle_ms = version, 0
                self._wake()

    def _data_version(self) -> int:
        with self._lock:
            try:
                return int(self._conn.execute("PRAGMA data_version").fetchone()[0])
            except sqlite3.Error:  # closing, or a broken file: the waiters' own look reports it
                return -1

    def _wake(self) -> None:
        with self._woken:
            self._woken.notify_all()
            for loop, woken in self._async_waiters:
                with contextlib.suppress(RuntimeError):  # that loop is closed; its waiter is gone too
                    loop.call_soon_threadsafe(woken.set)

    def _latest(self) -> int:
        """The newest event id; the event table is read only when the file changed since the last look.

        The version is read before the id: a commit landing between the two is in the id already,
        and moves the version once more, which only costs one more read."""
        with self._lock:
            try:
                version = int(self._conn.execute("PRAGMA data_version").fetchone()[0])
                if version != self._version:
                    row = self._conn.execute("SELECT COALESCE(MAX(id), 0) FROM queue_event").fetchone()
                    self._version, self._latest_id = version, int(row[0])
            except sqlite3.Error as exc:
                raise StoreError(f"{self._path}: cannot follow the ticket database: {exc}") from exc
            return self._latest_id


def _conforms(notifier: SqliteNotifier) -> Notifier:
    return notifier  # mypy fails here when the class drifts from the Protocol
