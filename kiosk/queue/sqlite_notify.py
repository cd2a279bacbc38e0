"""`Notifier` for the SQLite store: polls `PRAGMA data_version`, then reads the newest event id.

`PRAGMA data_version` changes on a connection once another connection committed to the file (WAL,
other processes too), and costs about 4 µs (lobby-facts.md §3): polled every 25 ms it is well
under 0.1 % of a core per waiting stream, and another process's commit is seen within one poll
interval plus one query. Only when it changed do we ask the event table for its newest id. An
inotify watch on the -wal file was rejected: not simpler (checkpoints rewrite it) and Linux only.

One connection, used under a lock, so threads and asyncio tasks may share one notifier; it never
writes.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

from kiosk.errors import StoreError
from kiosk.queue.notify import Notifier, check_timeout

POLL_INTERVAL_S = 0.025  # well inside the 100 ms a screen may lag behind a commit


class SqliteNotifier:
    def __init__(self, path: Path, *, poll_interval_s: float = POLL_INTERVAL_S) -> None:
        if not 0 < poll_interval_s <= 1:
            raise ValueError(f"poll interval must be in (0, 1] seconds, got {poll_interval_s!r}")
        if not path.exists():  # the store creates the file; a notifier on nothing would wait forever
            raise StoreError(f"{path}: no ticket database to follow (open the store first)")
        self._path = path
        self._poll_s = poll_interval_s
        self._lock = threading.Lock()
        try:
            self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._conn.execute("PRAGMA busy_timeout = 1000")
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot follow the ticket database: {exc}") from exc
        self._version = -1  # forces the first look at the event table
        self._latest_id = 0

    def wait(self, after_event_id: int, timeout_s: float) -> int:
        check_timeout(timeout_s)
        deadline = time.monotonic() + timeout_s
        while True:
            latest = self._latest()
            if latest != after_event_id:  # news, or a log that went back (a new file): resync either way
                return latest
            left = deadline - time.monotonic()
            if left <= 0:
                return latest
            time.sleep(min(self._poll_s, left))

    async def wait_async(self, after_event_id: int, timeout_s: float) -> int:
        check_timeout(timeout_s)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while True:
            latest = self._latest()
            if latest != after_event_id:  # news, or a log that went back (a new file): resync either way
                return latest
            left = deadline - loop.time()
            if left <= 0:
                return latest
            await asyncio.sleep(min(self._poll_s, left))

    def close(self) -> None:
        with self._lock:
            self._conn.close()

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
