"""Several kiosks on one PostgreSQL: issuing under load, a call reaching another process, going offline.

All against a private server started for the run (kiosk/queue/pg_scratch.py) with fsync on, as a
site's would be, over its unix socket (a LAN adds its round trip to each figure).
- `queue.pg_issue_p99_ms` (and p50): 10 kiosk processes issue in one group back to back, each
  through the kiosk's own store (kiosk/queue/offline.py): every issue's time, all processes pooled.
  Target p99 <= 20 ms. `queue.pg_issue_alone_p99_ms`: one issuer alone, the floor (one durable
  commit). Issues of one group wait for each other's commit (the group's row lock and the event
  clock are held to commit, so numbers and event ids stay in order): with 10 at once the last waits
  for about 10 commit flushes of the disk.
- `queue.pg_call_to_other_machine_ms` p95 (and p50): a clerk's call-next in one process until a
  second process (the lobby's notifier and store) holds a lobby state showing it: NOTIFY, wake-up,
  state read. Both processes read the same system-wide monotonic clock. Target p95 <= 100 ms.
- `queue.offline_switch_ms`: the server killed, until the kiosk's next ticket came from its
  offline block (the worst of several kills). Target <= 500 ms.
"""

from __future__ import annotations

import math
import multiprocessing
import tempfile
import time
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from datetime import time as wall_time
from multiprocessing.synchronize import Barrier
from multiprocessing.synchronize import Event as MpEvent
from pathlib import Path
from types import MappingProxyType
from typing import Any

from kiosk.domain.lifecycle import Share
from kiosk.domain.model import Procedure
from kiosk.queue.lifecycle import CallingSetup
from kiosk.queue.model import TicketRequest
from kiosk.site.model import CallingConfig, CounterGroup

ISSUERS = 10
ISSUES_EACH = 200
CALLS = 40
KILLS = 5
_JST = timezone(timedelta(hours=9))
_DAY = date(2026, 11, 26)
_T0 = datetime(2026, 11, 26, 9, 0, tzinfo=_JST)
_GROUP = CounterGroup("myna", "M", 1, 9999)
_REQUEST = TicketRequest(
    group="myna",
    prefix="M",
    first_number=1,
    last_number=9999,
    counter="c13",
    procedure=Procedure.MYNA_SERVICE,
    current=None,
    after=None,
    reasons=("R17.submission_permanent",),
    business_date=_DAY,
    issued_at=_T0,
    kiosk_id="bench",
)


def measure() -> dict[str, float]:
    from kiosk.queue.pg_admin import setup_site
    from kiosk.queue.pg_scratch import ScratchPostgres

    with ScratchPostgres(durable=True) as server, tempfile.TemporaryDirectory(prefix="kiosk-bench-pg-") as scratch:
        url = setup_site(server.url(), "kiosk", "kiosk")
        issue = _issue_times(url, Path(scratch) / "together", ISSUERS)
        alone = _issue_times(setup_site(server.url(), "kiosk", "alone"), Path(scratch) / "alone", 1)
        calls = _call_times(setup_site(server.url(), "kiosk", "calls"))  # a lobby of its own day's size
        switch = _offline_switch_times(server, url, Path(scratch))
    return {
        "queue.pg_issue_p50_ms": _percentile_ms(issue, 50),
        "queue.pg_issue_p99_ms": _percentile_ms(issue, 99),
        "queue.pg_issue_alone_p99_ms": _percentile_ms(alone, 99),
        "queue.pg_call_to_other_machine_p50_ms": _percentile_ms(calls, 50),
        "queue.pg_call_to_other_machine_ms": _percentile_ms(calls, 95),
        "queue.offline_switch_ms": round(max(switch) / 1e6, 3),
    }


def _kiosk(url: str, outbox: Path, kiosk_id: str) -> Any:
    from kiosk.queue.offline import OfflineTicketStore

    return OfflineTicketStore(
        url,
        outbox,
        groups=(_GROUP,),
        kiosk_id=kiosk_id,
        timezone="Asia/Tokyo",
        block_size=30,
        today=lambda: _DAY,
        clock=lambda: _T0,
        retry_s=0.05,
    )


