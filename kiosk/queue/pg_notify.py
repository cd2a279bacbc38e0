"""`Notifier` for the shared PostgreSQL store: LISTEN/NOTIFY, resynced from the event table.

Every `queue_event` row NOTIFYs channel `kiosk_queue` with its id when its transaction commits
(the trigger in pg_schema.py), to the sessions listening at that moment (lobby-facts.md §3). One
listening connection per notifier, in autocommit, read by its own thread with `notifies(timeout)`,
so a call at counter 13 reaches every `kiosk lobby` and kiosk on other machines in well under
100 ms without polling the database. A notification is only a hint; what counts is the newest
event id, which is read from `event_clock` whenever the connection is (re)made: a dropped
connection missed whatever was sent meanwhile, and the screen then reads the event table from the
id it had (push, then resync). While the connection is down the thread tries again every
`reconnect_s`; waits go on returning at their time limit meanwhile (`connected` says why).

Threads and asyncio tasks may share one notifier: waits are woken through a Condition (threads)
and through each waiting task's own loop (`call_soon_threadsafe`), so an SSE stream never blocks
its event loop.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import psycopg

from kiosk.errors import StoreError
from kiosk.queue.notify import Notifier, check_timeout
from kiosk.queue.pg_schema import NOTIFY_CHANNEL
from kiosk.queue.pg_store import CONNECT_TIMEOUT_S, Connection, redacted

log = logging.getLogger(__name__)

RECONNECT_S = 0.5
_READ_SLICE_S = 1.0  # how long one `notifies` call may wait: the thread notices close() within this


class PgNotifier:
    def __init__(self, url: str, *, reconnect_s: float = RECONNECT_S) -> None:
        self._url = url
        self._where = redacted(url)
        self._reconnect_s = reconnect_s
        self._cond = threading.Condition()
        self._latest = 0
        self._connected = False
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self._closing = threading.Event()
        try:  # the first connection here: a wrong URL fails the caller, not a thread
            conn = self._connect()
        except psycopg.Error as exc:
            raise StoreError(f"{self._where}: cannot follow the shared ticket database: {exc}") from exc
        self._thread = threading.Thread(target=self._listen, args=(conn,), name="pg-notify", daemon=True)
        self._thread.start()

    @property
    def connected(self) -> bool:
        return self._connected

    def wait(self, after_event_id: int, timeout_s: float) -> int:
        check_timeout(timeout_s)
        with self._cond:
            self._cond.wait_for(lambda: self._latest != after_event_id, timeout_s)
            return self._latest

    async def wait_async(self, after_event_id: int, timeout_s: float) -> int:
        check_timeout(timeout_s)
        if self._latest != after_event_id:
            return self._latest
        loop = asyncio.get_running_loop()
        woken = asyncio.Event()
        waiter = (loop, woken)
        with self._cond:
            self._waiters.add(waiter)
        try:
            deadline = loop.time() + timeout_s
            while self._latest == after_event_id:
                left = deadline - loop.time()
                if left <= 0:
                    break
                woken.clear()
                if self._latest != after_event_id:  # it moved between the check and the clear
                    break
                try:
                    await asyncio.wait_for(woken.wait(), left)
                except TimeoutError:
                    break
        finally:
            with self._cond:
                self._waiters.discard(waiter)
        return self._latest

    def close(self) -> None:
        self._closing.set()
        self._thread.join(timeout=_READ_SLICE_S + CONNECT_TIMEOUT_S + 1)

    # --- the listening thread ------------------------------------------------------------------

    def _connect(self) -> Connection:
        conn = psycopg.connect(
            self._url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S, application_name="kiosk-notify"
        )
        try:
            conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
            # After LISTEN: anything committed from here on is notified, anything before is in this read.
            row = conn.execute("SELECT last_id FROM event_clock").fetchone()
        except BaseException:
            conn.close()
            raise
        self._connected = True
        self._publish(0 if row is None else int(row[0]), resync=True)
        return conn

    def _listen(self, conn: Connection | None) -> None:
        while not self._closing.is_set():
            if conn is None:
                try:
                    conn = self._connect()
                    log.info("%s: notifications back; resynced at event %d", self._where, self._latest)
                except psycopg.Error:
                    self._closing.wait(self._reconnect_s)
                    continue
            try:
                for note in conn.notifies(timeout=_READ_SLICE_S):
                    self._publish(int(note.payload))
            except (psycopg.Error, ValueError) as exc:
                if not self._closing.is_set():
                    log.warning("%s: lost the notification connection (%s); reconnecting", self._where, exc)
                self._connected = False
                conn.close()
                conn = None
        if conn is not None:
            conn.close()
        self._connected = False

    def _publish(self, event_id: int, *, resync: bool = False) -> None:
        with self._cond:
            if resync or event_id > self._latest:
                self._latest = event_id
                self._cond.notify_all()
                for loop, woken in list(self._waiters):
                    loop.call_soon_threadsafe(woken.set)


def _conforms(notifier: PgNotifier) -> Notifier:
    return notifier  # mypy fails here when the class drifts from the Protocol


def wait_connected(notifier: PgNotifier, timeout_s: float) -> bool:
    """For tests and the bench: True once the notifier listens again (after a server restart)."""
    deadline = time.monotonic() + timeout_s
    while not notifier.connected and time.monotonic() < deadline:
        time.sleep(0.01)
    return notifier.connected
