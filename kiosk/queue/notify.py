"""Being told that the queue changed: the `Notifier` Protocol, engine-neutral.

A screen (an SSE stream, a board driver, the voice) remembers the last event id it handled and waits:

    latest = notifier.wait(seen, timeout_s=15)          # or: await notifier.wait_async(seen, 15)
    for event in store.events_after(seen): ...          # then read the event table from there
    seen = ...

`wait` returns as soon as the latest event id differs from `after_event_id` (at once when it already
does), or when the time limit is up; it returns the latest event id either way, so a caller compares
it with what it had. Below what it had means the log was replaced (a new file): resync from scratch.
Every wait has a time limit: a stream loop gets control back to send its ping and to notice a
shutdown. A notification is only a hint: the event table is the truth (push, then resync).

SQLite: `kiosk.queue.sqlite_notify.SqliteNotifier` polls `PRAGMA data_version`. PostgreSQL:
`kiosk.queue.pg_notify.PgNotifier`, LISTEN/NOTIFY, reading the event table after every reconnect.
"""

from __future__ import annotations

from typing import Protocol

MAX_WAIT_S = 60.0  # longer waits are a bug in the caller: it would miss its own shutdown


class Notifier(Protocol):
    def wait(self, after_event_id: int, timeout_s: float) -> int:
        """Block until the latest event id differs from `after_event_id` or `timeout_s` passed
        (0 < timeout_s <= MAX_WAIT_S); return the latest event id (0 when there is none)."""
        ...

    async def wait_async(self, after_event_id: int, timeout_s: float) -> int:
        """`wait` for an asyncio loop: never blocks the loop for more than one cheap check."""
        ...

    def close(self) -> None: ...


def check_timeout(timeout_s: float) -> None:
    if not 0 < timeout_s <= MAX_WAIT_S:
        raise ValueError(f"a wait needs a time limit in (0, {MAX_WAIT_S:g}] seconds, got {timeout_s!r}")