def _issuer(url: str, outbox: str, kiosk_id: str, start: Barrier, out: Any) -> None:
    store = _kiosk(url, Path(outbox), kiosk_id)
    request = replace(_REQUEST, kiosk_id=kiosk_id)
    times = []
    try:
        start.wait()
        for _ in range(ISSUES_EACH):
            began = time.perf_counter_ns()
            store.issue(request)
            times.append(time.perf_counter_ns() - began)
    finally:
        store.close()
    out.put(times)


def _issue_times(url: str, scratch: Path, issuers: int) -> list[int]:
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(issuers)
    out = ctx.Queue()
    processes = [
        ctx.Process(target=_issuer, args=(url, str(scratch / f"issuer{i}.sqlite3"), f"issuer{i}", start, out))
        for i in range(issuers)
    ]
    for process in processes:
        process.start()
    times = [t for _ in processes for t in out.get(timeout=300)]
    for process in processes:
        process.join(timeout=30)
    return times


def _setup() -> CallingSetup:
    return CallingSetup(
        timezone="Asia/Tokyo",
        business_day_reset=wall_time(5, 0),
        groups=MappingProxyType({"myna": "M"}),
        counters=MappingProxyType({"c13": (Share("myna", 1),)}),
        rules=CallingConfig(same_press_window_s=0.0),
    )


def _follower(url: str, ready: MpEvent, out: Any, calls: int) -> None:
    """The other machine: its lobby waits on the notifier and reads the state; reports when each
    call was seen (monotonic ns, system-wide)."""
    from kiosk.queue.pg_calling import PgCallingStore
    from kiosk.queue.pg_notify import PgNotifier

    notifier = PgNotifier(url)
    store = PgCallingStore(url, _setup())
    seen_at: dict[str, int] = {}
    try:
        latest = notifier.wait(0, timeout_s=0.01)
        ready.set()
        deadline = time.monotonic() + 120
        while len(seen_at) < calls and time.monotonic() < deadline:
            latest = notifier.wait(latest, timeout_s=1.0)
            state = store.lobby_state(_T0)
            calling = state.counters[0].calling
            if calling is not None and calling not in seen_at:
                seen_at[calling] = time.monotonic_ns()
    finally:
        notifier.close()
        store.close()
    out.put(seen_at)


def _call_times(url: str) -> list[int]:
    from kiosk.queue.pg_calling import PgCallingStore
    from kiosk.queue.pg_store import PgTicketStore

    tickets = PgTicketStore(url, timezone="Asia/Tokyo")
    for _ in range(CALLS):
        tickets.issue(_REQUEST)
    tickets.close()
    ctx = multiprocessing.get_context("spawn")
    ready, out = ctx.Event(), ctx.Queue()
    follower = ctx.Process(target=_follower, args=(url, ready, out, CALLS))
    follower.start()
    ready.wait(timeout=60)
    store = PgCallingStore(url, _setup())
    pressed: dict[str, int] = {}
    try:
        for minute in range(CALLS):
            began = time.monotonic_ns()
            outcome = store.call_next("c13", _T0 + timedelta(minutes=minute + 1))
            assert outcome is not None
            pressed[outcome.label] = began
            time.sleep(0.1)  # a clerk's pace at most; the follower's wait is what is measured
    finally:
        store.close()
    seen: dict[str, int] = out.get(timeout=120)
    follower.join(timeout=30)
    return [seen[label] - began for label, began in pressed.items() if label in seen]


def _offline_switch_times(server: Any, url: str, scratch: Path) -> list[int]:
    kiosk = _kiosk(url, scratch / "switch.sqlite3", "switch")
    request = replace(_REQUEST, kiosk_id="switch")
    times = []
    try:
        for _ in range(KILLS):
            kiosk.issue(request)  # online, connection warm
            assert not kiosk.offline
            server.kill()
            began = time.perf_counter_ns()
            ticket = kiosk.issue(request)  # the database is gone: from the block
            times.append(time.perf_counter_ns() - began)
            assert ticket.id < 0, "the ticket was not issued offline"
            server.start()
            deadline = time.monotonic() + 30
            while (kiosk.offline or kiosk.waiting_upload()) and time.monotonic() < deadline:
                kiosk.retry_now()
                time.sleep(0.05)
    finally:
        kiosk.close()
    return times


def _percentile_ms(times_ns: list[int], percent: int) -> float:
    ordered = sorted(times_ns)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return round(ordered[rank - 1] / 1e6, 3)
