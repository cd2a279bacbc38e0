"""How long calling takes: one call-next transaction (a clerk's press until the number is stored), the
lobby state a screen reads after each event, and how soon a notifier sees another connection's commit.

On a file-backed database in a temp dir with WAL and synchronous=FULL, like the kiosk's: every
call-next includes an fsync. Call-next finishes the counter's current ticket and calls the next one
from a line of CALLS tickets, in one BEGIN IMMEDIATE transaction. Targets: call-next p99 <= 5 ms;
notify latency p99 <= 100 ms (the poll interval is 25 ms).
"""

from __future__ import annotations

import threading
import time
from datetime import date, datetime, timedelta, timezone
from datetime import time as wall_time
from pathlib import Path
from tempfile import TemporaryDirectory
from types import MappingProxyType

from kiosk.bench.queue import _percentile_ms
from kiosk.domain.lifecycle import Share
from kiosk.domain.model import Procedure
from kiosk.queue.lifecycle import CallingSetup
from kiosk.queue.model import TicketRequest
from kiosk.queue.sqlite_calling import SqliteCallingStore
from kiosk.queue.sqlite_notify import SqliteNotifier
from kiosk.queue.sqlite_store import SqliteTicketStore
from kiosk.site.model import CallingConfig

CALLS = 1_000
STATES = 200
NOTIFIES = 40
_JST = timezone(timedelta(hours=9))
_DAY = date(2026, 11, 26)
_T0 = datetime(2026, 11, 26, 9, 0, tzinfo=_JST)
_SETUP = CallingSetup(
    timezone="Asia/Tokyo",
    business_day_reset=wall_time(5, 0),
    groups=MappingProxyType({"myna": "M", "renewal": "R"}),
    counters=MappingProxyType({"c13": (Share("myna", 1),), "c5": (Share("myna", 2), Share("renewal", 1))}),
    rules=CallingConfig(),
)


def measure() -> dict[str, float]:
    with TemporaryDirectory(prefix="kiosk-bench-") as directory:
        path = Path(directory) / "tickets.sqlite3"
        _fill(path)
        store = SqliteCallingStore(path, _SETUP)
        try:
            call_next = _call_times(store)
            state = _state_times(store)
        finally:
            store.close()
        notify = _notify_latencies(path)
    return {
        "call.next_p50_ms": _percentile_ms(call_next, 50),
        "call.next_p99_ms": _percentile_ms(call_next, 99),
        "call.lobby_state_p99_ms": _percentile_ms(state, 99),
        "call.notify_latency_p99_ms": _percentile_ms(notify, 99),
    }


def _fill(path: Path) -> None:
    store = SqliteTicketStore(path)
    try:
        for i in range(CALLS + 200):  # a busy day's line: the counter never runs dry
            group = "renewal" if i % 3 == 0 else "myna"
            store.issue(_request(group, "R" if group == "renewal" else "M"))
    finally:
        store.close()


def _request(group: str, prefix: str) -> TicketRequest:
    return TicketRequest(
        group=group,
        prefix=prefix,
        first_number=1,
        last_number=9999,
        counter="c5",
        procedure=Procedure.MYNA_SERVICE,
        current=None,
        after=None,
        reasons=("R17.submission_permanent",),
        business_date=_DAY,
        issued_at=_T0,
        kiosk_id="bench",
        lang="ja",
    )


def _call_times(store: SqliteCallingStore) -> list[int]:
    times = []
    for i in range(CALLS):
        now = _T0 + timedelta(seconds=3 * i)  # past the same-press window: every press is a real call
        start = time.perf_counter_ns()
        outcome = store.call_next("c5", now)
        times.append(time.perf_counter_ns() - start)
        assert outcome is not None and not outcome.repeated
    return times


def _state_times(store: SqliteCallingStore) -> list[int]:
    now = _T0 + timedelta(seconds=3 * CALLS)
    times = []
    for _ in range(STATES):
        start = time.perf_counter_ns()
        store.lobby_state(now)
        times.append(time.perf_counter_ns() - start)
    return times


def _notify_latencies(path: Path) -> list[int]:
    """From the end of a commit on one connection until a notifier waiting on another (in another
    thread, as a web server's stream would) returns."""
    notifier = SqliteNotifier(path)
    writer = SqliteTicketStore(path)
    latencies: list[int] = []
    try:
        seen = _latest(notifier)
        for _ in range(NOTIFIES):
            woke: list[tuple[int, int]] = []
            waiter = threading.Thread(
                target=lambda after=seen, out=woke: out.append(
                    (notifier.wait(after, timeout_s=10), time.perf_counter_ns())
                )
            )
            waiter.start()
            time.sleep(0.01)  # the waiter is polling by now
            writer.issue(_request("myna", "M"))
            committed = time.perf_counter_ns()
            waiter.join()
            latest, at = woke[0]
            assert latest > seen, "the notifier missed a commit"
            seen = latest
            latencies.append(max(0, at - committed))
    finally:
        writer.close()
        notifier.close()
    return latencies


def _latest(notifier: SqliteNotifier) -> int:
    return notifier.wait(0, timeout_s=0.001)
