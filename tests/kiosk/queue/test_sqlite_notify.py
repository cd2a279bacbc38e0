"""The SQLite notifier is woken by inotify, not by its poll: a commit from another process ends a wait
while the fallback poll is a minute long; without inotify the poll alone still finds every commit;
close() ends the watcher thread at once."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from multiprocessing.synchronize import Event as MpEvent
from pathlib import Path

import pytest

from kiosk.queue.notify import MAX_WAIT_S
from kiosk.queue.sqlite_notify import SqliteNotifier
from kiosk.queue.sqlite_store import SqliteTicketStore
from tests.kiosk.queue.test_sqlite_calling import _join, _spawn, issue, request

NEVER_S = MAX_WAIT_S  # a fallback poll that would never fire within these tests' waits
WAIT_S = 30.0


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "tickets.sqlite3"


@pytest.fixture
def tickets(db: Path) -> Iterator[SqliteTicketStore]:
    store = SqliteTicketStore(db)
    issue(store, 1)
    yield store
    store.close()


def _issue_one_later(path: str, ready: MpEvent) -> None:
    store = SqliteTicketStore(Path(path))
    try:
        ready.wait(timeout=60)
        time.sleep(0.2)  # the parent is waiting by now
        store.issue(request())
    finally:
        store.close()


def _issue_one(path: Path) -> None:
    store = SqliteTicketStore(path)  # its own connection: SQLite objects stay in their thread
    try:
        store.issue(request())
    finally:
        store.close()


@pytest.mark.slow
def test_another_process_commit_wakes_the_notifier_through_inotify_not_its_poll(
    db: Path, tickets: SqliteTicketStore
) -> None:
    notifier = SqliteNotifier(db, poll_interval_s=NEVER_S)
    spawn = _spawn()
    ready = spawn.Event()
    process = spawn.Process(target=_issue_one_later, args=(str(db), ready))
    process.start()
    try:
        assert notifier.uses_inotify
        assert notifier.wait(1, timeout_s=0.05) == 1, "nothing new: the wait runs out"
        ready.set()
        started = time.monotonic()
        assert notifier.wait(1, timeout_s=WAIT_S) == 2
        # Only inotify can end it early: the poll never fires, the time limit would be 30 s.
        assert time.monotonic() - started < WAIT_S / 2
    finally:
        _join([process])
        notifier.close()


def test_a_commit_wakes_an_async_waiter_through_inotify(db: Path, tickets: SqliteTicketStore) -> None:
    notifier = SqliteNotifier(db, poll_interval_s=NEVER_S)

    async def scenario() -> tuple[int, float]:
        waiting = asyncio.create_task(notifier.wait_async(1, timeout_s=WAIT_S))
        await asyncio.sleep(0.1)
        assert not waiting.done()
        started = time.monotonic()
        tickets.issue(request())  # another connection commits
        return await waiting, time.monotonic() - started

    try:
        latest, took = asyncio.run(scenario())
        assert latest == 2
        assert took < WAIT_S / 2, "woken by inotify, not by the end of the wait"
    finally:
        notifier.close()


def test_without_inotify_the_fallback_poll_finds_a_commit(db: Path, tickets: SqliteTicketStore) -> None:
    notifier = SqliteNotifier(db, poll_interval_s=0.05, use_inotify=False)
    committer = threading.Timer(0.2, _issue_one, args=(db,))
    try:
        assert not notifier.uses_inotify
        committer.start()
        started = time.monotonic()
        assert notifier.wait(1, timeout_s=WAIT_S) == 2
        assert time.monotonic() - started < WAIT_S / 2, "found by the poll, not at the end of the wait"
    finally:
        committer.join()
        notifier.close()


def test_a_write_beside_the_database_does_not_wake_a_waiter_into_a_false_news(
    db: Path, tickets: SqliteTicketStore
) -> None:
    notifier = SqliteNotifier(db, poll_interval_s=NEVER_S)
    writer = threading.Timer(0.1, lambda: (db.parent / "lobby-devices.json").write_text("{}"))
    try:
        writer.start()
        assert notifier.wait(1, timeout_s=0.5) == 1
    finally:
        writer.join()
        notifier.close()


def test_close_ends_the_watcher_thread_at_once_even_with_a_long_poll(db: Path, tickets: SqliteTicketStore) -> None:
    notifier = SqliteNotifier(db, poll_interval_s=NEVER_S)
    watcher = notifier._thread
    started = time.monotonic()
    notifier.close()
    assert not watcher.is_alive()
    assert time.monotonic() - started < 1.0, "close waited for the poll"
